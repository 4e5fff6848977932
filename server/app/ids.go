package app

// plainID reports whether id is a Mattermost id as the server makes them:
// 26 characters of a-z and 0-9. model.IsValidId accepts any 26 bytes of
// letters and digits (upper case too), which no account ever has; the API
// checks ids in paths the same way (api.validID).
func plainID(id string) bool {
	if len(id) != 26 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

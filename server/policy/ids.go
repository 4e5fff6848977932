package policy

// PlainID reports whether id is a Mattermost id as the server makes them:
// 26 characters of a-z and 0-9. model.IsValidId accepts any 26 letters and
// digits (upper-case and non-ASCII letters too), which no account, channel
// or team ever has; ids in paths and in request bodies are checked with
// this instead.
func PlainID(id string) bool {
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

package policy

// Restrictions is what a guest may do beyond reading and posting in the
// channels given to them. true means allowed.
type Restrictions struct {
	UploadFiles           bool `json:"upload_files"`
	DownloadFiles         bool `json:"download_files"`
	EditOwnPosts          bool `json:"edit_own_posts"` // edit and delete
	React                 bool `json:"react"`
	CreatePrivateChannels bool `json:"create_private_channels"`
	DirectMessages        bool `json:"direct_messages"` // direct and group messages
}

// DefaultRestrictions are the plugin.json defaults of the
// "Guests may ..." settings.
func DefaultRestrictions() Restrictions {
	return Restrictions{
		UploadFiles:           true,
		DownloadFiles:         true,
		EditOwnPosts:          true,
		React:                 true,
		CreatePrivateChannels: false,
		DirectMessages:        true,
	}
}

// Overrides are one guest's own restriction values; nil follows the default
// from the settings (JSON null).
type Overrides struct {
	UploadFiles           *bool `json:"upload_files"`
	DownloadFiles         *bool `json:"download_files"`
	EditOwnPosts          *bool `json:"edit_own_posts"`
	React                 *bool `json:"react"`
	CreatePrivateChannels *bool `json:"create_private_channels"`
	DirectMessages        *bool `json:"direct_messages"`
}

// IsZero reports whether no value is overridden.
func (o Overrides) IsZero() bool {
	return o.UploadFiles == nil && o.DownloadFiles == nil && o.EditOwnPosts == nil &&
		o.React == nil && o.CreatePrivateChannels == nil && o.DirectMessages == nil
}

// Effective merges a guest's overrides over the defaults. It does not
// allocate.
func Effective(defaults Restrictions, o Overrides) Restrictions {
	return Restrictions{
		UploadFiles:           pick(o.UploadFiles, defaults.UploadFiles),
		DownloadFiles:         pick(o.DownloadFiles, defaults.DownloadFiles),
		EditOwnPosts:          pick(o.EditOwnPosts, defaults.EditOwnPosts),
		React:                 pick(o.React, defaults.React),
		CreatePrivateChannels: pick(o.CreatePrivateChannels, defaults.CreatePrivateChannels),
		DirectMessages:        pick(o.DirectMessages, defaults.DirectMessages),
	}
}

func pick(v *bool, def bool) bool {
	if v != nil {
		return *v
	}
	return def
}

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

// Clone copies the overrides without sharing a pointer.
func (o Overrides) Clone() Overrides {
	for _, p := range []**bool{&o.UploadFiles, &o.DownloadFiles, &o.EditOwnPosts, &o.React, &o.CreatePrivateChannels, &o.DirectMessages} {
		if *p != nil {
			v := **p
			*p = &v
		}
	}
	return o
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

// Action is something a per-guest restriction governs.
type Action uint8

// Restricted actions.
const (
	ActUpload Action = iota + 1
	ActDownload
	ActEditOwnPost // edit or delete one's own post
	ActReact
	ActCreatePrivateChannel
	ActDirectMessage
)

// Allows reports whether the restrictions allow the action (an unknown
// action is not allowed).
func (r Restrictions) Allows(act Action) bool {
	switch act {
	case ActUpload:
		return r.UploadFiles
	case ActDownload:
		return r.DownloadFiles
	case ActEditOwnPost:
		return r.EditOwnPosts
	case ActReact:
		return r.React
	case ActCreatePrivateChannel:
		return r.CreatePrivateChannels
	case ActDirectMessage:
		return r.DirectMessages
	}
	return false
}

// RegistryAnswer is what the guest registry said about a user.
type RegistryAnswer uint8

// Registry answers.
const (
	// NotAGuest: no record; members are never restricted.
	NotAGuest RegistryAnswer = iota
	// AGuest: a record; the guest's effective restrictions apply.
	AGuest
	// RegistryUnreadable: the registry could not be read; the user is
	// treated as a guest who may do nothing restricted (fail closed).
	RegistryUnreadable
)

// RestrictionRefuses decides one per-guest restriction: members may do
// everything, a guest is refused what their effective restrictions turn
// off, and a user the registry could not answer for is refused every
// restricted action. It does not allocate.
func RestrictionRefuses(who RegistryAnswer, effective Restrictions, act Action) bool {
	switch who {
	case NotAGuest:
		return false
	case AGuest:
		return !effective.Allows(act)
	}
	return true
}

// DownloadKind is what a download hook call serves.
type DownloadKind uint8

// Download kinds (core's FileDownloadType).
const (
	DownloadFile      DownloadKind = iota // the file itself, asked for by the user
	DownloadThumbnail                     // a thumbnail the client shows
	DownloadPreview                       // a preview image the client shows
	DownloadPublic                        // a public link (no user)
)

// DownloadDecision decides a download: refuse when the user may not
// download files (every kind: a preview is the file's content too); explain
// (tell the user why, in the channel) only for a download of the file
// itself. Thumbnails and previews are fetched by the client for every image
// in view, and a notice for each would flood the channel.
func DownloadDecision(who RegistryAnswer, effective Restrictions, kind DownloadKind) (refuse, explain bool) {
	if kind == DownloadPublic || !RestrictionRefuses(who, effective, ActDownload) {
		return false, false
	}
	return true, kind == DownloadFile
}

// UndoPrivateChannel decides whether a channel just created must be
// archived (core has no veto hook for channel creation): a private channel
// whose creator may not create private channels. Public channels, direct
// and group messages, and channels with no creator (made by core or a
// plugin) stay.
func UndoPrivateChannel(private, hasCreator bool, creator RegistryAnswer, effective Restrictions) bool {
	return private && hasCreator && RestrictionRefuses(creator, effective, ActCreatePrivateChannel)
}

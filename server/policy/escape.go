package policy

// Decisions for what a guest reaches through core's own API that core's
// permissions do not refuse them on a server without core guest accounts
// (see docs/security.md, "Escapes tried from a guest account").

// UndoGuestChannel decides whether an open or private channel just created
// must be undone (its creator removed, the channel archived); core has no
// veto hook for channel creation. Core refuses channel creation to a guest
// team membership, so a guest who created one did it through a team
// membership that is not a guest one: a self-join the isolation hooks had
// not undone yet. Such a channel is always undone. Through a guest
// membership (a server whose guest permissions were widened) only a
// private channel the guest may not create is (UndoPrivateChannel). An
// unreadable registry undoes private channels only, as before: a member's
// public channel is not archived on a guess.
func UndoGuestChannel(private bool, creator RegistryAnswer, creatorHasGuestTeamMembership bool, effective Restrictions) bool {
	switch creator {
	case NotAGuest:
		return false
	case AGuest:
		if !creatorHasGuestTeamMembership {
			return true
		}
	}
	return UndoPrivateChannel(private, true, creator, effective)
}

// System post types core writes, as the user who made the change, when a
// channel's header, purpose or display name changes (model.PostTypeHeaderChange
// and its siblings).
const (
	PostTypeHeaderChange      = "system_header_change"
	PostTypePurposeChange     = "system_purpose_change"
	PostTypeDisplayNameChange = "system_displayname_change"
)

// IsChannelChangePost reports whether a system post records a change of a
// channel's header, purpose or display name. In a direct or group message
// such a post carries the changer's free text to the other participants
// (an unread message, a mention), so the DM rule applies to it as to a
// message; core's other system posts (joins, leaves) pass.
func IsChannelChangePost(postType string) bool {
	switch postType {
	case PostTypeHeaderChange, PostTypePurposeChange, PostTypeDisplayNameChange:
		return true
	}
	return false
}

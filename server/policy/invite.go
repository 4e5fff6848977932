package policy

// Actor is the user asking to invite guests, as far as the invite rule
// cares. IsTeamAdmin is about the team of the channel (or team) the guest is
// invited into, not any team.
type Actor struct {
	IsGuest       bool
	IsSystemAdmin bool
	IsTeamAdmin   bool
	IsBot         bool
}

// MayInvite reports whether actor may invite guests under s.
//
//   - Nobody may while guest accounts are switched off.
//   - Guests never may, even if also flagged as an admin of some kind.
//   - Bots may only when they are system admins: a bot acts for whoever
//     controls its token, so it gets no invite right from being a member or
//     a team admin; a system-admin bot is an explicit admin decision and is
//     as powerful as an admin anyway.
//   - System admins always may; team admins when WhoMayInvite is team_admins
//     or members; any other member when it is members.
func MayInvite(actor Actor, s Settings) bool {
	switch {
	case !s.EnableGuestAccounts, actor.IsGuest:
		return false
	case actor.IsSystemAdmin:
		return true
	case actor.IsBot:
		return false
	case actor.IsTeamAdmin:
		return s.WhoMayInvite >= InviteTeamAdmins
	default:
		return s.WhoMayInvite >= InviteMembers
	}
}

// ChannelTarget is a channel a guest is to be invited into, seen from the
// actor.
type ChannelTarget struct {
	// ActorIsMember: the actor is a current member of the channel.
	ActorIsMember bool
	// IsDirect: a direct or group message channel; guests are never invited
	// into one.
	IsDirect bool
	// IsArchived: the channel is archived (deleted).
	IsArchived bool
}

// MayInviteToChannel reports whether actor may invite a guest into ch: the
// actor must pass MayInvite (with IsTeamAdmin about the channel's team), the
// channel must be an open or private channel that is not archived, and the
// actor must be a member of it. System admins are exempt from the membership
// requirement only (they can add anyone to any channel in core too); for
// everyone else it stops an invite from reaching into a private channel the
// inviter cannot see.
func MayInviteToChannel(actor Actor, s Settings, ch ChannelTarget) bool {
	if !MayInvite(actor, s) || ch.IsDirect || ch.IsArchived {
		return false
	}
	return ch.ActorIsMember || actor.IsSystemAdmin
}

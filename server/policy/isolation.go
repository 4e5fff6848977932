package policy

// GuestJoin describes a team or channel membership a guest just gained (or
// is about to gain), as the isolation rule sees it.
type GuestJoin struct {
	// Team: a team membership; otherwise a channel membership.
	Team bool
	// GuestMembership: the plugin's role window made it: a guest membership
	// (team_guest / channel_guest) that no person made (an admin's addition
	// that happened to land inside a window, or core's own system_guest
	// role on a licensed server, is also a guest membership but is judged
	// like any other).
	GuestMembership bool
	// DirectOrGroup: a direct or group message channel, ruled by DMAllowed.
	DirectOrGroup bool
	// Given: the channel is already in the guest's registry (given to them
	// through the plugin); the membership only needs to become a guest one.
	Given bool
	// SelfService: nobody else added the guest: a self-join of an open team
	// or public channel, an invite link, or an unknown plugin or job.
	SelfService bool
	// ActorAllowed: the person who added the guest may give them this team
	// or channel (MayInvite / MayInviteToChannel).
	ActorAllowed bool
	// SingleChannel: the guest is a single-channel guest.
	SingleChannel bool
	// ChannelCount: the guest's given channels other than this one.
	ChannelCount int
	// DMCount: the guest's direct and group message channels.
	DMCount int
	// MaxChannels and CountDM are "Maximum channels per guest" and "Count
	// direct and group messages towards the channel limit".
	MaxChannels int
	CountDM     bool
}

// JoinOutcome is what to do with a guest's new membership.
type JoinOutcome uint8

// Join outcomes.
const (
	// JoinKeep: leave it as it is (already a guest membership, or a DM/GM).
	JoinKeep JoinOutcome = iota
	// JoinConvert: replace it by a guest membership (role window).
	JoinConvert
	// JoinRefuse: remove it (or veto it) and tell the people involved why.
	JoinRefuse
)

// JoinReason says why a join is refused (JoinNoReason otherwise). String
// gives a stable identifier.
type JoinReason uint8

// Join refusal reasons.
const (
	JoinNoReason JoinReason = iota
	// JoinSelfService: guests cannot join teams or channels by themselves.
	JoinSelfService
	// JoinActorNotAllowed: the adder may not give guests this team/channel.
	JoinActorNotAllowed
	// JoinSingleChannel: a single-channel guest already has their channel.
	JoinSingleChannel
	// JoinChannelCap: "Maximum channels per guest" is reached.
	JoinChannelCap
)

// String returns a stable snake_case identifier.
func (r JoinReason) String() string {
	switch r {
	case JoinNoReason:
		return "ok"
	case JoinSelfService:
		return "self_service"
	case JoinActorNotAllowed:
		return "adder_not_allowed"
	case JoinSingleChannel:
		return "single_channel"
	case JoinChannelCap:
		return "channel_cap"
	}
	return "unknown"
}

// GuestJoinDecision is the isolation rule for a guest's new membership:
//
//   - A guest membership stays (the plugin made it, or core's guest role).
//   - A DM/GM membership stays here; the DM rule governs posting in it.
//   - A channel already given to the guest is converted, whoever added it.
//   - Self-service reach (open teams, public channels, invite links) is
//     refused.
//   - Otherwise the adder must be allowed to give guests this team or
//     channel; for a channel the single-channel rule and the channel cap
//     must also allow one more channel. Then it is converted.
//
// It does not allocate.
func GuestJoinDecision(j GuestJoin) (JoinOutcome, JoinReason) {
	switch {
	case j.GuestMembership, !j.Team && j.DirectOrGroup:
		return JoinKeep, JoinNoReason
	case !j.Team && j.Given:
		return JoinConvert, JoinNoReason
	case j.SelfService:
		return JoinRefuse, JoinSelfService
	case !j.ActorAllowed:
		return JoinRefuse, JoinActorNotAllowed
	case j.Team:
		return JoinConvert, JoinNoReason
	case !SingleChannelAllows(j.SingleChannel, j.ChannelCount, 1):
		return JoinRefuse, JoinSingleChannel
	case !ChannelCapAllows(j.ChannelCount, j.MaxChannels, j.CountDM, j.DMCount):
		return JoinRefuse, JoinChannelCap
	}
	return JoinConvert, JoinNoReason
}

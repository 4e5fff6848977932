package policy

import "math"

// Unlimited is the room ChannelRoom reports when there is no cap.
const Unlimited = math.MaxInt

// Counts below zero (a corrupt counter) are treated as zero, and a cap below
// zero (never produced by ParseSettings) allows nothing: both fail closed.
func clampCount(n int) int { return max(n, 0) }

// room returns how many more fit under limit when used are taken; Unlimited
// when limit is 0; 0 when limit is negative. It cannot overflow.
func room(used, limit int) int {
	switch {
	case limit == 0:
		return Unlimited
	case limit < 0 || used >= limit:
		return 0
	}
	return limit - used
}

// addCounts adds two counts, clamped at zero, without overflow.
func addCounts(active, pending int) int {
	active, pending = clampCount(active), clampCount(pending)
	if pending > math.MaxInt-active {
		return math.MaxInt
	}
	return active + pending
}

// CapAllows reports whether one more guest fits under limit, the "Maximum
// active guests" cap (0 = unlimited). The rule: active guests plus pending
// invitations may not exceed the cap, so it is true when
// active + pending < limit.
//
// When sending an invitation, pass the pending invitations so far. When an
// invitation is accepted, its own reservation is being consumed: pass the
// pending count without it (or 0 if pending invitations are not counted
// again at acceptance). It does not allocate.
func CapAllows(active, pending, limit int) bool {
	return room(addCounts(active, pending), limit) > 0
}

// InviteCapDecision returns how many of requested new invitations may be
// sent now: all of them when limit is 0, otherwise as many as keep
// active + pending + sent <= limit (never negative, never more than
// requested). Addresses that already belong to a guest do not take a new
// place and should not be counted in requested.
func InviteCapDecision(active, pendingInvites, requested, limit int) int {
	return min(clampCount(requested), room(addCounts(active, pendingInvites), limit))
}

// ChannelRoom returns how many more channels a guest may join under the
// limit, the "Maximum channels per guest" cap (0 = unlimited, reported as
// Unlimited).
// channelCount counts the guest's open and private channels; dmCount their
// direct and group message channels, which count only when countDM ("Count
// direct and group messages towards the channel limit") is set.
func ChannelRoom(channelCount, limit int, countDM bool, dmCount int) int {
	used := clampCount(channelCount)
	if countDM {
		used = addCounts(used, dmCount)
	}
	return room(used, limit)
}

// ChannelCapAllows reports whether a guest may join one more channel (see
// ChannelRoom for the arguments). It does not allocate.
func ChannelCapAllows(channelCount, limit int, countDM bool, dmCount int) bool {
	return ChannelRoom(channelCount, limit, countDM, dmCount) > 0
}

// SingleChannelAllows is the single-channel rule: a single-channel guest may
// be in at most one open or private channel, so adding more channels to one
// already in channelCount channels is allowed only when the total stays at
// most one. Direct and group messages are not channels for this rule (the
// DM rule already limits them to people of that one channel). A guest that
// is not single-channel is not limited here (see ChannelCapAllows).
func SingleChannelAllows(singleChannel bool, channelCount, adding int) bool {
	if !singleChannel {
		return true
	}
	c, a := clampCount(channelCount), clampCount(adding)
	return a <= 1 && c <= 1-a
}

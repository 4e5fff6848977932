package policy

// DMParty is one participant of a direct or group message channel, as the DM
// rule sees them.
type DMParty struct {
	// IsGuest: the user is a guest (plugin registry or core system_guest).
	IsGuest bool
	// DirectMessages is the guest's effective DirectMessages restriction
	// (Effective(defaults, overrides)[DirectMessages]); ignored for
	// non-guests.
	DirectMessages bool
	// Exempt marks a party the caller trusts to message and be messaged by
	// anyone, typically the plugin's own bot (welcome and expiry notices).
	// An exempt sender is always allowed; an exempt recipient is skipped.
	Exempt bool
}

// DMReason is the outcome of DMAllowed: DMOK or why the message is refused.
// String gives a stable identifier for error ids and translation keys.
type DMReason uint8

// DM rule outcomes.
const (
	// DMOK: the message may be sent.
	DMOK DMReason = iota
	// DMSenderRestricted: the sender is a guest whose DirectMessages
	// restriction is off.
	DMSenderRestricted
	// DMRecipientRestricted: another participant is a guest whose
	// DirectMessages restriction is off; nobody may message them directly.
	DMRecipientRestricted
	// DMGuestNoSharedChannel: the sender is a guest and shares no open or
	// private channel with some participant.
	DMGuestNoSharedChannel
	// DMMemberNoSharedChannel: the sender is a member, a participant is a
	// guest they share no open or private channel with, and "Allow members
	// to message guests they share no channel with" is off.
	DMMemberNoSharedChannel
)

// Allowed reports whether r is DMOK.
func (r DMReason) Allowed() bool { return r == DMOK }

// String returns a stable snake_case identifier.
func (r DMReason) String() string {
	switch r {
	case DMOK:
		return "ok"
	case DMSenderRestricted:
		return "guest_direct_messages_disabled"
	case DMRecipientRestricted:
		return "recipient_direct_messages_disabled"
	case DMGuestNoSharedChannel:
		return "guest_no_shared_channel"
	case DMMemberNoSharedChannel:
		return "member_no_shared_channel_with_guest"
	}
	return "unknown"
}

// DMAllowed is the direct and group message rule for sender posting in (or
// opening) a DM/GM with others (every participant but the sender; a self-DM
// has none and is always allowed).
//
//   - A guest whose DirectMessages restriction is off may not message anyone
//     (DMSenderRestricted), and nobody may message a DM/GM that includes
//     such a guest (DMRecipientRestricted): the restriction means the guest
//     takes no part in direct messages at all.
//   - A guest may message only people who share an open or private channel
//     with them (DMGuestNoSharedChannel).
//   - A member may message a guest only when they share such a channel, or
//     allowMembersToDMGuests is set (DMMemberNoSharedChannel). Members
//     messaging members are not limited.
//
// sharesChannel(i) reports whether others[i] and the sender are both
// members of at least one channel that is not a DM or GM. It is called
// lazily, at most once per participant, only when the answer matters, and
// only after every cheaper check passed; a nil sharesChannel means "no
// shared channel" (fail closed). DMAllowed does not allocate.
func DMAllowed(sender DMParty, others []DMParty, sharesChannel func(i int) bool, allowMembersToDMGuests bool) DMReason {
	if sender.Exempt || len(others) == 0 {
		return DMOK
	}
	if sender.IsGuest && !sender.DirectMessages {
		return DMSenderRestricted
	}
	needShared := false
	for _, o := range others {
		if o.Exempt {
			continue
		}
		if o.IsGuest && !o.DirectMessages {
			return DMRecipientRestricted
		}
		if sender.IsGuest || (o.IsGuest && !allowMembersToDMGuests) {
			needShared = true
		}
	}
	if !needShared {
		return DMOK
	}
	for i, o := range others {
		if o.Exempt || !(sender.IsGuest || (o.IsGuest && !allowMembersToDMGuests)) {
			continue
		}
		if sharesChannel == nil || !sharesChannel(i) {
			if sender.IsGuest {
				return DMGuestNoSharedChannel
			}
			return DMMemberNoSharedChannel
		}
	}
	return DMOK
}

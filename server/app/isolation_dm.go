package app

import (
	"errors"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// The DM/GM rule (policy.DMAllowed). Core lets anyone create a direct or
// group message channel with anyone (measured on 11.4, also for guests), so
// the rule is applied where a plugin can: the people involved are told when
// such a channel is created, and posts, edits and uploads in it are
// refused.

var msgCheckFailed = msg{"guest_accounts.notice.check_failed", "Your message could not be checked; try again in a moment."}

// DirectChannelCreated tells each participant of a new DM/GM who may not
// message the others why, at once.
func (a *App) DirectChannelCreated(ch *model.Channel) {
	if ch.Type != model.ChannelTypeDirect && ch.Type != model.ChannelTypeGroup {
		return
	}
	participants, err := a.dmParticipants(ch)
	if err != nil {
		a.api.LogWarn("Guest Accounts: could not read a new direct message channel", "channel_id", ch.Id, "error", err.Error())
		return
	}
	for _, id := range participants {
		if id == a.botID {
			continue
		}
		g, err := a.store.GetGuest(id)
		if errors.Is(err, store.ErrNotFound) {
			g = nil
		} else if err != nil {
			continue
		}
		reason := a.dmReason(id, g, participants)
		if !reason.Allowed() {
			a.Ephemeral(id, ch.Id, a.TrUser(id, "guest_accounts.notice.dm_refused_created", "%s Messages and files you send here will be refused.", a.dmRefusalText(id, reason)))
			a.Audit(id, "dm_refused", ch.Id, "refused: "+reason.String(), "created")
		} else if text := a.dmCapRefusal(id, ch, participants); text != "" {
			a.Ephemeral(id, ch.Id, a.TrUser(id, "guest_accounts.notice.dm_cap_created", "%s Messages and files sent here will be refused.", text))
			a.Audit(id, "dm_refused", ch.Id, "refused: channel cap", "created")
		}
	}
}

// checkDirectSend applies the DM rule to a post or upload by sender (g is
// their registry record, nil for a non-guest) in ch. "" allows.
func (a *App) checkDirectSend(senderID string, g *store.Guest, ch *model.Channel) string {
	participants, err := a.dmParticipants(ch)
	if err != nil {
		return a.say(senderID, msgCheckFailed)
	}
	if reason := a.dmReason(senderID, g, participants); !reason.Allowed() {
		return a.dmRefusalText(senderID, reason)
	}
	return a.dmCapRefusal(senderID, ch, participants)
}

// dmCapRefusal applies "Maximum channels per guest" to direct and group
// messages when "Count direct and group messages" is on. Core's DM
// creation cannot be vetoed on 11.4, so a guest's conversations are
// counted oldest first after their channels, and a conversation beyond the
// cap stays silent: nobody can post in it. "" allows.
func (a *App) dmCapRefusal(readerID string, ch *model.Channel, participants []string) string {
	s := a.settings()
	if !s.CountDirectMessages || s.MaxChannelsPerGuest <= 0 {
		return ""
	}
	for _, id := range participants {
		if id == a.botID {
			continue
		}
		g, err := a.guests.Cached(id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return a.say(readerID, msgCheckFailed)
		}
		if a.dmBeyondCap(g, ch, s.MaxChannelsPerGuest) {
			return a.TrUser(readerID, "guest_accounts.notice.dm_cap", "This conversation would take a guest past the maximum of %d channels and direct conversations (\"Maximum channels per guest\").", s.MaxChannelsPerGuest)
		}
	}
	return ""
}

// dmBeyondCap reports whether ch is one of the guest's conversations that
// do not fit under the cap after their channels.
func (a *App) dmBeyondCap(g *store.Guest, ch *model.Channel, maxChannels int) bool {
	room := maxChannels - len(g.ChannelIDs)
	if room <= 0 {
		return true
	}
	channels, appErr := a.api.GetChannelsForTeamForUser("", g.UserID, false)
	if appErr != nil {
		return false
	}
	botDM := model.GetDMNameFromIds(g.UserID, a.botID)
	older := 0
	for _, c := range channels {
		if c.Id == ch.Id || c.Name == botDM || (c.Type != model.ChannelTypeDirect && c.Type != model.ChannelTypeGroup) {
			continue
		}
		if c.CreateAt < ch.CreateAt || (c.CreateAt == ch.CreateAt && c.Id < ch.Id) {
			older++
		}
	}
	return older >= room
}

// dmReason evaluates the DM rule for sender among the participants.
func (a *App) dmReason(senderID string, g *store.Guest, participants []string) policy.DMReason {
	s := a.settings()
	sender := policy.DMParty{Exempt: senderID == a.botID}
	if g != nil {
		sender.IsGuest = true
		sender.DirectMessages = policy.Effective(s.DefaultRestrictions, g.Restrictions).DirectMessages
	}
	var ids []string
	var others []policy.DMParty
	for _, id := range participants {
		if id == senderID {
			continue
		}
		p := policy.DMParty{Exempt: id == a.botID}
		if !p.Exempt {
			og, err := a.guests.Cached(id)
			switch {
			case err == nil:
				p.IsGuest = true
				p.DirectMessages = policy.Effective(s.DefaultRestrictions, og.Restrictions).DirectMessages
			case !errors.Is(err, store.ErrNotFound):
				// Unreadable: treat as a guest who shares nothing (fail closed).
				p.IsGuest = true
			}
		}
		ids = append(ids, id)
		others = append(others, p)
	}
	shares := func(i int) bool {
		if sender.IsGuest {
			return a.sharesTeamChannel(senderID, ids[i])
		}
		return a.sharesTeamChannel(ids[i], senderID)
	}
	return policy.DMAllowed(sender, others, shares, s.AllowMembersToDMGuests)
}

// sharesTeamChannel reports whether other is, with the guest, a member of
// one of the guest's channels: the ones given to them (the registry, from
// the cache; isolation removes any other membership), one call per channel
// asking core for both memberships (usually the first one answers). A yes
// is kept for sharedTTL (guestcache.go: dropped at once on this node when
// either user leaves or joins a channel or the guest's record changes), so
// a conversation costs two calls to core every few seconds, not per post.
func (a *App) sharesTeamChannel(guestID, otherID string) bool {
	if a.guests.sharedKnown(guestID, otherID) {
		return true
	}
	before := a.guests.sharedGens(guestID, otherID)
	g, err := a.guests.Cached(guestID)
	if err != nil {
		return false
	}
	for _, channelID := range g.ChannelIDs {
		if a.guests.beingArchived(channelID) {
			continue
		}
		members, appErr := a.api.GetChannelMembersByIds(channelID, []string{guestID, otherID})
		if appErr != nil || len(members) != 2 {
			continue
		}
		// An archived channel is no longer shared (core caches channels).
		if ch, appErr := a.api.GetChannel(channelID); appErr == nil && ch.DeleteAt == 0 {
			a.guests.rememberShared(guestID, otherID, before)
			return true
		}
	}
	return false
}

// dmParticipants lists the users of a DM (from its name) or GM.
func (a *App) dmParticipants(ch *model.Channel) ([]string, error) {
	if ch.Type == model.ChannelTypeDirect {
		parts := strings.Split(ch.Name, "__")
		if len(parts) != 2 {
			return nil, errors.New("unexpected direct channel name")
		}
		if parts[0] == parts[1] {
			return parts[:1], nil
		}
		return parts, nil
	}
	members, appErr := a.api.GetChannelMembers(ch.Id, 0, 100)
	if appErr != nil {
		return nil, appErr
	}
	ids := make([]string, 0, len(members))
	for _, m := range members {
		ids = append(ids, m.UserId)
	}
	return ids, nil
}

// dmRefusalText explains a DM refusal to readerID.
func (a *App) dmRefusalText(readerID string, r policy.DMReason) string {
	switch r {
	case policy.DMSenderRestricted:
		return a.TrUser(readerID, "guest_accounts.notice.dm_sender_restricted", "Guests here may not use direct or group messages.")
	case policy.DMRecipientRestricted:
		return a.TrUser(readerID, "guest_accounts.notice.dm_recipient_restricted", "A guest in this conversation may not receive direct or group messages.")
	case policy.DMGuestNoSharedChannel:
		return a.TrUser(readerID, "guest_accounts.notice.dm_guest_no_shared_channel", "As a guest, you can only message people who share a channel with you.")
	case policy.DMMemberNoSharedChannel:
		return a.TrUser(readerID, "guest_accounts.notice.dm_member_no_shared_channel", "You can only message guests who share a channel with you.")
	}
	return a.TrUser(readerID, "guest_accounts.notice.dm_refused", "This direct message is not allowed.")
}

package enforce

import (
	"errors"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// The DM/GM rule (policy.DMAllowed). Core lets members open a direct or
// group message with anyone, and guests (the dedicated role) with anyone
// they can see, so the rule is applied where a plugin can: the people
// involved are told when such a channel is created, and posts, edits,
// uploads, header changes and reactions in it are refused.

var msgCheckFailed = app.Msg{ID: "guest_accounts.notice.check_failed", Format: "Your message could not be checked; try again in a moment."}

// DirectChannelCreated tells each participant of a new DM/GM who may not
// message the others why, at once.
func (s *Service) DirectChannelCreated(ch *model.Channel) {
	if ch.Type != model.ChannelTypeDirect && ch.Type != model.ChannelTypeGroup {
		return
	}
	participants, err := s.dmParticipants(ch)
	if err != nil {
		s.api.LogWarn("Guest Accounts: could not read a new direct message channel", "channel_id", ch.Id, "error", err.Error())
		return
	}
	for _, id := range participants {
		if id == s.kit.BotID() {
			continue
		}
		g, err := s.cache.GetGuest(id)
		if errors.Is(err, store.ErrNotFound) {
			g = nil
		} else if err != nil {
			continue
		}
		reason := s.dmReason(id, g, participants)
		if !reason.Allowed() {
			s.kit.Ephemeral(id, ch.Id, s.kit.TrUser(id, "guest_accounts.notice.dm_refused_created", "%s Messages and files you send here will be refused.", s.dmRefusalText(id, reason)))
			s.kit.Audit(id, "dm_refused", ch.Id, "refused: "+reason.String(), "created")
		} else if text := s.dmCapRefusal(id, ch, participants); text != "" {
			s.kit.Ephemeral(id, ch.Id, s.kit.TrUser(id, "guest_accounts.notice.dm_cap_created", "%s Messages and files sent here will be refused.", text))
			s.kit.Audit(id, "dm_refused", ch.Id, "refused: channel cap", "created")
		}
	}
}

// checkDirectSend applies the DM rule to a post or upload by sender (g is
// their registry record, nil for a non-guest) in ch. "" allows.
func (s *Service) checkDirectSend(senderID string, g *store.Guest, ch *model.Channel) string {
	participants, err := s.dmParticipants(ch)
	if err != nil {
		return s.kit.Say(senderID, msgCheckFailed)
	}
	if reason := s.dmReason(senderID, g, participants); !reason.Allowed() {
		return s.dmRefusalText(senderID, reason)
	}
	return s.dmCapRefusal(senderID, ch, participants)
}

// dmCapRefusal applies "Maximum channels per guest" to direct and group
// messages when "Count direct and group messages" is on. Core's DM
// creation cannot be vetoed on 11.4, so a guest's conversations are
// counted oldest first after their channels, and a conversation beyond the
// cap stays silent: nobody can post in it. "" allows.
func (s *Service) dmCapRefusal(readerID string, ch *model.Channel, participants []string) string {
	settings := s.kit.Settings()
	if !settings.CountDirectMessages || settings.MaxChannelsPerGuest <= 0 {
		return ""
	}
	for _, id := range participants {
		if id == s.kit.BotID() {
			continue
		}
		g, err := s.cache.Cached(id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return s.kit.Say(readerID, msgCheckFailed)
		}
		if s.dmBeyondCap(g, ch, settings.MaxChannelsPerGuest) {
			return s.kit.TrUser(readerID, "guest_accounts.notice.dm_cap", "This conversation would take a guest past the maximum of %d channels and direct conversations (\"Maximum channels per guest\").", settings.MaxChannelsPerGuest)
		}
	}
	return ""
}

// dmBeyondCap reports whether ch is one of the guest's conversations that
// do not fit under the cap after their channels.
func (s *Service) dmBeyondCap(g *store.Guest, ch *model.Channel, maxChannels int) bool {
	room := maxChannels - len(g.ChannelIDs)
	if room <= 0 {
		return true
	}
	channels, appErr := s.api.GetChannelsForTeamForUser("", g.UserID, false)
	if appErr != nil {
		return false
	}
	botDM := model.GetDMNameFromIds(g.UserID, s.kit.BotID())
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
func (s *Service) dmReason(senderID string, g *store.Guest, participants []string) policy.DMReason {
	settings := s.kit.Settings()
	sender := policy.DMParty{Exempt: senderID == s.kit.BotID()}
	if g != nil {
		sender.IsGuest = true
		sender.DirectMessages = policy.Effective(settings.DefaultRestrictions, g.Restrictions)[policy.DirectMessages]
	}
	var ids []string
	var others []policy.DMParty
	for _, id := range participants {
		if id == senderID {
			continue
		}
		p := policy.DMParty{Exempt: id == s.kit.BotID()}
		if !p.Exempt {
			og, err := s.cache.Cached(id)
			switch {
			case err == nil:
				p.IsGuest = true
				p.DirectMessages = policy.Effective(settings.DefaultRestrictions, og.Restrictions)[policy.DirectMessages]
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
			return s.sharesTeamChannel(senderID, ids[i])
		}
		return s.sharesTeamChannel(ids[i], senderID)
	}
	return policy.DMAllowed(sender, others, shares, settings.AllowMembersToDMGuests)
}

// sharesTeamChannel reports whether other is, with the guest, a member of
// one of the guest's channels: the ones given to them (the registry, from
// the cache; isolation removes any other membership), one call per channel
// asking core for both memberships (usually the first one answers). A yes
// is kept for guestcache.SharedTTL (store/guestcache/shared.go: dropped at
// once on this node when either user leaves or joins a channel, a channel
// is archived, or the guest's record changes), so a conversation costs two
// calls to core every few seconds, not two per post.
func (s *Service) sharesTeamChannel(guestID, otherID string) bool {
	if s.cache.SharedKnown(guestID, otherID) {
		return true
	}
	before := s.cache.BeforeShared(guestID, otherID)
	g, err := s.cache.Cached(guestID)
	if err != nil {
		return false
	}
	for _, channelID := range g.ChannelIDs {
		if s.cache.BeingArchived(channelID) {
			continue
		}
		members, appErr := s.api.GetChannelMembersByIds(channelID, []string{guestID, otherID})
		if appErr != nil || len(members) != 2 {
			continue
		}
		// An archived channel is no longer shared (core caches channels).
		if ch, appErr := s.api.GetChannel(channelID); appErr == nil && ch.DeleteAt == 0 {
			s.cache.RememberShared(guestID, otherID, before)
			return true
		}
	}
	return false
}

// dmParticipants lists the users of a DM (from its name) or GM.
func (s *Service) dmParticipants(ch *model.Channel) ([]string, error) {
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
	if g, ok := s.channels.group(ch.Id); ok {
		return g.members, nil
	}
	ids, err := s.readGroupMembers(ch.Id)
	if err != nil {
		return nil, err
	}
	s.channels.keepGroup(ch, ids)
	return ids, nil
}

// readGroupMembers asks core for a group message's members (at most 8).
func (s *Service) readGroupMembers(channelID string) ([]string, error) {
	members, appErr := s.api.GetChannelMembers(channelID, 0, 100)
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
func (s *Service) dmRefusalText(readerID string, r policy.DMReason) string {
	switch r {
	case policy.DMSenderRestricted:
		return s.kit.TrUser(readerID, "guest_accounts.notice.dm_sender_restricted", "Guests here may not use direct or group messages.")
	case policy.DMRecipientRestricted:
		return s.kit.TrUser(readerID, "guest_accounts.notice.dm_recipient_restricted", "A guest in this conversation may not receive direct or group messages.")
	case policy.DMGuestNoSharedChannel:
		return s.kit.TrUser(readerID, "guest_accounts.notice.dm_guest_no_shared_channel", "As a guest, you can only message people who share a channel with you.")
	case policy.DMMemberNoSharedChannel:
		return s.kit.TrUser(readerID, "guest_accounts.notice.dm_member_no_shared_channel", "You can only message guests who share a channel with you.")
	}
	return s.kit.TrUser(readerID, "guest_accounts.notice.dm_refused", "This direct message is not allowed.")
}

// checkChannelChangePost applies the DM rule to core's system post about a
// header change in a direct or group message, posted as the changer (core
// lets any participant change a DM/GM header: measured 200 on 11.4 for a
// guest whose DM partner no longer shares a channel with them). Refused,
// the post never reaches the others (no unread, no mention, no
// notification) and the header is put back (undoChannelChange); core has
// already saved it and sent it to the participants' websockets as
// channel_updated (no hook runs before that on 11.4; 11.8's
// ChannelWillBeUpdated vetoes it: CheckChannelUpdate). Other system posts
// pass.
func (s *Service) checkChannelChangePost(post *model.Post) string {
	if !policy.IsChannelChangePost(post.Type) {
		return ""
	}
	reason := s.directSendRefusal(post.UserId, post.ChannelId)
	if reason != "" {
		s.undoChannelChange(post)
	}
	return reason
}

// directSendRefusal applies the DM rule alone to userID acting in a
// channel (a header change, a reaction); "" allows, and channels other than
// DMs and GMs are not its business.
func (s *Service) directSendRefusal(userID, channelID string) string {
	ch, appErr := s.channelForSend(channelID)
	if appErr != nil || (ch.Type != model.ChannelTypeDirect && ch.Type != model.ChannelTypeGroup) {
		return ""
	}
	g, err := s.cache.Cached(userID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		g = nil
	case err != nil:
		return s.kit.Say(userID, msgCheckFailed)
	}
	return s.checkDirectSend(userID, g, ch)
}

// undoChannelChange puts back the header or purpose a refused change post
// records (core's post carries the old value).
func (s *Service) undoChannelChange(post *model.Post) {
	ch, appErr := s.api.GetChannel(post.ChannelId)
	if appErr != nil {
		s.api.LogWarn("Guest Accounts: could not read a channel to undo a refused header change", "channel_id", post.ChannelId, "error", appErr.Error())
		return
	}
	old := func(key string) string { v, _ := post.GetProp(key).(string); return v }
	switch post.Type {
	case model.PostTypeHeaderChange:
		ch.Header = old("old_header")
	case model.PostTypePurposeChange:
		ch.Purpose = old("old_purpose")
	default:
		return // core refuses display name changes of DMs and GMs
	}
	if _, appErr := s.api.UpdateChannel(ch); appErr != nil {
		s.api.LogWarn("Guest Accounts: could not undo a refused header change", "channel_id", ch.Id, "error", appErr.Error())
		return
	}
	s.kit.Audit(post.UserId, "dm_refused", ch.Id, "refused: header change undone", post.Type)
}

// CheckChannelUpdate is the veto path for DM/GM header and purpose changes
// (11.8+; 11.4 never calls it): "" lets core save the change. The change
// is the session's user's (none for plugins and jobs, such as
// undoChannelChange); the session is read only for such a change.
func (s *Service) CheckChannelUpdate(newChannel, oldChannel *model.Channel, sessionID string) string {
	if newChannel == nil || oldChannel == nil ||
		(newChannel.Type != model.ChannelTypeDirect && newChannel.Type != model.ChannelTypeGroup) ||
		(newChannel.Header == oldChannel.Header && newChannel.Purpose == oldChannel.Purpose) {
		return ""
	}
	actorID := s.SessionUserID(sessionID)
	if actorID == "" {
		return ""
	}
	reason := s.directSendRefusal(actorID, newChannel.Id)
	if reason != "" {
		s.kit.Audit(actorID, "dm_refused", newChannel.Id, "refused: header change", "vetoed")
	}
	return reason
}

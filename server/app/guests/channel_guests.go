package guests

import (
	"slices"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
)

// ChannelGuestsResult is GET /channels/{id}/guests.
type ChannelGuestsResult struct {
	ChannelID  string             `json:"channel_id"`
	GuestCount int                `json:"guest_count"`
	Guests     []app.ChannelGuest `json:"guests"`
}

// ChannelGuests lists a channel's guests for its members.
func (s *Service) ChannelGuests(actorID, channelID string) (*ChannelGuestsResult, error) {
	if _, appErr := s.api.GetChannelMember(channelID, actorID); appErr != nil {
		if !s.kit.IsSystemAdmin(actorID) {
			return nil, app.ErrNotFound("channel_not_found", "No channel %s that you are a member of.", channelID)
		}
		if _, appErr := s.api.GetChannel(channelID); appErr != nil {
			return nil, app.ErrNotFound("channel_missing", "No channel %s.", channelID)
		}
	}
	guests, appErr := s.kit.ActiveChannelGuests(channelID)
	if appErr != nil {
		return nil, appErr
	}
	return &ChannelGuestsResult{ChannelID: channelID, Guests: guests, GuestCount: len(guests)}, nil
}

// LookupGuests says which of the users are guests (for badges). Guests may
// only learn it about people they share a channel with; ids they may not
// see are simply not reported.
func (s *Service) LookupGuests(actorID string, userIDs []string) ([]string, error) {
	if len(userIDs) > 200 {
		return nil, app.ErrBadRequest("too_many_ids", "user_ids", "user_ids: at most 200 per request.")
	}
	for _, id := range userIDs {
		if !policy.PlainID(id) {
			return nil, app.ErrBadRequest("invalid_user_ids", "user_ids", "user_ids: %q is not a valid user id.", id)
		}
	}
	actorIsGuest, err := s.kit.IsGuest(actorID)
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, id := range userIDs {
		if slices.Contains(out, id) {
			continue
		}
		isGuest, err := s.kit.IsGuest(id)
		if err != nil || !isGuest {
			continue
		}
		if actorIsGuest && id != actorID && !s.shareChannel(actorID, id) {
			continue
		}
		out = append(out, id)
	}
	return out, nil
}

// shareChannel reports whether two users share a team channel.
func (s *Service) shareChannel(userA, userB string) bool {
	teams, appErr := s.api.GetTeamsForUser(userA)
	if appErr != nil {
		return false
	}
	for _, t := range teams {
		channels, appErr := s.api.GetChannelsForTeamForUser(t.Id, userA, false)
		if appErr != nil {
			continue
		}
		for _, c := range channels {
			if c.Type != model.ChannelTypeOpen && c.Type != model.ChannelTypePrivate {
				continue
			}
			if _, appErr := s.api.GetChannelMember(c.Id, userB); appErr == nil {
				return true
			}
		}
	}
	return false
}

package app

import (
	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
)

// ChannelGuestsResult is GET /channels/{id}/guests.
type ChannelGuestsResult struct {
	ChannelID  string         `json:"channel_id"`
	GuestCount int            `json:"guest_count"`
	Guests     []ChannelGuest `json:"guests"`
}

// ChannelGuest names one guest of a channel.
type ChannelGuest struct {
	UserID   string `json:"user_id"`
	Username string `json:"username"`
}

// channelGuestIDs lists the guests of a channel. Every membership of a
// guest is a guest membership (that is the plugin's invariant), so the
// scheme flag finds them without a registry read per member.
func (a *App) channelGuestIDs(channelID string) []string {
	var ids []string
	for page := 0; ; page++ {
		members, appErr := a.api.GetChannelMembers(channelID, page, 200)
		if appErr != nil {
			return ids
		}
		for _, m := range members {
			if m.SchemeGuest {
				ids = append(ids, m.UserId)
			}
		}
		if len(members) < 200 {
			return ids
		}
	}
}

// ChannelGuests lists a channel's guests for its members.
func (a *App) ChannelGuests(actorID, channelID string) (*ChannelGuestsResult, error) {
	if _, appErr := a.api.GetChannelMember(channelID, actorID); appErr != nil {
		if !a.IsSystemAdmin(actorID) {
			return nil, errNotFound("channel_not_found", "No channel %s that you are a member of.", channelID)
		}
		if _, appErr := a.api.GetChannel(channelID); appErr != nil {
			return nil, errNotFound("channel_missing", "No channel %s.", channelID)
		}
	}
	guests, appErr := a.activeChannelGuests(channelID)
	if appErr != nil {
		return nil, appErr
	}
	return &ChannelGuestsResult{ChannelID: channelID, Guests: guests, GuestCount: len(guests)}, nil
}

// activeChannelGuests lists the channel's guests whose account is active
// (a deactivated guest keeps their memberships but is not "in" the
// channel for the indicator).
func (a *App) activeChannelGuests(channelID string) ([]ChannelGuest, *model.AppError) {
	out := []ChannelGuest{}
	ids := a.channelGuestIDs(channelID)
	for i := 0; i < len(ids); i += 100 {
		users, appErr := a.api.GetUsersByIds(ids[i:min(i+100, len(ids))])
		if appErr != nil {
			return nil, appErr
		}
		for _, u := range users {
			if u.DeleteAt == 0 {
				out = append(out, ChannelGuest{UserID: u.Id, Username: u.Username})
			}
		}
	}
	return out, nil
}

// LookupGuests says which of the users are guests (for badges). Guests may
// only learn it about people they share a channel with; ids they may not
// see are simply not reported.
func (a *App) LookupGuests(actorID string, userIDs []string) ([]string, error) {
	if len(userIDs) > 200 {
		return nil, errBadRequest("too_many_ids", "user_ids", "user_ids: at most 200 per request.")
	}
	for _, id := range userIDs {
		if !policy.PlainID(id) {
			return nil, errBadRequest("invalid_user_ids", "user_ids", "user_ids: %q is not a valid user id.", id)
		}
	}
	actorIsGuest, err := a.IsGuest(actorID)
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, id := range userIDs {
		if contains(out, id) {
			continue
		}
		isGuest, err := a.IsGuest(id)
		if err != nil || !isGuest {
			continue
		}
		if actorIsGuest && id != actorID && !a.shareChannel(actorID, id) {
			continue
		}
		out = append(out, id)
	}
	return out, nil
}

// shareChannel reports whether two users share a team channel.
func (a *App) shareChannel(userA, userB string) bool {
	teams, appErr := a.api.GetTeamsForUser(userA)
	if appErr != nil {
		return false
	}
	for _, t := range teams {
		channels, appErr := a.api.GetChannelsForTeamForUser(t.Id, userA, false)
		if appErr != nil {
			continue
		}
		for _, c := range channels {
			if c.Type != model.ChannelTypeOpen && c.Type != model.ChannelTypePrivate {
				continue
			}
			if _, appErr := a.api.GetChannelMember(c.Id, userB); appErr == nil {
				return true
			}
		}
	}
	return false
}

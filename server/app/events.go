package app

import (
	"strings"

	"github.com/mattermost/mattermost/server/public/model"
)

// ChannelGuest names one guest of a channel.
type ChannelGuest struct {
	UserID   string `json:"user_id"`
	Username string `json:"username"`
}

// PublishGuestsChanged tells every client that these users' guest status
// changed (badges, indicators).
func (k *Kit) PublishGuestsChanged(userIDs ...string) {
	k.api.PublishWebSocketEvent("guests_changed", map[string]any{"user_ids": strings.Join(userIDs, ",")}, &model.WebsocketBroadcast{})
}

// PublishChannelGuestsChanged tells the members of each channel that its
// guests changed (a guest joined, left, was removed, promoted, deactivated
// or reactivated). guest_count is what GET /channels/{id}/guests answers
// now: active guests only. Each channel is published once.
func (k *Kit) PublishChannelGuestsChanged(channelIDs ...string) {
	seen := make(map[string]bool, len(channelIDs))
	for _, id := range channelIDs {
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		guests, appErr := k.ActiveChannelGuests(id)
		if appErr != nil {
			k.api.LogWarn("Guest Accounts: could not count a channel's guests for the live indicator", "channel_id", id, "error", appErr.Error())
			continue
		}
		k.api.PublishWebSocketEvent("channel_guests_changed", map[string]any{"channel_id": id, "guest_count": len(guests)},
			&model.WebsocketBroadcast{ChannelId: id})
	}
}

// ActiveChannelGuests lists the channel's guests whose account is active
// (a deactivated guest keeps their memberships but is not "in" the channel
// for the indicator).
func (k *Kit) ActiveChannelGuests(channelID string) ([]ChannelGuest, *model.AppError) {
	out := []ChannelGuest{}
	ids := k.channelGuestIDs(channelID)
	for i := 0; i < len(ids); i += 100 {
		users, appErr := k.api.GetUsersByIds(ids[i:min(i+100, len(ids))])
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

// channelGuestIDs lists the guests of a channel. Every membership of a
// guest is a guest membership (that is the plugin's invariant), so the
// scheme flag finds them without a registry read per member.
func (k *Kit) channelGuestIDs(channelID string) []string {
	var ids []string
	for page := 0; ; page++ {
		members, appErr := k.api.GetChannelMembers(channelID, page, 200)
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

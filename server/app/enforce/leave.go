package enforce

import (
	"errors"
	"net/http"
	"slices"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// GuestLeftChannel handles a channel membership of a guest that core has
// removed (UserHasLeftChannel, every server version): the guest left, an
// admin or member removed them (core's /kick and /remove, the channel's
// member list), or the plugin did (PATCH remove_channel_ids, a refused
// join). actorID is who removed them ("" when core names nobody).
//
// The channel's members are told that its guests changed, and a channel
// the registry lists as given is dropped from it once the membership is
// really gone: otherwise the removal would not count (the channel would
// still fill the guest's cap, and a later join would be taken for a
// channel already given). The plugin's own conversions remove an
// ordinary membership and re-create a guest one inside the user lock, so
// the membership is checked again under that lock.
func (s *Service) GuestLeftChannel(member *model.ChannelMember, actorID string) {
	userID, channelID := member.UserId, member.ChannelId
	g, err := s.cache.GetGuest(userID)
	if err != nil {
		s.logRegistryError(err, userID)
		return
	}
	if member.SchemeGuest {
		// Only a guest membership counts for the indicator; an ordinary
		// one was never shown as a guest there.
		defer s.kit.PublishChannelGuestsChanged(channelID)
	}
	if !slices.Contains(g.ChannelIDs, channelID) {
		return // not given (a default channel, a refused join, a DM): nothing recorded
	}
	dropped := false
	err = s.members.WithUserLock(userID, func() error {
		g, err := s.cache.GetGuest(userID)
		if err != nil {
			return err
		}
		if !slices.Contains(g.ChannelIDs, channelID) {
			return nil // already recorded (PATCH remove_channel_ids saves it itself)
		}
		if _, appErr := s.api.GetChannelMember(channelID, userID); appErr == nil {
			return nil // a member again: the plugin converted the membership
		} else if appErr.StatusCode != http.StatusNotFound {
			return appErr
		}
		g.ChannelIDs = app.Without(g.ChannelIDs, []string{channelID})
		dropped = true
		return s.cache.SaveGuest(g)
	})
	if errors.Is(err, store.ErrNotFound) {
		return // promoted meanwhile
	}
	if err != nil {
		s.api.LogError("Guest Accounts: could not record that a guest left a channel", "user_id", userID, "channel_id", channelID, "error", err.Error())
	}
	if dropped || err != nil {
		s.kit.Audit(actorID, "guest_channel_leave", userID, app.Result(err), "channel "+channelID)
	}
}

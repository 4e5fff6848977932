package enforce

import (
	"sync"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store/guestcache"
)

// channelCache remembers the facts about channels that never change: an
// open or private channel never becomes a direct or group message (a
// group message can become a private channel, so those are not kept), and
// a direct channel keeps its name (its two members) and creation time.
type channelCache struct {
	mu      sync.RWMutex
	max     int
	entries map[string]*model.Channel
}

// ordinaryChannel stands for every open or private channel in the cache.
var ordinaryChannel = &model.Channel{Type: model.ChannelTypeOpen}

func newChannelCache() *channelCache {
	return &channelCache{max: guestcache.MaxEntries, entries: map[string]*model.Channel{}}
}

// channelForSend returns what the send checks need of a channel: for an
// open or private channel only that it is one (Type is
// model.ChannelTypeOpen for both; nothing else is set), for a direct
// channel its id, name and creation time, for a group channel the whole
// channel. The result is shared: callers must not change it.
func (s *Service) channelForSend(channelID string) (*model.Channel, *model.AppError) {
	c := s.channels
	c.mu.RLock()
	ch, ok := c.entries[channelID]
	c.mu.RUnlock()
	if ok {
		return ch, nil
	}
	full, appErr := s.api.GetChannel(channelID)
	if appErr != nil {
		return nil, appErr
	}
	var keep *model.Channel
	switch full.Type {
	case model.ChannelTypeOpen, model.ChannelTypePrivate:
		keep = ordinaryChannel
	case model.ChannelTypeDirect:
		keep = &model.Channel{Id: full.Id, Type: full.Type, Name: full.Name, CreateAt: full.CreateAt}
	default:
		return full, nil
	}
	c.mu.Lock()
	if len(c.entries) >= c.max {
		c.entries = map[string]*model.Channel{}
	}
	c.entries[channelID] = keep
	c.mu.Unlock()
	return keep, nil
}

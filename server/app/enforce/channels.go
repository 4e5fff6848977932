package enforce

import (
	"sync"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store/guestcache"
)

// channelCache remembers the facts about channels that never change: an
// open or private channel never becomes a direct or group message, and a
// direct channel keeps its name (its two members) and creation time. A
// group message keeps its members too but can become a private channel,
// so it and its members are kept for guestcache.SharedTTL only (within
// it, a converted channel is still checked as a group message: by the
// stricter DM/GM rule).
type channelCache struct {
	mu      sync.RWMutex
	max     int
	entries map[string]*model.Channel
	groups  map[string]groupEntry
	now     func() time.Time
}

type groupEntry struct {
	ch      *model.Channel
	members []string
	expires time.Time
}

// ordinaryChannel stands for every open or private channel in the cache.
var ordinaryChannel = &model.Channel{Type: model.ChannelTypeOpen}

func newChannelCache() *channelCache {
	return &channelCache{max: guestcache.MaxEntries, entries: map[string]*model.Channel{}, groups: map[string]groupEntry{}, now: time.Now}
}

// group returns a group message and its members if seen within the TTL.
func (c *channelCache) group(channelID string) (groupEntry, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	g, ok := c.groups[channelID]
	return g, ok && c.now().Before(g.expires)
}

func (c *channelCache) keepGroup(ch *model.Channel, members []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.groups) >= c.max {
		c.groups = map[string]groupEntry{}
	}
	c.groups[ch.Id] = groupEntry{ch: ch, members: members, expires: c.now().Add(guestcache.SharedTTL)}
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
	if g, ok := c.group(channelID); ok {
		return g.ch, nil
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
	case model.ChannelTypeGroup:
		members, err := s.readGroupMembers(full.Id)
		if err != nil {
			return full, nil //nolint:nilerr // the members are read again by the check
		}
		c.keepGroup(full, members)
		return full, nil
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

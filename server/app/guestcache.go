package app

import (
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// The hot paths (every post, upload, edit, join and login on the server)
// ask "is this user a guest?" and "is this channel a direct or group
// message?". Both answers are kept in process so that the common case, a
// member posting in an ordinary channel, costs two map lookups and no call
// to the server.
//
// Only the hot paths read through the cache (guestCache.Cached); use cases
// that decide on a record or change it read the store (GetGuest), so a
// read-modify-write never starts from a stale copy. Guest records (1 s)
// and "not a guest" (10 s) are cached with a short TTL and invalidated:
//   - on this node, synchronously, by every registry write: the cache wraps
//     the store, so SaveGuest and DeleteGuest drop the entry after the write
//     and before they return. A read that started before a write never
//     stores its (older) answer after it: every write bumps a generation,
//     and a read only stores its result if no write happened meanwhile;
//   - on the other nodes of a cluster, by a plugin cluster event sent
//     (reliably) after each write;
//   - everywhere, by the TTL, the bound on staleness if a cluster event is
//     lost (or sent by an older plugin version during a rolling upgrade).
//
// With a guest's record the cache keeps the channels in which core showed
// the guest a guest membership (a guest posting needs one; an ordinary
// membership is one the join hooks have yet to convert or remove). That
// answer is dropped with the record, and whenever core reports a new
// membership of the user (UserHasJoinedChannel, ChannelMemberWillBeAdded),
// so a membership replaced in between is checked again.
//
// Fail closed: a stale "not a guest" could only come from another node's
// write whose event was lost, and lasts at most guestCacheTTL; a stale
// guest record (say, a deactivation through another node) at most
// guestRecordTTL. Read errors are never cached.

const (
	// guestCacheTTL bounds how long "not a guest" is trusted without a
	// read: the common case (every member's post) costs no call.
	guestCacheTTL = 10 * time.Second
	// guestRecordTTL bounds how long a guest's record is trusted without a
	// read: a change made through a node whose cluster event does not
	// reach this one (two servers on one database without clustering, a
	// lost event) takes effect here within it. A guest posting all the
	// time costs one registry read a second.
	guestRecordTTL = time.Second
	// sharedTTL bounds how long "these two users share one of the guest's
	// channels" is trusted without asking core (the DM/GM rule). On this
	// node the answer is dropped at once when either user leaves a channel
	// (UserHasLeftChannel), joins one, or the guest's record changes; a
	// leave handled by another node, or a channel archived (11.4 has no
	// archive hook), takes effect here within it.
	sharedTTL = 5 * time.Second
	// cacheMaxEntries bounds each cache; beyond it expired entries are
	// swept, and if that is not enough the cache starts over.
	cacheMaxEntries = 100_000
	// clusterEventGuestChanged tells the other nodes a registry record changed.
	clusterEventGuestChanged = "guest_changed"
)

// guestCache is a store.Store whose guest reads are cached.
type guestCache struct {
	store.Store
	ttl      time.Duration // "not a guest"
	guestTTL time.Duration // a guest's record
	max      int
	changed  func(userID string) // after a write on this node (cluster event)
	now      func() int64        // unix nanoseconds

	mu      sync.RWMutex
	gen     uint64
	entries map[string]guestEntry
	// memberships: user → channel → expiry of a seen guest membership.
	memberships map[string]map[string]int64

	// shared: (guest, other) → a positive answer of the DM rule's "share a
	// channel" check; userGen: per-user generations, bumped by every
	// invalidation of the user (an entry holds both users' generations
	// from before the check and is dead once either moved).
	sharedMu sync.RWMutex
	shared   map[[2]string]sharedEntry
	userGen  map[string]uint64
	// epoch is bumped when a channel is archived (every answer dies);
	// archiving holds the channels being archived, not shared whatever
	// core still says, until archivingFor after the archive began.
	epoch     uint64
	archiving map[string]int64
}

type sharedEntry struct {
	expires    int64
	genA, genB uint64
	epoch      uint64
}

// archivingFor covers the moment between core's archive message (posted
// before the channel is marked deleted) and the mark.
const archivingFor = 10 * time.Second

type guestEntry struct {
	guest   *store.Guest // nil: not a guest
	expires int64        // unix nanoseconds
}

func newGuestCache(inner store.Store, ttl, guestTTL time.Duration, changed func(userID string)) *guestCache {
	if changed == nil {
		changed = func(string) {}
	}
	return &guestCache{
		Store: inner, ttl: ttl, guestTTL: guestTTL, max: cacheMaxEntries, changed: changed,
		now: func() int64 { return time.Now().UnixNano() }, entries: map[string]guestEntry{},
		memberships: map[string]map[string]int64{},
		shared:      map[[2]string]sharedEntry{}, userGen: map[string]uint64{}, archiving: map[string]int64{},
	}
}

// GetGuest reads the record from the store, never from memory: use cases
// that decide on a record or change it (under the user's lock) must see
// what other nodes wrote, whether or not their cluster event has arrived.
// The answer refreshes the cache.
func (c *guestCache) GetGuest(userID string) (*store.Guest, error) {
	gen := c.generation()
	g, err := c.Store.GetGuest(userID)
	c.keep(userID, g, err, gen)
	return g, err
}

// Cached is the hot paths' read (posts, uploads, reactions, joins): a
// copy of the record or store.ErrNotFound, from memory while the answer is
// fresh (guestTTL for a guest, ttl for "not a guest").
func (c *guestCache) Cached(userID string) (*store.Guest, error) {
	now := c.now()
	c.mu.RLock()
	e, ok := c.entries[userID]
	gen := c.gen
	c.mu.RUnlock()
	if ok && now < e.expires {
		if e.guest == nil {
			return nil, store.ErrNotFound
		}
		return cloneGuest(e.guest), nil
	}
	g, err := c.Store.GetGuest(userID)
	c.keep(userID, g, err, gen)
	return g, err
}

// keep stores what a read returned, unless it failed or a write happened
// on this node since gen was read (the answer may be older than the write).
func (c *guestCache) keep(userID string, g *store.Guest, err error, gen uint64) {
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return // never cached
	}
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	c.makeRoom(now)
	e := guestEntry{expires: now + int64(c.ttl)}
	if g != nil {
		e.guest = cloneGuest(g)
		e.expires = now + int64(c.guestTTL)
	}
	c.entries[userID] = e
}

// SaveGuest writes the record, then drops the cached answer here and on
// the other nodes.
func (c *guestCache) SaveGuest(g *store.Guest) error {
	err := c.Store.SaveGuest(g)
	c.written(g.UserID)
	return err
}

// DeleteGuest removes the record, then drops the cached answer here and on
// the other nodes.
func (c *guestCache) DeleteGuest(userID string) error {
	err := c.Store.DeleteGuest(userID)
	c.written(userID)
	return err
}

// written runs after every write attempt (a failed write may still have
// reached the database).
func (c *guestCache) written(userID string) {
	c.invalidate(userID)
	c.changed(userID)
}

// invalidate drops the user's entry and stops reads in flight from
// storing what they read.
func (c *guestCache) invalidate(userID string) {
	c.mu.Lock()
	c.gen++
	delete(c.entries, userID)
	delete(c.memberships, userID)
	c.mu.Unlock()
	c.forgetShared(userID)
}

// forgetShared drops every "share a channel" answer involving the user,
// and stops checks in flight from storing theirs.
func (c *guestCache) forgetShared(userID string) {
	c.sharedMu.Lock()
	c.userGen[userID]++
	c.sharedMu.Unlock()
}

// sharedGens reads the users' generations and the epoch before a check.
func (c *guestCache) sharedGens(a, b string) sharedEntry {
	c.sharedMu.RLock()
	defer c.sharedMu.RUnlock()
	return sharedEntry{genA: c.userGen[a], genB: c.userGen[b], epoch: c.epoch}
}

// channelArchived drops every answer and keeps the channel from counting
// as shared while core finishes archiving it.
func (c *guestCache) channelArchived(channelID string) {
	now := c.now()
	c.sharedMu.Lock()
	defer c.sharedMu.Unlock()
	c.epoch++
	for id, until := range c.archiving {
		if now >= until {
			delete(c.archiving, id)
		}
	}
	c.archiving[channelID] = now + int64(archivingFor)
}

// beingArchived reports whether the channel's archive began here moments ago.
func (c *guestCache) beingArchived(channelID string) bool {
	now := c.now()
	c.sharedMu.RLock()
	defer c.sharedMu.RUnlock()
	until, ok := c.archiving[channelID]
	return ok && now < until
}

// sharedKnown reports whether guest and other were found to share a
// channel within sharedTTL, with nothing about either changed since.
func (c *guestCache) sharedKnown(guest, other string) bool {
	now := c.now()
	c.sharedMu.RLock()
	defer c.sharedMu.RUnlock()
	e, ok := c.shared[[2]string{guest, other}]
	return ok && now < e.expires && e.genA == c.userGen[guest] && e.genB == c.userGen[other] && e.epoch == c.epoch
}

// rememberShared stores a positive answer checked with the generations
// read before the check (dead at once if either user changed meanwhile).
func (c *guestCache) rememberShared(guest, other string, before sharedEntry) {
	now := c.now()
	c.sharedMu.Lock()
	defer c.sharedMu.Unlock()
	if len(c.shared) >= c.max {
		for k, e := range c.shared {
			if now >= e.expires {
				delete(c.shared, k)
			}
		}
		if len(c.shared) >= c.max {
			c.shared = map[[2]string]sharedEntry{}
		}
	}
	if len(c.userGen) >= 2*c.max {
		// Generations only matter for live entries: start over with both
		// (the answer in hand is not kept: its generations are gone).
		c.userGen, c.shared = map[string]uint64{}, map[[2]string]sharedEntry{}
		return
	}
	before.expires = now + int64(sharedTTL)
	c.shared[[2]string{guest, other}] = before
}

// generation is read before asking core something rememberMembership will
// store.
func (c *guestCache) generation() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.gen
}

// guestMembershipSeen reports whether core showed, within the TTL, that
// the user's membership of the channel is a guest membership.
func (c *guestCache) guestMembershipSeen(userID, channelID string) bool {
	now := c.now()
	c.mu.RLock()
	exp, ok := c.memberships[userID][channelID]
	c.mu.RUnlock()
	return ok && now < exp
}

// rememberGuestMembership records a guest membership core showed, unless
// the user's answers were dropped since gen was read.
func (c *guestCache) rememberGuestMembership(userID, channelID string, gen uint64) {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	m := c.memberships[userID]
	if m == nil {
		if len(c.memberships) >= c.max {
			c.memberships = map[string]map[string]int64{}
		}
		m = map[string]int64{}
		c.memberships[userID] = m
	}
	m[channelID] = now + int64(c.ttl)
}

// makeRoom keeps the cache under its bound (c.mu held).
func (c *guestCache) makeRoom(now int64) {
	if len(c.entries) < c.max {
		return
	}
	for id, e := range c.entries {
		if now >= e.expires {
			delete(c.entries, id)
		}
	}
	if len(c.entries) >= c.max {
		c.entries = map[string]guestEntry{}
	}
}

// cloneGuest copies a record deeply: the cached one is never shared.
func cloneGuest(g *store.Guest) *store.Guest {
	out := *g
	out.TeamIDs = slices.Clone(g.TeamIDs)
	out.ChannelIDs = slices.Clone(g.ChannelIDs)
	r := &out.Restrictions
	for _, p := range []**bool{&r.UploadFiles, &r.DownloadFiles, &r.EditOwnPosts, &r.React, &r.CreatePrivateChannels, &r.DirectMessages, &out.RequireMFA} {
		if *p != nil {
			v := **p
			*p = &v
		}
	}
	return &out
}

// GuestChangedElsewhere drops the cached answer for a user whose record
// another node changed (OnPluginClusterEvent).
func (a *App) GuestChangedElsewhere(ev model.PluginClusterEvent) {
	if ev.Id == clusterEventGuestChanged && a.guests != nil {
		a.guests.invalidate(string(ev.Data))
	}
}

// MembershipNotice reads core's own system messages, which core posts
// through MessageWillBePosted while it handles the change (before the API
// call returns): someone left or was removed from a channel or team, or
// a channel is being archived (11.4 has no archive hook; core posts the
// message before it marks the channel deleted). The cached DM/GM answers
// they may end are dropped at once.
func (a *App) MembershipNotice(post *model.Post) {
	if a.guests == nil {
		return
	}
	switch post.Type {
	case model.PostTypeLeaveChannel, model.PostTypeLeaveTeam:
		a.guests.forgetShared(post.UserId)
	case model.PostTypeRemoveFromChannel, model.PostTypeRemoveFromTeam:
		if id, ok := post.GetProp("removedUserId").(string); ok {
			a.guests.forgetShared(id)
		}
	case model.PostTypeChannelDeleted:
		a.guests.channelArchived(post.ChannelId)
	}
}

// MembershipLeft drops, for anyone (guest or not) who left a channel or
// was removed from one, every cached "shares a channel with a guest"
// answer: the next DM or GM post with a guest checks again. One map
// write; called before the hooks' guest check.
func (a *App) MembershipLeft(userID string) {
	if a.guests != nil {
		a.guests.forgetShared(userID)
	}
}

// GuestMembershipsChanged drops what is cached about the user's
// memberships (core reports a new one): the next post checks again.
func (a *App) GuestMembershipsChanged(userID string) {
	if a.guests != nil {
		a.guests.invalidate(userID)
	}
}

// publishGuestChanged tells the other nodes to drop their cached answer.
func (a *App) publishGuestChanged(userID string) {
	err := a.api.PublishPluginClusterEvent(
		model.PluginClusterEvent{Id: clusterEventGuestChanged, Data: []byte(userID)},
		model.PluginClusterEventSendOptions{SendType: model.PluginClusterEventSendTypeReliable},
	)
	if err != nil {
		a.api.LogWarn("Guest Accounts: could not tell the other servers that a guest changed; their cache catches up within seconds", "user_id", userID, "error", err.Error())
	}
}

// MayBeGuest is the hooks' first question: false only when the user is
// known not to be a guest. A registry read error answers true, so the
// caller goes on to the full check (fail closed).
func (a *App) MayBeGuest(userID string) bool {
	if userID == "" || userID == a.botID {
		return false
	}
	_, err := a.guests.Cached(userID)
	return !errors.Is(err, store.ErrNotFound)
}

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
	return &channelCache{max: cacheMaxEntries, entries: map[string]*model.Channel{}}
}

// channelForSend returns what the send checks need of a channel: for an
// open or private channel only that it is one (Type is
// model.ChannelTypeOpen for both; nothing else is set), for a direct
// channel its id, name and creation time, for a group channel the whole
// channel. The result is shared: callers must not change it.
func (a *App) channelForSend(channelID string) (*model.Channel, *model.AppError) {
	c := a.channels
	c.mu.RLock()
	ch, ok := c.entries[channelID]
	c.mu.RUnlock()
	if ok {
		return ch, nil
	}
	full, appErr := a.api.GetChannel(channelID)
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

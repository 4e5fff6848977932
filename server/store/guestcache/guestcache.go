// Package guestcache is a layer of the store: a store.Store whose guest
// reads the hot paths (every post, upload, edit, join and login on the
// server) answer from memory, so that a member posting in an ordinary
// channel costs a map lookup and no call to the server.
//
// It owns the cache and its invalidation. It may call the store it wraps
// and the plugin API's cluster events (to tell the other nodes of a write),
// nothing else.
//
// Only the hot paths read through the cache (Cached); use cases that decide
// on a record or change it read the store (GetGuest), so a
// read-modify-write never starts from a stale copy. Guest records
// (guestRecordTTL) and "not a guest" (guestCacheTTL) are cached with a short
// TTL and invalidated:
//   - on this node, synchronously, by every registry write: SaveGuest and
//     DeleteGuest drop the entry after the write and before they return. A
//     read that started before a write never stores its (older) answer
//     after it: every write bumps a generation, and a read only stores its
//     result if no write happened meanwhile;
//   - on the other nodes of a cluster, by a plugin cluster event sent
//     (reliably) after each write;
//   - everywhere, by the TTL, the bound on staleness if a cluster event is
//     lost (or sent by an older plugin version during a rolling upgrade).
//
// With a guest's record the cache keeps the channels in which core showed
// the guest a guest membership (a guest posting needs one). That answer is
// dropped with the record, and whenever core reports a new membership of
// the user, so a membership replaced in between is checked again.
//
// Fail closed: a stale "not a guest" could only come from another node's
// write whose event was lost, and lasts at most guestCacheTTL; a stale guest
// record at most guestRecordTTL. Read errors are never cached.
package guestcache

import (
	"errors"
	"sync"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

const (
	// guestCacheTTL bounds how long "not a guest" is trusted without a
	// read: the common case (every member's post) costs no call.
	guestCacheTTL = 10 * time.Second
	// guestRecordTTL bounds how long a guest's record is trusted without a
	// read: a change made through a node whose cluster event does not reach
	// this one takes effect here within it. A guest posting all the time
	// costs one registry read a second.
	guestRecordTTL = time.Second
	// MaxEntries bounds each in-process cache of the plugin; beyond it
	// expired entries are swept, and if that is not enough the cache starts
	// over.
	MaxEntries = 100_000
	// ClusterEventGuestChanged tells the other nodes a registry record changed.
	ClusterEventGuestChanged = "guest_changed"
)

// ClusterAPI is the part of the plugin API the cache uses.
type ClusterAPI interface {
	PublishPluginClusterEvent(ev model.PluginClusterEvent, opts model.PluginClusterEventSendOptions) error
	LogWarn(msg string, keyValuePairs ...any)
}

// Store is a store.Store whose guest reads are cached.
type Store struct {
	store.Store
	ttl      time.Duration // "not a guest"
	guestTTL time.Duration // a guest's record
	max      int
	changed  func(userID string) // after a write on this node (cluster event)
	now      func() int64        // unix nanoseconds

	mu      sync.RWMutex
	gen     uint64
	entries map[string]entry
	// memberships: user → channel → expiry of a seen guest membership.
	memberships map[string]map[string]int64

	// The DM/GM rule's answers (shared.go): (guest, other) → a yes;
	// per-user generations; the archive epoch and the channels being
	// archived.
	sharedMu  sync.RWMutex
	sharedTTL time.Duration
	shared    map[[2]string]SharedCheck
	userGen   map[string]uint64
	epoch     uint64
	archiving map[string]int64
}

type entry struct {
	guest   *store.Guest // nil: not a guest
	expires int64        // unix nanoseconds
}

// New wraps inner; every write is announced to the other nodes through api.
func New(inner store.Store, api ClusterAPI) *Store {
	return newStore(inner, guestCacheTTL, guestRecordTTL, func(userID string) {
		err := api.PublishPluginClusterEvent(
			model.PluginClusterEvent{Id: ClusterEventGuestChanged, Data: []byte(userID)},
			model.PluginClusterEventSendOptions{SendType: model.PluginClusterEventSendTypeReliable},
		)
		if err != nil {
			api.LogWarn("Guest Accounts: could not tell the other servers that a guest changed; their cache catches up within seconds", "user_id", userID, "error", err.Error())
		}
	})
}

func newStore(inner store.Store, ttl, guestTTL time.Duration, changed func(userID string)) *Store {
	if changed == nil {
		changed = func(string) {}
	}
	return &Store{
		Store: inner, ttl: ttl, guestTTL: guestTTL, max: MaxEntries, changed: changed,
		now: func() int64 { return time.Now().UnixNano() }, entries: map[string]entry{},
		memberships: map[string]map[string]int64{},
		sharedTTL:   SharedTTL, shared: map[[2]string]SharedCheck{}, userGen: map[string]uint64{}, archiving: map[string]int64{},
	}
}

// GetGuest reads the record from the store, never from memory: use cases
// that decide on a record or change it (under the user's lock) must see
// what other nodes wrote, whether or not their cluster event has arrived.
// The answer refreshes the cache.
func (c *Store) GetGuest(userID string) (*store.Guest, error) {
	gen := c.Generation()
	g, err := c.Store.GetGuest(userID)
	c.keep(userID, g, err, gen)
	return g, err
}

// Cached is the hot paths' read (posts, uploads, reactions, joins): a copy
// of the record or store.ErrNotFound, from memory while the answer is fresh.
func (c *Store) Cached(userID string) (*store.Guest, error) {
	now := c.now()
	c.mu.RLock()
	e, ok := c.entries[userID]
	gen := c.gen
	c.mu.RUnlock()
	if ok && now < e.expires {
		if e.guest == nil {
			return nil, store.ErrNotFound
		}
		return e.guest.Clone(), nil
	}
	g, err := c.Store.GetGuest(userID)
	c.keep(userID, g, err, gen)
	return g, err
}

// MayBeGuest is false only when the user is known not to be a guest. A
// registry read error answers true, so the caller goes on to the full
// check (fail closed).
func (c *Store) MayBeGuest(userID string) bool {
	_, err := c.Cached(userID)
	return !errors.Is(err, store.ErrNotFound)
}

// keep stores what a read returned, unless it failed or a write happened
// on this node since gen was read (the answer may be older than the write).
func (c *Store) keep(userID string, g *store.Guest, err error, gen uint64) {
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
	e := entry{expires: now + int64(c.ttl)}
	if g != nil {
		e.guest = g.Clone()
		e.expires = now + int64(c.guestTTL)
	}
	c.entries[userID] = e
}

// SaveGuest writes the record, then drops the cached answer here and on
// the other nodes.
func (c *Store) SaveGuest(g *store.Guest) error {
	err := c.Store.SaveGuest(g)
	c.written(g.UserID)
	return err
}

// DeleteGuest removes the record, then drops the cached answer here and on
// the other nodes.
func (c *Store) DeleteGuest(userID string) error {
	err := c.Store.DeleteGuest(userID)
	c.written(userID)
	return err
}

// written runs after every write attempt (a failed write may still have
// reached the database).
func (c *Store) written(userID string) {
	c.Invalidate(userID)
	c.changed(userID)
}

// Invalidate drops what is cached about the user (core reports a new
// membership; another node wrote the record) and stops reads in flight
// from storing what they read.
func (c *Store) Invalidate(userID string) {
	c.mu.Lock()
	c.gen++
	delete(c.entries, userID)
	delete(c.memberships, userID)
	c.mu.Unlock()
	c.ForgetShared(userID)
}

// OnClusterEvent drops the cached answer for a user whose record another
// node changed (OnPluginClusterEvent); other events are ignored.
func (c *Store) OnClusterEvent(ev model.PluginClusterEvent) {
	if ev.Id == ClusterEventGuestChanged {
		c.Invalidate(string(ev.Data))
	}
}

// Generation is read before asking core something RememberMembership will
// store.
func (c *Store) Generation() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.gen
}

// MembershipSeen reports whether core showed, within the TTL, that the
// user's membership of the channel is a guest membership.
func (c *Store) MembershipSeen(userID, channelID string) bool {
	now := c.now()
	c.mu.RLock()
	exp, ok := c.memberships[userID][channelID]
	c.mu.RUnlock()
	return ok && now < exp
}

// RememberMembership records a guest membership core showed, unless the
// user's answers were dropped since gen was read.
func (c *Store) RememberMembership(userID, channelID string, gen uint64) {
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
func (c *Store) makeRoom(now int64) {
	if len(c.entries) < c.max {
		return
	}
	for id, e := range c.entries {
		if now >= e.expires {
			delete(c.entries, id)
		}
	}
	if len(c.entries) >= c.max {
		c.entries = map[string]entry{}
	}
}

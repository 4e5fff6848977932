// Package kvstore implements store.Store on the plugin key-value store.
package kvstore

import (
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/pluginapi"
	"github.com/pkg/errors"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// Key prefixes, one per record kind (DESIGN.md §3).
const (
	guestPrefix   = "guest/"
	countPrefix   = "count/"
	auditPrefix   = "audit/"
	listPageSize  = 1000
	casMaxRetries = 50
)

// KV is the part of the plugin API's KV service the store uses.
type KV interface {
	Set(key string, value any, options ...pluginapi.KVSetOption) (bool, error)
	Get(key string, o any) error
	Delete(key string) error
	ListKeys(page, count int, options ...pluginapi.ListKeysOption) ([]string, error)
}

// Store is the KV implementation of store.Store.
type Store struct {
	kv   KV
	rows ranges // nil: walks and index reads use the KV API only

	warn     func(msg string, keyValuePairs ...any)
	fallback sync.Once

	// profiles reads users' profiles from core (nil in tests: none);
	// changedUsers lists users core changed after a time (profile sync).
	profiles     func(ids []string) (map[string]*store.Profile, error)
	changedUsers func(after int64, page, perPage int) ([]*model.User, error)
	clock        func() int64 // ms; nil = the system clock

	readyMu sync.RWMutex
	ready   bool

	// counters: the raw value this node last read or wrote per counter
	// (the first compare-and-set of an update tries it).
	countersMu sync.Mutex
	counters   map[string][]byte

	// background: markers being removed after their write (Flush waits).
	background sync.WaitGroup
}

// Flush waits for the store's background work (markers of finished writes
// being removed).
func (s *Store) Flush() { s.background.Wait() }

var _ store.Store = (*Store)(nil)

// New returns a Store on the plugin's KV service; walks read the plugin's
// rows of core's key-value table directly when the database allows it
// (rows.go).
func New(client *pluginapi.Client, pluginID string) *Store {
	return &Store{
		kv: &client.KV, rows: newSQLRanges(client, pluginID), warn: client.Log.Warn,
		profiles: func(ids []string) (map[string]*store.Profile, error) {
			users, err := client.User.ListByUserIDs(ids)
			if err != nil {
				return nil, err
			}
			out := make(map[string]*store.Profile, len(users))
			for _, u := range users {
				out[u.Id] = ProfileOf(u)
			}
			return out, nil
		},
		changedUsers: func(after int64, page, perPage int) ([]*model.User, error) {
			return client.User.List(&model.UserGetOptions{UpdatedAfter: after, Sort: "update_at_asc", Page: page, PerPage: perPage})
		},
	}
}

// ProfileOf is the profile the guest list sorts and searches by.
func ProfileOf(u *model.User) *store.Profile {
	return &store.Profile{
		Username:  u.Username,
		Search:    strings.ToLower(u.Username + " " + u.Email + " " + u.FirstName + " " + u.LastName + " " + u.Nickname),
		UpdatedAt: u.UpdateAt,
	}
}

// NewWithKV returns a Store on any KV implementation (tests).
func NewWithKV(kv KV) *Store {
	return &Store{kv: kv}
}

// ForEachGuest calls fn for every record, a page at a time.
func (s *Store) ForEachGuest(fn func(*store.Guest) error) error {
	return s.walk(guestPrefix, func(key string, raw []byte) error {
		var g store.Guest
		if err := json.Unmarshal(raw, &g); err != nil {
			return errors.Wrapf(err, "decoding the guest record %s", key)
		}
		return fn(&g)
	})
}

// forEachKey calls fn for every key with the prefix (the KV API's walk,
// when the table cannot be read directly). Keys are collected page by page
// first, so that fn may write without shifting the pages under us (core
// lists keys by offset); that holds the kind's keys, not its records, in
// memory.
func (s *Store) forEachKey(prefix string, fn func(string) error) error {
	var keys []string
	for page := 0; ; page++ {
		batch, err := s.kv.ListKeys(page, listPageSize)
		if err != nil {
			return errors.Wrap(err, "listing keys")
		}
		for _, k := range batch {
			if strings.HasPrefix(k, prefix) {
				keys = append(keys, k)
			}
		}
		if len(batch) < listPageSize {
			break
		}
	}
	for _, k := range keys {
		if err := fn(k); err != nil {
			return err
		}
	}
	return nil
}

// Reserve increments the counter by one unless that passes limit.
func (s *Store) Reserve(name string, limit int) (bool, error) {
	reserved := false
	err := s.update(name, func(v int) (int, bool) {
		if limit > 0 && v+1 > limit {
			reserved = false
			return v, false
		}
		reserved = true
		return v + 1, true
	})
	return reserved, err
}

// Add adds delta to the counter, never going below zero.
func (s *Store) Add(name string, delta int) error {
	return s.update(name, func(v int) (int, bool) {
		v += delta
		if v < 0 {
			v = 0
		}
		return v, true
	})
}

// Get reads the counter (0 when unset).
func (s *Store) Get(name string) (int, error) {
	v, _, err := s.read(name)
	return v, err
}

// CompareAndSet sets the counter to value only if it still holds old.
func (s *Store) CompareAndSet(name string, old, value int) (bool, error) {
	s.forgetCounter(name)
	v, raw, err := s.read(name)
	if err != nil || v != old {
		return false, err
	}
	ok, err := s.kv.Set(countPrefix+name, []byte(strconv.Itoa(value)), pluginapi.SetAtomic(raw))
	return ok, errors.Wrap(err, "updating a counter")
}

// Set overwrites the counter (used when recounting from the registry).
func (s *Store) Set(name string, value int) error {
	s.forgetCounter(name)
	_, err := s.kv.Set(countPrefix+name, []byte(strconv.Itoa(value)))
	return errors.Wrap(err, "setting a counter")
}

func (s *Store) read(name string) (int, []byte, error) {
	var raw []byte
	if err := s.kv.Get(countPrefix+name, &raw); err != nil {
		return 0, nil, errors.Wrap(err, "reading a counter")
	}
	if raw == nil {
		return 0, nil, nil
	}
	v, err := strconv.Atoi(string(raw))
	if err != nil {
		return 0, nil, errors.Wrapf(err, "counter %s holds %q", name, raw)
	}
	return v, raw, nil
}

// update applies fn with compare-and-set, retrying when another writer (on
// this or another node) won the race. The database decides, so the result
// is exact across a cluster.
func (s *Store) update(name string, fn func(int) (int, bool)) error {
	// The first attempt trusts the value this node last read or wrote (a
	// burst of writes from one node then costs one call each); if another
	// writer moved it since, the compare-and-set fails and it is read.
	v, old, known := s.lastCounter(name)
	for range casMaxRetries {
		cached := known
		if !known {
			var err error
			if v, old, err = s.read(name); err != nil {
				return err
			}
		}
		known = false
		next, write := fn(v)
		if !write {
			if cached {
				continue // decide on the stored value, never a remembered one
			}
			return nil
		}
		var opt pluginapi.KVSetOption
		if old == nil {
			// Atomic create: the old value must be absent.
			opt = pluginapi.SetAtomic(nil)
		} else {
			opt = pluginapi.SetAtomic(old)
		}
		ok, err := s.kv.Set(countPrefix+name, []byte(strconv.Itoa(next)), opt)
		if err != nil {
			s.forgetCounter(name)
			return errors.Wrap(err, "updating a counter")
		}
		if ok {
			s.rememberCounter(name, next)
			return nil
		}
	}
	s.forgetCounter(name)
	return errors.Wrapf(store.ErrConflict, "counter %s: too much contention", name)
}

// lastCounter is the value this node last read or wrote for the counter.
func (s *Store) lastCounter(name string) (int, []byte, bool) {
	s.countersMu.Lock()
	defer s.countersMu.Unlock()
	raw, ok := s.counters[name]
	if !ok {
		return 0, nil, false
	}
	v, err := strconv.Atoi(string(raw))
	return v, raw, err == nil
}

func (s *Store) rememberCounter(name string, v int) {
	s.countersMu.Lock()
	defer s.countersMu.Unlock()
	if s.counters == nil {
		s.counters = map[string][]byte{}
	}
	s.counters[name] = []byte(strconv.Itoa(v))
}

func (s *Store) forgetCounter(name string) {
	s.countersMu.Lock()
	defer s.countersMu.Unlock()
	delete(s.counters, name)
}

// UseClock makes the store tell the time by now (the test clock the
// real-server tests move).
func (s *Store) UseClock(now func() time.Time) {
	s.clock = func() int64 { return now().UnixMilli() }
}

package kvstore

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/pluginapi"
	"github.com/pkg/errors"
	"golang.org/x/sync/errgroup"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// Indexes (docs/performance.md, "Indexes"). An admin's lists and counts
// must not read every record, so beside each record the store keeps index
// entries: KV keys that sort the way a list is ordered, e.g.
// `ixg/c/<newest-first time>/<user id>/<flags>`. A page of a list is one
// range query on the key (the primary key of core's key-value table is a
// B-tree on (plugin, key)), counts are counters kept with the entries.
//
// Keys are built so that the same order comes out under any database
// collation: every field is fixed-width and made of [0-9a-z] only
// (collations such as en_US ignore the '/' separators at the first level,
// so separators must not decide the order), and a family's range is
// [prefix, prefix+"zzz…") plus LIKE 'prefix%', which holds under both
// byte order and such collations.
//
// Entries are derived from the record alone (keysOf), so they can always
// be rebuilt from it. A write (SaveGuest, an invitation update, an audit
// entry) goes:
//  1. a marker `ixd/<kind>/<id>` naming every entry the change may touch
//     (old ∪ new), before anything else;
//  2. the record;
//  3. the entries: new ones created, old ones deleted. A counted entry
//     (a guest's status, a pending invitation...) is created with an
//     atomic insert-if-absent and deleted with compare-and-delete, and
//     only the node whose create or delete took effect moves the counter
//     (compare-and-set): two nodes writing the same record at once move
//     it once;
//  4. the record is read again: if another writer changed it meanwhile,
//     the entries are brought in line with what is there now (the last
//     writer's re-read always sees its own or a later record);
//  5. the marker is removed.
//
// A crash between 1 and 5 leaves the marker. Repair (at activation and
// every minute, for markers older than markerLease) re-derives the
// entries of each marked record from the record as it is, deletes the
// other keys the marker names, and recounts the counters (a range count
// per counter, done only while no other write is in flight, with
// compare-and-set). Nothing else is ever rebuilt in steady state.

const (
	indexVersion    = "2" // 2: search families (search.go)
	indexVersionKey = "index/version"
	markerPrefix    = "ixd/"
	// markerLease is how old a marker must be before repair takes it for
	// a crashed write (a live write takes milliseconds; a database outage
	// can hold one for the KV call's timeout).
	markerLease = 5 * time.Minute
	// countedValue is the value of every counted entry (compare-and-delete
	// compares it).
	countedValue = "1"
	// keyTop is above every character an index key holds, in byte order
	// and in the collations that ignore punctuation.
	keyTop = "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"
)

// ErrIndexNotReady is store.ErrIndexNotReady.
var ErrIndexNotReady = store.ErrIndexNotReady

// rangeQuery selects entries of one index family.
type rangeQuery struct {
	Prefix string // the family; every key starts with it
	// From and To bound the keys within the family: prefix+From <= key <
	// prefix+To (To "" = the family's end).
	From, To string
	// Like is a LIKE pattern the whole key must match as well ('_' and
	// '%'), for the flags at a key's end.
	Like string
	// NotLike is a LIKE pattern the key must not match.
	NotLike string
	// SuffixAtMost and SuffixAbove keep keys whose last len(...)
	// characters are <= / > them (fixed-width digits: a time at the end).
	SuffixAtMost, SuffixAbove string
	// ContainsAll keeps entries whose value, lower-cased, contains each
	// of these (lower-case) texts.
	ContainsAll []string
	// Has keeps entries whose value contains each of these byte for byte
	// (the search families' values are lower-case words already).
	Has []string
	// ValueLike is a LIKE pattern the value must match (a kind's flags at
	// the start of its value).
	ValueLike string
	// LastFrom keeps keys whose part after the last '/' sorts at or after
	// it (a time at the start of a record's suffix).
	LastFrom string
	Desc     bool
	Offset   int
	// Limit is the page's size; a count counts at most Limit entries
	// (0: all).
	Limit  int
	Values bool
}

func (q rangeQuery) bounds() (lo, hi string) {
	lo, hi = q.Prefix+q.From, q.Prefix+keyTop
	if q.To != "" {
		hi = q.Prefix + q.To
	}
	return lo, hi
}

// entry is one index key derived from a record.
type entry struct {
	key   string
	value []byte
	// counter is the counter this entry counts in ("" = not counted).
	counter string
	// expire is the KV expiry in seconds from now (0 = none).
	expire int64
}

func keysOfEntries(es []entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.key
	}
	return out
}

// marker is what a write in flight leaves until it is done.
type marker struct {
	At   int64    `json:"at"`
	Kind string   `json:"kind"`
	ID   string   `json:"id"`
	Keys []string `json:"keys"`
}

// indexer maintains the entries of one kind of record.
type indexer struct {
	s    *Store
	kind string // "g" guests, "i" invitations, "a" audit
	// current re-reads the record id and derives its entries (nil, nil:
	// the record is gone).
	current func(id string) ([]entry, error)
}

func (s *Store) now() int64 {
	if s.clock != nil {
		return s.clock()
	}
	return time.Now().UnixMilli()
}

// begin writes the marker of a change to record id touching keys; each
// write has its own marker (`ixd/<kind>/<id>/<nonce>`), so concurrent
// writes of one record never remove each other's.
func (x *indexer) begin(id string, keys []string) (string, []byte, error) {
	m := marker{At: x.s.now(), Kind: x.kind, ID: id, Keys: keys}
	raw, err := json.Marshal(m)
	if err != nil {
		return "", nil, err
	}
	key := markerPrefix + x.kind + "/" + id + "/" + model.NewId()
	if _, err := x.s.kv.Set(key, raw); err != nil {
		return "", nil, errors.Wrap(err, "marking an index change")
	}
	return key, raw, nil
}

// end removes the marker of a finished write, in the background: the
// write is complete, and a marker that outlives a crash only costs a
// repair that finds nothing to change.
func (x *indexer) end(key string, _ []byte) {
	x.s.background.Add(1)
	go func() {
		defer x.s.background.Done()
		_ = x.s.kv.Delete(key)
	}()
}

// change brings the entries of record id from old to next (see the
// package comment), the marker already written. It reports whether the
// entries match the record as it is now; false leaves the marker to
// repair (the record kept changing under it).
func (x *indexer) change(id string, old, next []entry) (bool, error) {
	if err := x.s.applyEntries(old, next, true); err != nil {
		return false, err
	}
	// Another writer may have changed the record meanwhile: converge on
	// what is there now. Bounded: each round follows a newer record, and
	// the writer of the newest one converges after it.
	for range 20 {
		cur, err := x.current(id)
		if err != nil {
			return false, err
		}
		if sameKeys(cur, next) {
			return true, nil
		}
		if err := x.s.applyEntries(next, cur, true); err != nil {
			return false, err
		}
		next = cur
	}
	return false, nil
}

func sameKeys(a, b []entry) bool {
	return slices.Equal(keysOfEntries(a), keysOfEntries(b))
}

// applyEntries creates the entries of next that old lacks and deletes the
// entries of old that next lacks. With count, a counted entry moves its
// counter only when this call's create or delete took effect.
func (s *Store) applyEntries(old, next []entry, count bool) error {
	oldKeys, nextKeys := map[string]bool{}, map[string]bool{}
	for _, e := range old {
		oldKeys[e.key] = true
	}
	for _, e := range next {
		nextKeys[e.key] = true
	}
	// Creates first (a reader never misses the record in a list), then
	// deletes; each set at once (every entry is one call to core).
	var puts errgroup.Group
	for _, e := range next {
		if prev := find(old, e.key); prev != nil && oldKeys[e.key] {
			// Kept: a counted entry stays as it is; another is rewritten
			// only when its value or expiry may differ.
			if e.counter != "" || (e.expire == 0 && bytes.Equal(prev.value, e.value)) {
				continue
			}
		}
		puts.Go(func() error { return s.putEntry(e, count) })
	}
	if err := puts.Wait(); err != nil {
		return err
	}
	var dels errgroup.Group
	for _, e := range old {
		if nextKeys[e.key] {
			continue
		}
		dels.Go(func() error { return s.deleteEntry(e, count) })
	}
	return dels.Wait()
}

func find(es []entry, key string) *entry {
	for i := range es {
		if es[i].key == key {
			return &es[i]
		}
	}
	return nil
}

func (s *Store) putEntry(e entry, count bool) error {
	opts := []pluginapi.KVSetOption{}
	if e.expire > 0 {
		opts = append(opts, retentionOpt(e.expire))
	}
	if e.counter == "" {
		_, err := s.kv.Set(e.key, e.value, opts...)
		return errors.Wrap(err, "writing an index entry")
	}
	created, err := s.kv.Set(e.key, []byte(countedValue), append(opts, pluginapi.SetAtomic(nil))...)
	if err != nil {
		return errors.Wrap(err, "writing a counted index entry")
	}
	if created && count {
		return s.Add(e.counter, 1)
	}
	return nil
}

func (s *Store) deleteEntry(e entry, count bool) error {
	if e.counter == "" {
		return errors.Wrap(s.kv.Delete(e.key), "deleting an index entry")
	}
	deleted, err := s.kv.Set(e.key, nil, pluginapi.SetAtomic([]byte(countedValue)))
	if err != nil {
		return errors.Wrap(err, "deleting a counted index entry")
	}
	if deleted && count {
		return s.Add(e.counter, -1)
	}
	return nil
}

// indexReady reports whether the indexes were built (index/version) and
// can be read.
func (s *Store) indexReady() bool {
	s.readyMu.RLock()
	ready := s.ready
	s.readyMu.RUnlock()
	if ready {
		return true
	}
	var v []byte
	if err := s.kv.Get(indexVersionKey, &v); err != nil || string(v) != indexVersion {
		return false
	}
	s.readyMu.Lock()
	s.ready = true
	s.readyMu.Unlock()
	return true
}

// IndexReady reports whether lists and counts are served from the
// indexes (false until the first build finished).
func (s *Store) IndexReady() bool { return s.indexReady() }

// queryRows runs q on the database when it can, else through the KV API
// (every key of the plugin listed: correct, slow).
func (s *Store) queryRows(q rangeQuery) ([]row, error) {
	if s.rows != nil {
		rows, err := s.rows.query(q)
		if err == nil || !s.sqlBroken(err) {
			return rows, err
		}
	}
	return s.kvRanges().query(q)
}

func (s *Store) countRows(q rangeQuery) (int, error) {
	if s.rows != nil {
		n, err := s.rows.count(q)
		if err == nil || !s.sqlBroken(err) {
			return n, err
		}
	}
	return s.kvRanges().count(q)
}

func (s *Store) valuesOf(keys []string) (map[string][]byte, error) {
	if s.rows != nil {
		v, err := s.rows.values(keys)
		if err == nil || !s.sqlBroken(err) {
			return v, err
		}
	}
	return s.kvRanges().values(keys)
}

// sqlBroken decides, on the first failure, whether the database handle is
// unusable (then the KV API serves from now on, with a warning); later
// failures are errors.
func (s *Store) sqlBroken(err error) bool {
	broken := false
	s.fallback.Do(func() {
		broken = true
		if s.warn != nil {
			s.warn("Guest Accounts: reading the plugin's records through the KV API (slower with many guests)", "reason", err.Error())
		}
		s.rows = nil
	})
	return broken
}

// kvRanges answers range queries through the KV API: every key of the
// plugin listed, filtered and sorted here. The fallback without a usable
// database handle, and what unit tests use.
func (s *Store) kvRanges() ranges { return kvRanges{s.kv} }

type kvRanges struct{ kv KV }

func (r kvRanges) page(prefix, after string, limit int) ([]row, error) {
	rows, err := r.query(rangeQuery{Prefix: prefix, Limit: 1 << 30, Values: true})
	if err != nil {
		return nil, err
	}
	var out []row
	for _, row := range rows {
		if row.Key > after && len(out) < limit {
			out = append(out, row)
		}
	}
	return out, nil
}

func (r kvRanges) selected(q rangeQuery) ([]row, error) {
	var keys []string
	for page := 0; ; page++ {
		batch, err := r.kv.ListKeys(page, listPageSize)
		if err != nil {
			return nil, errors.Wrap(err, "listing keys")
		}
		keys = append(keys, batch...)
		if len(batch) < listPageSize {
			break
		}
	}
	lo, hi := q.bounds()
	var out []row
	for _, k := range keys {
		if !strings.HasPrefix(k, q.Prefix) || k < lo || k >= hi || (q.Like != "" && !like(k, q.Like)) {
			continue
		}
		if q.NotLike != "" && like(k, q.NotLike) {
			continue
		}
		if q.SuffixAtMost != "" && (len(k) < len(q.SuffixAtMost) || k[len(k)-len(q.SuffixAtMost):] > q.SuffixAtMost) {
			continue
		}
		if q.SuffixAbove != "" && (len(k) < len(q.SuffixAbove) || k[len(k)-len(q.SuffixAbove):] <= q.SuffixAbove) {
			continue
		}
		if q.LastFrom != "" && lastPart(k) < q.LastFrom {
			continue
		}
		var v []byte
		if err := r.kv.Get(k, &v); err != nil {
			return nil, errors.Wrap(err, "reading an index entry")
		}
		if v == nil || !containsAll(strings.ToLower(string(v)), q.ContainsAll) || !containsAll(string(v), q.Has) ||
			(q.ValueLike != "" && !like(string(v), q.ValueLike)) {
			continue
		}
		out = append(out, row{Key: k, Value: v})
	}
	if q.Desc {
		slices.Reverse(out)
	}
	return out, nil
}

func (r kvRanges) query(q rangeQuery) ([]row, error) {
	rows, err := r.selected(q)
	if err != nil {
		return nil, err
	}
	if q.Offset >= len(rows) {
		return nil, nil
	}
	rows = rows[q.Offset:min(len(rows), q.Offset+q.Limit)]
	if !q.Values {
		for i := range rows {
			rows[i].Value = nil
		}
	}
	return rows, nil
}

func (r kvRanges) count(q rangeQuery) (int, error) {
	rows, err := r.selected(q)
	if q.Limit > 0 {
		return min(len(rows), q.Limit), err
	}
	return len(rows), err
}

// lastPart is a key's part after its last '/' (a record's suffix).
func lastPart(key string) string { return key[strings.LastIndexByte(key, '/')+1:] }

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

func (r kvRanges) values(keys []string) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, k := range keys {
		var v []byte
		if err := r.kv.Get(k, &v); err != nil {
			return nil, errors.Wrap(err, "reading a record")
		}
		if v != nil {
			out[k] = v
		}
	}
	return out, nil
}

// like matches SQL LIKE patterns with '%' and '_' (no escapes: index keys
// hold neither).
func like(s, pattern string) bool {
	if pattern == "" {
		return s == ""
	}
	switch pattern[0] {
	case '%':
		for i := 0; i <= len(s); i++ {
			if like(s[i:], pattern[1:]) {
				return true
			}
		}
		return false
	case '_':
		return s != "" && like(s[1:], pattern[1:])
	default:
		return s != "" && s[0] == pattern[0] && like(s[1:], pattern[1:])
	}
}

// num15 is n as 15 digits (ms times up to year 33658); inverted counts
// down, for newest first.
func num15(n int64, inverted bool) string {
	if n < 0 {
		n = 0
	}
	if inverted {
		n = 999_999_999_999_999 - n
	}
	s := "000000000000000" + itoa64(n)
	return s[len(s)-15:]
}

func itoa64(n int64) string {
	var b [20]byte
	i := len(b)
	if n == 0 {
		return "0"
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

package kvstore

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/mattermost/mattermost/server/public/pluginapi"
	"github.com/pkg/errors"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// The guest registry's index families (index.go):
//
//	ixg/s/<a | d + reason>/<id>          status (counted: active, deactivated);
//	                                     lists the guests a switch acts on
//	ixg/x/<id>                           has an expiry date (counted)
//	ixg/m/<id>                           active and must use MFA (own setting)
//	ixg/c/<newest-first created>/<id>/<flags>
//	ixg/e/<expiry, none last>/<id>/<flags>
//	ixg/u/<username, 64 [0-9a-z] padded>/<id>/<flags>
//	ixg/a/<latest-first last activity>/<id>/<flags>
//
// The three sorted families carry the search text as their value and end
// in two flags: a|d (status) and x|n (expiry date or not), which the
// status filters match with LIKE.
const (
	gStatus   = "ixg/s/"
	gExpiring = "ixg/x/"
	gMFA      = "ixg/m/"
	gCreated  = "ixg/c/"
	gExpires  = "ixg/e/"
	gName     = "ixg/u/"
	gActive   = "ixg/a/"

	counterActive      = "ix-guests-active"
	counterDeactivated = "ix-guests-deactivated"
	counterExpiring    = "ix-guests-expiring"

	usernameWidth = 64
)

// reasonCodes name deactivation reasons with one letter in keys.
var reasonCodes = map[string]string{
	store.ReasonAdmin: "a", store.ReasonSwitch: "s", store.ReasonPluginDisabled: "p",
	store.ReasonExpired: "e", store.ReasonDomain: "d", store.ReasonCap: "c",
}

func statusCode(g *store.Guest) string {
	if g.Deactivated == store.ReasonNone {
		return "a"
	}
	if c, ok := reasonCodes[g.Deactivated]; ok {
		return "d" + c
	}
	return "dz"
}

// usernameKey is the username's letters and digits, padded: fixed width,
// so that the order is the same under any collation ("a.b" sorts with
// "ab").
func usernameKey(username string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(username) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	s := b.String()
	if len(s) > usernameWidth {
		s = s[:usernameWidth]
	}
	return s + strings.Repeat("0", usernameWidth-len(s))
}

// guestEntries are the index entries of a record (nil record: none).
func guestEntries(g *store.Guest) []entry {
	if g == nil {
		return nil
	}
	id := g.UserID
	st := statusCode(g)
	flags := st[:1] + "n"
	var es []entry
	counter := counterActive
	if st != "a" {
		counter = counterDeactivated
	}
	es = append(es, entry{key: gStatus + st + "/" + id, counter: counter})
	if g.ExpiresAt != 0 {
		flags = st[:1] + "x"
		es = append(es, entry{key: gExpiring + id, counter: counterExpiring})
	}
	if st == "a" && g.RequireMFA != nil && *g.RequireMFA {
		es = append(es, entry{key: gMFA + id, value: []byte(countedValue)})
	}
	// Never an empty value: an empty value is a delete on its way
	// through core.
	search, username := []byte("-"), ""
	if g.Profile != nil && g.Profile.Search != "" {
		search, username = []byte(g.Profile.Search), g.Profile.Username
	}
	expires := g.ExpiresAt
	if expires == 0 {
		expires = 999_999_999_999_999
	}
	es = append(es,
		entry{key: gActive + num15(g.LastActiveAt, true) + "/" + id + "/" + flags, value: search},
		entry{key: gCreated + num15(g.CreatedAt, true) + "/" + id + "/" + flags, value: search},
		entry{key: gExpires + num15(expires, false) + "/" + id + "/" + flags, value: search},
		entry{key: gName + usernameKey(username) + "/" + id + "/" + flags, value: search},
	)
	return es
}

// idOfSorted is the user id in a sorted entry's key (…/<id>/<flags>).
func idOfSorted(key string) string {
	key = key[:max(0, len(key)-3)]
	return key[strings.LastIndexByte(key, '/')+1:]
}

func (s *Store) guestIndexer() *indexer {
	return &indexer{s: s, kind: "g", current: func(id string) ([]entry, error) {
		g, err := s.GetGuest(id)
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil
		}
		return guestEntries(g), err
	}}
}

// GetGuest returns the registry record or store.ErrNotFound.
func (s *Store) GetGuest(userID string) (*store.Guest, error) {
	var raw []byte
	if err := s.kv.Get(guestPrefix+userID, &raw); err != nil {
		return nil, errors.Wrap(err, "reading the guest record")
	}
	if raw == nil {
		return nil, store.ErrNotFound
	}
	var g store.Guest
	if err := json.Unmarshal(raw, &g); err != nil {
		return nil, errors.Wrapf(err, "decoding the guest record of %s", userID)
	}
	return &g, nil
}

// SaveGuest writes the registry record and its index entries. The record
// keeps the newer of the given and the stored profile; a record without
// either gets the user's from core. The write is a compare-and-set against
// the record it replaces (retried), so each write knows its predecessor's
// entries exactly.
func (s *Store) SaveGuest(g *store.Guest) error {
	if g.UserID == "" {
		return errors.New("a guest record needs a user id")
	}
	given := g.Profile
	for range casMaxRetries {
		old, raw, err := s.guestRaw(g.UserID)
		if err != nil {
			return err
		}
		g.Profile = given
		if old != nil && old.Profile != nil && (g.Profile == nil || old.Profile.UpdatedAt > g.Profile.UpdatedAt) {
			g.Profile = old.Profile
		}
		if old != nil {
			g.LastActiveAt = max(g.LastActiveAt, old.LastActiveAt)
		}
		if g.Profile == nil {
			if ps, err := s.lookupProfiles([]string{g.UserID}); err == nil {
				g.Profile = ps[g.UserID]
			}
		}
		if err := s.writeGuestIf(old, g, raw); !errors.Is(err, store.ErrConflict) {
			return err
		}
	}
	return errors.Wrap(store.ErrConflict, "the guest record keeps changing")
}

// guestRaw reads the record and its stored encoding (nil, nil: absent).
func (s *Store) guestRaw(userID string) (*store.Guest, []byte, error) {
	var raw []byte
	if err := s.kv.Get(guestPrefix+userID, &raw); err != nil {
		return nil, nil, errors.Wrap(err, "reading the guest record")
	}
	if raw == nil {
		return nil, nil, nil
	}
	var g store.Guest
	if err := json.Unmarshal(raw, &g); err != nil {
		return nil, nil, errors.Wrapf(err, "decoding the guest record of %s", userID)
	}
	return &g, raw, nil
}

// writeGuestIf writes g (nil: deletes the record) over old by
// compare-and-set against its stored encoding expect (nil: the record must
// be absent), with the index change (markers, entries);
// store.ErrConflict when the record changed meanwhile.
func (s *Store) writeGuestIf(old, g *store.Guest, expect []byte) error {
	id := ""
	var value any
	if g != nil {
		id, value = g.UserID, g
	} else {
		id = old.UserID
	}
	write := func() error {
		ok, err := s.kv.Set(guestPrefix+id, value, pluginapi.SetAtomic(expect))
		if err != nil {
			return errors.Wrap(err, "saving the guest record")
		}
		if !ok {
			return store.ErrConflict
		}
		return nil
	}
	oldE, newE := guestEntries(old), guestEntries(g)
	if old != nil && g != nil && entriesEqual(oldE, newE) {
		return write()
	}
	x := s.guestIndexer()
	mk, raw, err := x.begin(id, union(oldE, newE))
	if err != nil {
		return err
	}
	if err := write(); err != nil {
		if errors.Is(err, store.ErrConflict) {
			x.end(mk, raw)
		}
		return err
	}
	done, err := x.change(id, oldE, newE)
	if err != nil {
		return err
	}
	if done {
		x.end(mk, raw)
	}
	return nil
}

// DeleteGuest removes the registry record and its index entries.
func (s *Store) DeleteGuest(userID string) error {
	for range casMaxRetries {
		old, raw, err := s.guestRaw(userID)
		if err != nil || old == nil {
			return err
		}
		if err := s.writeGuestIf(old, nil, raw); !errors.Is(err, store.ErrConflict) {
			return err
		}
	}
	return errors.Wrap(store.ErrConflict, "the guest record keeps changing")
}

// TouchGuest records the guest's last activity (compare-and-set, retried;
// never backwards).
func (s *Store) TouchGuest(userID string, at int64) error {
	for range casMaxRetries {
		old, raw, err := s.guestRaw(userID)
		if err != nil || old == nil || old.LastActiveAt >= at {
			return err
		}
		next := *old
		next.LastActiveAt = at
		if err := s.writeGuestIf(old, &next, raw); !errors.Is(err, store.ErrConflict) {
			return err
		}
	}
	return nil // busy record: the next activity records it
}

func entriesEqual(a, b []entry) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].key != b[i].key || string(a[i].value) != string(b[i].value) || a[i].counter != b[i].counter {
			return false
		}
	}
	return true
}

func union(a, b []entry) []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range append(append([]entry{}, a...), b...) {
		if !seen[e.key] {
			seen[e.key] = true
			out = append(out, e.key)
		}
	}
	return out
}

// lookupProfiles reads the users' profiles from core (none without a
// lookup, in tests).
func (s *Store) lookupProfiles(ids []string) (map[string]*store.Profile, error) {
	if s.profiles == nil {
		return map[string]*store.Profile{}, nil
	}
	return s.profiles(ids)
}

// QueryGuests serves one page of the guest list from the indexes.
func (s *Store) QueryGuests(q store.GuestQuery) (*store.GuestPage, error) {
	if !s.indexReady() {
		return nil, ErrIndexNotReady
	}
	// A status that few guests have (deactivated among 100,000 active, say)
	// would make the sorted family's filter read most of the family: those
	// few are read through their status family and sorted here instead.
	if q.Status != "" {
		c, err := s.GuestCounts()
		if err != nil {
			return nil, err
		}
		n := map[string]int{store.StatusActive: c.Active, store.StatusDeactivated: c.Deactivated, store.StatusExpiring: c.Expiring}[q.Status]
		if n <= smallSetLimit {
			return s.queryFewGuests(q)
		}
	}
	rq := rangeQuery{Prefix: gCreated, Offset: q.Page * q.PerPage, Limit: q.PerPage}
	switch q.Sort {
	case store.SortExpires:
		rq.Prefix = gExpires
	case store.SortUsername:
		rq.Prefix = gName
	case store.SortLastActivity:
		rq.Prefix = gActive
	}
	switch q.Status {
	case store.StatusActive:
		rq.Like = "%/a_"
	case store.StatusDeactivated:
		rq.Like = "%/d_"
	case store.StatusExpiring:
		rq.Like = "%/_x"
	}
	rq.Contains = strings.ToLower(strings.TrimSpace(q.Query))
	rows, err := s.queryRows(rq)
	if err != nil {
		return nil, errors.Wrap(err, "reading a page of the guest list")
	}
	page := &store.GuestPage{Guests: []*store.Guest{}}
	keys := make([]string, 0, len(rows))
	for _, r := range rows {
		keys = append(keys, guestPrefix+idOfSorted(r.Key))
	}
	values, err := s.valuesOf(keys)
	if err != nil {
		return nil, errors.Wrap(err, "reading the guests of a page")
	}
	for _, k := range keys {
		raw, ok := values[k]
		if !ok {
			continue // deleted meanwhile
		}
		var g store.Guest
		if err := json.Unmarshal(raw, &g); err != nil {
			return nil, errors.Wrapf(err, "decoding the guest record %s", k)
		}
		page.Guests = append(page.Guests, &g)
	}
	if rq.Contains != "" {
		rq.Offset, rq.Limit = 0, 0
		page.Total, err = s.countRows(rq)
		return page, errors.Wrap(err, "counting the guests found")
	}
	c, err := s.GuestCounts()
	if err != nil {
		return nil, err
	}
	switch q.Status {
	case store.StatusActive:
		page.Total = c.Active
	case store.StatusDeactivated:
		page.Total = c.Deactivated
	case store.StatusExpiring:
		page.Total = c.Expiring
	default:
		page.Total = c.Active + c.Deactivated
	}
	return page, nil
}

// GuestCounts reads the counters kept with the entries.
func (s *Store) GuestCounts() (store.GuestCounts, error) {
	var c store.GuestCounts
	if !s.indexReady() {
		return c, ErrIndexNotReady
	}
	var err error
	if c.Active, err = s.Get(counterActive); err != nil {
		return c, err
	}
	if c.Deactivated, err = s.Get(counterDeactivated); err != nil {
		return c, err
	}
	if c.Expiring, err = s.Get(counterExpiring); err != nil {
		return c, err
	}
	rows, err := s.queryRows(rangeQuery{Prefix: gMFA, Limit: 1})
	c.MFARequired = len(rows) > 0
	return c, err
}

// ForEachGuestID walks the status family: active guests, or those
// deactivated for one of reasons. Pages continue after the last key read,
// so fn may change records as it goes.
func (s *Store) ForEachGuestID(status string, reasons []string, fn func(string) error) error {
	if !s.indexReady() {
		return ErrIndexNotReady
	}
	var prefixes []string
	if status == store.StatusActive {
		prefixes = append(prefixes, gStatus+"a/")
	}
	for _, r := range reasons {
		if c, ok := reasonCodes[r]; ok {
			prefixes = append(prefixes, gStatus+"d"+c+"/")
		}
	}
	for _, p := range prefixes {
		if err := s.forEachEntry(rangeQuery{Prefix: p}, func(key string) error {
			return fn(key[len(p):])
		}); err != nil {
			return err
		}
	}
	return nil
}

// forEachEntry walks the keys q selects, a page at a time, each page
// starting after the last key of the one before.
func (s *Store) forEachEntry(q rangeQuery, fn func(key string) error) error {
	q.Limit = rowsPageSize
	for {
		rows, err := s.queryRows(q)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := fn(r.Key); err != nil {
				return err
			}
		}
		if len(rows) < rowsPageSize {
			return nil
		}
		// "0" after the last key: above it and below the next one, in byte
		// order and in collations that ignore punctuation.
		q.From = rows[len(rows)-1].Key[len(q.Prefix):] + "0"
	}
}

// KeyValue is one row of the plugin's key-value store.
type KeyValue struct {
	Key   string
	Value []byte
}

// GuestRows are the rows SaveGuest writes for a record: the record and
// its index entries (not the counters). The benchmark writes them
// straight into the database for registries too large to create through
// the plugin.
func GuestRows(g *store.Guest) ([]KeyValue, error) {
	raw, err := json.Marshal(g)
	if err != nil {
		return nil, err
	}
	out := []KeyValue{{Key: guestPrefix + g.UserID, Value: raw}}
	for _, e := range guestEntries(g) {
		v := e.value
		if e.counter != "" {
			v = []byte(countedValue)
		}
		out = append(out, KeyValue{Key: e.key, Value: v})
	}
	return out, nil
}

// CounterFamilies maps each index counter's key to the key prefix of the
// entries it counts (the benchmark recounts its seeded rows with it).
func CounterFamilies() map[string]string {
	out := map[string]string{}
	for name, q := range counterFamilies {
		out[countPrefix+name] = q.Prefix
	}
	return out
}

// ForEachGuestExpiringBy calls fn with every guest whose expiry date is at
// or before until (ms), soonest first, from the expiry family: the expiry
// job reads the guests it may act on, not the registry. Records are read
// a page at a time; fn may change them.
func (s *Store) ForEachGuestExpiringBy(until int64, fn func(*store.Guest) error) error {
	if !s.indexReady() {
		return ErrIndexNotReady
	}
	q := rangeQuery{Prefix: gExpires, To: num15(until+1, false), Limit: rowsPageSize}
	for {
		rows, err := s.queryRows(q)
		if err != nil {
			return errors.Wrap(err, "reading the expiry index")
		}
		keys := make([]string, 0, len(rows))
		for _, r := range rows {
			keys = append(keys, guestPrefix+idOfSorted(r.Key))
		}
		if err := s.eachGuestOf(keys, fn); err != nil {
			return err
		}
		if len(rows) < rowsPageSize {
			return nil
		}
		q.From = rows[len(rows)-1].Key[len(q.Prefix):] + "0"
	}
}

// eachGuestOf reads the guest records under keys in one call and calls fn
// with each that exists, in the order of keys.
func (s *Store) eachGuestOf(keys []string, fn func(*store.Guest) error) error {
	values, err := s.valuesOf(keys)
	if err != nil {
		return err
	}
	for _, k := range keys {
		raw, ok := values[k]
		if !ok {
			continue
		}
		var g store.Guest
		if err := json.Unmarshal(raw, &g); err != nil {
			return errors.Wrapf(err, "decoding the guest record %s", k)
		}
		if err := fn(&g); err != nil {
			return err
		}
	}
	return nil
}

// smallSetLimit is the most guests of one status queryFewGuests reads
// (a variable: the tests set it to take either path).
var smallSetLimit = 2000

// queryFewGuests serves a status-filtered page by reading that status's
// guests (its family lists them) and sorting them as the sorted families
// would.
func (s *Store) queryFewGuests(q store.GuestQuery) (*store.GuestPage, error) {
	prefix := map[string]string{store.StatusActive: gStatus + "a/", store.StatusDeactivated: gStatus + "d", store.StatusExpiring: gExpiring}[q.Status]
	var ids []string
	if err := s.forEachEntry(rangeQuery{Prefix: prefix}, func(key string) error {
		ids = append(ids, key[strings.LastIndexByte(key, '/')+1:]) // …/<id>
		return nil
	}); err != nil {
		return nil, errors.Wrap(err, "reading a status family")
	}
	query := strings.ToLower(strings.TrimSpace(q.Query))
	var all []*store.Guest
	for i := 0; i < len(ids); i += rowsPageSize {
		keys := make([]string, 0, rowsPageSize)
		for _, id := range ids[i:min(i+rowsPageSize, len(ids))] {
			keys = append(keys, guestPrefix+id)
		}
		if err := s.eachGuestOf(keys, func(g *store.Guest) error {
			if query == "" || (g.Profile != nil && strings.Contains(strings.ToLower(g.Profile.Search), query)) {
				all = append(all, g)
			}
			return nil
		}); err != nil {
			return nil, err
		}
	}
	// The order of the sorted families' keys (guestEntries).
	sortKey := func(g *store.Guest) string {
		switch q.Sort {
		case store.SortExpires:
			e := g.ExpiresAt
			if e == 0 {
				e = 999_999_999_999_999
			}
			return num15(e, false)
		case store.SortUsername:
			name := ""
			if g.Profile != nil {
				name = g.Profile.Username
			}
			return usernameKey(name)
		case store.SortLastActivity:
			return num15(g.LastActiveAt, true)
		}
		return num15(g.CreatedAt, true)
	}
	sort.Slice(all, func(i, j int) bool {
		ki, kj := sortKey(all[i]), sortKey(all[j])
		if ki != kj {
			return ki < kj
		}
		return all[i].UserID < all[j].UserID
	})
	page := &store.GuestPage{Guests: []*store.Guest{}, Total: len(all)}
	if start := q.Page * q.PerPage; start < len(all) {
		page.Guests = all[start:min(start+q.PerPage, len(all))]
	}
	return page, nil
}

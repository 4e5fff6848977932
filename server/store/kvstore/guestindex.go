package kvstore

import (
	"encoding/json"
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
//	ixg/w/<word key>/<id>                one per word of the profile (search.go)
//
// The four sorted families carry the profile's words (store.WordsText) as
// their value and end in two flags: a|d (status) and x|n (expiry date or
// not), which the status filters match with LIKE. A word entry's value is
// the same two flags then the words.
const (
	gStatus   = "ixg/s/"
	gExpiring = "ixg/x/"
	gMFA      = "ixg/m/"
	gCreated  = "ixg/c/"
	gExpires  = "ixg/e/"
	gName     = "ixg/u/"
	gActive   = "ixg/a/"
	gWord     = "ixg/w/"

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
	search, username, words := []byte("-"), "", []string(nil)
	if g.Profile != nil {
		words, username = store.SearchWords(g.Profile.Search), g.Profile.Username
		if len(words) > 0 {
			search = []byte(store.WordsText(words))
		}
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
	return append(es, wordEntries(gWord, words, id, []byte(flags+store.WordsText(words)))...)
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

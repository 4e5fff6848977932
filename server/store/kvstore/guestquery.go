package kvstore

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"

	"github.com/pkg/errors"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// The guest registry's read side: list pages, counts and walks served
// from the index families (guestindex.go writes them).

// QueryGuests serves one page of the guest list from the indexes.
func (s *Store) QueryGuests(q store.GuestQuery) (*store.GuestPage, error) {
	if !s.indexReady() {
		return nil, ErrIndexNotReady
	}
	words := store.SearchWords(q.Query)
	if len(words) > 0 {
		found, broad, err := s.findWords(gWord, words, rangeQuery{ValueLike: statusValueLike(q.Status)})
		if err != nil {
			return nil, errors.Wrap(err, "searching the guest list")
		}
		if !broad {
			return s.sortedPage(found, q)
		}
	} else if q.Status != "" {
		// A status that few guests have (deactivated among 100,000
		// active, say) would make the sorted family's filter read most of
		// the family: those few are read through their status family and
		// sorted here instead.
		c, err := s.GuestCounts()
		if err != nil {
			return nil, err
		}
		n := map[string]int{store.StatusActive: c.Active, store.StatusDeactivated: c.Deactivated, store.StatusExpiring: c.Expiring}[q.Status]
		if n <= smallSetLimit {
			return s.queryFewGuests(q)
		}
	}
	rq := rangeQuery{Prefix: gCreated, Offset: q.Page * q.PerPage, Limit: q.PerPage, Has: wordsFilter(words)}
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
	rows, err := s.queryRows(rq)
	if err != nil {
		return nil, errors.Wrap(err, "reading a page of the guest list")
	}
	keys := make([]string, 0, len(rows))
	for _, r := range rows {
		keys = append(keys, guestPrefix+idOfSorted(r.Key))
	}
	page := &store.GuestPage{Guests: []*store.Guest{}}
	if err := s.eachGuestOf(keys, func(g *store.Guest) error {
		page.Guests = append(page.Guests, g)
		return nil
	}); err != nil {
		return nil, errors.Wrap(err, "reading the guests of a page")
	}
	if len(words) > 0 {
		// A broad search: more than searchCap guests match (search.go).
		page.Total, page.TotalCapped = searchCap(), true
		return page, nil
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

// statusValueLike is the pattern of a word entry's value (its flags
// first, guestEntries) for a status filter.
func statusValueLike(status string) string {
	switch status {
	case store.StatusActive:
		return "a%"
	case store.StatusDeactivated:
		return "d%"
	case store.StatusExpiring:
		return "_x%"
	}
	return ""
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
	return s.sortedPage(ids, q)
}

// sortedPage reads the records of a few guests, sorts them as the sorted
// families would and returns the page q asks for; the total is all of
// them that still exist.
func (s *Store) sortedPage(ids []string, q store.GuestQuery) (*store.GuestPage, error) {
	var all []*store.Guest
	for chunk := range slices.Chunk(ids, rowsPageSize) {
		keys := make([]string, len(chunk))
		for i, id := range chunk {
			keys[i] = guestPrefix + id
		}
		if err := s.eachGuestOf(keys, func(g *store.Guest) error {
			all = append(all, g)
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

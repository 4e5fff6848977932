package kvstore

import (
	"fmt"
	"testing"

	"github.com/mattermost/mattermost/server/public/pluginapi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// pagingKV records how many keys each listing asked for.
type pagingKV struct {
	*pluginapi.MemoryStore
	maxCount int
	lists    int
}

func (k *pagingKV) ListKeys(page, count int, options ...pluginapi.ListKeysOption) ([]string, error) {
	k.maxCount = max(k.maxCount, count)
	k.lists++
	return k.MemoryStore.ListKeys(page, count, options...)
}

func seedGuests(t *testing.T, s *Store, n int) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range n {
		ids[i] = fmt.Sprintf("user%05d", i)
		require.NoError(t, s.SaveGuest(&store.Guest{UserID: ids[i]}))
	}
	return ids
}

func TestForEachGuestPagesThroughALargeRegistry(t *testing.T) {
	kv := &pagingKV{MemoryStore: &pluginapi.MemoryStore{}}
	s := NewWithKV(kv)
	ids := seedGuests(t, s, 2*listPageSize+10)
	for i := range 50 { // other record kinds sort before and after the guests
		require.NoError(t, s.AppendAudit(store.AuditEntry{ID: fmt.Sprint(i), At: int64(i + 1)}))
		require.NoError(t, s.Set(fmt.Sprint("c", i), i))
	}
	kv.lists = 0
	var seen []string
	require.NoError(t, s.ForEachGuest(func(g *store.Guest) error {
		seen = append(seen, g.UserID)
		return nil
	}))
	assert.Equal(t, ids, seen, "every guest once, in key order")
	assert.Equal(t, listPageSize, kv.maxCount, "pages of keys")
	all, err := kv.MemoryStore.ListKeys(0, 1<<30)
	require.NoError(t, err)
	assert.Equal(t, len(all)/listPageSize+1, kv.lists, "one listing per page of the plugin's keys (records and index entries)")
}

// (KV API walk) The walk's own writes shift the offsets core lists by: audit entries are
// added before the guests, records are deleted behind the walk. Every guest
// that exists throughout is still handled exactly once.
func TestForEachGuestSurvivesWritesWhileWalking(t *testing.T) {
	for _, tc := range []struct {
		name string
		act  func(t *testing.T, s *Store, n int, g *store.Guest)
	}{
		{"audit entries added before the guests", func(t *testing.T, s *Store, n int, _ *store.Guest) {
			require.NoError(t, s.AppendAudit(store.AuditEntry{ID: fmt.Sprint(n), At: int64(n + 1)}))
			require.NoError(t, s.AppendAudit(store.AuditEntry{ID: fmt.Sprint("x", n), At: int64(n + 1)}))
		}},
		{"handled records deleted", func(t *testing.T, s *Store, _ int, g *store.Guest) {
			require.NoError(t, s.DeleteGuest(g.UserID))
		}},
		{"records rewritten", func(t *testing.T, s *Store, _ int, g *store.Guest) {
			g.Deactivated = store.ReasonSwitch
			require.NoError(t, s.SaveGuest(g))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := NewWithKV(&pluginapi.MemoryStore{})
			ids := seedGuests(t, s, 2*listPageSize+500)
			count := map[string]int{}
			n := 0
			require.NoError(t, s.ForEachGuest(func(g *store.Guest) error {
				count[g.UserID]++
				tc.act(t, s, n, g)
				n++
				return nil
			}))
			assert.Len(t, count, len(ids))
			for id, c := range count {
				require.Equal(t, 1, c, "guest %s handled %d times", id, c)
			}
		})
	}
}

func TestForEachGuestDeletionsAheadAreNotVisited(t *testing.T) {
	s := NewWithKV(&pluginapi.MemoryStore{})
	ids := seedGuests(t, s, 2*listPageSize+500)
	seen := map[string]bool{}
	require.NoError(t, s.ForEachGuest(func(g *store.Guest) error {
		seen[g.UserID] = true
		if g.UserID == ids[10] {
			// An admin deletes guests further on, and guests before.
			for _, id := range append(ids[1500:1600], ids[0:5]...) {
				require.NoError(t, s.DeleteGuest(id))
			}
		}
		return nil
	}))
	for i, id := range ids {
		if i >= 1500 && i < 1600 {
			assert.False(t, seen[id], "deleted before the walk reached it")
		} else {
			assert.True(t, seen[id], "guest %d missed", i)
		}
	}
}

// memRanges is the table walk on the in-memory KV: keyset pages in key
// order, as the SQL query reads them.
type memRanges struct {
	kv      *pluginapi.MemoryStore
	queries int
	maxRows int
	failAt  int // fail the query with this number (1-based); 0 never
}

func (r *memRanges) page(prefix, after string, limit int) ([]row, error) {
	r.queries++
	if r.queries == r.failAt {
		return nil, fmt.Errorf("database gone")
	}
	keys, err := r.kv.ListKeys(0, 1<<30)
	if err != nil {
		return nil, err
	}
	var out []row
	for _, k := range keys {
		if len(out) == limit {
			break
		}
		if k <= after || len(k) < len(prefix) || k[:len(prefix)] != prefix {
			continue
		}
		var v []byte
		if err := r.kv.Get(k, &v); err != nil {
			return nil, err
		}
		out = append(out, row{Key: k, Value: v})
	}
	r.maxRows = max(r.maxRows, len(out))
	return out, nil
}

func TestForEachGuestReadsTheTableAPageAtATime(t *testing.T) {
	kv := &pluginapi.MemoryStore{}
	rows := &memRanges{kv: kv}
	s := &Store{kv: kv, rows: rows}
	ids := seedGuests(t, s, 2*rowsPageSize+10)
	require.NoError(t, s.AppendAudit(store.AuditEntry{ID: "a", At: 1}))
	var seen []string
	require.NoError(t, s.ForEachGuest(func(g *store.Guest) error {
		seen = append(seen, g.UserID)
		// The walk's own writes: records rewritten, audit entries added,
		// records behind it deleted.
		g.Deactivated = store.ReasonSwitch
		require.NoError(t, s.SaveGuest(g))
		require.NoError(t, s.AppendAudit(store.AuditEntry{ID: g.UserID, At: 2}))
		require.NoError(t, s.DeleteGuest(g.UserID))
		return nil
	}))
	assert.Equal(t, ids, seen, "every guest once, in key order")
	assert.Equal(t, 3, rows.queries)
	assert.Equal(t, rowsPageSize, rows.maxRows, "never more than a page of records")

	n := 0
	require.NoError(t, s.ForEachInvite(func(*store.Invite) error { n++; return nil }))
	assert.Zero(t, n, "other kinds are not read as invitations")
	entries, err := s.ListAudit(0, 0, 5)
	require.NoError(t, err)
	assert.Len(t, entries, 5)
}

func TestWalkFallsBackToTheKVAPIWithoutADatabase(t *testing.T) {
	kv := &pluginapi.MemoryStore{}
	s := &Store{kv: kv, rows: &memRanges{kv: kv, failAt: 1}}
	ids := seedGuests(t, s, 10)
	n := 0
	require.NoError(t, s.ForEachGuest(func(*store.Guest) error { n++; return nil }))
	assert.Equal(t, len(ids), n)

	// A failure after the first page is an error, not a silent half walk.
	s.rows = &memRanges{kv: kv, failAt: 2}
	seedGuests(t, s, rowsPageSize+10)
	require.Error(t, s.ForEachGuest(func(*store.Guest) error { return nil }))
}

func (r *memRanges) query(q rangeQuery) ([]row, error) { return kvRanges{r.kv}.query(q) }

func (r *memRanges) count(q rangeQuery) (int, error) { return kvRanges{r.kv}.count(q) }

func (r *memRanges) values(keys []string) (map[string][]byte, error) {
	return kvRanges{r.kv}.values(keys)
}

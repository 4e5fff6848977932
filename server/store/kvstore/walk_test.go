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
	assert.Equal(t, listPageSize, kv.maxCount, "never more than a page of keys at a time")
	assert.Equal(t, 3+2, kv.lists, "three pages and a one-key probe before each later page")
}

// The walk's own writes shift the offsets core lists by: audit entries are
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

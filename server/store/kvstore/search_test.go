package kvstore

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/pluginapi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// searchGuests saves 40 guests: user00..user39, first names Ana (every
// third), Bob or Chloé, teams Red or Blue; some deactivated, some expiring.
func searchGuests(t *testing.T, s *Store) []*store.Guest {
	t.Helper()
	var out []*store.Guest
	for i := range 40 {
		name := []string{"Ana", "Bob", "Chloé"}[i%3]
		team := []string{"Red", "Blue"}[i%2]
		username := fmt.Sprintf("user%02d", i)
		g := &store.Guest{UserID: fmt.Sprintf("id%02d", i), CreatedAt: int64(1000 + (i*7)%40), LastActiveAt: int64((i * 13) % 40),
			Profile: &store.Profile{Username: username, Search: strings.ToLower(username + " " + username + "@example.com " + name + " " + team), UpdatedAt: 1}}
		if i%4 == 0 {
			g.ExpiresAt = int64(5000 - i)
		}
		if i%5 == 0 {
			g.Deactivated = store.ReasonAdmin
		}
		require.NoError(t, s.SaveGuest(g))
		out = append(out, g)
	}
	return out
}

func allPages(t *testing.T, s *Store, q store.GuestQuery) ([]string, *store.GuestPage) {
	t.Helper()
	var got []string
	var first *store.GuestPage
	for q.Page = 0; q.Page < 20; q.Page++ {
		p, err := s.QueryGuests(q)
		require.NoError(t, err)
		if first == nil {
			first = p
		}
		if len(p.Guests) == 0 {
			break
		}
		got = append(got, ids(p.Guests)...)
	}
	return got, first
}

func TestGuestSearchNarrowAndBroadServeTheSamePages(t *testing.T) {
	s, _ := indexedStore(t)
	guests := searchGuests(t, s)
	defer SetSearchCap(0)
	for _, query := range []string{"a", "ana", "RED", "ana red", "user1", "example", "chlo", "chloé blue", "nobody", "user07@example.com"} {
		for _, sortBy := range []string{store.SortUsername, store.SortCreated, store.SortExpires, store.SortLastActivity} {
			for _, status := range []string{"", store.StatusActive, store.StatusDeactivated, store.StatusExpiring} {
				q := store.GuestQuery{Query: query, Sort: sortBy, Status: status, PerPage: 4}
				// What the list must be: every guest matching, in the
				// sorted family's order.
				var want []string
				for _, g := range guests {
					keep := store.TextMatches(g.Profile.Search, query) &&
						(status == "" || (status == store.StatusActive) == (g.Deactivated == store.ReasonNone) && status != store.StatusExpiring ||
							status == store.StatusExpiring && g.ExpiresAt != 0)
					if keep {
						want = append(want, g.UserID)
					}
				}
				s.Flush()
				SetSearchCap(0)
				narrow, p := allPages(t, s, q)
				assert.False(t, p.TotalCapped, "%+v", q)
				assert.Equal(t, len(want), p.Total, "%+v", q)
				assert.ElementsMatch(t, want, narrow, "%+v", q)
				SetSearchCap(3)
				broad, p := allPages(t, s, q)
				assert.Equal(t, narrow, broad, "the broad path pages the same order: %+v", q)
				assert.Equal(t, len(want) > 3, p.TotalCapped, "%+v", q)
				if p.TotalCapped {
					assert.Equal(t, 3, p.Total)
				}
			}
		}
	}
	SetSearchCap(0)
	got, _ := allPages(t, s, store.GuestQuery{Query: "user0", Sort: store.SortUsername, PerPage: 50})
	assert.Equal(t, []string{"id00", "id01", "id02", "id03", "id04", "id05", "id06", "id07", "id08", "id09"}, got, "by username")
}

func TestSearchFollowsRenamesAndStatusChanges(t *testing.T) {
	s, _ := indexedStore(t)
	g := &store.Guest{UserID: "u1", Profile: &store.Profile{Username: "mia", Search: "mia mia@x.org Мария", UpdatedAt: 1}}
	require.NoError(t, s.SaveGuest(g))
	find := func(q store.GuestQuery) []string {
		t.Helper()
		q.PerPage = 10
		p, err := s.QueryGuests(q)
		require.NoError(t, err)
		return ids(p.Guests)
	}
	assert.Equal(t, []string{"u1"}, find(store.GuestQuery{Query: "мар"}), "words outside ASCII")
	assert.Equal(t, []string{"u1"}, find(store.GuestQuery{Query: "МАРИЯ", Status: store.StatusActive}))
	assert.Empty(t, find(store.GuestQuery{Query: "мария", Status: store.StatusDeactivated}))
	g.Profile = &store.Profile{Username: "zoe", Search: "zoe zoe@x.org", UpdatedAt: 2}
	g.Deactivated = store.ReasonAdmin
	require.NoError(t, s.SaveGuest(g))
	assert.Empty(t, find(store.GuestQuery{Query: "mia"}), "the old words are gone")
	assert.Equal(t, []string{"u1"}, find(store.GuestQuery{Query: "zo", Status: store.StatusDeactivated}))
	require.NoError(t, s.DeleteGuest("u1"))
	assert.Empty(t, find(store.GuestQuery{Query: "zoe"}))
	rows, err := s.queryRows(rangeQuery{Prefix: gWord, Limit: 100})
	require.NoError(t, err)
	assert.Empty(t, rows, "a deleted guest leaves no word entry")
}

func TestWordKeysKeepPrefixesInAnyCollation(t *testing.T) {
	for _, pair := range [][2]string{{"jos", "josé"}, {"мар", "мария"}, {"王", "王芳"}, {"ab", "abc"}, {strings.Repeat("a", 30), strings.Repeat("a", 40)}} {
		k, full := wordKey(pair[0]), wordKey(pair[1])
		assert.True(t, strings.HasPrefix(full, k), "%q begins %q", pair[1], pair[0])
		for _, r := range full {
			assert.True(t, (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9'), "%q in %q", r, full)
		}
		assert.LessOrEqual(t, len(full), wordKeyWidth)
	}
}

func TestAuditSearchNarrowAndBroad(t *testing.T) {
	s, now := indexedStore(t)
	t0 := *now
	for i := range 30 {
		action := "invite"
		if i%3 == 0 {
			action = "revoke_invite"
		}
		require.NoError(t, s.AppendAudit(store.AuditEntry{ID: fmt.Sprintf("e%02d", i), At: t0 + int64(i), Action: action, ActorID: "admin1",
			Details: fmt.Sprintf("Guest%d@Example.com", i%4)}))
	}
	s.Flush()
	defer SetSearchCap(0)
	entryIDs := func(q store.AuditQuery) ([]string, *store.AuditPage) {
		t.Helper()
		var out []string
		var first *store.AuditPage
		for q.Page = 0; q.Page < 20; q.Page++ {
			p, err := s.QueryAudit(q)
			require.NoError(t, err)
			if first == nil {
				first = p
			}
			if len(p.Entries) == 0 {
				break
			}
			for _, e := range p.Entries {
				out = append(out, e.ID)
			}
		}
		return out, first
	}
	for _, q := range []store.AuditQuery{
		{Query: "REVOKE"}, {Query: "revoke", Oldest: true}, {Query: "guest1 example"}, {Query: "invite", Since: t0 + 20},
		{Query: "admin revoke", Since: t0 + 3, Oldest: true}, {Query: "e05"}, {Query: "nothing"},
	} {
		q.PerPage = 4
		var want []string
		for i := range 30 {
			action := "invite"
			if i%3 == 0 {
				action = "revoke_invite"
			}
			text := action + " admin1 " + fmt.Sprintf("Guest%d@Example.com", i%4)
			if store.TextMatches(text, q.Query) && t0+int64(i) >= q.Since {
				want = append(want, fmt.Sprintf("e%02d", i))
			}
		}
		sort.Strings(want)
		if !q.Oldest {
			sort.Sort(sort.Reverse(sort.StringSlice(want)))
		}
		SetSearchCap(0)
		narrow, p := entryIDs(q)
		assert.Equal(t, want, narrow, "%+v", q)
		assert.Equal(t, len(want), p.Total, "%+v", q)
		assert.False(t, p.TotalCapped)
		SetSearchCap(5)
		broad, p := entryIDs(q)
		assert.Equal(t, want, broad, "%+v", q)
		assert.Equal(t, len(want) > 5, p.TotalCapped, "%+v", q)
	}
}

func TestUpgradeBuildsTheSearchFamilies(t *testing.T) {
	kv := &pluginapi.MemoryStore{}
	old := NewWithKV(kv)
	// What version 1 left: records and their other entries, no words.
	require.NoError(t, old.SaveGuest(&store.Guest{UserID: "u1", Profile: &store.Profile{Username: "olga", Search: "olga olga@x.org", UpdatedAt: 1}}))
	_, err := kv.Set(auditKey(store.AuditEntry{ID: "a1", At: 5}), store.AuditEntry{ID: "a1", At: 5, Action: "deactivate"})
	require.NoError(t, err)
	_, err = kv.Set(indexVersionKey, []byte("1"))
	require.NoError(t, err)
	for _, prefix := range []string{gWord, aWord, aTime} {
		keys, err := kv.ListKeys(0, 1000, pluginapi.WithPrefix(prefix))
		require.NoError(t, err)
		for _, k := range keys {
			require.NoError(t, kv.Delete(k))
		}
	}

	s := NewWithKV(kv)
	assert.False(t, s.IndexReady(), "version 1 indexes are not read")
	_, err = s.MaintainIndexes()
	require.NoError(t, err)
	require.True(t, s.IndexReady())
	p, err := s.QueryGuests(store.GuestQuery{Query: "olg", PerPage: 10})
	require.NoError(t, err)
	assert.Equal(t, []string{"u1"}, ids(p.Guests))
	a, err := s.QueryAudit(store.AuditQuery{Query: "deact", PerPage: 10})
	require.NoError(t, err)
	require.Len(t, a.Entries, 1)
	assert.Equal(t, "a1", a.Entries[0].ID)
}

package kvstore

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/pluginapi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// indexedStore is a store on the in-memory KV whose indexes were built,
// with a clock the test moves and profiles it makes up.
func indexedStore(t *testing.T) (*Store, *int64) {
	t.Helper()
	now := int64(1_700_000_000_000)
	s := NewWithKV(&pluginapi.MemoryStore{})
	s.clock = func() int64 { return atomic.LoadInt64(&now) }
	s.profiles = func(ids []string) (map[string]*store.Profile, error) {
		out := map[string]*store.Profile{}
		for _, id := range ids {
			out[id] = &store.Profile{Username: "user-" + id, Search: "user-" + id + " " + id + "@example.com", UpdatedAt: 1}
		}
		return out, nil
	}
	_, err := s.MaintainIndexes()
	require.NoError(t, err)
	require.True(t, s.IndexReady())
	return s, &now
}

func ptr[T any](v T) *T { return &v }

func ids(gs []*store.Guest) []string {
	out := []string{}
	for _, g := range gs {
		out = append(out, g.UserID)
	}
	return out
}

// counts checks the counters against the records: the invariant every
// write keeps.
func assertCountsExact(t *testing.T, s *Store) {
	t.Helper()
	s.Flush()
	var want store.GuestCounts
	require.NoError(t, s.ForEachGuest(func(g *store.Guest) error {
		if g.Deactivated == store.ReasonNone {
			want.Active++
			want.MFARequired = want.MFARequired || (g.RequireMFA != nil && *g.RequireMFA)
		} else {
			want.Deactivated++
		}
		if g.ExpiresAt != 0 {
			want.Expiring++
		}
		return nil
	}))
	got, err := s.GuestCounts()
	require.NoError(t, err)
	assert.Equal(t, want, got)
	markers, err := s.countRows(rangeQuery{Prefix: markerPrefix})
	require.NoError(t, err)
	assert.Zero(t, markers, "no write left a marker")
}

func TestGuestListFromTheIndexes(t *testing.T) {
	s, _ := indexedStore(t)
	// g0..g9: created 10..100, g3 and g7 deactivated, even ones expire
	// (g8 soonest), g5 requires MFA.
	for i := range 10 {
		g := &store.Guest{UserID: fmt.Sprintf("g%d", i), CreatedAt: int64(10 * (i + 1))}
		if i%2 == 0 {
			g.ExpiresAt = int64(1000 - 100*i)
		}
		if i == 3 || i == 7 {
			g.Deactivated = store.ReasonAdmin
		}
		if i == 5 {
			g.RequireMFA = ptr(true)
		}
		require.NoError(t, s.SaveGuest(g))
	}
	assertCountsExact(t, s)

	page := func(q store.GuestQuery) ([]string, int) {
		t.Helper()
		if q.PerPage == 0 {
			q.PerPage = 50
		}
		p, err := s.QueryGuests(q)
		require.NoError(t, err)
		return ids(p.Guests), p.Total
	}
	got, total := page(store.GuestQuery{Sort: store.SortCreated})
	assert.Equal(t, []string{"g9", "g8", "g7", "g6", "g5", "g4", "g3", "g2", "g1", "g0"}, got, "newest first")
	assert.Equal(t, 10, total)

	got, total = page(store.GuestQuery{Sort: store.SortCreated, Page: 1, PerPage: 4})
	assert.Equal(t, []string{"g5", "g4", "g3", "g2"}, got)
	assert.Equal(t, 10, total)

	got, total = page(store.GuestQuery{Sort: store.SortExpires})
	assert.Equal(t, []string{"g8", "g6", "g4", "g2", "g0", "g1", "g3", "g5", "g7", "g9"}, got, "soonest first, none last")
	assert.Equal(t, 10, total)

	// Status filters: through the sorted family's flags (many guests of
	// that status) and through the status family (few): the same pages.
	for _, limit := range []int{0, 2000} {
		smallSetLimit = limit
		got, total = page(store.GuestQuery{Status: store.StatusDeactivated})
		assert.Equal(t, []string{"g7", "g3"}, got, limit)
		assert.Equal(t, 2, total)
		got, total = page(store.GuestQuery{Status: store.StatusActive, Sort: store.SortUsername, PerPage: 3})
		assert.Equal(t, []string{"g0", "g1", "g2"}, got, limit)
		assert.Equal(t, 8, total)
		got, total = page(store.GuestQuery{Status: store.StatusActive, Sort: store.SortUsername, PerPage: 3, Page: 2})
		assert.Equal(t, []string{"g8", "g9"}, got, limit)
		assert.Equal(t, 8, total)
		got, total = page(store.GuestQuery{Status: store.StatusExpiring, Sort: store.SortExpires})
		assert.Equal(t, []string{"g8", "g6", "g4", "g2", "g0"}, got, limit)
		assert.Equal(t, 5, total)
		got, total = page(store.GuestQuery{Status: store.StatusExpiring, Query: "g4@"})
		assert.Equal(t, []string{"g4"}, got, limit)
		assert.Equal(t, 1, total)
	}
	smallSetLimit = 2000

	require.NoError(t, s.TouchGuest("g2", 5000))
	require.NoError(t, s.TouchGuest("g4", 9000))
	require.NoError(t, s.TouchGuest("g4", 7000), "never backwards")
	require.NoError(t, s.SaveGuest(&store.Guest{UserID: "g2", CreatedAt: 30, ExpiresAt: 800}), "a copy without the hour keeps it")
	got, _ = page(store.GuestQuery{Sort: store.SortLastActivity, PerPage: 3})
	assert.Equal(t, []string{"g4", "g2", "g0"}, got, "latest first, never active last")
	assertCountsExact(t, s)

	got, total = page(store.GuestQuery{Query: " G4@Example"})
	assert.Equal(t, []string{"g4"}, got, "search is case-insensitive, in the email too")
	assert.Equal(t, 1, total)

	// A change moves the guest between lists and counts.
	g3, err := s.GetGuest("g3")
	require.NoError(t, err)
	g3.Deactivated, g3.ExpiresAt = store.ReasonNone, 5
	require.NoError(t, s.SaveGuest(g3))
	require.NoError(t, s.DeleteGuest("g8"))
	require.NoError(t, s.DeleteGuest("nobody"))
	assertCountsExact(t, s)
	got, _ = page(store.GuestQuery{Status: store.StatusExpiring, Sort: store.SortExpires})
	assert.Equal(t, []string{"g3", "g6", "g4", "g2", "g0"}, got)
	got, _ = page(store.GuestQuery{Status: store.StatusDeactivated})
	assert.Equal(t, []string{"g7"}, got)

	var due []string
	require.NoError(t, s.ForEachGuestExpiringBy(600, func(g *store.Guest) error {
		due = append(due, g.UserID)
		return nil
	}))
	assert.Equal(t, []string{"g3", "g6", "g4"}, due, "the expiry job reads only the guests due, soonest first")

	var active []string
	require.NoError(t, s.ForEachGuestID(store.StatusActive, nil, func(id string) error {
		active = append(active, id)
		return nil
	}))
	assert.ElementsMatch(t, []string{"g0", "g1", "g2", "g3", "g4", "g5", "g6", "g9"}, active)
	var admin []string
	require.NoError(t, s.ForEachGuestID("", []string{store.ReasonAdmin, store.ReasonSwitch}, func(id string) error {
		admin = append(admin, id)
		return nil
	}))
	assert.Equal(t, []string{"g7"}, admin)
}

func TestUsernameOrderIgnoresPunctuationAndPads(t *testing.T) {
	assert.Len(t, usernameKey("a.b-c_d"), usernameWidth)
	assert.Equal(t, usernameKey("ab"), usernameKey("a.b"))
	names := []string{"bobby", "bob", "alice", "bob.b", "zed", "0day"}
	keys := map[string]string{}
	for _, n := range names {
		keys[usernameKey(n)+"/x"] = n
	}
	var sorted []string
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	var order []string
	for _, k := range sorted {
		order = append(order, keys[k])
	}
	assert.Equal(t, []string{"0day", "alice", "bob", "bob.b", "bobby", "zed"}, order)
	for _, k := range sorted {
		assert.Regexp(t, `^[0-9a-z/]+$`, k, "only characters every collation orders alike")
	}
}

func TestSavingAGuestKeepsTheNewerProfile(t *testing.T) {
	s, _ := indexedStore(t)
	require.NoError(t, s.SaveGuest(&store.Guest{UserID: "u1"}))
	g, err := s.GetGuest("u1")
	require.NoError(t, err)
	require.NotNil(t, g.Profile, "looked up from core when neither has one")
	assert.Equal(t, "user-u1", g.Profile.Username)

	newer := &store.Profile{Username: "renamed", Search: "renamed", UpdatedAt: 5}
	g.Profile = newer
	require.NoError(t, s.SaveGuest(g))
	stale := &store.Guest{UserID: "u1", Profile: &store.Profile{Username: "old", UpdatedAt: 2}}
	require.NoError(t, s.SaveGuest(stale))
	g, err = s.GetGuest("u1")
	require.NoError(t, err)
	assert.Equal(t, "renamed", g.Profile.Username, "a copy read before the rename does not undo it")
	p, err := s.QueryGuests(store.GuestQuery{Query: "renamed", PerPage: 10})
	require.NoError(t, err)
	assert.Equal(t, []string{"u1"}, ids(p.Guests))
}

func TestProfileSyncFollowsCoreChanges(t *testing.T) {
	s, now := indexedStore(t)
	require.NoError(t, s.SaveGuest(&store.Guest{UserID: "u1"}))
	require.NoError(t, s.SaveGuest(&store.Guest{UserID: "u2"}))
	var changed []*model.User
	s.changedUsers = func(after int64, page, _ int) ([]*model.User, error) {
		var out []*model.User
		for _, u := range changed {
			if u.UpdateAt > after {
				out = append(out, u)
			}
		}
		if page > 0 {
			return nil, nil
		}
		return out, nil
	}
	cursor := *now
	changed = []*model.User{
		{Id: "u1", Username: "carol", Email: "carol@x.org", UpdateAt: cursor + 10},
		{Id: "member", Username: "m", UpdateAt: cursor + 11},
	}
	rep, err := s.MaintainIndexes()
	require.NoError(t, err)
	assert.Equal(t, 1, rep.ProfileSyn)
	p, err := s.QueryGuests(store.GuestQuery{Sort: store.SortUsername, PerPage: 10})
	require.NoError(t, err)
	assert.Equal(t, []string{"u1", "u2"}, ids(p.Guests), "carol before user-u2")
	p, err = s.QueryGuests(store.GuestQuery{Query: "carol@", PerPage: 10})
	require.NoError(t, err)
	assert.Equal(t, []string{"u1"}, ids(p.Guests))
	rep, err = s.MaintainIndexes()
	require.NoError(t, err)
	assert.Zero(t, rep.ProfileSyn, "the cursor moved past the change")
}

func TestConcurrentWritesOfOneGuestCountOnce(t *testing.T) {
	s, _ := indexedStore(t)
	reasons := []string{store.ReasonNone, store.ReasonAdmin, store.ReasonSwitch, store.ReasonExpired}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 40 {
				g := &store.Guest{UserID: fmt.Sprintf("u%d", i%3), Deactivated: reasons[(w+i)%len(reasons)], CreatedAt: int64(i)}
				if (w+i)%2 == 0 {
					g.ExpiresAt = int64(100 + w)
				}
				assert.NoError(t, s.SaveGuest(g))
			}
		}()
	}
	wg.Wait()
	assertCountsExact(t, s)
	// Exactly one status, expiry and sorted entry set per guest.
	for _, prefix := range []string{gStatus, gCreated, gExpires, gName, gActive} {
		n, err := s.countRows(rangeQuery{Prefix: prefix})
		require.NoError(t, err)
		assert.Equal(t, 3, n, prefix)
	}
}

// failingKV fails every KV call after the first `left` ones: a node that
// dies in the middle of a write.
type failingKV struct {
	*pluginapi.MemoryStore
	left atomic.Int64
}

var errDead = errors.New("node gone")

func (k *failingKV) Set(key string, value any, options ...pluginapi.KVSetOption) (bool, error) {
	if k.left.Add(-1) < 0 {
		return false, errDead
	}
	return k.MemoryStore.Set(key, value, options...)
}

func TestRepairFinishesAWriteACrashInterrupted(t *testing.T) {
	// Every point at which the write can stop: after 1, 2, ... KV writes.
	interrupted := 0
	defer func() { assert.GreaterOrEqual(t, interrupted, 8, "the write was cut at many points") }()
	for stop := int64(1); stop < 14; stop++ {
		t.Run(fmt.Sprint("after ", stop, " writes"), func(t *testing.T) {
			mem := &pluginapi.MemoryStore{}
			kv := &failingKV{MemoryStore: mem}
			kv.left.Store(1 << 30)
			now := int64(1_700_000_000_000)
			s := NewWithKV(kv)
			s.clock = func() int64 { return atomic.LoadInt64(&now) }
			_, err := s.MaintainIndexes()
			require.NoError(t, err)
			require.NoError(t, s.SaveGuest(&store.Guest{UserID: "a", CreatedAt: 1}))
			require.NoError(t, s.SaveGuest(&store.Guest{UserID: "b", CreatedAt: 2, ExpiresAt: 9}))

			kv.left.Store(stop)
			err = s.SaveGuest(&store.Guest{UserID: "a", CreatedAt: 1, Deactivated: store.ReasonSwitch, ExpiresAt: 7})
			s.Flush() // a marker's removal is part of the write
			kv.left.Store(1 << 30)
			if err == nil {
				assertCountsExact(t, s)
				return // the write finished before the node died
			}
			interrupted++
			due, err := s.RepairDue()
			require.NoError(t, err)
			assert.False(t, due, "a marker younger than the lease is a write in flight")
			atomic.AddInt64(&now, markerLease.Milliseconds()+1)
			due, err = s.RepairDue()
			require.NoError(t, err)
			_, _ = s.MaintainIndexes()
			assertCountsExact(t, s)
			if due {
				rep, err := s.MaintainIndexes()
				require.NoError(t, err)
				assert.Zero(t, rep.Repaired, "nothing left to repair")
			}
			// Entries match the records: one of each per guest.
			for _, prefix := range []string{gStatus, gCreated, gExpires, gName} {
				n, err := s.countRows(rangeQuery{Prefix: prefix})
				require.NoError(t, err)
				assert.Equal(t, 2, n, prefix)
			}
		})
	}
}

func TestFirstBuildIndexesExistingRecords(t *testing.T) {
	mem := &pluginapi.MemoryStore{}
	s := NewWithKV(mem)
	// Records as an older version wrote them: no entries, no version.
	for i := range 25 {
		_, err := mem.Set(guestPrefix+fmt.Sprint("old", i), &store.Guest{UserID: fmt.Sprint("old", i), CreatedAt: int64(i), Deactivated: map[bool]string{true: store.ReasonSwitch}[i%5 == 0]})
		require.NoError(t, err)
	}
	_, err := s.QueryGuests(store.GuestQuery{PerPage: 10})
	require.ErrorIs(t, err, store.ErrIndexNotReady)
	due, err := s.RepairDue()
	require.NoError(t, err)
	assert.True(t, due)
	rep, err := s.MaintainIndexes()
	require.NoError(t, err)
	assert.True(t, rep.Built)
	assertCountsExact(t, s)
	c, _ := s.GuestCounts()
	assert.Equal(t, 20, c.Active)
	assert.Equal(t, 5, c.Deactivated)
	rep, err = s.MaintainIndexes()
	require.NoError(t, err)
	assert.False(t, rep.Built, "built once")
}

func TestInvitationsFromTheIndexes(t *testing.T) {
	s, now := indexedStore(t)
	t0 := *now
	mk := func(id, inviter string, created, expires int64) *store.Invite {
		inv := &store.Invite{ID: id, TokenHash: strings.Repeat(id, 64)[:64], Email: strings.ToUpper(id) + "@Example.com", InviterID: inviter,
			CreatedAt: created, ExpiresAt: expires, Status: store.InvitePending}
		require.NoError(t, s.CreateInvite(inv, 3600))
		return inv
	}
	a := mk("a", "alice", t0-3, t0+1000)
	mk("b", "bob", t0-2, t0+10)
	c := mk("c", "alice", t0-1, t0+2000)
	n, err := s.PendingInvites(*now)
	require.NoError(t, err)
	assert.Equal(t, 3, n)

	accepted := *a
	accepted.Status = store.InviteAccepted
	ok, err := s.UpdateInvite(a, &accepted, 3600)
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = s.UpdateInvite(a, &accepted, 3600)
	require.NoError(t, err)
	assert.False(t, ok, "compare-and-set: the stale copy loses, and the index is untouched")
	n, _ = s.PendingInvites(*now)
	assert.Equal(t, 2, n)

	atomic.AddInt64(now, 11) // b expires
	n, _ = s.PendingInvites(*now)
	assert.Equal(t, 1, n, "exact before the sweep")
	rep, err := s.MaintainIndexes()
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Swept)
	n, _ = s.PendingInvites(*now)
	assert.Equal(t, 1, n, "and after")

	list := func(q store.InviteQuery) ([]string, int) {
		t.Helper()
		q.PerPage = 10
		p, err := s.QueryInvites(q)
		require.NoError(t, err)
		var out []string
		for _, inv := range p.Invites {
			out = append(out, inv.ID)
		}
		return out, p.Total
	}
	got, total := list(store.InviteQuery{})
	assert.Equal(t, []string{"c", "b", "a"}, got)
	assert.Equal(t, 3, total)
	got, _ = list(store.InviteQuery{Status: store.InviteExpired})
	assert.Equal(t, []string{"b"}, got)
	got, _ = list(store.InviteQuery{Status: store.InvitePending})
	assert.Equal(t, []string{"c"}, got)
	got, _ = list(store.InviteQuery{Status: store.InviteAccepted})
	assert.Equal(t, []string{"a"}, got)
	got, _ = list(store.InviteQuery{InviterID: "alice"})
	assert.Equal(t, []string{"c", "a"}, got)
	got, total = list(store.InviteQuery{Query: "c@example"})
	assert.Equal(t, []string{"c"}, got)
	assert.Equal(t, 1, total)

	superseded := *c
	superseded.Status = store.InviteSuperseded
	ok, err = s.UpdateInvite(c, &superseded, 3600)
	require.NoError(t, err)
	require.True(t, ok)
	got, _ = list(store.InviteQuery{})
	assert.Equal(t, []string{"b", "a"}, got, "superseded records are not listed by default")
	n, _ = s.PendingInvites(*now)
	assert.Zero(t, n)
}

func TestAuditPagesAndTotals(t *testing.T) {
	s, now := indexedStore(t)
	t0 := *now
	for i := range 30 {
		action := "invite"
		if i%3 == 0 {
			action = "revoke_invite"
		}
		require.NoError(t, s.AppendAudit(store.AuditEntry{ID: fmt.Sprint("e", i), At: t0 + int64(i), Action: action}))
	}
	p, err := s.QueryAudit(store.AuditQuery{PerPage: 5})
	require.NoError(t, err)
	assert.Equal(t, 30, p.Total, "all after the watermark")
	assert.Equal(t, "e29", p.Entries[0].ID, "newest first")
	p, err = s.QueryAudit(store.AuditQuery{PerPage: 5, Page: 1, Oldest: true})
	require.NoError(t, err)
	assert.Equal(t, "e5", p.Entries[0].ID)
	p, err = s.QueryAudit(store.AuditQuery{PerPage: 50, Query: "REVOKE"})
	require.NoError(t, err)
	assert.Equal(t, 10, p.Total)
	assert.Len(t, p.Entries, 10)
	p, err = s.QueryAudit(store.AuditQuery{PerPage: 50, Since: t0 + 20})
	require.NoError(t, err)
	assert.Equal(t, 10, p.Total)

	n, err := s.Get(counterAudit)
	require.NoError(t, err)
	assert.Equal(t, 30, n)
	require.NoError(t, s.AppendAudit(store.AuditEntry{ID: "late", At: *now}))
	p, err = s.QueryAudit(store.AuditQuery{PerPage: 1})
	require.NoError(t, err)
	assert.Equal(t, 31, p.Total)
}

// A write a crash or a plugin stop interrupted before the first build left
// its marker: the build must not wait for it forever (every count would
// see a write in flight); the stale marker is repaired first.
func TestFirstBuildRepairsAStaleMarkerFirst(t *testing.T) {
	mem := &pluginapi.MemoryStore{}
	now := int64(1_700_000_000_000)
	s := NewWithKV(mem)
	s.clock = func() int64 { return now }
	for i := range 3 {
		_, err := mem.Set(guestPrefix+fmt.Sprint("old", i), &store.Guest{UserID: fmt.Sprint("old", i), CreatedAt: int64(i)})
		require.NoError(t, err)
	}
	stale := marker{At: now - markerLease.Milliseconds() - 1, Kind: "a", ID: "e1", Keys: []string{"audit/0001-e1"}}
	_, err := mem.Set(markerPrefix+"a/e1/x", stale)
	require.NoError(t, err)

	rep, err := s.MaintainIndexes()
	require.NoError(t, err, "a stale marker blocked the first build")
	assert.True(t, rep.Built)
	assert.Equal(t, 1, rep.Repaired)
	assertCountsExact(t, s)
	c, err := s.GuestCounts()
	require.NoError(t, err)
	assert.Equal(t, 3, c.Active)
}

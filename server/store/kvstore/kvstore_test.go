package kvstore

import (
	"sync"
	"testing"

	"github.com/mattermost/mattermost/server/public/pluginapi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

func newStore() *Store { return NewWithKV(&pluginapi.MemoryStore{}) }

func TestGuestRecords(t *testing.T) {
	s := newStore()
	_, err := s.GetGuest("nobody")
	require.ErrorIs(t, err, store.ErrNotFound)
	require.Error(t, s.SaveGuest(&store.Guest{}), "a record without a user id")

	for _, id := range []string{"a", "b", "c"} {
		require.NoError(t, s.SaveGuest(&store.Guest{UserID: id, ChannelIDs: []string{"ch"}, ExpiresAt: 5}))
	}
	g, err := s.GetGuest("b")
	require.NoError(t, err)
	assert.Equal(t, []string{"ch"}, g.ChannelIDs)
	assert.EqualValues(t, 5, g.ExpiresAt)

	require.NoError(t, s.DeleteGuest("b"))
	var seen []string
	require.NoError(t, s.ForEachGuest(func(g *store.Guest) error {
		seen = append(seen, g.UserID)
		return nil
	}))
	assert.ElementsMatch(t, []string{"a", "c"}, seen)
}

func TestReserveIsExactUnderConcurrency(t *testing.T) {
	s := newStore()
	const limit, tries = 10, 50
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for i := 0; i < tries; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := s.Reserve("active", limit)
			assert.NoError(t, err)
			if ok {
				mu.Lock()
				won++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, limit, won)
	n, err := s.Get("active")
	require.NoError(t, err)
	assert.Equal(t, limit, n)

	require.NoError(t, s.Add("active", -3))
	n, _ = s.Get("active")
	assert.Equal(t, 7, n)
	require.NoError(t, s.Add("active", -100))
	n, _ = s.Get("active")
	assert.Equal(t, 0, n, "a counter never goes below zero")

	ok, err := s.Reserve("unlimited", 0)
	require.NoError(t, err)
	assert.True(t, ok, "limit 0 is unlimited")
}

func TestInviteCompareAndSet(t *testing.T) {
	s := newStore()
	inv := &store.Invite{ID: "id1", TokenHash: "h1", Email: "a@example.com", Status: store.InvitePending}
	require.NoError(t, s.CreateInvite(inv, 3600))
	require.ErrorIs(t, s.CreateInvite(&store.Invite{ID: "id2", TokenHash: "h1"}, 3600), store.ErrConflict, "a second invitation with the same token")

	got, err := s.GetInviteByID("id1")
	require.NoError(t, err)
	assert.Equal(t, "a@example.com", got.Email)

	// Two writers start from the same read; only one wins.
	first := *got
	first.Status = store.InviteAccepting
	second := *got
	second.Status = store.InviteRevoked
	ok, err := s.UpdateInvite(got, &first, 3600)
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = s.UpdateInvite(got, &second, 3600)
	require.NoError(t, err)
	assert.False(t, ok, "a stale compare-and-set must lose")

	now, err := s.GetInviteByHash("h1")
	require.NoError(t, err)
	assert.Equal(t, store.InviteAccepting, now.Status)

	// Resend: the id follows the new token.
	require.NoError(t, s.CreateInvite(&store.Invite{ID: "id1", TokenHash: "h2", Status: store.InvitePending}, 3600))
	again, err := s.GetInviteByID("id1")
	require.NoError(t, err)
	assert.Equal(t, "h2", again.TokenHash)
	n := 0
	require.NoError(t, s.ForEachInvite(func(*store.Invite) error { n++; return nil }))
	assert.Equal(t, 2, n)
}

func TestAuditNewestFirstWithPaging(t *testing.T) {
	s := newStore()
	for i := 1; i <= 5; i++ {
		require.NoError(t, s.AppendAudit(store.AuditEntry{ID: string(rune('a' + i)), At: int64(i * 1000), Action: "x"}))
	}
	require.Error(t, s.AppendAudit(store.AuditEntry{}), "an entry needs an id and a time")
	page, err := s.ListAudit(0, 0, 2)
	require.NoError(t, err)
	require.Len(t, page, 2)
	assert.EqualValues(t, 5000, page[0].At)
	assert.EqualValues(t, 4000, page[1].At)
	page, err = s.ListAudit(3000, 0, 10)
	require.NoError(t, err)
	assert.Len(t, page, 3, "since filters older entries")
	page, err = s.ListAudit(0, 9, 10)
	require.NoError(t, err)
	assert.Empty(t, page)
}

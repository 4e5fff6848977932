package guestcache

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/pluginapi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store/kvstore"
)

// countingStore is the real KV store implementation on memory, counting
// guest reads; a read can be held (to interleave it with a write) and can
// be made to fail.
type countingStore struct {
	store.Store
	reads atomic.Int64
	hold  chan struct{} // when set, the next read waits for it to close
	held  chan struct{} // closed once that read has read the record
	fail  atomic.Bool
}

func newCountingStore() *countingStore {
	return &countingStore{Store: kvstore.NewWithKV(&pluginapi.MemoryStore{})}
}

func (s *countingStore) GetGuest(userID string) (*store.Guest, error) {
	s.reads.Add(1)
	if s.fail.Load() {
		return nil, errors.New("database unreachable")
	}
	g, err := s.Store.GetGuest(userID)
	if s.hold != nil {
		hold, held := s.hold, s.held
		s.hold = nil
		close(held)
		<-hold
	}
	return g, err
}

type fakeClock struct{ t atomic.Int64 }

func (c *fakeClock) now() int64 { return c.t.Load() }

func newTestCache(inner store.Store) (*Store, *fakeClock, *[]string) {
	var published []string
	c := newStore(inner, time.Minute, time.Minute, func(id string) { published = append(published, id) })
	clock := &fakeClock{}
	clock.t.Store(time.Hour.Nanoseconds())
	c.now = clock.now
	return c, clock, &published
}

func TestGuestCacheAnswersFromMemoryUntilTheTTL(t *testing.T) {
	inner := newCountingStore()
	require.NoError(t, inner.SaveGuest(&store.Guest{UserID: "guest1", ChannelIDs: []string{"c1"}}))
	c, clock, _ := newTestCache(inner)

	for range 3 {
		_, err := c.Cached("member1")
		require.ErrorIs(t, err, store.ErrNotFound)
		g, err := c.Cached("guest1")
		require.NoError(t, err)
		assert.Equal(t, []string{"c1"}, g.ChannelIDs)
	}
	assert.EqualValues(t, 2, inner.reads.Load(), "one read per user, then memory")

	clock.t.Add(time.Minute.Nanoseconds())
	_, err := c.Cached("member1")
	require.ErrorIs(t, err, store.ErrNotFound)
	assert.EqualValues(t, 3, inner.reads.Load(), "read again once the TTL has passed")
}

func TestGuestCacheWritesTakeEffectAtOnce(t *testing.T) {
	inner := newCountingStore()
	c, _, published := newTestCache(inner)

	// A member known as "not a guest" becomes one: the very next read sees it.
	_, err := c.Cached("u1")
	require.ErrorIs(t, err, store.ErrNotFound)
	require.NoError(t, c.SaveGuest(&store.Guest{UserID: "u1", SingleChannel: true}))
	g, err := c.Cached("u1")
	require.NoError(t, err)
	assert.True(t, g.SingleChannel)

	g.SingleChannel = false
	require.NoError(t, c.SaveGuest(g))
	g, err = c.Cached("u1")
	require.NoError(t, err)
	assert.False(t, g.SingleChannel)

	require.NoError(t, c.DeleteGuest("u1"))
	_, err = c.Cached("u1")
	require.ErrorIs(t, err, store.ErrNotFound)
	assert.Equal(t, []string{"u1", "u1", "u1"}, *published, "every write tells the other nodes")
}

func TestGuestCacheReadInFlightDuringAWriteIsNotKept(t *testing.T) {
	inner := newCountingStore()
	c, _, _ := newTestCache(inner)
	inner.hold, inner.held = make(chan struct{}), make(chan struct{})
	hold := inner.hold

	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, err := c.Cached("u1") // reads "not a guest", then waits
		assert.ErrorIs(t, err, store.ErrNotFound)
	}()
	<-inner.held
	require.NoError(t, c.SaveGuest(&store.Guest{UserID: "u1"}))
	close(hold)
	wg.Wait()

	_, err := c.Cached("u1")
	require.NoError(t, err, "the stale \"not a guest\" read before the write must not be cached")
}

func TestGuestCacheNeverKeepsErrors(t *testing.T) {
	inner := newCountingStore()
	require.NoError(t, inner.SaveGuest(&store.Guest{UserID: "g"}))
	c, _, _ := newTestCache(inner)
	inner.fail.Store(true)
	_, err := c.Cached("g")
	require.Error(t, err)
	require.NotErrorIs(t, err, store.ErrNotFound)
	inner.fail.Store(false)
	_, err = c.Cached("g")
	require.NoError(t, err)
	assert.EqualValues(t, 2, inner.reads.Load())
}

func TestGuestCacheHandsOutCopies(t *testing.T) {
	inner := newCountingStore()
	yes := true
	require.NoError(t, inner.SaveGuest(&store.Guest{UserID: "g", ChannelIDs: make([]string, 1, 4), RequireMFA: &yes,
		Restrictions: policy.Overrides{policy.React: &yes}}))
	c, _, _ := newTestCache(inner)
	_, err := c.Cached("g")
	require.NoError(t, err)
	g, err := c.Cached("g") // from memory
	require.NoError(t, err)
	g.ChannelIDs[0] = "changed"
	_ = append(g.ChannelIDs, "appended")
	*g.RequireMFA = false
	*g.Restrictions[policy.React] = false

	again, err := c.Cached("g")
	require.NoError(t, err)
	assert.Equal(t, []string{""}, again.ChannelIDs)
	assert.True(t, *again.RequireMFA)
	assert.True(t, *again.Restrictions[policy.React])
}

func TestGuestCacheStaysBounded(t *testing.T) {
	inner := newCountingStore()
	c, clock, _ := newTestCache(inner)
	c.max = 10
	for i := range 25 {
		_, _ = c.Cached(model.NewId())
		if i == 12 {
			clock.t.Add(2 * time.Minute.Nanoseconds()) // the first 13 expire
		}
	}
	assert.LessOrEqual(t, len(c.entries), 10)
}

func TestClusterEventDropsTheAnswer(t *testing.T) {
	inner := newCountingStore()
	c, _, _ := newTestCache(inner)
	assert.False(t, c.MayBeGuest("u1"))
	// Another node makes u1 a guest (writes the shared database) and tells us.
	require.NoError(t, inner.SaveGuest(&store.Guest{UserID: "u1"}))
	assert.False(t, c.MayBeGuest("u1"), "not yet told")
	c.OnClusterEvent(model.PluginClusterEvent{Id: "other", Data: []byte("u1")})
	assert.False(t, c.MayBeGuest("u1"), "other events are ignored")
	c.OnClusterEvent(model.PluginClusterEvent{Id: ClusterEventGuestChanged, Data: []byte("u1")})
	assert.True(t, c.MayBeGuest("u1"))

	inner.fail.Store(true)
	assert.True(t, c.MayBeGuest("u2"), "an unreadable registry fails closed")
}

// BenchmarkGuestCacheHitGuest is a guest's record from memory (a copy).
func BenchmarkGuestCacheHitGuest(b *testing.B) {
	inner := newCountingStore()
	require.NoError(b, inner.SaveGuest(&store.Guest{UserID: "g", ChannelIDs: []string{"c1", "c2"}, TeamIDs: []string{"t1"}}))
	c := newStore(inner, time.Minute, time.Minute, nil)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := c.Cached("g"); err != nil {
			b.Fatal(err)
		}
	}
}

func TestGuestMembershipsAreForgottenWithTheRecord(t *testing.T) {
	inner := newCountingStore()
	c, clock, _ := newTestCache(inner)

	gen := c.Generation()
	c.RememberMembership("g", "c1", gen)
	assert.True(t, c.MembershipSeen("g", "c1"))
	assert.False(t, c.MembershipSeen("g", "c2"))
	assert.False(t, c.MembershipSeen("other", "c1"))

	c.Invalidate("g") // core reports a new membership
	assert.False(t, c.MembershipSeen("g", "c1"))

	gen = c.Generation()
	require.NoError(t, c.SaveGuest(&store.Guest{UserID: "g"})) // between the read and the answer
	c.RememberMembership("g", "c1", gen)
	assert.False(t, c.MembershipSeen("g", "c1"), "an answer older than a write is not kept")

	c.RememberMembership("g", "c1", c.Generation())
	c.OnClusterEvent(model.PluginClusterEvent{Id: ClusterEventGuestChanged, Data: []byte("g")})
	assert.False(t, c.MembershipSeen("g", "c1"), "another node's write drops it too")

	c.RememberMembership("g", "c1", c.Generation())
	clock.t.Add(time.Minute.Nanoseconds())
	assert.False(t, c.MembershipSeen("g", "c1"), "not past the TTL")
}

func TestGuestCacheUseCasesReadTheStore(t *testing.T) {
	inner := newCountingStore()
	require.NoError(t, inner.SaveGuest(&store.Guest{UserID: "g"}))
	c, _, _ := newTestCache(inner)
	_, err := c.Cached("g")
	require.NoError(t, err)
	// Another node deactivates the guest; its cluster event has not arrived.
	require.NoError(t, inner.SaveGuest(&store.Guest{UserID: "g", Deactivated: store.ReasonAdmin}))
	cached, err := c.Cached("g")
	require.NoError(t, err)
	assert.Equal(t, store.ReasonNone, cached.Deactivated, "the hot path answers from memory within the TTL")
	fresh, err := c.GetGuest("g")
	require.NoError(t, err)
	assert.Equal(t, store.ReasonAdmin, fresh.Deactivated, "a use case must see the other node's write")
	cached, err = c.Cached("g")
	require.NoError(t, err)
	assert.Equal(t, store.ReasonAdmin, cached.Deactivated, "the fresh read refreshed the cache")
	assert.EqualValues(t, 2, inner.reads.Load())
}

func TestGuestRecordsExpireBeforeNonGuestAnswers(t *testing.T) {
	inner := newCountingStore()
	require.NoError(t, inner.SaveGuest(&store.Guest{UserID: "g"}))
	c := newStore(inner, 10*time.Second, time.Second, nil)
	clock := &fakeClock{}
	c.now = clock.now
	_, err := c.Cached("g")
	require.NoError(t, err)
	_, err = c.Cached("member")
	require.ErrorIs(t, err, store.ErrNotFound)
	clock.t.Add((1500 * time.Millisecond).Nanoseconds())
	_, _ = c.Cached("g")
	_, _ = c.Cached("member")
	assert.EqualValues(t, 3, inner.reads.Load(), "the guest's record is read again after guestTTL, the member's answer is not")
}

func TestSharedAnswersLastUntilEitherUserChanges(t *testing.T) {
	c, clock, _ := newTestCache(newCountingStore())
	check := func(guest, other string) (func(), uint64, uint64) {
		before := c.BeforeShared(guest, other)
		return func() { c.RememberShared(guest, other, before) }, before.genA, before.genB
	}
	store1, _, _ := check("g", "m")
	assert.False(t, c.SharedKnown("g", "m"))
	store1()
	assert.True(t, c.SharedKnown("g", "m"))
	assert.False(t, c.SharedKnown("m", "g"), "kept per (guest, other)")

	clock.t.Add(SharedTTL.Nanoseconds())
	assert.False(t, c.SharedKnown("g", "m"), "expired after the TTL")

	for _, who := range []string{"g", "m"} {
		store1, _, _ = check("g", "m")
		store1()
		require.True(t, c.SharedKnown("g", "m"))
		c.ForgetShared(who) // UserHasLeftChannel of either
		assert.False(t, c.SharedKnown("g", "m"), "dropped when %s left a channel", who)
	}
	store1, _, _ = check("g", "m")
	store1()
	c.Invalidate("g") // the guest's record changed or a membership was added
	assert.False(t, c.SharedKnown("g", "m"))

	// A check that started before a leave never stores its answer after.
	inFlight, _, _ := check("g", "other")
	c.ForgetShared("other")
	inFlight()
	assert.False(t, c.SharedKnown("g", "other"), "the answer predates the leave")
	// Others are untouched.
	store2, _, _ := check("g2", "m2")
	store2()
	c.ForgetShared("m")
	assert.True(t, c.SharedKnown("g2", "m2"))

	// An archive drops every answer and holds the channel for a while.
	assert.False(t, c.BeingArchived("ch"))
	c.ChannelArchived("ch")
	assert.False(t, c.SharedKnown("g2", "m2"), "an archive may end any pair's sharing")
	assert.True(t, c.BeingArchived("ch"))
	clock.t.Add(archivingFor.Nanoseconds())
	assert.False(t, c.BeingArchived("ch"), "then core's channel answers")
}

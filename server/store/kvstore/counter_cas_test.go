package kvstore

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/mattermost/mattermost/server/public/pluginapi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCounterCompareAndSet(t *testing.T) {
	s := newStore()
	ok, err := s.CompareAndSet("c", 1, 5)
	require.NoError(t, err)
	assert.False(t, ok, "an unset counter is 0, not 1")
	ok, err = s.CompareAndSet("c", 0, 5)
	require.NoError(t, err)
	assert.True(t, ok, "an unset counter is 0")
	ok, err = s.CompareAndSet("c", 4, 2)
	require.NoError(t, err)
	assert.False(t, ok, "the counter moved")
	ok, err = s.CompareAndSet("c", 5, 2)
	require.NoError(t, err)
	assert.True(t, ok)
	n, _ := s.Get("c")
	assert.Equal(t, 2, n)
}

// Two nodes on one database, each remembering the counter as it last saw
// it: the remembered value only saves a read, never decides.
func TestCountersAreExactAcrossNodesThatRememberThem(t *testing.T) {
	kv := &pluginapi.MemoryStore{}
	a, b := NewWithKV(kv), NewWithKV(kv)
	for range 10 {
		ok, err := a.Reserve("active", 10)
		require.NoError(t, err)
		require.True(t, ok)
	}
	ok, err := b.Reserve("active", 10)
	require.NoError(t, err)
	assert.False(t, ok, "full")
	require.NoError(t, b.Add("active", -5))
	ok, err = a.Reserve("active", 10)
	require.NoError(t, err)
	assert.True(t, ok, "node A remembers 10 (full) but the counter is 5 now")

	var wg sync.WaitGroup
	var won atomic.Int64
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := a
			if i%2 == 1 {
				s = b
			}
			if ok, err := s.Reserve("active", 20); assert.NoError(t, err) && ok {
				won.Add(1)
			}
		}()
	}
	wg.Wait()
	assert.EqualValues(t, 14, won.Load(), "6 were taken; exactly 14 more fit")
	n, err := b.Get("active")
	require.NoError(t, err)
	assert.Equal(t, 20, n)
}

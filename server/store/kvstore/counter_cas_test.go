package kvstore

import (
	"testing"

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

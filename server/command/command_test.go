package command

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseInvite(t *testing.T) {
	emails, channels, msg, err := parseInvite(`a@example.com, b@example.com ~town ~dev --message "Hello there"`)
	require.NoError(t, err)
	assert.Equal(t, []string{"a@example.com", "b@example.com"}, emails)
	assert.Equal(t, []string{"town", "dev"}, channels)
	assert.Equal(t, "Hello there", msg)

	for _, bad := range []string{"", "a@example.com", "~dev", "a@example.com ~dev @someone", "word ~dev a@x.com"} {
		_, _, _, err := parseInvite(bad)
		assert.Error(t, err, bad)
	}
}

func TestParseExpiry(t *testing.T) {
	at, err := parseExpiry("2030-01-31")
	require.NoError(t, err)
	english := func(_, format string, args ...any) string { return fmt.Sprintf(format, args...) }
	assert.Equal(t, "at the end of 2030-01-31 (UTC)", formatExpiry(english, at))
	at, err = parseExpiry("NEVER")
	require.NoError(t, err)
	assert.Zero(t, at)
	for _, bad := range []string{"31/01/2030", "2030-13-01", "tomorrow", ""} {
		_, err := parseExpiry(bad)
		assert.Error(t, err, bad)
	}
}

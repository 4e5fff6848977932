package guests

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// require_mfa: absent leaves it, null follows the settings, a bool overrides.
func TestGuestPatchRequireMFA(t *testing.T) {
	var p GuestPatch
	require.NoError(t, json.Unmarshal([]byte(`{"single_channel": true}`), &p))
	assert.False(t, p.RequireMFA.Set)

	p = GuestPatch{}
	require.NoError(t, json.Unmarshal([]byte(`{"require_mfa": null}`), &p))
	assert.True(t, p.RequireMFA.Set)
	assert.Nil(t, p.RequireMFA.Value)

	p = GuestPatch{}
	require.NoError(t, json.Unmarshal([]byte(`{"require_mfa": false}`), &p))
	require.True(t, p.RequireMFA.Set)
	require.NotNil(t, p.RequireMFA.Value)
	assert.False(t, *p.RequireMFA.Value)

	assert.Error(t, json.Unmarshal([]byte(`{"require_mfa": "yes"}`), &p))
}

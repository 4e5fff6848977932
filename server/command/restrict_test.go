package command

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
)

func TestRestrictionPatch(t *testing.T) {
	off, err := parseSwitch("OFF")
	require.NoError(t, err)
	o, err := restrictionPatch(policy.Overrides{}, "react", off)
	require.NoError(t, err)
	require.NotNil(t, o[policy.React])
	assert.False(t, *o[policy.React])
	def, err := parseSwitch("default")
	require.NoError(t, err)
	o, err = restrictionPatch(o, "react", def)
	require.NoError(t, err)
	assert.Nil(t, o[policy.React], "default clears the override")
	_, err = restrictionPatch(o, "teleport", off)
	assert.Error(t, err)
	_, err = parseSwitch("maybe")
	assert.Error(t, err)
}

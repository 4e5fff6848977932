package sqlstore

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPermissionsColumnIsWhatCoreWrites(t *testing.T) {
	// Core's role store: each permission once, in order, after a space.
	assert.Equal(t, " create_direct_channel create_group_channel", PermissionsColumn([]string{"create_direct_channel", "create_group_channel", "create_direct_channel", ""}))
	assert.Equal(t, "", PermissionsColumn(nil))
}

func TestRolesWithoutADatabase(t *testing.T) {
	s := New(nil)
	_, err := s.GetCoreRole("x")
	assert.ErrorContains(t, err, "no database access")
	_, err = s.CreateCoreRole(nil)
	assert.ErrorContains(t, err, "no database access")
	assert.ErrorContains(t, s.SetCoreRolePermissions("x", nil, 1), "no database access")
}

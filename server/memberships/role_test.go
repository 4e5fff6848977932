package memberships

import (
	"context"
	"net/http"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// fakeRoles is core's Roles table in memory.
type fakeRoles struct {
	rows      map[string]*store.CoreRole
	insertErr error
	updates   int
}

func (f *fakeRoles) GetCoreRole(name string) (*store.CoreRole, error) {
	r, ok := f.rows[name]
	if !ok {
		return nil, store.ErrNotFound
	}
	c := *r
	c.Permissions = append([]string(nil), r.Permissions...)
	return &c, nil
}

func (f *fakeRoles) CreateCoreRole(r *store.CoreRole) (bool, error) {
	if f.insertErr != nil {
		return false, f.insertErr
	}
	if _, ok := f.rows[r.Name]; ok {
		return false, nil
	}
	c := *r
	f.rows[r.Name] = &c
	return true, nil
}

func (f *fakeRoles) SetCoreRolePermissions(name string, perms []string, updateAt int64) error {
	r, ok := f.rows[name]
	if !ok || r.BuiltIn || r.SchemeManaged {
		return store.ErrNotFound
	}
	f.updates++
	r.Permissions, r.UpdateAt, r.DeleteAt = append([]string(nil), perms...), updateAt, 0
	return nil
}

func newFakeRoles(guestPerms ...string) *fakeRoles {
	return &fakeRoles{rows: map[string]*store.CoreRole{
		model.SystemGuestRoleId: {ID: model.NewId(), Name: model.SystemGuestRoleId, Permissions: guestPerms, BuiltIn: true, SchemeManaged: true},
	}}
}

// fakeAPI records role changes; the roles core knows are in known.
type fakeAPI struct {
	API
	roles map[string]string
	known map[string]bool
	calls []string
}

func (f *fakeAPI) UpdateUserRoles(userID, roles string) (*model.User, *model.AppError) {
	f.calls = append(f.calls, roles)
	if !f.known[roles] {
		return nil, model.NewAppError("CheckRolesExist", roleNotFound, nil, "role="+roles, http.StatusBadRequest)
	}
	f.roles[userID] = roles
	return &model.User{Id: userID, Roles: roles}, nil
}

func (f *fakeAPI) GetUser(userID string) (*model.User, *model.AppError) {
	return &model.User{Id: userID, Roles: f.roles[userID]}, nil
}

func (f *fakeAPI) LogError(string, ...any) {}

type noLock struct{}

func (noLock) LockWithContext(context.Context) error { return nil }
func (noLock) Unlock()                               {}

func newManager(licensed *bool) (*Manager, *fakeAPI) {
	api := &fakeAPI{roles: map[string]string{}, known: map[string]bool{
		model.SystemUserRoleId: true, model.SystemGuestRoleId: true, GuestRoleName: true,
	}}
	m := New(api, func(string) (Lock, error) { return noLock{}, nil }, func() bool { return *licensed })
	return m, api
}

func TestEnsureGuestRoleCreatesACopyOnce(t *testing.T) {
	licensed := false
	m, _ := newManager(&licensed)
	assert.Equal(t, model.SystemUserRoleId, m.GuestSystemRole(), "before the role is checked guests fall back")
	roles := newFakeRoles("create_direct_channel", "create_group_channel", "create_direct_channel")

	rep, err := m.EnsureGuestRole(roles, 1000)
	require.NoError(t, err)
	assert.True(t, rep.Created)
	row := roles.rows[GuestRoleName]
	assert.Equal(t, []string{"create_direct_channel", "create_group_channel"}, row.Permissions)
	assert.False(t, row.BuiltIn)
	assert.False(t, row.SchemeManaged)
	assert.Equal(t, int64(1000), row.CreateAt)
	assert.Len(t, row.ID, 26)
	assert.NotEmpty(t, row.DisplayName)
	assert.Equal(t, RoleStatus{InForce: true}, m.RoleStatus())
	assert.Equal(t, GuestRoleName, m.GuestSystemRole())

	rep, err = m.EnsureGuestRole(roles, 2000)
	require.NoError(t, err)
	assert.Equal(t, GuestRoleReport{}, rep, "a second activation changed something")
	assert.Equal(t, 0, roles.updates)
	assert.Equal(t, int64(1000), roles.rows[GuestRoleName].UpdateAt)

	licensed = true
	assert.Equal(t, model.SystemGuestRoleId, m.GuestSystemRole(), "licensed guests hold core's role")
}

func TestEnsureGuestRoleResyncsAChangedRow(t *testing.T) {
	licensed := false
	m, _ := newManager(&licensed)
	roles := newFakeRoles("create_direct_channel", "create_group_channel")
	roles.rows[GuestRoleName] = &store.CoreRole{ID: "x", Name: GuestRoleName, Permissions: []string{"create_direct_channel", "create_team"}, DeleteAt: 5}
	before := *roles.rows[model.SystemGuestRoleId]

	rep, err := m.EnsureGuestRole(roles, 3000)
	require.NoError(t, err)
	assert.False(t, rep.Created)
	assert.Equal(t, []string{"create_group_channel"}, rep.Added)
	assert.Equal(t, []string{"create_team"}, rep.Removed)
	assert.Equal(t, []string{"create_direct_channel", "create_group_channel"}, roles.rows[GuestRoleName].Permissions)
	assert.Zero(t, roles.rows[GuestRoleName].DeleteAt)
	assert.Equal(t, "x", roles.rows[GuestRoleName].ID)
	assert.Equal(t, before, *roles.rows[model.SystemGuestRoleId], "the built-in role changed")
	assert.True(t, m.RoleStatus().InForce)
}

func TestEnsureGuestRoleFallsBack(t *testing.T) {
	for name, setup := range map[string]func(*fakeRoles){
		"insert fails":       func(f *fakeRoles) { f.insertErr = assert.AnError },
		"no system_guest":    func(f *fakeRoles) { delete(f.rows, model.SystemGuestRoleId) },
		"name taken by core": func(f *fakeRoles) { f.rows[GuestRoleName] = &store.CoreRole{Name: GuestRoleName, BuiltIn: true} },
		"scheme's role":      func(f *fakeRoles) { f.rows[GuestRoleName] = &store.CoreRole{Name: GuestRoleName, SchemeManaged: true} },
	} {
		t.Run(name, func(t *testing.T) {
			licensed := false
			m, _ := newManager(&licensed)
			roles := newFakeRoles("create_direct_channel")
			setup(roles)
			_, err := m.EnsureGuestRole(roles, 1)
			require.Error(t, err)
			st := m.RoleStatus()
			assert.False(t, st.InForce)
			assert.Equal(t, err.Error(), st.Problem)
			assert.Equal(t, model.SystemUserRoleId, m.GuestSystemRole())
			assert.Equal(t, 0, roles.updates, "a row that is not the plugin's was changed")
		})
	}
}

// The window closes back to the dedicated role; when core no longer knows
// that role, guests fall back to system_user and the status says so.
func TestWindowClosesOnTheGuestRoleAndFallsBack(t *testing.T) {
	licensed := false
	m, api := newManager(&licensed)
	_, err := m.EnsureGuestRole(newFakeRoles("create_direct_channel"), 1)
	require.NoError(t, err)

	require.NoError(t, m.WithUserLock("u1", func() error { return m.window("u1", func() error { return nil }) }))
	assert.Equal(t, []string{model.SystemGuestRoleId, GuestRoleName}, api.calls)
	assert.Equal(t, GuestRoleName, api.roles["u1"])

	changed, err := m.RepairRole("u1")
	require.NoError(t, err)
	assert.False(t, changed, "a guest holding the role was changed")

	delete(api.known, GuestRoleName) // the row was deleted under core
	api.calls = nil
	require.NoError(t, m.AssignGuestRole("u2"))
	assert.Equal(t, []string{GuestRoleName, model.SystemUserRoleId}, api.calls)
	assert.Equal(t, model.SystemUserRoleId, api.roles["u2"])
	st := m.RoleStatus()
	assert.False(t, st.InForce)
	assert.Contains(t, st.Problem, "no longer knows")
	assert.True(t, m.HoldsGuestRole(model.SystemUserRoleId))

	changed, err = m.RepairRole("u1")
	require.NoError(t, err)
	assert.True(t, changed)
	assert.Equal(t, model.SystemUserRoleId, api.roles["u1"])

	// Licensed: no window, and repair gives core's system_guest.
	licensed = true
	api.calls = nil
	require.NoError(t, m.window("u1", func() error { return nil }))
	assert.Empty(t, api.calls)
	changed, err = m.RepairRole("u1")
	require.NoError(t, err)
	assert.True(t, changed)
	assert.Equal(t, model.SystemGuestRoleId, api.roles["u1"])
}

func TestHoldsGuestRoleNeedsExactlyThatRole(t *testing.T) {
	licensed := false
	m, _ := newManager(&licensed)
	_, err := m.EnsureGuestRole(newFakeRoles(), 1)
	require.NoError(t, err)
	assert.True(t, m.HoldsGuestRole(GuestRoleName))
	assert.True(t, m.HoldsGuestRole(" "+GuestRoleName+" "))
	assert.False(t, m.HoldsGuestRole(GuestRoleName+" system_user"))
	assert.False(t, m.HoldsGuestRole(model.SystemUserRoleId))
	assert.False(t, m.HoldsGuestRole(""))
}

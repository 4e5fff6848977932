package memberships

import (
	"slices"
	"strings"
	"sync"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// GuestRoleName is the dedicated system role the plugin's guests hold on
// an unlicensed server outside role windows: a non-built-in role whose
// permissions are a copy of system_guest's. Core then refuses such a user,
// before the fact, what it refuses a licensed guest at system level
// (creating and listing teams, joining open teams, strangers' profiles,
// DMs and GMs with people sharing no channel, creating channels), while
// password logins work: core checks system_guest by name, not this role.
const GuestRoleName = "guest_accounts_guest"

const (
	guestRoleDisplayName = "Guest (Guest Accounts)"
	guestRoleDescription = "System role of the guests the Guest Accounts plugin manages on a server without core guest accounts. " +
		"Its permissions are a copy of system_guest's, set again by the plugin at every start; changes made here are undone then."
	// roleNotFound is core's answer when a user is given a role it does
	// not know (CheckRolesExist).
	roleNotFound = "app.role.check_roles_exist.role_not_found"
)

// RoleStatus says whether the dedicated role is in use on an unlicensed
// server and, if not or not quite, why.
type RoleStatus struct {
	// InForce: unlicensed guests hold GuestRoleName; otherwise they fall
	// back to system_user (the behaviour before the dedicated role).
	InForce bool
	// Problem says why the role is not in force, or what went wrong while
	// it stays in force (its permissions could not be set); "" when all is
	// well.
	Problem string
}

// GuestRoleReport is what EnsureGuestRole did to the role row.
type GuestRoleReport struct {
	Created bool
	// Added and Removed are the permissions a sync with system_guest
	// added to and removed from an existing row.
	Added, Removed []string
}

// roleState is the manager's knowledge of the dedicated role.
type roleState struct {
	mu     sync.RWMutex
	status RoleStatus
}

func (s *roleState) get() RoleStatus {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.status
}

func (s *roleState) set(st RoleStatus) {
	s.mu.Lock()
	s.status = st
	s.mu.Unlock()
}

// RoleStatus reports whether the dedicated role is in use.
func (m *Manager) RoleStatus() RoleStatus { return m.role.get() }

// EnsureGuestRole makes sure the dedicated role row exists, owned by the
// plugin (not built in, not scheme-managed), with exactly system_guest's
// permissions as they are now; it never changes a built-in role. Several
// nodes may run it at once: the insert does nothing when the name is taken
// (the table's unique name), and the sync writes the same value. A row that
// exists with other permissions (system_guest changed with a server
// upgrade, or someone edited the role) is set back to system_guest's: the
// role is the plugin's, a copy by definition. Without a usable row the
// guests fall back to system_user and the returned error says why; core's
// role cache may keep an older copy of a synced row for up to 30 minutes
// on a server that had already read it.
func (m *Manager) EnsureGuestRole(core store.CoreRoles, now int64) (GuestRoleReport, error) {
	var rep GuestRoleReport
	tmpl, err := core.GetCoreRole(model.SystemGuestRoleId)
	if err != nil {
		return rep, m.roleUnusable(errors.Wrap(err, "reading the system_guest role"))
	}
	perms := uniquePermissions(tmpl.Permissions)
	rep.Created, err = core.CreateCoreRole(&store.CoreRole{
		ID: model.NewId(), Name: GuestRoleName, DisplayName: guestRoleDisplayName, Description: guestRoleDescription,
		Permissions: perms, CreateAt: now, UpdateAt: now,
	})
	if err != nil {
		return rep, m.roleUnusable(err)
	}
	row, err := core.GetCoreRole(GuestRoleName)
	if err != nil {
		return rep, m.roleUnusable(errors.Wrap(err, "reading the role back"))
	}
	if row.BuiltIn || row.SchemeManaged {
		return rep, m.roleUnusable(errors.Errorf("a role named %s exists and is not the plugin's (built in or scheme-managed); it is left as it is", GuestRoleName))
	}
	rep.Added, rep.Removed = permissionDiff(row.Permissions, perms)
	if len(rep.Added) > 0 || len(rep.Removed) > 0 || row.DeleteAt != 0 {
		if err := core.SetCoreRolePermissions(GuestRoleName, perms, now); err != nil {
			// The row is the plugin's and exists: guests keep it (it refuses
			// far more than system_user would), and the problem is shown.
			err = errors.Wrap(err, "setting the role's permissions to system_guest's")
			m.role.set(RoleStatus{InForce: true, Problem: err.Error()})
			return rep, err
		}
	}
	m.role.set(RoleStatus{InForce: true})
	return rep, nil
}

func (m *Manager) roleUnusable(err error) error {
	m.role.set(RoleStatus{InForce: false, Problem: err.Error()})
	return err
}

// setGuestRoleLocked gives the user the system role guests hold outside
// windows. When core answers that it does not know the dedicated role (its
// row was deleted since activation), guests fall back to system_user from
// now on, and the status says so. The caller holds the user lock.
func (m *Manager) setGuestRoleLocked(userID string) error {
	role := m.GuestSystemRole()
	_, appErr := m.api.UpdateUserRoles(userID, role)
	if appErr == nil {
		return nil
	}
	if role != GuestRoleName || appErr.Id != roleNotFound {
		return errors.Wrapf(appErr, "setting the %s role", role)
	}
	m.role.set(RoleStatus{InForce: false, Problem: "core no longer knows the role " + GuestRoleName + " (" + appErr.Error() + ")"})
	m.api.LogError("Guest Accounts: the dedicated guest role is gone; guests fall back to system_user until the plugin is started again", "role", GuestRoleName, "error", appErr.Error())
	if _, appErr := m.api.UpdateUserRoles(userID, model.SystemUserRoleId); appErr != nil {
		return errors.Wrap(appErr, "setting the system_user role")
	}
	return nil
}

// AssignGuestRole gives a user who has just become a guest (a new account)
// the guest's system role.
func (m *Manager) AssignGuestRole(userID string) error {
	return m.WithUserLock(userID, func() error { return m.setGuestRoleLocked(userID) })
}

// HoldsGuestRole reports whether roles (a user's Roles field) is exactly the
// system role guests hold outside windows.
func (m *Manager) HoldsGuestRole(roles string) bool {
	f := strings.Fields(roles)
	return len(f) == 1 && f[0] == m.GuestSystemRole()
}

func uniquePermissions(perms []string) []string {
	out := make([]string, 0, len(perms))
	for _, p := range perms {
		if p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// permissionDiff lists what want has that have lacks (added) and the
// reverse (removed).
func permissionDiff(have, want []string) (added, removed []string) {
	for _, p := range want {
		if !slices.Contains(have, p) {
			added = append(added, p)
		}
	}
	for _, p := range have {
		if !slices.Contains(want, p) {
			removed = append(removed, p)
		}
	}
	return added, removed
}

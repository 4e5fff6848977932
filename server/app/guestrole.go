package app

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/memberships"
)

// The dedicated guest role (memberships.GuestRoleName): on an unlicensed
// server every guest holds it outside role windows, so core itself refuses
// them what it refuses licensed guests at system level. The plugin creates
// the role row at activation (core has no role-creation API without a
// licence) and falls back to system_user, loudly, when it cannot.

// errNoDatabase: the app was built without access to core's tables.
var errNoDatabase = errors.New("no database access to core's tables")

// EnsureGuestRole makes sure the dedicated role exists with system_guest's
// permissions (activation, before Reconcile, which moves the guests onto
// it). What happened is logged and audited; a role that cannot be used
// leaves guests on system_user, which /stats and the dashboard show.
func (a *App) EnsureGuestRole() {
	var (
		rep memberships.GuestRoleReport
		err = errNoDatabase
	)
	if a.core != nil {
		rep, err = a.members.EnsureGuestRole(a.core, a.Now().UnixMilli())
	}
	name := memberships.GuestRoleName
	switch {
	case err != nil && !a.members.RoleStatus().InForce:
		a.api.LogError("Guest Accounts: the dedicated guest role cannot be used; guests fall back to system_user, "+
			"which lets them create teams, join open teams, list the user directory and open direct messages with anyone",
			"role", name, "error", err.Error())
		a.Audit(systemActor, "guest_role", name, "failed: "+err.Error(), "guests fall back to "+model.SystemUserRoleId)
	case err != nil:
		a.api.LogError("Guest Accounts: the dedicated guest role's permissions could not be set to system_guest's; guests keep the role", "role", name, "error", err.Error())
		a.Audit(systemActor, "guest_role", name, "failed: "+err.Error(), permissionChanges(rep))
	case rep.Created:
		a.api.LogInfo("Guest Accounts: created the dedicated guest role with system_guest's permissions", "role", name)
		a.Audit(systemActor, "guest_role", name, "success", "created with system_guest's permissions")
	case len(rep.Added) > 0 || len(rep.Removed) > 0:
		a.api.LogWarn("Guest Accounts: the dedicated guest role's permissions differed from system_guest's and were set to them", "role", name, "changes", permissionChanges(rep))
		a.Audit(systemActor, "guest_role", name, "success", "permissions set to system_guest's: "+permissionChanges(rep))
	}
}

func permissionChanges(rep memberships.GuestRoleReport) string {
	var parts []string
	if len(rep.Added) > 0 {
		parts = append(parts, "added "+strings.Join(rep.Added, " "))
	}
	if len(rep.Removed) > 0 {
		parts = append(parts, "removed "+strings.Join(rep.Removed, " "))
	}
	return strings.Join(parts, "; ")
}

// GuestRole describes the system role guests hold outside role windows.
type GuestRole struct {
	// Role is that role: system_guest (licensed), the dedicated role, or
	// system_user (unlicensed, the dedicated role cannot be used).
	Role string `json:"role"`
	// Fallback is true when unlicensed guests hold system_user because the
	// dedicated role cannot be used; Problem says why.
	Fallback bool `json:"fallback"`
	// Problem is what went wrong with the dedicated role ("" when nothing).
	Problem string `json:"problem,omitempty"`
}

// GuestRole reports the guests' system role.
func (a *App) GuestRole() GuestRole {
	st := a.members.RoleStatus()
	return GuestRole{
		Role:     a.members.GuestSystemRole(),
		Fallback: !a.Licensed() && !st.InForce,
		Problem:  st.Problem,
	}
}

// guestRoleInForce reports whether unlicensed guests hold the dedicated
// role (core then refuses them teams, strangers and new channels).
func (a *App) guestRoleInForce() bool {
	return a.members.GuestSystemRole() == memberships.GuestRoleName
}

// reconcileRoles puts every listed guest on the guest's system role, each
// under its user lock, and audits it once for all (a plugin upgrade from a
// version before the dedicated role moves every guest at once). Guests a
// crash left inside a window are repaired by Reconcile itself.
func (a *App) reconcileRoles(ids []string) {
	if len(ids) == 0 {
		return
	}
	start := time.Now()
	role := a.members.GuestSystemRole()
	moved, failed := 0, 0
	for _, id := range ids {
		changed, err := a.members.RepairRole(id)
		if err != nil {
			failed++
			a.api.LogError("Guest Accounts: could not give a guest the guest role", "user_id", id, "role", role, "error", err.Error())
			continue
		}
		if changed {
			moved++
		}
	}
	took := time.Since(start)
	a.api.LogInfo("Guest Accounts: guests moved onto the guest role", "role", role, "guests", moved, "failed", failed, "took_ms", took.Milliseconds())
	res := "success"
	if failed > 0 {
		res = fmt.Sprintf("failed: %d of %d guests could not be moved (see the server log)", failed, len(ids))
	}
	a.Audit(systemActor, "migrate_role", "", res, fmt.Sprintf("%d guests now hold %s", moved, role))
}

// roleNeedsRepair sorts a registry guest's core account: ok (holds the
// guest role), crashed (left as system_guest inside a window on an
// unlicensed server) or to be moved. System admins are left alone: the
// plugin never takes a role an admin gave.
func (a *App) roleNeedsRepair(u *model.User) (crashed, move bool) {
	switch {
	case a.members.HoldsGuestRole(u.Roles):
		return false, false
	case u.IsSystemAdmin():
		a.api.LogWarn("Guest Accounts: a registered guest is a system admin; their roles are left as they are", "user_id", u.Id)
		return false, false
	case !a.Licensed() && slices.Contains(u.GetRoles(), model.SystemGuestRoleId):
		return true, false
	default:
		return false, true
	}
}

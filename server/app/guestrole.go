package app

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/memberships"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// The dedicated guest role (memberships.GuestRoleName): on an unlicensed
// server every guest holds it outside role windows, so core itself refuses
// them what it refuses licensed guests at system level. The plugin creates
// the role row at activation (core has no role-creation API without a
// licence) and falls back to system_user, loudly, when it cannot.

// noCore stands in for core's tables when the app was built without
// them: the role cannot be used, and the status says why.
type noCore struct{}

var errNoDatabase = errors.New("no database access to core's tables")

func (noCore) GetCoreRole(string) (*store.CoreRole, error)          { return nil, errNoDatabase }
func (noCore) CreateCoreRole(*store.CoreRole) (bool, error)         { return false, errNoDatabase }
func (noCore) SetCoreRolePermissions(string, []string, int64) error { return errNoDatabase }

// EnsureGuestRole makes sure the dedicated role exists with system_guest's
// permissions (activation, before Reconcile, which moves the guests onto
// it). What happened is logged and audited; a role that cannot be used
// leaves guests on system_user, which /stats and the dashboard show.
func (a *App) EnsureGuestRole() {
	var core store.CoreRoles = noCore{}
	if a.core != nil {
		core = a.core
	}
	rep, err := a.members.EnsureGuestRole(core, a.Now().UnixMilli())
	name := memberships.GuestRoleName
	switch {
	case err != nil && !a.members.RoleStatus().InForce && a.Licensed():
		a.api.LogWarn("Guest Accounts: the dedicated guest role cannot be used; guests hold system_guest while the server is licensed, and would fall back to system_user without the licence",
			"role", name, "error", err.Error())
		a.Audit(systemActor, "guest_role", name, "failed: "+err.Error(), "licensed: guests hold "+model.SystemGuestRoleId)
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

// creationMarkTTL bounds how long a crashed creation keeps its account's
// logins refused (the creation itself takes well under a second).
const creationMarkTTL = 2 * time.Minute

// markCreatingGuest marks an account the plugin is about to create as a
// guest, on this node (the UserHasBeenCreated hook, see markCreating) and
// for every node (logins, see CheckLogin); the returned func clears both.
// A mark that cannot be written leaves this node's in-process one: a
// login on another node is then refused by the role check once the
// registry has the guest.
func (a *App) markCreatingGuest(email string) func() {
	clear := a.markCreating(email)
	if err := a.store.MarkCreating(email, creationMarkTTL); err != nil {
		a.api.LogError("Guest Accounts: could not mark an account being created for the other nodes", "error", err.Error())
	}
	return func() {
		if err := a.store.ClearCreating(email); err != nil {
			a.api.LogWarn("Guest Accounts: could not clear the mark of an account being created; it lapses by itself", "error", err.Error())
		}
		clear()
	}
}

// loginRefusal refuses a login core is about to turn into a session
// with a role the account should not have. Core makes the session with
// the roles of the copy of the user it read before asking the plugin (u),
// so the check is on that copy: an account being created as a guest (it
// is system_user for a moment, on any node), or a registered guest whose
// copy does not hold the guest's role (read just before the plugin gave
// it the role, or a guest not yet moved onto the dedicated role, which is
// done now). The next attempt reads the account afresh and passes. System
// admins are left alone (the plugin never takes their role).
func (a *App) loginRefusal(u *model.User, registered bool) string {
	refuse := func() string {
		return a.TrUser(u.Id, "guest_accounts.login.being_created", "Your guest account is still being set up. Try again in a moment.")
	}
	if a.isCreating(u.Email) {
		return refuse()
	}
	if !registered {
		// Only a fresh account can be one another node is creating.
		if model.GetMillis()-u.CreateAt > creationMarkTTL.Milliseconds() {
			return ""
		}
		if creating, err := a.store.IsCreating(u.Email); err != nil || creating {
			return refuse() // unreadable: fail closed for a fresh account
		}
		return ""
	}
	if u.IsSystemAdmin() || a.members.HoldsGuestRole(u.Roles) {
		return ""
	}
	if _, err := a.moveToGuestRole(u.Id); err != nil {
		a.api.LogError("Guest Accounts: could not give a guest signing in the guest role", "user_id", u.Id, "error", err.Error())
	}
	return refuse()
}

// roleMoveWorkers is how many guests are moved onto the guest role at
// once (each move is a few round trips to the database: measured about 6
// ms per guest one at a time on 11.4, on a busy two-core machine).
const roleMoveWorkers = 4

// moveRolesInBackground puts every listed guest on the guest's system
// role, in the background (a plugin upgrade from a version before the
// dedicated role moves every guest at once: minutes at 100,000 guests,
// which must not hold up the server's start), and audits it once for all.
// Each guest is moved under its user lock, if still a guest. A stop (the
// plugin deactivating) ends it early; the next activation moves the rest.
func (a *App) moveRolesInBackground(ids []string) {
	if len(ids) == 0 {
		return
	}
	a.background.Add(1)
	go func() {
		defer a.background.Done()
		a.moveRoles(ids)
	}()
}

func (a *App) moveRoles(ids []string) {
	start := time.Now()
	role := a.members.GuestSystemRole()
	var moved, failed atomic.Int64
	work := make(chan string)
	var wg sync.WaitGroup
	for range roleMoveWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range work {
				changed, err := a.moveToGuestRole(id)
				switch {
				case err != nil:
					failed.Add(1)
					a.api.LogError("Guest Accounts: could not give a guest the guest role", "user_id", id, "role", role, "error", err.Error())
				case changed:
					moved.Add(1)
				}
			}
		}()
	}
	stopped := false
feed:
	for _, id := range ids {
		select {
		case <-a.stop:
			stopped = true
			break feed
		case work <- id:
		}
	}
	close(work)
	wg.Wait()
	a.api.LogInfo("Guest Accounts: guests moved onto the guest role", "role", role, "guests", moved.Load(), "failed", failed.Load(),
		"stopped_early", stopped, "took_ms", time.Since(start).Milliseconds())
	res := "success"
	switch {
	case failed.Load() > 0:
		res = fmt.Sprintf("failed: %d of %d guests could not be moved (see the server log)", failed.Load(), len(ids))
	case stopped:
		res = "failed: stopped by the plugin's deactivation; the next activation moves the rest"
	}
	a.Audit(systemActor, "migrate_role", "", res, fmt.Sprintf("%d guests now hold %s", moved.Load(), role))
}

// moveToGuestRole gives a guest the guest's system role under its user
// lock; someone promoted meanwhile (no longer in the registry) is left
// alone. It reports whether the role changed.
func (a *App) moveToGuestRole(userID string) (bool, error) {
	changed := false
	err := a.members.WithUserLock(userID, func() error {
		if _, err := a.store.GetGuest(userID); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			return err
		}
		var err error
		changed, err = a.members.RepairRoleLocked(userID)
		return err
	})
	return changed, err
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

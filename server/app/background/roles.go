package background

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/memberships"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// The dedicated guest role (memberships.GuestRoleName): on an unlicensed
// server every guest holds it outside role windows, so core itself refuses
// them what it refuses licensed guests at system level. The plugin makes
// the role row at activation (core has no role-creation API without a
// licence) and falls back to system_user, loudly, when it cannot; guests
// on another role are moved onto it in the background.

// noCore stands in for core's tables when the service was built without
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
func (s *Service) EnsureGuestRole() {
	var core store.CoreRoles = noCore{}
	if s.core != nil {
		core = s.core
	}
	rep, err := s.members.EnsureGuestRole(core, s.kit.Now().UnixMilli())
	name := memberships.GuestRoleName
	inForce := s.members.RoleStatus().InForce
	switch {
	case err != nil && !inForce && s.kit.Licensed():
		s.api.LogWarn("Guest Accounts: the dedicated guest role cannot be used; guests hold system_guest while the server is licensed, and would fall back to system_user without the licence",
			"role", name, "error", err.Error())
		s.kit.Audit(app.SystemActor, "guest_role", name, "failed: "+err.Error(), "licensed: guests hold "+model.SystemGuestRoleId)
	case err != nil && !inForce:
		s.api.LogError("Guest Accounts: the dedicated guest role cannot be used; guests fall back to system_user, "+
			"which lets them create teams, join open teams, list the user directory and open direct messages with anyone",
			"role", name, "error", err.Error())
		s.kit.Audit(app.SystemActor, "guest_role", name, "failed: "+err.Error(), "guests fall back to "+model.SystemUserRoleId)
	case err != nil:
		s.api.LogError("Guest Accounts: the dedicated guest role's permissions could not be set to system_guest's; guests keep the role", "role", name, "error", err.Error())
		s.kit.Audit(app.SystemActor, "guest_role", name, "failed: "+err.Error(), permissionChanges(rep))
	case rep.Created:
		s.api.LogInfo("Guest Accounts: created the dedicated guest role with system_guest's permissions", "role", name)
		s.kit.Audit(app.SystemActor, "guest_role", name, "success", "created with system_guest's permissions")
	case len(rep.Added) > 0 || len(rep.Removed) > 0:
		s.api.LogWarn("Guest Accounts: the dedicated guest role's permissions differed from system_guest's and were set to them", "role", name, "changes", permissionChanges(rep))
		s.kit.Audit(app.SystemActor, "guest_role", name, "success", "permissions set to system_guest's: "+permissionChanges(rep))
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

// roleNeedsRepair sorts a registry guest's core account: ok (holds the
// guest role), crashed (left as system_guest inside a window on an
// unlicensed server) or to be moved. System admins are left alone: the
// plugin never takes a role an admin gave.
func (s *Service) roleNeedsRepair(u *model.User) (crashed, move bool) {
	switch {
	case s.members.HoldsGuestRole(u.Roles):
		return false, false
	case u.IsSystemAdmin():
		s.api.LogWarn("Guest Accounts: a registered guest is a system admin; their roles are left as they are", "user_id", u.Id)
		return false, false
	case !s.kit.Licensed() && slices.Contains(u.GetRoles(), model.SystemGuestRoleId):
		return true, false
	default:
		return false, true
	}
}

// roleMoveWorkers is how many guests are moved onto the guest role at
// once (each move is a few round trips to the database: measured about 6
// ms per guest on 11.4, on a busy two-core machine).
const roleMoveWorkers = 4

// moveRolesInBackground puts every listed guest on the guest's system
// role, in the background (a plugin upgrade from a version before the
// dedicated role moves every guest at once: minutes at 100,000 guests,
// which must not hold up the server's start), and audits it once for all.
// A stop (the plugin deactivating) ends it early; the next activation
// moves the rest. After a full check (the whole registry read), a clean
// run records it, so activation reads the whole registry again until one
// does. The moved guests' sessions then get core's guest marker
// (activation marked the sessions of the guests already on the role).
func (s *Service) moveRolesInBackground(ids []string, fullCheck bool) {
	if len(ids) == 0 {
		return
	}
	s.Go(func() {
		done := s.moveRoles(ids)
		if s.sessions != nil {
			s.sessions.MarkAllGuestSessions()
		}
		if done && fullCheck {
			s.reconciledEdition()
		}
	})
}

// moveRoles reports whether every guest was moved.
func (s *Service) moveRoles(ids []string) bool {
	start := time.Now()
	role := s.members.GuestSystemRole()
	var moved, failed atomic.Int64
	work := make(chan string)
	var wg sync.WaitGroup
	for range roleMoveWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range work {
				changed, err := s.moveToGuestRole(id)
				switch {
				case err != nil:
					failed.Add(1)
					s.api.LogError("Guest Accounts: could not give a guest the guest role", "user_id", id, "role", role, "error", err.Error())
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
		case <-s.stop:
			stopped = true
			break feed
		case work <- id:
		}
	}
	close(work)
	wg.Wait()
	s.api.LogInfo("Guest Accounts: guests moved onto the guest role", "role", role, "guests", moved.Load(), "failed", failed.Load(),
		"stopped_early", stopped, "took_ms", time.Since(start).Milliseconds())
	res := "success"
	switch {
	case failed.Load() > 0:
		res = fmt.Sprintf("failed: %d of %d guests could not be moved (see the server log)", failed.Load(), len(ids))
	case stopped:
		res = "failed: stopped by the plugin's deactivation; the next activation moves the rest"
	}
	s.kit.Audit(app.SystemActor, "migrate_role", "", res, fmt.Sprintf("%d guests now hold %s", moved.Load(), role))
	return res == "success"
}

// moveToGuestRole gives a guest the guest's system role under its user
// lock; someone promoted meanwhile (no longer in the registry) is left
// alone. It reports whether the role changed.
func (s *Service) moveToGuestRole(userID string) (bool, error) {
	changed := false
	err := s.members.WithUserLock(userID, func() error {
		if _, err := s.store.GetGuest(userID); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			return err
		}
		var err error
		changed, err = s.members.RepairRoleLocked(userID)
		return err
	})
	return changed, err
}

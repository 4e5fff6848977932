package app

import (
	"context"
	"slices"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/pluginapi/cluster"
	"github.com/pkg/errors"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// systemActor is the audit actor for what the plugin does by itself.
const systemActor = "system"

// withSwitchLock runs fn holding the cluster-wide switch lock, so one node
// at a time walks the registry.
func (a *App) withSwitchLock(fn func() error) error {
	m, err := cluster.NewMutex(a.api, "ga-switch")
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if err := m.LockWithContext(ctx); err != nil {
		return errors.Wrap(err, "waiting for the switch lock")
	}
	defer m.Unlock()
	return fn()
}

// SwitchOff deactivates every active guest, marking them as deactivated by
// reason (switch or plugin_disabled). Re-running finishes an interrupted
// run; guests already deactivated are left as they are.
func (a *App) SwitchOff(reason string) (int, error) {
	// Acceptances already past their settings check finish first, so the
	// registry lists the guests they make.
	a.drain()
	n := 0
	var touched []string // channels whose guests changed, published once at the end
	err := a.withSwitchLock(func() error {
		ids, err := a.guestIDsWith(store.StatusActive, nil)
		if err != nil {
			return err
		}
		for _, id := range ids {
			_, channels, err := a.deactivate(systemActor, id, reason)
			touched = append(touched, channels...)
			if err != nil {
				a.api.LogError("Guest Accounts: could not deactivate a guest", "user_id", id, "error", err.Error())
				continue
			}
			n++
		}
		return nil
	})
	a.publishChannelGuestsChanged(touched...)
	a.Audit(systemActor, "switch_off", "", result(err), reason)
	return n, err
}

// SwitchOn reactivates exactly the guests deactivated for one of reasons,
// as far as the cap allows.
func (a *App) SwitchOn(reasons ...string) (int, error) {
	n := 0
	var touched []string
	err := a.withSwitchLock(func() error {
		ids, err := a.guestIDsWith("", reasons)
		if err != nil {
			return err
		}
		for _, id := range ids {
			g, err := a.store.GetGuest(id)
			if err != nil || !slices.Contains(reasons, g.Deactivated) {
				continue // changed meanwhile
			}
			_, channels, err := a.activate(systemActor, g.UserID, g.Deactivated)
			touched = append(touched, channels...)
			if err != nil {
				a.api.LogWarn("Guest Accounts: could not reactivate a guest", "user_id", g.UserID, "error", err.Error())
				continue
			}
			n++
		}
		return nil
	})
	a.publishChannelGuestsChanged(touched...)
	a.Audit(systemActor, "switch_on", "", result(err), "")
	return n, err
}

// Reconcile runs at activation: it repairs guests left mid-window by a
// crash (core deactivates system_guest users at start-up when unlicensed),
// recounts the active guests, and finishes an interrupted switch. It reads
// the whole registry only when a repair is due (roleRepairScope).
func (a *App) Reconcile() error {
	var repair, batch []string
	// Users are read a hundred at a time (activation time grows with the
	// registry; one call per guest cost a minute at 100,000 guests).
	checkBatch := func() {
		users, appErr := a.api.GetUsersByIds(batch)
		batch = batch[:0]
		if appErr != nil {
			return // unreadable: nothing to repair that can be seen
		}
		for _, u := range users { // users deleted meanwhile are absent
			wrongRole := !a.Licensed() && slices.Contains(u.GetRoles(), model.SystemGuestRoleId)
			if wrongRole || (a.Licensed() && !u.IsGuest()) {
				repair = append(repair, u.Id)
			}
		}
	}
	candidates, walk, err := a.roleRepairScope()
	if err != nil {
		return err
	}
	each := func(fn func(id string) error) error {
		for _, id := range candidates {
			if err := fn(id); err != nil {
				return err
			}
		}
		return nil
	}
	if walk {
		each = func(fn func(id string) error) error {
			return a.store.ForEachGuest(func(g *store.Guest) error { return fn(g.UserID) })
		}
	}
	if err := each(func(id string) error {
		if batch = append(batch, id); len(batch) == 100 {
			checkBatch()
		}
		return nil
	}); err != nil {
		return err
	}
	if len(batch) > 0 {
		checkBatch()
	}
	if walk {
		a.reconciledEdition()
	}
	a.repairIndexesIfDue()
	for _, id := range repair {
		if _, err := a.members.RepairRole(id); err != nil {
			a.api.LogError("Guest Accounts: could not repair a guest's role", "user_id", id, "error", err.Error())
			continue
		}
		// Core deactivated this guest at start-up because of the role it
		// had inside the window; if the registry says active, restore it.
		if g, err := a.store.GetGuest(id); err == nil && g.Deactivated == store.ReasonNone {
			if u, appErr := a.api.GetUser(id); appErr == nil && u.DeleteAt != 0 {
				_ = a.api.UpdateUserActive(id, true)
			}
		}
		a.Audit(systemActor, "repair_role", id, "success", "")
	}
	if _, err := a.RecountActive(); err != nil {
		return err
	}
	return nil
}

// ApplySwitch brings the guests in line with the master switch and the
// plugin being enabled: off deactivates every active guest; on reactivates
// those the switch or a plugin disable deactivated.
func (a *App) ApplySwitch() {
	var err error
	if a.settings().EnableGuestAccounts {
		_, err = a.SwitchOn(store.ReasonSwitch, store.ReasonPluginDisabled)
	} else {
		_, err = a.SwitchOff(store.ReasonSwitch)
	}
	if err != nil {
		a.api.LogError("Guest Accounts: applying the master switch failed", "error", err.Error())
	}
}

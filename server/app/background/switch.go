package background

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// withSwitchLock runs fn holding the cluster-wide switch lock, so one node
// at a time walks the registry.
func (s *Service) withSwitchLock(fn func() error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	return s.members.WithLock(ctx, "ga-switch", fn)
}

// SwitchOff deactivates every active guest, marking them as deactivated by
// reason (switch or plugin_disabled). Re-running finishes an interrupted
// run; guests already deactivated are left as they are.
func (s *Service) SwitchOff(reason string) (int, error) {
	// Acceptances already past their settings check finish first, so the
	// registry lists the guests they make.
	s.kit.Drain()
	n := 0
	var touched []string // channels whose guests changed, published once at the end
	err := s.withSwitchLock(func() error {
		ids, err := store.GuestIDs(s.store, store.StatusActive, nil)
		if err != nil {
			return err
		}
		for _, id := range ids {
			_, _, channels, err := s.guests.DeactivateIf(app.SystemActor, id, reason, nil)
			touched = append(touched, channels...)
			if err != nil {
				s.api.LogError("Guest Accounts: could not deactivate a guest", "user_id", id, "error", err.Error())
				continue
			}
			n++
		}
		return nil
	})
	s.kit.PublishChannelGuestsChanged(touched...)
	s.kit.Audit(app.SystemActor, "switch_off", "", app.Result(err), reason)
	return n, err
}

// SwitchOn reactivates exactly the guests deactivated for one of reasons,
// as far as the cap allows.
func (s *Service) SwitchOn(reasons ...string) (int, error) {
	n := 0
	var touched []string
	err := s.withSwitchLock(func() error {
		ids, err := store.GuestIDs(s.store, "", reasons)
		if err != nil {
			return err
		}
		for _, id := range ids {
			g, err := s.store.GetGuest(id)
			if err != nil || !slices.Contains(reasons, g.Deactivated) {
				continue // changed meanwhile
			}
			_, channels, err := s.guests.ActivateCollect(app.SystemActor, g.UserID, g.Deactivated)
			touched = append(touched, channels...)
			if err != nil {
				s.api.LogWarn("Guest Accounts: could not reactivate a guest", "user_id", g.UserID, "error", err.Error())
				continue
			}
			n++
		}
		return nil
	})
	s.kit.PublishChannelGuestsChanged(touched...)
	s.kit.Audit(app.SystemActor, "switch_on", "", app.Result(err), "")
	return n, err
}

// Reconcile runs at activation and after a licence change: it repairs
// guests left mid-window by a crash (core deactivates system_guest users at
// start-up when unlicensed), starts moving every other guest with another
// role onto the guest's system role in the background (a licence change,
// or guests made before the dedicated role; roles.go), recounts the active
// guests and finishes an interrupted switch. It reads the whole registry
// only when a repair is due (roleRepairScope); the full check is recorded
// only once every guest it found holds the right role.
func (s *Service) Reconcile() error {
	var repair, move, batch []string
	// Users are read a hundred at a time (activation time grows with the
	// registry; one call per guest cost a minute at 100,000 guests).
	checkBatch := func() {
		users, appErr := s.api.GetUsersByIds(batch)
		batch = batch[:0]
		if appErr != nil {
			return // unreadable: nothing to repair that can be seen
		}
		for _, u := range users { // users deleted meanwhile are absent
			crashed, wrong := s.roleNeedsRepair(u)
			if crashed {
				repair = append(repair, u.Id)
			} else if wrong {
				move = append(move, u.Id)
			}
		}
	}
	candidates, walk, err := s.roleRepairScope()
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
			return s.store.ForEachGuest(func(g *store.Guest) error { return fn(g.UserID) })
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
	if walk && len(move) == 0 {
		s.reconciledEdition()
	}
	s.repairIndexesIfDue()
	for _, id := range repair {
		if _, err := s.moveToGuestRole(id); err != nil {
			s.api.LogError("Guest Accounts: could not repair a guest's role", "user_id", id, "error", err.Error())
			continue
		}
		// Core deactivated this guest at start-up because of the role it
		// had inside the window; if the registry says active, restore it.
		if g, err := s.store.GetGuest(id); err == nil && g.Deactivated == store.ReasonNone {
			if u, appErr := s.api.GetUser(id); appErr == nil && u.DeleteAt != 0 {
				_ = s.api.UpdateUserActive(id, true)
			}
		}
		s.kit.Audit(app.SystemActor, "repair_role", id, "success", "")
	}
	s.moveRolesInBackground(move, walk)
	if _, err := s.RecountActive(); err != nil {
		return err
	}
	return nil
}

// ApplySwitch brings the guests in line with the master switch and the
// plugin being enabled: off deactivates every active guest; on reactivates
// those the switch or a plugin disable deactivated.
func (s *Service) ApplySwitch() {
	var err error
	if s.kit.Settings().EnableGuestAccounts {
		_, err = s.SwitchOn(store.ReasonSwitch, store.ReasonPluginDisabled)
	} else {
		_, err = s.SwitchOff(store.ReasonSwitch)
	}
	if err != nil {
		s.api.LogError("Guest Accounts: applying the master switch failed", "error", err.Error())
	}
}

// recountSettle is how long RecountActive watches a counter that
// disagrees with the registry before correcting it.
var recountSettle = 3 * time.Second

// RecountActive corrects the active-guest counter from the registry (at
// activation, so the counter heals after a crash, which can only leave it
// too high). On a cluster other nodes may be between a counter change and
// the registry write that goes with it (an acceptance reserves its place
// before the account exists), so a counter that disagrees is corrected
// only if neither it nor the registry moved for recountSettle, and only by
// compare-and-set (docs/measured-facts.md, "Two nodes").
func (s *Service) RecountActive() (int, error) {
	n, c, err := s.activeCounts()
	if err != nil || n == c {
		return n, err
	}
	time.Sleep(recountSettle)
	n2, c2, err := s.activeCounts()
	if err != nil {
		return 0, err
	}
	if n2 != n || c2 != c {
		s.api.LogInfo("Guest Accounts: the active-guest counter is in use; not recounted", "counter", c2, "registry", n2)
		return c2, nil
	}
	ok, err := s.store.CompareAndSet(store.ActiveGuests, c, n)
	if err != nil {
		return 0, err
	}
	if !ok {
		return c, nil
	}
	s.api.LogWarn("Guest Accounts: the active-guest counter was corrected from the registry", "was", c, "now", n)
	return n, nil
}

// activeCounts returns the active guests in the registry (the index's
// counter; a walk until the indexes are built) and the cap's counter.
func (s *Service) activeCounts() (registry, counter int, err error) {
	if c, err := s.store.GuestCounts(); err == nil {
		counter, err = s.store.Get(store.ActiveGuests)
		return c.Active, counter, err
	} else if !errors.Is(err, store.ErrIndexNotReady) {
		return 0, 0, err
	}
	err = s.store.ForEachGuest(func(g *store.Guest) error {
		if g.Deactivated == store.ReasonNone {
			registry++
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	counter, err = s.store.Get(store.ActiveGuests)
	return registry, counter, err
}

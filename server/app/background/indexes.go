package background

import (
	"errors"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/jobs"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// The store's indexes (store/kvstore/index.go) serve the background work
// too: the switch lists only the guests it acts on, the expiry job only
// the guests due, and activation reads the registry only when a repair is
// due. Their upkeep (first build, repair after a crash, invitation sweep,
// profile sync) runs here, once a minute across the cluster.

// indexMaintenanceInterval is how often the index upkeep runs: the bound
// on how long a renamed guest sorts by the old name, and on how long a
// crashed write waits past its lease before repair.
const indexMaintenanceInterval = time.Minute

// reconciledEditionKey holds the edition and guest system role the last
// full role check ran for.
const reconciledEditionKey = "reconcile/edition"

// StartIndexJob runs the index upkeep every minute, once across the
// cluster; the first run (which builds the indexes after an upgrade)
// starts at once.
func (s *Service) StartIndexJob() error {
	return s.schedule(jobs.IndexKey, indexMaintenanceInterval, s.maintainIndexes)
}

func (s *Service) maintainIndexes() {
	if _, err := s.MaintainIndexesNow(); err != nil {
		s.api.LogError("Guest Accounts: index upkeep failed; the next run retries", "error", err.Error())
	}
}

// MaintainIndexesNow runs the index upkeep at once (POST /jobs/index/run).
func (s *Service) MaintainIndexesNow() (store.IndexReport, error) {
	rep, err := s.store.MaintainIndexes()
	if err == nil && (rep.Built || rep.Repaired > 0) {
		s.api.LogInfo("Guest Accounts: indexes built or repaired", "built", rep.Built, "repaired", rep.Repaired, "recounted", rep.Recounted)
	}
	return rep, err
}

// repairIndexesIfDue finishes, at activation, index writes a crash
// interrupted (cheap: the marked records only), so the counters the
// recount compares with are exact. A first build is left to the job (it
// reads every record).
func (s *Service) repairIndexesIfDue() {
	if !s.store.IndexReady() {
		return
	}
	if due, err := s.store.RepairDue(); err != nil || !due {
		return
	}
	s.maintainIndexes()
}

// forEachGuestDueBy calls fn for the guests whose expiry date (or
// reminder) may be due by until: from the expiry index, or (until the
// indexes are built) every record.
func (s *Service) forEachGuestDueBy(until int64, fn func(*store.Guest) error) error {
	err := s.store.ForEachGuestExpiringBy(until, fn)
	if errors.Is(err, store.ErrIndexNotReady) {
		return s.store.ForEachGuest(fn)
	}
	return err
}

// editionName names what decides every guest's role: the edition and the
// system role guests hold outside role windows. A change of either (a
// licence, a new dedicated role) makes the next activation check every
// guest once.
func (s *Service) editionName() string {
	edition := "unlicensed"
	if s.kit.Licensed() {
		edition = "licensed"
	}
	return edition + "/" + s.members.GuestSystemRole()
}

// roleRepairScope decides what activation checks for wrong roles. The
// whole registry (walk) when a repair is due: the indexes were never built
// or a write was interrupted (a crash), or the edition or the guests'
// system role changed since the last full check. Otherwise, on an
// unlicensed server, only the users core lists with the system_guest role:
// a guest has it only inside a role window, so those are exactly the
// guests a crash left mid-window (one query to core, not one per guest). A
// licensed server in steady state needs no check.
func (s *Service) roleRepairScope() (candidates []string, walk bool, err error) {
	due, err := s.store.RepairDue()
	if err != nil {
		return nil, false, err
	}
	last, appErr := s.api.KVGet(reconciledEditionKey)
	if appErr != nil {
		return nil, false, appErr
	}
	if due || string(last) != s.editionName() {
		return nil, true, nil
	}
	if s.kit.Licensed() {
		return nil, false, nil
	}
	for page := 0; ; page++ {
		users, appErr := s.api.GetUsers(&model.UserGetOptions{Role: model.SystemGuestRoleId, Page: page, PerPage: 200})
		if appErr != nil {
			return nil, false, appErr
		}
		for _, u := range users {
			if _, err := s.store.GetGuest(u.Id); err == nil {
				candidates = append(candidates, u.Id)
			}
		}
		if len(users) < 200 {
			return candidates, false, nil
		}
	}
}

// reconciledEdition records that the whole registry was checked for this
// edition and role.
func (s *Service) reconciledEdition() {
	if appErr := s.api.KVSet(reconciledEditionKey, []byte(s.editionName())); appErr != nil {
		s.api.LogWarn("Guest Accounts: could not record the role check; the next activation checks every guest again", "error", appErr.Error())
	}
}

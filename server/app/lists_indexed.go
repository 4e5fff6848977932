package app

import (
	"errors"
	"slices"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/jobs"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// The admin's lists and counts served from the store's indexes
// (store/kvstore/index.go): each reads one page or a few counters, never
// the whole registry. Until the indexes are built (the first minutes after
// an upgrade) the callers fall back to walking the records.

// indexMaintenanceInterval is how often the index upkeep runs (once across
// the cluster): repair of interrupted writes, the invitation sweep, the
// profile sync (the bound on how long a renamed guest sorts by the old
// name).
const indexMaintenanceInterval = time.Minute

// listGuestsIndexed is ListGuests from the indexes: one range query for
// the page, the page's records, users and statuses.
func (a *App) listGuestsIndexed(q ListQuery) (*GuestList, error) {
	sortBy := q.Sort
	if sortBy == "" {
		sortBy = store.SortUsername
	}
	page, err := a.store.QueryGuests(store.GuestQuery{Status: q.Status, Sort: sortBy, Query: q.Query, Page: q.Page, PerPage: q.PerPage})
	if err != nil {
		return nil, err
	}
	out := &GuestList{Guests: []*Guest{}, Total: page.Total}
	if len(page.Guests) == 0 {
		return out, nil
	}
	ids := make([]string, 0, len(page.Guests))
	for _, g := range page.Guests {
		ids = append(ids, g.UserID)
	}
	users, appErr := a.api.GetUsersByIds(ids)
	if appErr != nil {
		return nil, appErr
	}
	byID := make(map[string]*model.User, len(users))
	for _, u := range users {
		byID[u.Id] = u
	}
	// Core keeps the last activity in the user's status, not the user.
	activity := map[string]int64{}
	if statuses, appErr := a.api.GetUserStatusesByIds(ids); appErr == nil {
		for _, st := range statuses {
			activity[st.UserId] = st.LastActivityAt
		}
	}
	for _, g := range page.Guests {
		u := byID[g.UserID]
		if u == nil {
			continue
		}
		v := a.guestView(g, u)
		v.LastActivityAt = activity[g.UserID]
		out.Guests = append(out.Guests, v)
	}
	return out, nil
}

// guestCountsForStats fills the stats' counts from the counters; false
// when the indexes are not built yet.
func (a *App) guestCountsForStats(st *Stats) (mfaOverride, ok bool, err error) {
	c, err := a.store.GuestCounts()
	if errors.Is(err, store.ErrIndexNotReady) {
		return false, false, nil
	}
	if err != nil {
		return false, false, err
	}
	st.DeactivatedGuests = c.Deactivated
	return c.MFARequired, true, nil
}

// pendingFromIndex counts open invitations from the counter; false when
// the indexes are not built yet.
func (a *App) pendingFromIndex() (int, bool) {
	n, err := a.store.PendingInvites(a.Now().UnixMilli())
	if err != nil {
		if !errors.Is(err, store.ErrIndexNotReady) {
			a.api.LogWarn("Guest Accounts: could not count open invitations from the index", "error", err.Error())
		}
		return 0, false
	}
	return n, true
}

// registryActiveCount is the number of active guests in the registry, from
// the index counter; false when the indexes are not built yet.
func (a *App) registryActiveCount() (int, bool, error) {
	c, err := a.store.GuestCounts()
	if errors.Is(err, store.ErrIndexNotReady) {
		return 0, false, nil
	}
	return c.Active, err == nil, err
}

// forEachGuestIDIndexed calls fn for the guests that are active (status
// store.StatusActive) or deactivated for one of reasons; false when the
// indexes are not built yet (the caller walks the registry).
func (a *App) forEachGuestIDIndexed(status string, reasons []string, fn func(id string) error) (bool, error) {
	err := a.store.ForEachGuestID(status, reasons, fn)
	if errors.Is(err, store.ErrIndexNotReady) {
		return false, nil
	}
	return true, err
}

// InviteListQuery is GET /invites.
type InviteListQuery struct {
	Status  string
	Query   string
	Page    int
	PerPage int
}

// InviteList is one page of invitations.
type InviteList struct {
	Invites []*InviteView `json:"invites"`
	Total   int           `json:"total"`
}

// listInvitesIndexed is ListInvites from the indexes (an inviter's own
// through the per-inviter family).
func (a *App) listInvitesIndexed(actorID string, isAdmin bool, q InviteListQuery) (*InviteList, error) {
	sq := store.InviteQuery{Status: q.Status, Query: q.Query, Page: q.Page, PerPage: q.PerPage}
	if !isAdmin {
		sq.InviterID = actorID
	}
	page, err := a.store.QueryInvites(sq)
	if err != nil {
		return nil, err
	}
	out := &InviteList{Invites: make([]*InviteView, 0, len(page.Invites)), Total: page.Total}
	for _, inv := range page.Invites {
		v := a.inviteView(inv)
		if v.Status == store.InviteAccepting {
			v.Status = store.InvitePending
		}
		out.Invites = append(out.Invites, v)
	}
	return out, nil
}

// AuditQuery is GET /audit.
type AuditQuery = store.AuditQuery

// AuditList is one page of the audit log.
type AuditList struct {
	Entries []store.AuditEntry `json:"entries"`
	Total   int                `json:"total"`
}

// QueryAudit returns one page of the audit log and how many entries match.
func (a *App) QueryAudit(q AuditQuery) (*AuditList, error) {
	page, err := a.store.QueryAudit(q)
	if err != nil {
		return nil, err
	}
	return &AuditList{Entries: page.Entries, Total: page.Total}, nil
}

// StartIndexJob runs the store's index upkeep every minute, once across
// the cluster; the first run (which builds the indexes after an upgrade)
// starts at once, in the background.
func (a *App) StartIndexJob() error {
	job, err := jobs.Schedule(a.api, jobs.IndexKey, indexMaintenanceInterval, a.maintainIndexes)
	if err != nil {
		return err
	}
	a.background.Add(1)
	go func() {
		defer a.background.Done()
		<-a.stop
		_ = job.Close()
	}()
	return nil
}

func (a *App) maintainIndexes() {
	rep, err := a.store.MaintainIndexes()
	if err != nil {
		a.api.LogError("Guest Accounts: index upkeep failed; the next run retries", "error", err.Error())
		return
	}
	if rep.Built || rep.Repaired > 0 {
		a.api.LogInfo("Guest Accounts: indexes built or repaired", "built", rep.Built, "repaired", rep.Repaired, "recounted", rep.Recounted)
	}
}

// guestIDsWith lists the guests that are active (status
// store.StatusActive) or deactivated for one of reasons: from the status
// index, or (until the indexes are built) by walking the registry.
func (a *App) guestIDsWith(status string, reasons []string) ([]string, error) {
	var ids []string
	collect := func(id string) error {
		ids = append(ids, id)
		return nil
	}
	ok, err := a.forEachGuestIDIndexed(status, reasons, collect)
	if ok || err != nil {
		return ids, err
	}
	err = a.store.ForEachGuest(func(g *store.Guest) error {
		if (status == store.StatusActive && g.Deactivated == store.ReasonNone) || (g.Deactivated != store.ReasonNone && slices.Contains(reasons, g.Deactivated)) {
			ids = append(ids, g.UserID)
		}
		return nil
	})
	return ids, err
}

// reconciledEditionKey holds the edition and guest system role the last
// full role check ran for.
const reconciledEditionKey = "reconcile/edition"

// editionName names what decides every guest's role: the edition and the
// system role guests hold outside role windows. A change of either (a
// licence, a new dedicated role) makes the next activation check every
// guest once.
func (a *App) editionName() string {
	edition := "unlicensed"
	if a.Licensed() {
		edition = "licensed"
	}
	return edition + "/" + a.members.GuestSystemRole()
}

// roleRepairScope decides what activation checks for wrong roles. The
// whole registry (walk) when a repair is due: the indexes were never built
// or a write was interrupted (a crash), or the edition changed since the
// last full check. Otherwise, on an unlicensed server, only the users core
// lists with the system_guest role: a guest has it only inside a role
// window, so those are exactly the guests a crash left mid-window (one
// query to core, not one per guest). A licensed server in steady state
// needs no check.
func (a *App) roleRepairScope() (candidates []string, walk bool, err error) {
	due, err := a.store.RepairDue()
	if err != nil {
		return nil, false, err
	}
	last, appErr := a.api.KVGet(reconciledEditionKey)
	if appErr != nil {
		return nil, false, appErr
	}
	if due || string(last) != a.editionName() {
		return nil, true, nil
	}
	if a.Licensed() {
		return nil, false, nil
	}
	for page := 0; ; page++ {
		users, appErr := a.api.GetUsers(&model.UserGetOptions{Role: model.SystemGuestRoleId, Page: page, PerPage: 200})
		if appErr != nil {
			return nil, false, appErr
		}
		for _, u := range users {
			if _, err := a.store.GetGuest(u.Id); err == nil {
				candidates = append(candidates, u.Id)
			}
		}
		if len(users) < 200 {
			return candidates, false, nil
		}
	}
}

// reconciledEdition records that the whole registry was checked for this
// edition.
func (a *App) reconciledEdition() {
	if appErr := a.api.KVSet(reconciledEditionKey, []byte(a.editionName())); appErr != nil {
		a.api.LogWarn("Guest Accounts: could not record the role check; the next activation checks every guest again", "error", appErr.Error())
	}
}

// repairIndexesIfDue finishes, at activation, index writes a crash
// interrupted (cheap: the marked records only), so the counters the
// recount compares with are exact. A first build is left to the
// background job (it reads every record).
func (a *App) repairIndexesIfDue() {
	if !a.store.IndexReady() {
		return
	}
	if due, err := a.store.RepairDue(); err != nil || !due {
		return
	}
	a.maintainIndexes()
}

// MaintainIndexesNow runs the index upkeep at once (POST /jobs/index/run).
func (a *App) MaintainIndexesNow() (store.IndexReport, error) {
	return a.store.MaintainIndexes()
}

// forEachGuestDueBy calls fn for the guests whose expiry date (or reminder)
// may be due by until: from the expiry index, or (until the indexes are
// built) every record.
func (a *App) forEachGuestDueBy(until int64, fn func(*store.Guest) error) error {
	err := a.store.ForEachGuestExpiringBy(until, fn)
	if errors.Is(err, store.ErrIndexNotReady) {
		return a.store.ForEachGuest(fn)
	}
	return err
}

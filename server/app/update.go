package app

import (
	"errors"
	"sort"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// GuestPatch is PATCH /guests/{id}: only the fields present change.
type GuestPatch struct {
	ExpiresAt        *int64            `json:"expires_at"`
	SingleChannel    *bool             `json:"single_channel"`
	Restrictions     *policy.Overrides `json:"restrictions"`
	AddChannelIDs    []string          `json:"add_channel_ids"`
	RemoveChannelIDs []string          `json:"remove_channel_ids"`
	// RequireMFA: true or false overrides the MFA settings for the guest,
	// null follows them again; absent leaves it unchanged.
	RequireMFA OptionalBool `json:"require_mfa"`
}

// UpdateGuest edits a guest's expiry, restrictions and channels. The new
// record is computed under the user lock from the record as it is then, and
// checked there before any membership changes: a change made meanwhile (an
// invitation accepted, a join converted, another edit) is kept, not
// overwritten by a copy read earlier.
func (a *App) UpdateGuest(actorID, userID string, p GuestPatch) (*Guest, error) {
	var (
		out     *Guest
		added   []string
		details string
	)
	err := func() error {
		if !policy.PlainID(userID) {
			return errBadRequest("invalid_user_id", "user_id", "%q is not a valid user id.", userID)
		}
		if p.ExpiresAt != nil {
			if *p.ExpiresAt < 0 || (*p.ExpiresAt != 0 && *p.ExpiresAt <= a.Now().UnixMilli()) {
				return errBadRequest("invalid_expires_at", "expires_at", "expires_at: must be in the future (Unix milliseconds), or 0 for never.")
			}
		}
		if err := a.checkChannelsExist(p.AddChannelIDs); err != nil {
			return err
		}
		for _, id := range p.RemoveChannelIDs {
			if !policy.PlainID(id) {
				return errBadRequest("invalid_remove_channel_id", "remove_channel_ids", "remove_channel_ids: %q is not a valid channel id.", id)
			}
		}
		return a.members.WithUserLock(userID, func() error {
			g, err := a.getGuest(userID)
			if err != nil {
				return err
			}
			before := cloneGuest(g)
			channels := without(g.ChannelIDs, p.RemoveChannelIDs)
			for _, id := range p.AddChannelIDs {
				if !contains(channels, id) {
					channels = append(channels, id)
				}
			}
			single := g.SingleChannel
			if p.SingleChannel != nil {
				single = *p.SingleChannel
			}
			if single && len(channels) > 1 {
				return errConflict("single_channel_update", "A single-channel guest can be in one channel only; remove a channel first or turn single-channel off.")
			}
			if max := a.settings().MaxChannelsPerGuest; max > 0 && len(channels) > max {
				return errConflict("too_many_channels_update", "A guest may be in at most %d channels.", max)
			}
			if len(p.RemoveChannelIDs) > 0 {
				if err := a.members.RemoveChannelsLocked(userID, p.RemoveChannelIDs); err != nil {
					return err
				}
			}
			if len(p.AddChannelIDs) > 0 {
				if added, err = a.members.AddChannelsLocked(userID, p.AddChannelIDs, channels); err != nil {
					return err
				}
			}
			g.ChannelIDs = channels
			g.SingleChannel = single
			if p.ExpiresAt != nil && *p.ExpiresAt != g.ExpiresAt {
				g.ExpiresAt = *p.ExpiresAt
				g.ReminderSentAt = 0
			}
			if p.Restrictions != nil {
				g.Restrictions = *p.Restrictions
			}
			if p.RequireMFA.Set {
				g.RequireMFA = p.RequireMFA.Value
			}
			if err := a.store.SaveGuest(g); err != nil {
				return err
			}
			details = updateDetails(before, g)
			u, appErr := a.api.GetUser(userID)
			if appErr != nil {
				return appErr
			}
			out = a.guestView(g, u)
			return nil
		})
	}()
	if err != nil && details == "" {
		details = patchDetails(p)
	}
	a.Audit(actorID, "update_guest", userID, result(err), details)
	if len(added) > 0 {
		if u, appErr := a.api.GetUser(userID); appErr == nil && err == nil {
			a.postSystemMessage(added, a.Tr("", "guest_accounts.notice.was_added_as_guest", "%s was added as a guest.", noticeName(u)))
		}
		// Removals are published by the leave hook (GuestLeftChannel), as
		// for every removal; the plugin's own additions are not judged by
		// the join hook, so they are published here.
		a.publishChannelGuestsChanged(added...)
	}
	if err == nil && p.ExpiresAt != nil {
		// A later date (or none) brings back a guest who had expired.
		out = a.reactivateIfExtended(actorID, userID, out)
	}
	if err == nil {
		a.publishGuestsChanged(userID)
	}
	return out, err
}

func contains(list []string, id string) bool {
	for _, x := range list {
		if x == id {
			return true
		}
	}
	return false
}

func without(list, remove []string) []string {
	out := []string{}
	for _, x := range list {
		if !contains(remove, x) {
			out = append(out, x)
		}
	}
	return out
}

// ListQuery filters and pages the guest list.
type ListQuery struct {
	Query   string
	Status  string // "", active, deactivated, expiring
	Sort    string // username (default), last_activity, expires_at, created_at
	Page    int
	PerPage int
}

// GuestList is one page of guests.
type GuestList struct {
	Guests []*Guest `json:"guests"`
	Total  int      `json:"total"`
}

// ListGuests searches the registry. Users are fetched in batches.
func (a *App) ListGuests(q ListQuery) (*GuestList, error) {
	switch q.Status {
	case "", "active", "deactivated", "expiring":
	default:
		return nil, errBadRequest("invalid_status", "status", "status: one of active, deactivated, expiring.")
	}
	switch q.Sort {
	case "", "username", "last_activity", "expires_at", "created_at":
	default:
		return nil, errBadRequest("invalid_sort", "sort", "sort: one of username, last_activity, expires_at, created_at.")
	}
	if q.PerPage <= 0 {
		q.PerPage = 50
	}
	if q.PerPage > 200 || q.Page < 0 || q.Page > 100000 {
		return nil, errBadRequest("invalid_paging", "per_page", "per_page: 1 to 200; page: 0 or more.")
	}
	q.Query = strings.TrimPrefix(strings.TrimSpace(q.Query), "@")
	if out, err := a.listGuestsIndexed(q); !errors.Is(err, store.ErrIndexNotReady) {
		return out, err
	}
	// Indexes not built yet (just upgraded): walk the registry.
	var records []*store.Guest
	if err := a.store.ForEachGuest(func(g *store.Guest) error {
		records = append(records, g)
		return nil
	}); err != nil {
		return nil, err
	}
	users := map[string]*model.User{}
	for i := 0; i < len(records); i += 100 {
		ids := []string{}
		for _, g := range records[i:min(i+100, len(records))] {
			ids = append(ids, g.UserID)
		}
		batch, appErr := a.api.GetUsersByIds(ids)
		if appErr != nil {
			return nil, appErr
		}
		for _, u := range batch {
			users[u.Id] = u
		}
	}
	query := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(q.Query, "@")))
	var list []*Guest
	for _, g := range records {
		u := users[g.UserID]
		if u == nil {
			continue
		}
		v := a.guestView(g, u)
		if q.Status == "active" && v.Status != "active" || q.Status == "deactivated" && v.Status != "deactivated" || q.Status == "expiring" && v.ExpiresAt == 0 {
			continue
		}
		if query != "" && !strings.Contains(strings.ToLower(u.Username+" "+u.Email+" "+u.FirstName+" "+u.LastName+" "+u.Nickname), query) {
			continue
		}
		list = append(list, v)
	}
	sort.SliceStable(list, func(i, j int) bool {
		switch q.Sort {
		case "last_activity":
			return list[i].LastActivityAt > list[j].LastActivityAt
		case "expires_at":
			ei, ej := list[i].ExpiresAt, list[j].ExpiresAt
			if (ei == 0) != (ej == 0) {
				return ej == 0
			}
			return ei < ej
		case "created_at":
			return list[i].CreatedAt > list[j].CreatedAt
		default:
			return list[i].Username < list[j].Username
		}
	})
	out := &GuestList{Guests: []*Guest{}, Total: len(list)}
	start := q.Page * q.PerPage
	if start < len(list) {
		out.Guests = list[start:min(start+q.PerPage, len(list))]
	}
	return out, nil
}

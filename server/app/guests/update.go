package guests

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"sort"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// GuestPatch is PATCH /guests/{id}: only the fields present change.
type GuestPatch struct {
	ExpiresAt        *int64                  `json:"expires_at"`
	SingleChannel    *bool                   `json:"single_channel"`
	Restrictions     *policy.StrictOverrides `json:"restrictions"`
	AddChannelIDs    []string                `json:"add_channel_ids"`
	RemoveChannelIDs []string                `json:"remove_channel_ids"`
	// RequireMFA: true or false overrides the MFA settings for the guest,
	// null follows them again; absent leaves it unchanged.
	RequireMFA OptionalBool `json:"require_mfa"`
}

// settings are the per-guest settings the patch asks for, and which of
// them it sets (policy.GuestFields; a test checks every field is here).
func (p GuestPatch) settings() (policy.GuestSettings, func(key string) bool) {
	var asked policy.GuestSettings
	present := map[string]bool{}
	if p.ExpiresAt != nil {
		asked.ExpiresAt, present["expires_at"] = *p.ExpiresAt, true
	}
	if p.SingleChannel != nil {
		asked.SingleChannel, present["single_channel"] = *p.SingleChannel, true
	}
	if p.Restrictions != nil {
		asked.Restrictions, present["restrictions"] = policy.Overrides(*p.Restrictions), true
	}
	if p.RequireMFA.Set {
		asked.RequireMFA, present["require_mfa"] = p.RequireMFA.Value, true
	}
	return asked, func(key string) bool { return present[key] }
}

// UpdateGuest edits a guest's expiry, restrictions and channels. The new
// record is computed under the user lock from the record as it is then, and
// checked there before any membership changes: a change made meanwhile (an
// invitation accepted, a join converted, another edit) is kept, not
// overwritten by a copy read earlier.
func (s *Service) UpdateGuest(actorID, userID string, p GuestPatch) (*Guest, error) {
	var (
		out     *Guest
		added   []string
		details string
	)
	err := func() error {
		if !policy.PlainID(userID) {
			return app.ErrBadRequest("invalid_user_id", "user_id", "%q is not a valid user id.", userID)
		}
		if p.ExpiresAt != nil {
			if *p.ExpiresAt < 0 || (*p.ExpiresAt != 0 && *p.ExpiresAt <= s.kit.Now().UnixMilli()) {
				return app.ErrBadRequest("invalid_expires_at", "expires_at", "expires_at: must be in the future (Unix milliseconds), or 0 for never.")
			}
		}
		if err := s.CheckChannels(p.AddChannelIDs); err != nil {
			return err
		}
		for _, id := range p.RemoveChannelIDs {
			if !policy.PlainID(id) {
				return app.ErrBadRequest("invalid_remove_channel_id", "remove_channel_ids", "remove_channel_ids: %q is not a valid channel id.", id)
			}
		}
		return s.members.WithUserLock(userID, func() error {
			g, err := s.getGuest(userID)
			if err != nil {
				return err
			}
			before := g.Clone()
			channels := app.Without(g.ChannelIDs, p.RemoveChannelIDs)
			for _, id := range p.AddChannelIDs {
				if !slices.Contains(channels, id) {
					channels = append(channels, id)
				}
			}
			single := g.SingleChannel
			if p.SingleChannel != nil {
				single = *p.SingleChannel
			}
			if single && len(channels) > 1 {
				return app.ErrConflict("single_channel_update", "A single-channel guest can be in one channel only; remove a channel first or turn single-channel off.")
			}
			if most := s.kit.Settings().MaxChannelsPerGuest; most > 0 && len(channels) > most {
				return app.ErrConflict("too_many_channels_update", "A guest may be in at most %d channels.", most)
			}
			if len(p.RemoveChannelIDs) > 0 {
				if err := s.members.RemoveChannelsLocked(userID, p.RemoveChannelIDs); err != nil {
					return err
				}
			}
			if len(p.AddChannelIDs) > 0 {
				if added, err = s.members.AddChannelsLocked(userID, p.AddChannelIDs, channels); err != nil {
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
				g.Restrictions = policy.Overrides(*p.Restrictions)
			}
			if p.RequireMFA.Set {
				g.RequireMFA = p.RequireMFA.Value
			}
			if err := s.store.SaveGuest(g); err != nil {
				return err
			}
			details = updateDetails(before, g)
			u, appErr := s.api.GetUser(userID)
			if appErr != nil {
				return appErr
			}
			out = s.View(g, u)
			return nil
		})
	}()
	if err != nil && details == "" {
		details = patchDetails(p)
	}
	s.kit.Audit(actorID, "update_guest", userID, app.Result(err), details)
	if len(added) > 0 {
		if u, appErr := s.api.GetUser(userID); appErr == nil && err == nil {
			s.kit.PostSystemMessage(added, s.kit.Tr("", "guest_accounts.notice.was_added_as_guest", "%s was added as a guest.", app.NoticeName(u)))
		}
		// Removals are published by the leave hook (GuestLeftChannel), as
		// for every removal; the plugin's own additions are not judged by
		// the join hook, so they are published here.
		s.kit.PublishChannelGuestsChanged(added...)
	}
	if err == nil && p.ExpiresAt != nil {
		// A later date (or none) brings back a guest who had expired.
		out = s.reactivateIfExtended(actorID, userID, out)
	}
	if err == nil {
		s.kit.PublishGuestsChanged(userID)
	}
	return out, err
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
	// TotalCapped: a search matched more than total (it stops counting).
	TotalCapped bool `json:"total_capped,omitempty"`
}

// ListGuests searches the registry. Users are fetched in batches.
func (s *Service) ListGuests(q ListQuery) (*GuestList, error) {
	switch q.Status {
	case "", "active", "deactivated", "expiring":
	default:
		return nil, app.ErrBadRequest("invalid_status", "status", "status: one of active, deactivated, expiring.")
	}
	switch q.Sort {
	case "", "username", "last_activity", "expires_at", "created_at":
	default:
		return nil, app.ErrBadRequest("invalid_sort", "sort", "sort: one of username, last_activity, expires_at, created_at.")
	}
	if q.PerPage <= 0 {
		q.PerPage = 50
	}
	if q.PerPage > 200 || q.Page < 0 || q.Page > 100000 {
		return nil, app.ErrBadRequest("invalid_paging", "per_page", "per_page: 1 to 200; page: 0 or more.")
	}
	q.Query = strings.TrimPrefix(strings.TrimSpace(q.Query), "@")
	if out, err := s.listGuestsIndexed(q); !errors.Is(err, store.ErrIndexNotReady) {
		return out, err
	}
	// The indexes are not built yet (just upgraded): read the registry.
	var records []*store.Guest
	if err := s.store.ForEachGuest(func(g *store.Guest) error {
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
		batch, appErr := s.api.GetUsersByIds(ids)
		if appErr != nil {
			return nil, appErr
		}
		for _, u := range batch {
			users[u.Id] = u
		}
	}
	var list []*Guest
	for _, g := range records {
		u := users[g.UserID]
		if u == nil {
			continue
		}
		v := s.View(g, u)
		if q.Status == "active" && v.Status != "active" || q.Status == "deactivated" && v.Status != "deactivated" || q.Status == "expiring" && v.ExpiresAt == 0 {
			continue
		}
		if !store.TextMatches(u.Username+" "+u.Email+" "+u.FirstName+" "+u.LastName+" "+u.Nickname, q.Query) {
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

// OptionalBool is a JSON field that tells absent (Set false: unchanged)
// from null (Set, Value nil: follow the settings) and true/false.
type OptionalBool struct {
	Set   bool
	Value *bool
}

// UnmarshalJSON records that the field was present; encoding/json calls it
// for null too.
func (o *OptionalBool) UnmarshalJSON(b []byte) error {
	o.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		o.Value = nil
		return nil
	}
	var v bool
	if err := json.Unmarshal(b, &v); err != nil {
		return app.ErrBadRequest("invalid_require_mfa", "require_mfa", "require_mfa: true, false, or null to follow the settings.")
	}
	o.Value = &v
	return nil
}

// MarshalJSON writes the value (null when unset or following the settings).
func (o OptionalBool) MarshalJSON() ([]byte, error) {
	return json.Marshal(o.Value)
}

// ChannelCapError explains why a guest may not have n channels (nil = may).
func (s *Service) ChannelCapError(g *store.Guest, n int) *app.Error {
	if g.SingleChannel && n > 1 {
		return app.ErrConflict("channel_cap_single", "This is a single-channel guest: they can be in one channel only.")
	}
	if most := s.kit.Settings().MaxChannelsPerGuest; most > 0 && n > most {
		return app.ErrConflict("channel_cap", "A guest may be in at most %d channels (\"Maximum channels per guest\").", most)
	}
	return nil
}

// AddChannels adds channels to an existing guest and records them.
func (s *Service) AddChannels(u *model.User, channelIDs []string) ([]string, error) {
	g, err := s.store.GetGuest(u.Id)
	if err != nil {
		return nil, err
	}
	added, err := s.members.AddChannels(u.Id, channelIDs, g.ChannelIDs)
	if err != nil {
		return nil, err
	}
	err = s.members.WithUserLock(u.Id, func() error {
		g, err := s.store.GetGuest(u.Id)
		if err != nil {
			return err
		}
		g.ChannelIDs = app.Union(g.ChannelIDs, added)
		return s.store.SaveGuest(g)
	})
	if err == nil {
		s.kit.PostSystemMessage(added, s.kit.Tr("", "guest_accounts.notice.was_added_as_guest", "%s was added as a guest.", app.NoticeName(u)))
		s.kit.PublishChannelGuestsChanged(added...)
	}
	return added, err
}

// reactivateIfExtended brings back a guest the expiry job deactivated once
// their date was moved into the future or removed (PATCH /guests/{id},
// /guest expire). Activate checks the cap and the domain list; if it
// refuses, the new date stays and the guest stays deactivated (an admin can
// reactivate them when there is room).
func (s *Service) reactivateIfExtended(actorID, userID string, view *Guest) *Guest {
	if view == nil || view.DeactivatedReason != store.ReasonExpired {
		return view
	}
	if view.ExpiresAt != 0 && view.ExpiresAt <= s.kit.Now().UnixMilli() {
		return view
	}
	out, err := s.Activate(actorID, userID, store.ReasonExpired)
	if err != nil {
		s.api.LogWarn("Guest Accounts: the expiry date was extended but the guest could not be reactivated", "user_id", userID, "error", err.Error())
		return view
	}
	return out
}

package guests

import (
	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// listGuestsIndexed is ListGuests from the store's indexes
// (store/kvstore/guestindex.go): one range query for the page, then the
// page's records, users and statuses. store.ErrIndexNotReady until the
// indexes are built.
func (s *Service) listGuestsIndexed(q ListQuery) (*GuestList, error) {
	sortBy := q.Sort
	if sortBy == "" {
		sortBy = store.SortUsername
	}
	page, err := s.store.QueryGuests(store.GuestQuery{Status: q.Status, Sort: sortBy, Query: q.Query, Page: q.Page, PerPage: q.PerPage})
	if err != nil {
		return nil, err
	}
	out := &GuestList{Guests: []*Guest{}, Total: page.Total, TotalCapped: page.TotalCapped}
	if len(page.Guests) == 0 {
		return out, nil
	}
	ids := make([]string, 0, len(page.Guests))
	for _, g := range page.Guests {
		ids = append(ids, g.UserID)
	}
	users, appErr := s.api.GetUsersByIds(ids)
	if appErr != nil {
		return nil, appErr
	}
	byID := make(map[string]*model.User, len(users))
	for _, u := range users {
		byID[u.Id] = u
	}
	// Core keeps the last activity in the user's status, not the user.
	activity := map[string]int64{}
	if statuses, appErr := s.api.GetUserStatusesByIds(ids); appErr == nil {
		for _, st := range statuses {
			activity[st.UserId] = st.LastActivityAt
		}
	}
	for _, g := range page.Guests {
		u := byID[g.UserID]
		if u == nil {
			continue
		}
		v := s.View(g, u)
		v.LastActivityAt = activity[g.UserID]
		out.Guests = append(out.Guests, v)
	}
	return out, nil
}

package api

import (
	"net/http"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app/guests"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

func (h *Handler) listGuests(w http.ResponseWriter, r *http.Request) {
	page, perPage, e := paging(r)
	if e != nil {
		writeError(w, e)
		return
	}
	q := r.URL.Query()
	res, err := h.guests.ListGuests(guests.ListQuery{Query: q.Get("query"), Status: q.Get("status"), Sort: q.Get("sort"), Page: page, PerPage: perPage})
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (h *Handler) createGuest(w http.ResponseWriter, r *http.Request) {
	var req guests.CreateGuestRequest
	if e := decodeBody(r, &req); e != nil {
		writeError(w, e)
		return
	}
	g, err := h.guests.CreateGuest(userID(r), req)
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, g)
}

func (h *Handler) getGuest(_, id string, _ *http.Request) (any, error) {
	return h.guests.GetGuest(id)
}

func (h *Handler) patchGuest(actorID, id string, r *http.Request) (any, error) {
	var p guests.GuestPatch
	if e := decodeBody(r, &p); e != nil {
		return nil, e
	}
	return h.guests.UpdateGuest(actorID, id, p)
}

func (h *Handler) promoteGuest(actorID, id string, _ *http.Request) (any, error) {
	if err := h.guests.Promote(actorID, id); err != nil {
		return nil, err
	}
	return map[string]string{"user_id": id, "status": "promoted"}, nil
}

func (h *Handler) deactivateGuest(actorID, id string, _ *http.Request) (any, error) {
	return h.guests.Deactivate(actorID, id, "admin")
}

func (h *Handler) activateGuest(actorID, id string, _ *http.Request) (any, error) {
	return h.guests.Activate(actorID, id, "")
}

type demoteRequest struct {
	ChannelIDs *[]string `json:"channel_ids"`
}

func (h *Handler) demoteUser(actorID, id string, r *http.Request) (any, error) {
	var req demoteRequest
	if e := decodeOptionalBody(r, &req); e != nil {
		return nil, e
	}
	var keep []string
	if req.ChannelIDs != nil {
		keep = append([]string{}, (*req.ChannelIDs)...)
	}
	return h.guests.Demote(actorID, id, keep)
}

func (h *Handler) listAudit(w http.ResponseWriter, r *http.Request) {
	page, perPage, e := paging(r)
	if e != nil {
		writeError(w, e)
		return
	}
	since, e := queryInt(r, "since", 0)
	if e != nil {
		writeError(w, e)
		return
	}
	if perPage == 0 || perPage > 200 {
		writeError(w, newError(http.StatusBadRequest, "invalid_per_page", "per_page must be 1 to 200."))
		return
	}
	sortBy := r.URL.Query().Get("sort")
	if sortBy != "" && sortBy != "newest" && sortBy != "oldest" {
		writeError(w, newError(http.StatusBadRequest, "invalid_sort", "sort must be newest or oldest."))
		return
	}
	list, err := h.guests.QueryAudit(store.AuditQuery{Since: int64(since), Query: r.URL.Query().Get("query"), Oldest: sortBy == "oldest", Page: page, PerPage: perPage})
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, list)
}

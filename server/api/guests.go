package api

import (
	"net/http"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
)

func (h *Handler) listGuests(w http.ResponseWriter, r *http.Request) {
	page, e := queryInt(r, "page", 0)
	if e != nil {
		writeError(w, e)
		return
	}
	perPage, e := queryInt(r, "per_page", 50)
	if e != nil {
		writeError(w, e)
		return
	}
	q := r.URL.Query()
	res, err := h.app.ListGuests(app.ListQuery{Query: q.Get("query"), Status: q.Get("status"), Sort: q.Get("sort"), Page: page, PerPage: perPage})
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (h *Handler) createGuest(w http.ResponseWriter, r *http.Request) {
	var req app.CreateGuestRequest
	if e := decodeBody(r, &req); e != nil {
		writeError(w, e)
		return
	}
	g, err := h.app.CreateGuest(userID(r), req)
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, g)
}

func (h *Handler) getGuest(w http.ResponseWriter, r *http.Request) {
	id, e := pathID(r, "user_id")
	if e != nil {
		writeError(w, e)
		return
	}
	g, err := h.app.GetGuest(id)
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, g)
}

func (h *Handler) patchGuest(w http.ResponseWriter, r *http.Request) {
	id, e := pathID(r, "user_id")
	if e != nil {
		writeError(w, e)
		return
	}
	var p app.GuestPatch
	if e := decodeBody(r, &p); e != nil {
		writeError(w, e)
		return
	}
	g, err := h.app.UpdateGuest(userID(r), id, p)
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, g)
}

func (h *Handler) promoteGuest(w http.ResponseWriter, r *http.Request) {
	id, e := pathID(r, "user_id")
	if e != nil {
		writeError(w, e)
		return
	}
	if err := h.app.Promote(userID(r), id); err != nil {
		h.writeAppError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"user_id": id, "status": "promoted"})
}

func (h *Handler) deactivateGuest(w http.ResponseWriter, r *http.Request) {
	id, e := pathID(r, "user_id")
	if e != nil {
		writeError(w, e)
		return
	}
	g, err := h.app.Deactivate(userID(r), id, "admin")
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, g)
}

func (h *Handler) activateGuest(w http.ResponseWriter, r *http.Request) {
	id, e := pathID(r, "user_id")
	if e != nil {
		writeError(w, e)
		return
	}
	g, err := h.app.Activate(userID(r), id, "")
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, g)
}

type demoteRequest struct {
	ChannelIDs *[]string `json:"channel_ids"`
}

func (h *Handler) demoteUser(w http.ResponseWriter, r *http.Request) {
	id, e := pathID(r, "user_id")
	if e != nil {
		writeError(w, e)
		return
	}
	var req demoteRequest
	if e := decodeOptionalBody(r, &req); e != nil {
		writeError(w, e)
		return
	}
	var keep []string
	if req.ChannelIDs != nil {
		keep = append([]string{}, (*req.ChannelIDs)...)
	}
	g, err := h.app.Demote(userID(r), id, keep)
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, g)
}

func (h *Handler) listAudit(w http.ResponseWriter, r *http.Request) {
	page, e := queryInt(r, "page", 0)
	if e != nil {
		writeError(w, e)
		return
	}
	perPage, e := queryInt(r, "per_page", 50)
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
	entries, err := h.app.ListAudit(int64(since), page, perPage)
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": entries})
}

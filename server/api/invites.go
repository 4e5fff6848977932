package api

import (
	"net/http"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
)

type invitesResponse struct {
	Results []app.InviteResult `json:"results"`
}

func (h *Handler) createInvites(w http.ResponseWriter, r *http.Request) {
	var req app.InviteRequest
	if e := decodeBody(r, &req); e != nil {
		writeError(w, e)
		return
	}
	results, err := h.app.CreateInvites(userID(r), req)
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, invitesResponse{Results: results})
}

func (h *Handler) listInvites(w http.ResponseWriter, r *http.Request) {
	list, err := h.app.ListInvites(userID(r), r.URL.Query().Get("status"))
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"invites": list})
}

func (h *Handler) resendInvite(w http.ResponseWriter, r *http.Request) {
	id, e := pathID(r, "id")
	if e != nil {
		writeError(w, e)
		return
	}
	v, err := h.app.ResendInvite(userID(r), id)
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (h *Handler) revokeInvite(w http.ResponseWriter, r *http.Request) {
	id, e := pathID(r, "id")
	if e != nil {
		writeError(w, e)
		return
	}
	v, err := h.app.RevokeInvite(userID(r), id)
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

type lookupRequest struct {
	UserIDs []string `json:"user_ids"`
}

func (h *Handler) lookupGuests(w http.ResponseWriter, r *http.Request) {
	var req lookupRequest
	if e := decodeBody(r, &req); e != nil {
		writeError(w, e)
		return
	}
	ids, err := h.app.LookupGuests(userID(r), req.UserIDs)
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"guest_ids": ids})
}

func (h *Handler) channelGuests(w http.ResponseWriter, r *http.Request) {
	id, e := pathID(r, "channel_id")
	if e != nil {
		writeError(w, e)
		return
	}
	res, err := h.app.ChannelGuests(userID(r), id)
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

package api

import (
	"net/http"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app/invites"
)

type invitesResponse struct {
	Results []invites.InviteResult `json:"results"`
}

func (h *Handler) createInvites(w http.ResponseWriter, r *http.Request) {
	var req invites.InviteRequest
	if e := decodeBody(r, &req); e != nil {
		writeError(w, e)
		return
	}
	results, err := h.invites.CreateInvites(userID(r), req)
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, invitesResponse{Results: results})
}

func (h *Handler) listInvites(w http.ResponseWriter, r *http.Request) {
	page, perPage, e := paging(r)
	if e != nil {
		writeError(w, e)
		return
	}
	q := r.URL.Query()
	list, err := h.invites.ListInvites(userID(r), invites.InviteListQuery{Status: q.Get("status"), Query: q.Get("query"), Page: page, PerPage: perPage})
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, list)
}

func (h *Handler) resendInvite(actorID, id string, _ *http.Request) (any, error) {
	return h.invites.ResendInvite(actorID, id)
}

func (h *Handler) revokeInvite(actorID, id string, _ *http.Request) (any, error) {
	return h.invites.RevokeInvite(actorID, id)
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
	ids, err := h.guests.LookupGuests(userID(r), req.UserIDs)
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"guest_ids": ids})
}

func (h *Handler) channelGuests(actorID, id string, _ *http.Request) (any, error) {
	return h.guests.ChannelGuests(actorID, id)
}

package api

import (
	"net/http"
)

func (h *Handler) getStats(w http.ResponseWriter, r *http.Request) {
	st, err := h.guests.Stats()
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (h *Handler) getMe(w http.ResponseWriter, r *http.Request) {
	me, err := h.guests.Me(userID(r))
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, me)
}

package api

import (
	"net/http"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app/rules"
)

// previewRules is the dry run of "apply the automatic guest rules to
// existing accounts": it lists who would become a guest and changes nothing.
func (h *Handler) previewRules(w http.ResponseWriter, r *http.Request) {
	p, err := h.rules.PreviewRules()
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// applyRules converts the accounts the admin confirmed from the preview.
func (h *Handler) applyRules(w http.ResponseWriter, r *http.Request) {
	var req rules.ApplyRulesRequest
	if e := decodeBody(r, &req); e != nil {
		writeError(w, e)
		return
	}
	results, err := h.rules.ApplyRules(userID(r), req)
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": results})
}

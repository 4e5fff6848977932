package api

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
)

// Error is the one error shape every endpoint answers with.
type Error struct {
	Status  int    `json:"-"`
	ID      string `json:"error_id"`
	Message string `json:"message"`

	// format and args rebuild Message in the requester's language.
	format string
	args   []any
}

func (e *Error) Error() string { return e.ID + ": " + e.Message }

// newError builds an API error from its id and English printf format (the
// catalog key is guest_accounts.api.<id>).
func newError(status int, id, format string, args ...any) *Error {
	return &Error{Status: status, ID: "guest_accounts.api." + id, Message: fmt.Sprintf(format, args...), format: format, args: args}
}

// localeWriter carries what writeError needs to answer in the requester's
// language: the user's Mattermost language, or the browser's
// Accept-Language for anonymous visitors (the signup page).
type localeWriter struct {
	http.ResponseWriter
	r   *http.Request
	kit Kit
}

func (lw *localeWriter) translator() app.Translator {
	return lw.kit.TranslatorFor(requestLocale(lw.kit, lw.r))
}

// requestLocale is the language of the request: core sets
// Mattermost-User-Id only for a valid session.
func requestLocale(a Kit, r *http.Request) string {
	if id := r.Header.Get("Mattermost-User-Id"); id != "" {
		return a.UserLocale(id)
	}
	if al := r.Header.Get("Accept-Language"); al != "" && len(al) < 200 {
		return al
	}
	return a.DefaultLocale()
}

// Common errors.
var (
	errUnauthorized = newError(http.StatusUnauthorized, "unauthorized", "You must be logged in to Mattermost.")
	errForbidden    = newError(http.StatusForbidden, "forbidden", "You do not have permission to do this.")
	errNotFound     = newError(http.StatusNotFound, "not_found", "No such endpoint.")
	errMethod       = newError(http.StatusMethodNotAllowed, "method_not_allowed", "This method is not allowed on this endpoint.")
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, e *Error) {
	if lw, ok := w.(*localeWriter); ok && e.format != "" && lw.kit != nil {
		local := *e
		local.Message = lw.translator()(e.ID, e.format, e.args...)
		e = &local
	}
	writeJSON(w, e.Status, e)
}

package api

import (
	"encoding/json"
	"net/http"
)

// Error is the one error shape every endpoint answers with.
type Error struct {
	Status  int    `json:"-"`
	ID      string `json:"error_id"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.ID + ": " + e.Message }

func newError(status int, id, message string) *Error {
	return &Error{Status: status, ID: "guest_accounts.api." + id, Message: message}
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
	writeJSON(w, e.Status, e)
}

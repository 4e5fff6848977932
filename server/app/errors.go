package app

import (
	"fmt"
	"net/http"
)

// Error is a use-case failure the caller may show: it carries the HTTP
// status, a stable id and a human message (naming the field where one is
// at fault).
type Error struct {
	Status  int
	ID      string
	Message string
	Field   string

	// format and args rebuild Message in another language: format is the
	// English printf format and ID the catalog key of its translations.
	format string
	args   []any
}

func (e *Error) Error() string { return e.Message }

// Localize returns the message in the language tr translates to.
func (e *Error) Localize(tr Translator) string {
	if tr == nil || e.format == "" {
		return e.Message
	}
	return tr(e.ID, e.format, e.args...)
}

// Format returns the English format and arguments Message was built from.
func (e *Error) Format() (string, []any) { return e.format, e.args }

// NewError builds an Error with a full catalog id.
func NewError(status int, id, field, format string, args ...any) *Error {
	return &Error{Status: status, ID: id, Field: field, Message: fmt.Sprintf(format, args...), format: format, args: args}
}

// ErrBadRequest refuses a request with a bad field (400).
func ErrBadRequest(id, field, format string, args ...any) *Error {
	return NewError(http.StatusBadRequest, "guest_accounts.app."+id, field, format, args...)
}

// ErrForbidden refuses what the actor may not do (403).
func ErrForbidden(id, format string, args ...any) *Error {
	return NewError(http.StatusForbidden, "guest_accounts.app."+id, "", format, args...)
}

// ErrNotFound says a thing does not exist, or not for the actor (404).
func ErrNotFound(id, format string, args ...any) *Error {
	return NewError(http.StatusNotFound, "guest_accounts.app."+id, "", format, args...)
}

// ErrConflict refuses what the current state does not allow (409).
func ErrConflict(id, format string, args ...any) *Error {
	return NewError(http.StatusConflict, "guest_accounts.app."+id, "", format, args...)
}

// ErrCapReached is returned when the maximum active guests is reached.
func ErrCapReached(limit int) *Error {
	return ErrConflict("cap_reached", "The maximum of %d active guests is reached. Deactivate a guest, or raise \"Maximum active guests\" in System Console > Plugins > Guest Accounts.", limit)
}

// ErrDisabled refuses what needs guest accounts switched on.
var ErrDisabled = ErrConflict("disabled", "Guest accounts are switched off. Turn on \"Enable guest accounts\" in System Console > Plugins > Guest Accounts.")

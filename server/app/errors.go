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

func newErr(status int, id, field, format string, args ...any) *Error {
	return &Error{Status: status, ID: id, Field: field, Message: fmt.Sprintf(format, args...), format: format, args: args}
}

func errBadRequest(id, field, format string, args ...any) *Error {
	return newErr(http.StatusBadRequest, "guest_accounts.app."+id, field, format, args...)
}

func errForbidden(id, format string, args ...any) *Error {
	return newErr(http.StatusForbidden, "guest_accounts.app."+id, "", format, args...)
}

func errNotFound(id, format string, args ...any) *Error {
	return newErr(http.StatusNotFound, "guest_accounts.app."+id, "", format, args...)
}

func errConflict(id, format string, args ...any) *Error {
	return newErr(http.StatusConflict, "guest_accounts.app."+id, "", format, args...)
}

// ErrCapReached is returned when the maximum active guests is reached.
func errCapReached(limit int) *Error {
	return errConflict("cap_reached", "The maximum of %d active guests is reached. Deactivate a guest, or raise \"Maximum active guests\" in System Console > Plugins > Guest Accounts.", limit)
}

var errDisabled = errConflict("disabled", "Guest accounts are switched off. Turn on \"Enable guest accounts\" in System Console > Plugins > Guest Accounts.")

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
}

func (e *Error) Error() string { return e.Message }

func errBadRequest(id, field, format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, ID: "guest_accounts.app." + id, Field: field, Message: fmt.Sprintf(format, args...)}
}

func errForbidden(id, format string, args ...any) *Error {
	return &Error{Status: http.StatusForbidden, ID: "guest_accounts.app." + id, Message: fmt.Sprintf(format, args...)}
}

func errNotFound(id, format string, args ...any) *Error {
	return &Error{Status: http.StatusNotFound, ID: "guest_accounts.app." + id, Message: fmt.Sprintf(format, args...)}
}

func errConflict(id, format string, args ...any) *Error {
	return &Error{Status: http.StatusConflict, ID: "guest_accounts.app." + id, Message: fmt.Sprintf(format, args...)}
}

// ErrCapReached is returned when the maximum active guests is reached.
func errCapReached(limit int) *Error {
	return &Error{Status: http.StatusConflict, ID: "guest_accounts.app.cap_reached",
		Message: fmt.Sprintf("The maximum of %d active guests is reached. Deactivate a guest, or raise \"Maximum active guests\" in System Console > Plugins > Guest Accounts.", limit)}
}

var errDisabled = &Error{Status: http.StatusConflict, ID: "guest_accounts.app.disabled",
	Message: "Guest accounts are switched off. Turn on \"Enable guest accounts\" in System Console > Plugins > Guest Accounts."}

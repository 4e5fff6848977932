package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/gorilla/mux"
	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
)

// decodeOptionalBody is decodeBody for endpoints whose body may be empty.
// (The request core hands the plugin has no reliable ContentLength, so
// emptiness is decided by reading.)
func decodeOptionalBody(r *http.Request, v any) *Error {
	if r.Body == nil {
		return nil
	}
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return newError(http.StatusRequestEntityTooLarge, "body_too_large", "The request body is larger than %d bytes.", maxErr.Limit)
		}
		return newError(http.StatusBadRequest, "invalid_body", "The body could not be read.")
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	r.Body = io.NopCloser(bytes.NewReader(raw))
	return decodeBody(r, v)
}

// decodeBody decodes a JSON body strictly: one object, known fields only,
// within the size limit. The error names the problem.
func decodeBody(r *http.Request, v any) *Error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	// Only white space may follow the object ("{}]" is not one object).
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return decodeError(err)
		}
		return newError(http.StatusBadRequest, "not_one_object", "The body must hold exactly one JSON object.")
	}
	return nil
}

func decodeError(err error) *Error {
	var maxErr *http.MaxBytesError
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	var appErr *app.Error
	switch {
	case errors.As(err, &maxErr):
		return newError(http.StatusRequestEntityTooLarge, "body_too_large", "The request body is larger than %d bytes.", maxErr.Limit)
	case errors.Is(err, io.EOF):
		return newError(http.StatusBadRequest, "body_required", "A JSON request body is required.")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return newError(http.StatusBadRequest, "truncated_json", "The body is not valid JSON: it ends too early.")
	case errors.As(err, &typeErr) && typeErr.Field == "":
		return newError(http.StatusBadRequest, "not_an_object", "The body must be a JSON object.")
	case errors.As(err, &typeErr):
		return fieldTypeError(typeErr.Field, typeErr.Type)
	case errors.As(err, &syntaxErr):
		return newError(http.StatusBadRequest, "invalid_json", "The body is not valid JSON (at byte %d).", syntaxErr.Offset)
	case errors.As(err, &appErr):
		format, args := appErr.Format()
		return &Error{Status: appErr.Status, ID: appErr.ID, Message: appErr.Message, format: format, args: args}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return newError(http.StatusBadRequest, "unknown_field", "Unknown field %s.", strings.TrimPrefix(err.Error(), "json: unknown field "))
	default:
		return newError(http.StatusBadRequest, "unreadable_body", "The body could not be read: %s", err.Error())
	}
}

// fieldTypeError names the JSON a field takes (the Go type names mean
// nothing to a client).
func fieldTypeError(field string, t reflect.Type) *Error {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	kind := reflect.Invalid
	if t != nil {
		kind = t.Kind()
	}
	switch kind {
	case reflect.String:
		return newError(http.StatusBadRequest, "field_not_string", "Field %q has the wrong type: expected a string.", field)
	case reflect.Bool:
		return newError(http.StatusBadRequest, "field_not_bool", "Field %q has the wrong type: expected true or false.", field)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return newError(http.StatusBadRequest, "field_not_integer", "Field %q has the wrong type: expected a whole number in range.", field)
	case reflect.Float32, reflect.Float64:
		return newError(http.StatusBadRequest, "field_not_number", "Field %q has the wrong type: expected a number.", field)
	case reflect.Slice, reflect.Array:
		return newError(http.StatusBadRequest, "field_not_list", "Field %q has the wrong type: expected a list.", field)
	case reflect.Struct, reflect.Map:
		return newError(http.StatusBadRequest, "field_not_object", "Field %q has the wrong type: expected an object.", field)
	}
	return newError(http.StatusBadRequest, "invalid_field_type", "Field %q has the wrong type.", field)
}

// pathID returns a path variable that must be a Mattermost id.
func pathID(r *http.Request, name string) (string, *Error) {
	id := mux.Vars(r)[name]
	if !policy.PlainID(id) {
		return "", newError(http.StatusBadRequest, "invalid_id", "%q is not a valid %s.", id, name)
	}
	return id, nil
}

// queryInt reads an optional integer query parameter.
func queryInt(r *http.Request, name string, def int) (int, *Error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, newError(http.StatusBadRequest, "invalid_number", "Query parameter %q must be a whole number of 0 or more.", name)
	}
	return n, nil
}

// writeAppError answers with an app.Error's status, or 500.
func (h *Handler) writeAppError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *app.Error
	if errors.As(err, &ae) {
		msg := ae.Message
		if lw, ok := w.(*localeWriter); ok && lw.kit != nil {
			msg = ae.Localize(lw.translator())
		}
		writeError(w, &Error{Status: ae.Status, ID: ae.ID, Message: msg})
		return
	}
	var mmErr *model.AppError
	if errors.As(err, &mmErr) && mmErr.StatusCode >= 400 && mmErr.StatusCode < 500 {
		writeError(w, &Error{Status: mmErr.StatusCode, ID: "guest_accounts.api.mattermost", Message: mmErr.Message})
		return
	}
	h.internalError(w, r, err)
}

// idHandler serves the common shape "id from the path → use case → JSON":
// the id is checked first, app errors become their statuses.
func (h *Handler) idHandler(param string, fn func(actorID, id string, r *http.Request) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, e := pathID(r, param)
		if e != nil {
			writeError(w, e)
			return
		}
		out, err := fn(userID(r), id, r)
		if err != nil {
			var ae *Error
			if errors.As(err, &ae) {
				writeError(w, ae)
				return
			}
			h.writeAppError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, out)
	}
}

// paging reads page (default 0) and per_page (default 50).
func paging(r *http.Request) (page, perPage int, e *Error) {
	if page, e = queryInt(r, "page", 0); e != nil {
		return 0, 0, e
	}
	perPage, e = queryInt(r, "per_page", 50)
	return page, perPage, e
}

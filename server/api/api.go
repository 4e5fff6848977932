// Package api is the plugin's REST API under /plugins/guest-accounts/api/v1:
// routing, authentication, body limits and JSON errors. Handlers are thin:
// decode, call app, encode.
package api

import (
	"context"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/gorilla/mux"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
)

// maxBodyBytes bounds every request body unless a route says otherwise.
const maxBodyBytes = 64 << 10

type ctxKey int

const userIDKey ctxKey = iota

// Logger is the part of the plugin API the router logs through.
type Logger interface {
	LogError(msg string, keyValuePairs ...any)
}

// Handler serves the API.
type Handler struct {
	kit           Kit
	guests        Guests
	invites       Invites
	rules         Rules
	log           Logger
	router        *mux.Router
	acceptLimiter *limiter
}

// TestHooks are what test stacks let system admins change.
type TestHooks struct {
	// Clock is the plugin's clock, which tests move.
	Clock *app.OffsetClock
	// SetSearchCap sets how many matches a search collects before it
	// turns broad (store/kvstore/search.go; 0: the default).
	SetSearchCap func(n int)
}

// NewRouter builds the API's router. test is nil except in test stacks.
func NewRouter(a Services, log Logger, test *TestHooks) http.Handler {
	h := &Handler{kit: a.Kit, guests: a.Guests, invites: a.Invites, rules: a.Rules, log: log, router: mux.NewRouter(), acceptLimiter: newLimiter(30, time.Minute)}
	h.router.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { writeError(w, errNotFound) })
	h.router.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { writeError(w, errMethod) })
	v1 := h.router.PathPrefix("/api/v1").Subrouter()
	v1.Use(h.recoverer, limitBody)

	// Anonymous: the signup page, its assets and its submit.
	v1.HandleFunc("/invite/{token}", h.signupPageHandler).Methods(http.MethodGet)
	v1.HandleFunc("/invite/{token}/accept", h.acceptInvite).Methods(http.MethodPost)
	v1.HandleFunc("/static/{file}", h.staticFile).Methods(http.MethodGet)

	user := v1.NewRoute().Subrouter()
	user.Use(requireUser)
	user.HandleFunc("/me", h.getMe).Methods(http.MethodGet)
	user.HandleFunc("/invites", h.createInvites).Methods(http.MethodPost)
	user.HandleFunc("/invites", h.listInvites).Methods(http.MethodGet)
	user.HandleFunc("/invites/{id}/resend", h.idHandler("id", h.resendInvite)).Methods(http.MethodPost)
	user.HandleFunc("/invites/{id}", h.idHandler("id", h.revokeInvite)).Methods(http.MethodDelete)
	user.HandleFunc("/guests/lookup", h.lookupGuests).Methods(http.MethodPost)
	user.HandleFunc("/channels/{channel_id}/guests", h.idHandler("channel_id", h.channelGuests)).Methods(http.MethodGet)

	admin := v1.NewRoute().Subrouter()
	admin.Use(requireUser, h.requireSystemAdmin)
	admin.HandleFunc("/stats", h.getStats).Methods(http.MethodGet)
	admin.HandleFunc("/guests", h.listGuests).Methods(http.MethodGet)
	admin.HandleFunc("/guests", h.createGuest).Methods(http.MethodPost)
	admin.HandleFunc("/guests/{user_id}", h.idHandler("user_id", h.getGuest)).Methods(http.MethodGet)
	admin.HandleFunc("/guests/{user_id}", h.idHandler("user_id", h.patchGuest)).Methods(http.MethodPatch)
	admin.HandleFunc("/guests/{user_id}/promote", h.idHandler("user_id", h.promoteGuest)).Methods(http.MethodPost)
	admin.HandleFunc("/guests/{user_id}/deactivate", h.idHandler("user_id", h.deactivateGuest)).Methods(http.MethodPost)
	admin.HandleFunc("/guests/{user_id}/activate", h.idHandler("user_id", h.activateGuest)).Methods(http.MethodPost)
	admin.HandleFunc("/users/{user_id}/demote", h.idHandler("user_id", h.demoteUser)).Methods(http.MethodPost)
	admin.HandleFunc("/audit", h.listAudit).Methods(http.MethodGet)
	admin.HandleFunc("/rules/preview", h.previewRules).Methods(http.MethodGet)
	admin.HandleFunc("/rules/apply", h.applyRules).Methods(http.MethodPost)
	// Runs the expiry job's body once now (the schedule runs it every five
	// minutes) and reports what it did; it waits for a run in progress.
	admin.HandleFunc("/jobs/expiry/run", func(w http.ResponseWriter, r *http.Request) {
		report, err := a.Jobs.RunJob(r.Context())
		if err != nil {
			h.writeAppError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, report)
	}).Methods(http.MethodPost)
	// Runs the index upkeep once now (the schedule runs it every minute):
	// repair of interrupted writes, invitation sweep, profile sync.
	admin.HandleFunc("/jobs/index/run", func(w http.ResponseWriter, r *http.Request) {
		report, err := a.Jobs.MaintainIndexesNow()
		if err != nil {
			h.writeAppError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, report)
	}).Methods(http.MethodPost)
	if test != nil {
		admin.HandleFunc("/testing/clock", func(w http.ResponseWriter, r *http.Request) {
			var req struct {
				OffsetMS int64 `json:"offset_ms"`
			}
			if e := decodeBody(r, &req); e != nil {
				writeError(w, e)
				return
			}
			test.Clock.Set(time.Duration(req.OffsetMS) * time.Millisecond)
			writeJSON(w, http.StatusOK, map[string]any{"now": a.Kit.Now().UnixMilli()})
		}).Methods(http.MethodPost)
		admin.HandleFunc("/testing/search-cap", func(w http.ResponseWriter, r *http.Request) {
			var req struct {
				Cap int `json:"cap"`
			}
			if e := decodeBody(r, &req); e != nil {
				writeError(w, e)
				return
			}
			test.SetSearchCap(req.Cap)
			writeJSON(w, http.StatusOK, map[string]any{"cap": req.Cap})
		}).Methods(http.MethodPost)
	}
	return h
}

// ServeHTTP dispatches.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.router.ServeHTTP(&localeWriter{ResponseWriter: w, r: r, kit: h.kit}, r)
}

// recoverer turns a panic into a 500 JSON error and logs it.
func (h *Handler) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if rec := recover(); rec != nil {
				h.log.LogError("Guest Accounts: panic in an API handler", "path", r.URL.Path, "panic", rec, "stack", string(debug.Stack()))
				writeError(w, newError(http.StatusInternalServerError, "internal", "An internal error occurred; it has been logged."))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		}
		next.ServeHTTP(w, r)
	})
}

// requireUser accepts only requests core authenticated: it sets the
// Mattermost-User-Id header for a valid session and strips it otherwise.
func requireUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		userID := r.Header.Get("Mattermost-User-Id")
		if userID == "" {
			writeError(w, errUnauthorized)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), userIDKey, userID)))
	})
}

func userID(r *http.Request) string {
	id, _ := r.Context().Value(userIDKey).(string)
	return id
}

func (h *Handler) requireSystemAdmin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !h.kit.IsSystemAdmin(userID(r)) {
			writeError(w, errForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (h *Handler) internalError(w http.ResponseWriter, r *http.Request, err error) {
	h.log.LogError("Guest Accounts: API request failed", "path", r.URL.Path, "error", err.Error())
	writeError(w, newError(http.StatusInternalServerError, "internal", "An internal error occurred; it has been logged."))
}

package api

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app/invites"
)

//go:embed signup/*
var signupFiles embed.FS

// signupTemplates are parsed once; T (translate) is bound per request to the
// visitor's language: {{T "id" "English %s format" args...}}.
var signupTemplates = template.Must(template.New("signup").Funcs(template.FuncMap{
	"T": func(_, format string, args ...any) string { return fmt.Sprintf(format, args...) },
}).ParseFS(signupFiles, "signup/*.html"))

const csrfCookie = "ga_signup_csrf"

// pageHeaders are the security headers of every plugin page: no framing,
// no inline script, no referrer (the token is in the URL), no caching.
func pageHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
}

type signupPage struct {
	Token        string
	CSRF         string
	Email        string
	InviterName  string
	SiteName     string
	TeamNames    []string
	ChannelNames []string
	Message      string
	ExpiresAt    string
	Title        string
	Problem      string
	StaticBase   string
	TeamList     string
	Lang         string
}

func (h *Handler) renderPage(w http.ResponseWriter, r *http.Request, status int, name string, page signupPage) {
	pageHeaders(w)
	tr := h.kit.TranslatorFor(requestLocale(h.kit, r))
	tmpl, err := signupTemplates.Clone()
	if err != nil {
		h.log.LogError("Guest Accounts: preparing a page failed", "page", name, "error", err.Error())
		http.Error(w, "The page could not be shown.", http.StatusInternalServerError)
		return
	}
	tmpl.Funcs(template.FuncMap{"T": func(id, format string, args ...any) string { return tr(id, format, args...) }})
	page.Lang = pageLang(tr)
	var buf bytes.Buffer
	if err := tmpl.ExecuteTemplate(&buf, name, page); err != nil {
		h.log.LogError("Guest Accounts: rendering a page failed", "page", name, "error", err.Error())
		http.Error(w, "The page could not be shown.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// signupPageHandler shows the invitation's signup page, or a clear page
// saying why the link is dead.
func (h *Handler) signupPageHandler(w http.ResponseWriter, r *http.Request) {
	token := mux.Vars(r)["token"]
	info, err := h.invites.LookupInvite(token)
	if err != nil {
		var ae *app.Error
		tr := h.kit.TranslatorFor(requestLocale(h.kit, r))
		if errors.As(err, &ae) {
			h.renderPage(w, r, ae.Status, "problem.html", signupPage{
				Title:   tr("guest_accounts.signup.unavailable", "Invitation unavailable"),
				Problem: ae.Localize(tr), StaticBase: staticBase,
			})
			return
		}
		h.log.LogError("Guest Accounts: reading an invitation failed", "error", err.Error())
		h.renderPage(w, r, http.StatusInternalServerError, "problem.html", signupPage{
			Title:      tr("guest_accounts.signup.went_wrong", "Something went wrong"),
			Problem:    tr("guest_accounts.signup.unreadable", "The invitation could not be read. Try again in a moment."),
			StaticBase: staticBase,
		})
		return
	}
	tr := h.kit.TranslatorFor(requestLocale(h.kit, r))
	csrf := randomString()
	//nolint:gosec // G124: Secure whenever the request came over HTTPS; a plain-HTTP site needs the cookie too
	http.SetCookie(w, &http.Cookie{
		Name: csrfCookie, Value: csrf, Path: "/plugins/guest-accounts/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https",
		MaxAge: 3600,
	})
	inv := info.Invite
	h.renderPage(w, r, http.StatusOK, "signup.html", signupPage{
		Token: token, CSRF: csrf, Email: inv.Email, InviterName: info.InviterName, SiteName: info.SiteName,
		TeamNames: info.TeamNames, ChannelNames: info.ChannelNames, Message: inv.Message,
		TeamList:  strings.Join(info.TeamNames, ", "),
		ExpiresAt: time.UnixMilli(inv.ExpiresAt).UTC().Format(tr("guest_accounts.signup.date_layout", "2 January 2006, 15:04 UTC")),
		Title:     tr("guest_accounts.signup.title", "Join %s as a guest", info.SiteName), StaticBase: staticBase,
	})
}

// acceptInvite is the form's submit (JSON from signup.js). A signed-in
// guest (core set Mattermost-User-Id) accepts with their account;
// otherwise a new account is created. The CSRF token is a double submit:
// the page's cookie must match the header.
func (h *Handler) acceptInvite(w http.ResponseWriter, r *http.Request) {
	cookie, err := r.Cookie(csrfCookie)
	header := r.Header.Get("X-GA-CSRF")
	if err != nil || header == "" || subtle.ConstantTimeCompare([]byte(cookie.Value), []byte(header)) != 1 {
		writeError(w, newError(http.StatusForbidden, "csrf", "The form has expired or was not sent by the signup page. Reload the page and try again."))
		return
	}
	if !h.acceptLimiter.allow(clientAddr(r, h.kit.TrustedProxyHeaders())) {
		writeError(w, newError(http.StatusTooManyRequests, "rate_limited", "Too many attempts. Wait a minute and try again."))
		return
	}
	var req invites.AcceptRequest
	if e := decodeOptionalBody(r, &req); e != nil {
		writeError(w, e)
		return
	}
	res, aerr := h.invites.AcceptInvite(mux.Vars(r)["token"], r.Header.Get("Mattermost-User-Id"), req)
	if aerr != nil {
		h.writeAppError(w, r, aerr)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

const staticBase = "/plugins/guest-accounts/api/v1/static"

// staticFiles are the files staticFile serves: the signup page's own CSS
// and JS, by name.
var staticFiles = map[string]struct{ path, contentType string }{
	"signup.js":  {"signup/signup.js", "text/javascript; charset=utf-8"},
	"signup.css": {"signup/signup.css", "text/css; charset=utf-8"},
}

// staticFile serves the signup page's own CSS and JS.
func (h *Handler) staticFile(w http.ResponseWriter, r *http.Request) {
	f, ok := staticFiles[mux.Vars(r)["file"]]
	if !ok {
		writeError(w, errNotFound)
		return
	}
	data, err := signupFiles.ReadFile(f.path)
	if err != nil {
		writeError(w, errNotFound)
		return
	}
	w.Header().Set("Content-Type", f.contentType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(data)
}

func randomString() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// pageLang is the language the page is shown in, for <html lang>: the
// catalog says which language its translations are in.
func pageLang(tr app.Translator) string {
	return tr("guest_accounts.signup.lang", "en")
}

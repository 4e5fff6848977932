package main

import (
	"net/http"

	"github.com/mattermost/mattermost/server/public/plugin"
)

// ServeHTTP is called by core for every request to /plugins/guest-accounts/.
// Core has already authenticated the session (Mattermost-User-Id header) and
// checked the CSRF token of cookie-authenticated state-changing requests.
func (p *Plugin) ServeHTTP(_ *plugin.Context, w http.ResponseWriter, r *http.Request) {
	if p.router == nil {
		http.Error(w, `{"error_id":"guest_accounts.api.not_ready","message":"The Guest Accounts plugin is starting."}`, http.StatusServiceUnavailable)
		return
	}
	p.router.ServeHTTP(w, r)
}

package integration

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// browserSession signs in through core's login API as a browser does and
// returns the session cookies (MMAUTHTOKEN, MMUSERID, MMCSRF) and the CSRF
// token.
func browserSession(th *testhelper.TestHelper, login, password string) ([]*http.Cookie, string) {
	th.T.Helper()
	raw, _ := json.Marshal(map[string]string{"login_id": login, "password": password})
	req, err := http.NewRequest(http.MethodPost, th.URL+"/api/v4/users/login", bytes.NewReader(raw))
	require.NoError(th.T, err)
	req.Header.Set("Content-Type", "application/json")
	// Core sets the session cookies only for a browser's (XHR) login.
	req.Header.Set("X-Requested-With", "XMLHttpRequest")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(th.T, err)
	resp.Body.Close()
	require.Equal(th.T, http.StatusOK, resp.StatusCode)
	csrf := ""
	for _, c := range resp.Cookies() {
		if c.Name == model.SessionCookieCsrf {
			csrf = c.Value
		}
	}
	require.NotEmpty(th.T, csrf, "no MMCSRF cookie")
	return resp.Cookies(), csrf
}

// Measured on Mattermost 11.4 (core's servePluginRequest): a plugin
// request authenticated by the session cookie reaches the plugin signed in
// only when it is a GET, or carries X-CSRF-Token equal to the session's
// token (or a "csrf" form field), or, while
// ServiceSettings.ExperimentalStrictCSRFEnforcement is false (the
// default), X-Requested-With: XMLHttpRequest. Otherwise core strips the
// user and the plugin answers 401. A bearer token is not subject to CSRF
// (another site cannot read it). X-Requested-With is a header a page on
// another site cannot send without a CORS preflight that core refuses
// (no AllowCorsFrom), so even the lenient default holds against
// cross-site forms; strict mode removes the fallback.
func TestSecurityCSRFForCookieSessions(t *testing.T) {
	th := testhelper.Setup(t)
	adminInChannels(th, th.Channel)
	_, g := createGuest(th, th.Channel.Id)
	inv := invite(th, th.AdminClient, map[string]any{"emails": []string{newAddress("guest.example.com")}, "channel_ids": []string{th.Channel.Id}})[0]
	cookies, csrf := browserSession(th, th.Admin.Username, testhelper.AdminPassword)

	post := func(path, contentType, body string, extra map[string]string) rawResp {
		h := map[string]string{"Content-Type": contentType}
		for k, v := range extra {
			h[k] = v
		}
		r, err := rawRequest(http.MethodPost, th.URL+apiBase+path, []byte(body), h, cookies)
		require.NoError(t, err)
		return r
	}
	inviteJSON := func(addr string) string {
		b, _ := json.Marshal(map[string]any{"emails": []string{addr}, "channel_ids": []string{th.Channel.Id}})
		return string(b)
	}

	refused := map[string]string{}
	for name, c := range map[string]struct {
		contentType, body string
		headers           map[string]string
	}{
		"cookie alone":                     {"application/json", "", nil},
		"wrong X-CSRF-Token":               {"application/json", "", map[string]string{"X-CSRF-Token": "x" + csrf}},
		"another session's token":          {"application/json", "", map[string]string{"X-CSRF-Token": model.NewId()}},
		"cross-site form (text/plain)":     {"text/plain", "", nil},
		"cross-site form (urlencoded)":     {"application/x-www-form-urlencoded", "csrf=forged&emails=x", nil},
		"X-Requested-With: something else": {"application/json", "", map[string]string{"X-Requested-With": "fetch"}},
	} {
		addr := newAddress("guest.example.com")
		body := c.body
		if body == "" {
			body = inviteJSON(addr)
		}
		r := post("/invites", c.contentType, body, c.headers)
		assert.Equal(t, http.StatusUnauthorized, r.Status, "%s: %s", name, r.Body)
		refused[addr] = name
	}
	// The same for an admin action and a revocation.
	r := post("/guests/"+g.Id+"/deactivate", "application/json", "", nil)
	assert.Equal(t, http.StatusUnauthorized, r.Status, "deactivate with the cookie alone: %s", r.Body)
	req, err := rawRequest(http.MethodDelete, th.URL+apiBase+"/invites/"+inv.InviteID, nil, nil, cookies)
	require.NoError(t, err)
	assert.Equal(t, http.StatusUnauthorized, req.Status, "revoke with the cookie alone")

	// Reads are not CSRF-checked (GET has no effect here).
	get, err := rawRequest(http.MethodGet, th.URL+apiBase+"/me", nil, nil, cookies)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, get.Status)

	// With the session's token: accepted.
	ok := newAddress("guest.example.com")
	r = post("/invites", "application/json", inviteJSON(ok), map[string]string{"X-CSRF-Token": csrf})
	assert.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	// X-Requested-With alone: accepted by default, refused in strict mode.
	xrw := newAddress("guest.example.com")
	r = post("/invites", "application/json", inviteJSON(xrw), map[string]string{"X-Requested-With": "XMLHttpRequest"})
	assert.Equal(t, http.StatusOK, r.Status, "X-Requested-With, lenient default: %s", r.Body)
	setStrictCSRF(th, true)
	strict := newAddress("guest.example.com")
	// UpdateConfig applies the change before it answers (one node).
	r = post("/invites", "application/json", inviteJSON(strict), map[string]string{"X-Requested-With": "XMLHttpRequest"})
	assert.Equal(t, http.StatusUnauthorized, r.Status, "X-Requested-With in strict mode: %s", r.Body)
	refused[strict] = "X-Requested-With in strict mode"
	r = post("/invites", "application/json", inviteJSON(newAddress("guest.example.com")), map[string]string{"X-CSRF-Token": csrf})
	assert.Equal(t, http.StatusOK, r.Status, "the token in strict mode: %s", r.Body)

	// Nothing the refused requests asked for happened.
	var list struct {
		Invites []inviteRecord `json:"invites"`
	}
	th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/invites", nil), &list)
	emails := map[string]string{}
	for _, i := range list.Invites {
		emails[strings.ToLower(i.Email)] = i.Status
	}
	for addr, name := range refused {
		assert.Empty(t, emails[strings.ToLower(addr)], "%s: an invitation was made", name)
	}
	assert.Equal(t, "pending", emails[strings.ToLower(ok)])
	assert.Equal(t, "pending", emails[strings.ToLower(xrw)])
	assert.Equal(t, "pending", emails[strings.ToLower(inv.Email)], "revoked without CSRF")
	var gb guestBody
	th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/guests/"+g.Id, nil), &gb)
	assert.Equal(t, "active", gb.Status, "deactivated without CSRF")
	t.Logf("CSRF: %d cookie-authenticated state changes refused (401), token and X-Requested-With (lenient) accepted", len(refused)+2)
}

// A signed-in guest's browser accepting an invitation: without core's CSRF
// token the session is not used (the request is anonymous and needs a new
// account's form), so another site cannot make a guest accept.
func TestSecurityCSRFSignedInGuestAcceptance(t *testing.T) {
	th := testhelper.Setup(t)
	second := th.CreateChannel(th.Team.Id, model.ChannelTypeOpen)
	adminInChannels(th, th.Channel)
	th.SetPluginSettings(map[string]any{"WhoMayInvite": "members"})
	th.AddChannelMember(second.Id, th.Member.Id)
	// Two people invite one address before it has an account; the first
	// link makes the account, the second is accepted signed in.
	addr := newAddress("guest.example.com")
	seq := th.SMTP.LastSeq()
	invite(th, th.AdminClient, map[string]any{"emails": []string{addr}, "channel_ids": []string{th.Channel.Id}})
	first := inviteLink(th, addr, seq)
	seq = th.SMTP.LastSeq()
	invite(th, th.MemberClient, map[string]any{"emails": []string{addr}, "channel_ids": []string{second.Id}})
	link := inviteLink(th, addr, seq)
	g := signup(th, first)
	cookies, csrf := browserSession(th, g.Username, testhelper.UserPassword)
	b := newBrowser()
	code, _, _ := b.open(th, link)
	require.Equal(t, http.StatusOK, code)
	all := append(b.client.Jar.Cookies(mustURL(t, link)), cookies...)
	accept := func(extra map[string]string) rawResp {
		h := map[string]string{"Content-Type": "application/json", "X-GA-CSRF": b.csrf, "X-Forwarded-For": nextClient()}
		for k, v := range extra {
			h[k] = v
		}
		r, err := rawRequest(http.MethodPost, link+"/accept", []byte("{}"), h, all)
		require.NoError(t, err)
		return r
	}
	r := accept(nil)
	assert.Equal(t, http.StatusBadRequest, r.Status, "the session was used without core's CSRF token: %s", r.Body)
	assert.Contains(t, string(r.Body), "username", "the request was taken as a new account's form")
	assert.Nil(t, channelMember(th, second.Id, g.Id), "joined without CSRF")
	// As signup.js sends it: core's token from the MMCSRF cookie.
	r = accept(map[string]string{"X-CSRF-Token": csrf, "X-Requested-With": "XMLHttpRequest"})
	assert.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	requireGuestMemberships(th, g.Id, th.Channel.Id, second.Id)
}

func setStrictCSRF(th *testhelper.TestHelper, on bool) {
	th.T.Helper()
	cfg, _, err := th.AdminClient.GetConfig(th.Ctx)
	require.NoError(th.T, err)
	old := *cfg.ServiceSettings.ExperimentalStrictCSRFEnforcement
	cfg.ServiceSettings.ExperimentalStrictCSRFEnforcement = model.NewPointer(on)
	_, _, err = th.AdminClient.UpdateConfig(th.Ctx, cfg)
	require.NoError(th.T, err)
	th.T.Cleanup(func() {
		cfg, _, err := th.AdminClient.GetConfig(th.Ctx)
		if err == nil {
			cfg.ServiceSettings.ExperimentalStrictCSRFEnforcement = model.NewPointer(old)
			_, _, _ = th.AdminClient.UpdateConfig(th.Ctx, cfg)
		}
	})
}

// TestSecurityCSRFEveryStateChangingRoute: every POST, PATCH and DELETE
// route of the authorisation matrix, sent from the system admin's browser
// session (its cookies): with no X-CSRF-Token, and with a forged one, core
// does not sign the request in, the plugin answers 401 and nothing
// changes; with the session's token the admin is signed in and gets what
// the matrix gives the admin's bearer token. The signup form
// (POST /invite/{token}/accept) is left out: it is anonymous, guarded by
// its own double-submit pair (TestSecurityCSRFSignedInGuestAcceptance and
// the hostile corpus).
func TestSecurityCSRFEveryStateChangingRoute(t *testing.T) {
	th := testhelper.Setup(t)
	th.SetPluginSettings(map[string]any{"WhoMayInvite": "team_admins", "AllowedDomains": ""})
	fx := newAuthzFixture(th)
	cookies, csrf := browserSession(th, th.Admin.Username, testhelper.AdminPassword)
	before, err := readGuestState(th)
	require.NoError(t, err)

	send := func(row authzRow, path, token string) (rawResp, []byte) {
		var body []byte
		if row.body != nil {
			body, _ = json.Marshal(row.body(fx))
		}
		h := map[string]string{"Content-Type": "application/json"}
		if token != "" {
			h["X-CSRF-Token"] = token
		}
		r, err := rawRequest(row.method, th.URL+apiBase+path, body, h, cookies)
		require.NoError(t, err)
		return r, body
	}
	var refusedEmails []string
	routes, refused, signedIn, created := 0, 0, 0, 0
	for _, row := range authzTable {
		if row.signup || (row.method != http.MethodPost && row.method != http.MethodPatch && row.method != http.MethodDelete) {
			continue
		}
		routes++
		route := row.method + " " + row.path
		for name, token := range map[string]string{"no X-CSRF-Token": "", "a forged X-CSRF-Token": "x" + csrf} {
			r, body := send(row, fx.expand(row, false), token)
			assert.Equal(t, http.StatusUnauthorized, r.Status, "%s, cookie session with %s: %.300s", route, name, r.Body)
			assert.Empty(t, refusalProblem(r, ""), "%s with %s", route, name)
			refusedEmails = append(refusedEmails, emailsIn(body)...)
			refused++
		}
		want := row.want[sysAdmin]
		r, _ := send(row, fx.expand(row, want < 300), csrf)
		assert.Equal(t, want, r.Status, "%s, cookie session with the session's X-CSRF-Token: %.300s", route, r.Body)
		if r.Status != http.StatusUnauthorized {
			signedIn++
		}
		if r.Status < 300 && row.method == http.MethodPost && row.path == "/guests" {
			var res struct {
				UserID string `json:"user_id"`
			}
			require.NoError(t, json.Unmarshal(r.Body, &res), route)
			th.Track(res.UserID)
			created++
		}
	}

	// Nothing a refused request asked for happened.
	fx.assertSharedUntouched(t)
	var list struct {
		Invites []inviteRecord `json:"invites"`
	}
	th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/invites", nil), &list)
	invited := map[string]bool{}
	for _, inv := range list.Invites {
		invited[strings.ToLower(inv.Email)] = true
	}
	require.NotEmpty(t, refusedEmails, "no refused request named an address")
	for _, addr := range refusedEmails {
		assert.False(t, invited[strings.ToLower(addr)], "a refused request invited %s", addr)
		_, resp, err := th.AdminClient.GetUserByEmail(th.Ctx, addr, "")
		if assert.Error(t, err, "a refused request made an account for %s", addr) {
			assert.Equal(t, http.StatusNotFound, resp.StatusCode, addr)
		}
	}
	after, err := readGuestState(th)
	require.NoError(t, err)
	// As in the matrix: the accounts made, plus the fresh targets of the
	// allowed requests (+4: PATCH, promote -1 +1, deactivate, activate,
	// demote).
	assert.Equal(t, before.Registry+created+4, after.Registry, "registry guests")
	assert.Empty(t, teamConsistencyProblems(th, th.Team.Id, th.Channel.Id))
	t.Logf("CSRF, admin cookie session: %d state-changing routes; %d requests without core's token (none or forged) refused with 401, changing nothing; with the token all %d signed in as the matrix's system admin", routes, refused, signedIn)
}

// emailsIn lists the addresses a request body names ("emails", "email").
func emailsIn(body []byte) []string {
	var b struct {
		Emails []string `json:"emails"`
		Email  string   `json:"email"`
	}
	if json.Unmarshal(body, &b) != nil {
		return nil
	}
	if b.Email != "" {
		b.Emails = append(b.Emails, b.Email)
	}
	return b.Emails
}

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

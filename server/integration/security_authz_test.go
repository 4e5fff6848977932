package integration

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// The actors of the authorisation matrix, in column order.
const (
	anon = iota
	guestActor
	memberActor
	teamAdmin
	sysAdmin
	actorCount
)

var actorNames = [actorCount]string{"anonymous", "guest", "member", "team admin", "system admin"}

// authzRow is one endpoint of the matrix. Path placeholders: {guest} (the
// guest actor, or a fresh guest where a 2xx changes it), {deactivated} (a
// deactivated guest), {member} (the member actor, or a fresh member),
// {invite} (the admin's invitation), {own_invite} (the team admin's),
// {channel}, {token}. fresh names the placeholder a 2xx consumes: an
// allowed cell gets a new one; refused cells share one, checked untouched
// at the end.
type authzRow struct {
	method, path string
	body         func(*authzFixture) any
	want         [actorCount]int
	fresh        string
	signup       bool // sent by the signup page (its CSRF pair)
}

// The one table: every endpoint × {anonymous, guest, member, team admin,
// system admin}, with "Who may invite guests" = team admins.
var authzTable = []authzRow{
	// Anonymous endpoints.
	{method: "GET", path: "/invite/{token}", want: [5]int{200, 200, 200, 200, 200}},
	{method: "POST", path: "/invite/{token}/accept", signup: true, fresh: "token", body: newAccount, want: [5]int{200, 403, 403, 403, 403}},
	{method: "GET", path: "/static/signup.js", want: [5]int{200, 200, 200, 200, 200}},
	// Any signed-in user.
	{method: "GET", path: "/me", want: [5]int{401, 200, 200, 200, 200}},
	{method: "POST", path: "/guests/lookup", body: func(fx *authzFixture) any { return map[string]any{"user_ids": []string{fx.guest.Id}} }, want: [5]int{401, 200, 200, 200, 200}},
	{method: "GET", path: "/channels/{channel}/guests", want: [5]int{401, 200, 200, 200, 200}},
	// Inviters (guests never; members not with this setting).
	{method: "POST", path: "/invites", body: inviteBody, want: [5]int{401, 403, 403, 200, 200}},
	{method: "GET", path: "/invites", want: [5]int{401, 403, 200, 200, 200}},
	{method: "POST", path: "/invites/{invite}/resend", fresh: "invite", want: [5]int{401, 404, 404, 404, 200}},
	{method: "POST", path: "/invites/{own_invite}/resend", fresh: "own_invite", want: [5]int{401, 404, 404, 200, 200}},
	{method: "DELETE", path: "/invites/{invite}", fresh: "invite", want: [5]int{401, 404, 404, 404, 200}},
	{method: "DELETE", path: "/invites/{own_invite}", fresh: "own_invite", want: [5]int{401, 404, 404, 200, 200}},
	// System admins only.
	{method: "GET", path: "/stats", want: [5]int{401, 403, 403, 403, 200}},
	{method: "GET", path: "/guests", want: [5]int{401, 403, 403, 403, 200}},
	{method: "POST", path: "/guests", body: guestBody2, want: [5]int{401, 403, 403, 403, 201}},
	{method: "GET", path: "/guests/{guest}", want: [5]int{401, 403, 403, 403, 200}},
	{method: "PATCH", path: "/guests/{guest}", fresh: "guest", body: func(*authzFixture) any {
		return map[string]any{"restrictions": map[string]any{"direct_messages": false}}
	}, want: [5]int{401, 403, 403, 403, 200}},
	{method: "POST", path: "/guests/{guest}/promote", fresh: "guest", want: [5]int{401, 403, 403, 403, 200}},
	{method: "POST", path: "/guests/{guest}/deactivate", fresh: "guest", want: [5]int{401, 403, 403, 403, 200}},
	{method: "POST", path: "/guests/{deactivated}/activate", fresh: "deactivated", want: [5]int{401, 403, 403, 403, 200}},
	{method: "POST", path: "/users/{member}/demote", fresh: "member", want: [5]int{401, 403, 403, 403, 200}},
	{method: "GET", path: "/audit", want: [5]int{401, 403, 403, 403, 200}},
	{method: "POST", path: "/jobs/expiry/run", want: [5]int{401, 403, 403, 403, 200}},
	{method: "GET", path: "/rules/preview", want: [5]int{401, 403, 403, 403, 200}},
	// The rules are off in this matrix: the admin is let in and told so
	// (409), and nothing is converted.
	{method: "POST", path: "/rules/apply", body: func(fx *authzFixture) any { return map[string]any{"user_ids": []string{fx.th.Member.Id}} }, want: [5]int{401, 403, 403, 403, 409}},
	{method: "POST", path: "/testing/clock", body: func(*authzFixture) any { return map[string]any{"offset_ms": 0} }, want: [5]int{401, 403, 403, 403, 200}},
}

func newAccount(*authzFixture) any {
	return map[string]any{"username": "m" + strings.ToLower(model.NewId()[:10]), "password": testhelper.UserPassword}
}

func inviteBody(fx *authzFixture) any { return inviteFields(fx) }

func inviteFields(fx *authzFixture) map[string]any {
	return map[string]any{"emails": []string{newAddress("guest.example.com")}, "channel_ids": []string{fx.th.Channel.Id}}
}

func guestBody2(*authzFixture) any {
	id := strings.ToLower(model.NewId()[:10])
	return map[string]any{"email": "a" + id + "@guest.example.com", "username": "a" + id, "password": testhelper.UserPassword}
}

type authzFixture struct {
	th          *testhelper.TestHelper
	clients     [actorCount]*model.Client4
	guest       *model.User
	teamAdmin   *model.User
	deactivated string
	invite      string
	ownInvite   string
	link        string // the shared token's link
	signup      *signupBrowser
}

func newAuthzFixture(th *testhelper.TestHelper) *authzFixture {
	fx := &authzFixture{th: th}
	adminInChannels(th, th.Channel)
	_, fx.guest = createGuest(th, th.Channel.Id)
	fx.teamAdmin = th.CreateUser()
	th.AddTeamMember(th.Team.Id, fx.teamAdmin.Id)
	_, err := th.AdminClient.UpdateTeamMemberSchemeRoles(th.Ctx, th.Team.Id, fx.teamAdmin.Id, &model.SchemeRoles{SchemeUser: true, SchemeAdmin: true})
	require.NoError(th.T, err)
	th.AddChannelMember(th.Channel.Id, fx.teamAdmin.Id)
	fx.clients = [actorCount]*model.Client4{th.Anonymous(), th.Login(fx.guest), th.MemberClient, th.Login(fx.teamAdmin), th.AdminClient}
	fx.deactivated = fx.newTarget("deactivated")
	fx.invite = fx.newTarget("invite")
	fx.ownInvite = fx.newTarget("own_invite")
	fx.link = fx.newLink()
	fx.signup = newBrowser()
	code, _, _ := fx.signup.open(th, fx.link)
	require.Equal(th.T, http.StatusOK, code)
	return fx
}

// newLink invites a fresh address and returns its signup link.
func (fx *authzFixture) newLink() string {
	addr := newAddress("guest.example.com")
	seq := fx.th.SMTP.LastSeq()
	invite(fx.th, fx.th.AdminClient, map[string]any{"emails": []string{addr}, "channel_ids": []string{fx.th.Channel.Id}})
	return inviteLink(fx.th, addr, seq)
}

// newTarget makes a fresh thing of a kind and returns its id (or token).
func (fx *authzFixture) newTarget(kind string) string {
	th := fx.th
	switch kind {
	case "guest":
		_, u := createGuest(th, th.Channel.Id)
		return u.Id
	case "deactivated":
		_, u := createGuest(th, th.Channel.Id)
		resp := th.PluginRequest(th.AdminClient, http.MethodPost, "/guests/"+u.Id+"/deactivate", nil)
		require.Equal(th.T, http.StatusOK, resp.Status, "%s", resp.Body)
		return u.Id
	case "member":
		u := th.CreateUser()
		th.AddTeamMember(th.Team.Id, u.Id)
		return u.Id
	case "invite", "own_invite":
		c := th.AdminClient
		if kind == "own_invite" {
			c = fx.clients[teamAdmin]
		}
		r := invite(th, c, inviteFields(fx))
		require.Equal(th.T, "sent", r[0].Status, r[0].Message)
		return r[0].InviteID
	case "token":
		return tokenOf(fx.newLink())
	}
	th.T.Fatalf("unknown target %q", kind)
	return ""
}

func (fx *authzFixture) expand(row authzRow, allowed bool) string {
	shared := map[string]string{
		"guest": fx.guest.Id, "deactivated": fx.deactivated, "member": fx.th.Member.Id, "invite": fx.invite,
		"own_invite": fx.ownInvite, "channel": fx.th.Channel.Id, "token": tokenOf(fx.link),
	}
	if allowed && row.fresh != "" {
		shared[row.fresh] = fx.newTarget(row.fresh)
	}
	p := row.path
	for k, v := range shared {
		p = strings.ReplaceAll(p, "{"+k+"}", v)
	}
	return p
}

func TestSecurityAuthorisationMatrix(t *testing.T) {
	th := testhelper.Setup(t)
	th.SetPluginSettings(map[string]any{"WhoMayInvite": "team_admins", "AllowedDomains": ""})
	fx := newAuthzFixture(th)
	before, err := readGuestState(th)
	require.NoError(t, err)

	cells, allowed, created := 0, 0, 0
	for _, row := range authzTable {
		for actor := 0; actor < actorCount; actor++ {
			want := row.want[actor]
			ok := want < 300
			path := fx.expand(row, ok)
			var body []byte
			if row.body != nil {
				body, _ = json.Marshal(row.body(fx))
			}
			headers := bearer(fx.clients[actor])
			var cookies []*http.Cookie
			if row.signup {
				headers["X-GA-CSRF"] = fx.signup.csrf
				headers["X-Forwarded-For"] = nextClient()
				cookies = fx.signup.client.Jar.Cookies(mustURL(t, th.URL+apiBase+"/"))
			}
			r, err := rawRequest(row.method, th.URL+apiBase+path, body, headers, cookies)
			require.NoError(t, err)
			cell := fmt.Sprintf("%s %s as %s", row.method, row.path, actorNames[actor])
			cells++
			assert.Equal(t, want, r.Status, "%s: %.300s", cell, r.Body)
			if r.Status >= 400 {
				assert.Empty(t, refusalProblem(r, ""), cell)
			} else {
				allowed++
			}
			if r.Status < 300 && row.method == http.MethodPost && (row.path == "/guests" || row.signup) {
				var res struct {
					UserID string `json:"user_id"`
				}
				require.NoError(t, json.Unmarshal(r.Body, &res), cell)
				th.Track(res.UserID)
				created++
			}
		}
	}

	// The refused cells changed nothing: the shared targets are as they were.
	fx.assertSharedUntouched(t)
	after, err := readGuestState(th)
	require.NoError(t, err)
	// The allowed cells' accounts, plus their fresh targets: guests for
	// PATCH, promote and deactivate and a deactivated one (+4), the
	// promoted one leaving (-1) and the demoted member joining (+1).
	assert.Equal(t, before.Registry+created+4, after.Registry, "registry guests")
	assert.Empty(t, teamConsistencyProblems(th, th.Team.Id, th.Channel.Id))
	t.Logf("authorisation matrix: %d endpoints × %d actors = %d cells, %d allowed, %d refused", len(authzTable), actorCount, cells, allowed, cells-allowed)
}

// assertSharedUntouched checks that the targets refused requests named are
// as the fixture made them: the guest actor active, with its restrictions
// and channel; the deactivated guest deactivated; the member no guest; both
// invitations pending; the shared link unused.
func (fx *authzFixture) assertSharedUntouched(t *testing.T) {
	th := fx.th
	var g guestBody
	th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/guests/"+fx.guest.Id, nil), &g)
	assert.Equal(t, "active", g.Status, "the guest actor after the refused requests")
	assert.True(t, g.Restrictions.DirectMessages, "a refused PATCH changed the guest")
	requireGuestMemberships(th, fx.guest.Id, th.Channel.Id)
	th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/guests/"+fx.deactivated, nil), &g)
	assert.Equal(t, "deactivated", g.Status, "a refused activation changed the deactivated guest")
	resp := th.PluginRequest(th.AdminClient, http.MethodGet, "/guests/"+th.Member.Id, nil)
	assert.Equal(t, http.StatusNotFound, resp.Status, "the member became a guest")
	var list struct {
		Invites []inviteRecord `json:"invites"`
	}
	th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/invites?status=pending", nil), &list)
	pending := map[string]bool{}
	for _, inv := range list.Invites {
		pending[inv.ID] = true
	}
	assert.True(t, pending[fx.invite] && pending[fx.ownInvite], "a refused resend or revoke changed an invitation")
	code, _, _ := newBrowser().open(th, fx.link)
	assert.Equal(t, http.StatusOK, code, "a refused acceptance consumed the invitation")
}

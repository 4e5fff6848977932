package integration

import (
	"net/http"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

func TestCreateGuestGivesGuestMembershipsOnly(t *testing.T) {
	th := testhelper.Setup(t)
	private := th.CreateChannel(th.Team.Id, model.ChannelTypePrivate)
	otherTeam := th.CreateTeam(model.TeamOpen)
	otherChannel := th.CreateChannel(otherTeam.Id, model.ChannelTypeOpen)

	g, u := createGuest(th, th.Channel.Id, private.Id, otherChannel.Id)
	assert.Equal(t, "active", g.Status)
	// Unlicensed: the guest holds the dedicated guest role (a copy of
	// system_guest's permissions; they can still log in); every membership
	// is a guest one, and no default channel was added.
	requireSystemRole(th, u.Id, guestRole)
	requireGuestMemberships(th, u.Id, th.Channel.Id, private.Id, otherChannel.Id)
	assert.True(t, auditHas(th, "create_guest", u.Id))

	// As the guest: logs in with a password and posts in a given channel;
	// core's guest permissions apply to the guest memberships.
	guest := th.Login(u)
	_, _, err := guest.CreatePost(th.Ctx, &model.Post{ChannelId: th.Channel.Id, Message: "hello from a guest"})
	require.NoError(t, err)
	publicElsewhere := th.CreateChannel(th.Team.Id, model.ChannelTypeOpen)
	_, resp, err := guest.GetPostsForChannel(th.Ctx, publicElsewhere.Id, 0, 10, "", false, false)
	require.Error(t, err)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode, "a guest reads a public channel they were not given")
	_, resp, err = guest.AddChannelMember(th.Ctx, publicElsewhere.Id, u.Id)
	require.Error(t, err)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode, "a guest joins a public channel")
}

func TestCreateGuestValidation(t *testing.T) {
	th := testhelper.Setup(t)
	th.SetPluginSettings(map[string]any{"AllowedDomains": "guest.example.com"})
	id := model.NewId()[:10]
	base := func() map[string]any {
		return map[string]any{"email": "v" + id + "@guest.example.com", "username": "v" + id, "password": testhelper.UserPassword}
	}
	cases := []struct {
		name   string
		change func(map[string]any)
		status int
		field  string
	}{
		{"bad email", func(m map[string]any) { m["email"] = "not an email" }, 400, "email"},
		{"display-name trick", func(m map[string]any) { m["email"] = "Bob <v@guest.example.com>" }, 400, "email"},
		{"domain not allowed", func(m map[string]any) { m["email"] = "v" + id + "@guest.example.com.evil.org" }, 403, "email"},
		{"look-alike domain", func(m map[string]any) { m["email"] = "v" + id + "@evil-guest.example.com" }, 403, "email"},
		{"bad username", func(m map[string]any) { m["username"] = "9 bad" }, 400, "username"},
		{"weak password", func(m map[string]any) { m["password"] = "a" }, 400, "password"},
		{"password and random", func(m map[string]any) { m["random_password"] = true }, 400, "password"},
		{"unknown channel", func(m map[string]any) { m["channel_ids"] = []string{model.NewId()} }, 400, "channel_ids"},
		{"bad channel id", func(m map[string]any) { m["channel_ids"] = []string{"../../etc"} }, 400, "channel_ids"},
		{"expiry in the past", func(m map[string]any) { m["expires_at"] = 1000 }, 400, "expires_at"},
		{"unknown field", func(m map[string]any) { m["is_admin"] = true }, 400, "is_admin"},
		{"wrong type", func(m map[string]any) { m["username"] = 42 }, 400, "username"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := base()
			c.change(body)
			resp := th.PluginRequest(th.AdminClient, http.MethodPost, "/guests", body)
			require.Equal(t, c.status, resp.Status, "%s", resp.Body)
			var e errorBody
			th.DecodeJSON(resp, &e)
			assert.Contains(t, e.Message, c.field, "the error must name the field")
		})
	}
	// Nothing was created by the refused requests.
	_, _, err := th.AdminClient.GetUserByUsername(th.Ctx, "v"+id, "")
	require.Error(t, err, "a refused request left a user behind")

	for name, body := range map[string]string{"malformed": "{", "two objects": "{}{}", "array": "[]"} {
		resp := th.PluginRequest(th.AdminClient, http.MethodPost, "/guests", body)
		assert.Equal(t, http.StatusBadRequest, resp.Status, name)
	}
	huge := make([]byte, 200<<10)
	for i := range huge {
		huge[i] = 'a'
	}
	resp := th.PluginRequest(th.AdminClient, http.MethodPost, "/guests", []byte(`{"email":"`+string(huge)+`"}`))
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.Status)
}

func TestAdminEndpointsRefuseMembersAndGuests(t *testing.T) {
	th := testhelper.Setup(t)
	_, gu := createGuest(th, th.Channel.Id)
	guest := th.Login(gu)
	target := th.CreateUser()
	paths := []struct{ method, path string }{
		{http.MethodGet, "/stats"},
		{http.MethodGet, "/guests"},
		{http.MethodPost, "/guests"},
		{http.MethodGet, "/guests/" + gu.Id},
		{http.MethodPatch, "/guests/" + gu.Id},
		{http.MethodPost, "/guests/" + gu.Id + "/promote"},
		{http.MethodPost, "/guests/" + gu.Id + "/deactivate"},
		{http.MethodPost, "/guests/" + gu.Id + "/activate"},
		{http.MethodPost, "/users/" + target.Id + "/demote"},
		{http.MethodGet, "/audit"},
	}
	for _, p := range paths {
		for who, c := range map[string]*model.Client4{"member": th.MemberClient, "guest": guest, "anonymous": th.Anonymous()} {
			resp := th.PluginRequest(c, p.method, p.path, "{}")
			want := http.StatusForbidden
			if who == "anonymous" {
				want = http.StatusUnauthorized
			}
			assert.Equal(t, want, resp.Status, "%s %s as %s: %s", p.method, p.path, who, resp.Body)
		}
	}
	// The guest is still a guest, still active; the target still a member.
	var g guestBody
	th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/guests/"+gu.Id, nil), &g)
	assert.Equal(t, "active", g.Status)
	resp := th.PluginRequest(th.AdminClient, http.MethodGet, "/guests/"+target.Id, nil)
	assert.Equal(t, http.StatusNotFound, resp.Status)
}

func TestDeactivateRevokesSessionsAndActivateRestores(t *testing.T) {
	th := testhelper.Setup(t)
	_, u := createGuest(th, th.Channel.Id)
	session := th.Login(u)
	token := th.TokenClient(u.Id)

	resp := th.PluginRequest(th.AdminClient, http.MethodPost, "/guests/"+u.Id+"/deactivate", nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	var g guestBody
	th.DecodeJSON(resp, &g)
	assert.Equal(t, "deactivated", g.Status)
	assert.Equal(t, "admin", g.DeactivatedReason)
	requireSessionDead(t, th, session)
	requireSessionDead(t, th, token)
	_, _, err := th.Anonymous().Login(th.Ctx, u.Username, testhelper.UserPassword)
	require.Error(t, err, "a deactivated guest logs in")
	assert.True(t, auditHas(th, "deactivate", u.Id))

	resp = th.PluginRequest(th.AdminClient, http.MethodPost, "/guests/"+u.Id+"/activate", nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	th.DecodeJSON(resp, &g)
	assert.Equal(t, "active", g.Status)
	again := th.Login(u)
	_, _, err = again.CreatePost(th.Ctx, &model.Post{ChannelId: th.Channel.Id, Message: "back"})
	require.NoError(t, err)
	requireGuestMemberships(th, u.Id, th.Channel.Id)
}

func TestReactivateRespectsCap(t *testing.T) {
	th := testhelper.Setup(t)
	createGuest(th, th.Channel.Id) // stays active: the counter is at least 1
	_, u := createGuest(th, th.Channel.Id)
	require.Equal(t, http.StatusOK, th.PluginRequest(th.AdminClient, http.MethodPost, "/guests/"+u.Id+"/deactivate", nil).Status)
	// Other tests' guests may still be winding down (their clean-up is
	// asynchronous), but with one guest certainly active a cap of 1 can never
	// admit a second.
	th.SetPluginSettings(map[string]any{"MaxActiveGuests": 1})
	th.Eventually(func() bool {
		var st statsBody
		th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/stats", nil), &st)
		return st.MaxActiveGuests == 1
	}, "cap not applied")
	resp := th.PluginRequest(th.AdminClient, http.MethodPost, "/guests/"+u.Id+"/activate", nil)
	require.Equal(t, http.StatusConflict, resp.Status, "%s", resp.Body)
	var e errorBody
	th.DecodeJSON(resp, &e)
	assert.Equal(t, "guest_accounts.app.cap_reached", e.ErrorID)
	assert.Contains(t, e.Message, "Maximum active guests", "the refusal says how to raise the cap")
	assert.Equal(t, "deactivated", guestStatus(th, u.Id).Status)
}

func TestPromoteAndDemote(t *testing.T) {
	th := testhelper.Setup(t)
	extra := th.CreateChannel(th.Team.Id, model.ChannelTypeOpen)
	other := th.CreateChannel(th.Team.Id, model.ChannelTypeOpen)
	th.AddChannelMember(extra.Id, th.Member.Id)
	th.AddChannelMember(other.Id, th.Member.Id)

	// Demote the member, keeping two channels: everything else (town-square,
	// off-topic, the third channel) is left, sessions are revoked.
	resp := th.PluginRequest(th.AdminClient, http.MethodPost, "/users/"+th.Member.Id+"/demote",
		map[string]any{"channel_ids": []string{th.Channel.Id, extra.Id}})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	requireSessionDead(t, th, th.MemberClient)
	requireSystemRole(th, th.Member.Id, guestRole)
	requireGuestMemberships(th, th.Member.Id, th.Channel.Id, extra.Id)
	assert.True(t, auditHas(th, "demote", th.Member.Id))

	guest := th.Login(th.Member)
	_, resp2, err := guest.GetPostsForChannel(th.Ctx, other.Id, 0, 10, "", false, false)
	require.Error(t, err)
	assert.Equal(t, http.StatusForbidden, resp2.StatusCode, "the demoted guest still reads a channel they left")

	// Demoting again, or demoting an admin, is refused with a reason.
	resp = th.PluginRequest(th.AdminClient, http.MethodPost, "/users/"+th.Member.Id+"/demote", nil)
	assert.Equal(t, http.StatusConflict, resp.Status)
	resp = th.PluginRequest(th.AdminClient, http.MethodPost, "/users/"+th.Admin.Id+"/demote", nil)
	assert.Equal(t, http.StatusBadRequest, resp.Status)
	var e errorBody
	th.DecodeJSON(resp, &e)
	assert.Contains(t, e.Message, "System admins")

	// Promote: ordinary memberships again, default channels back.
	resp = th.PluginRequest(th.AdminClient, http.MethodPost, "/guests/"+th.Member.Id+"/promote", nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	resp = th.PluginRequest(th.AdminClient, http.MethodGet, "/guests/"+th.Member.Id, nil)
	assert.Equal(t, http.StatusNotFound, resp.Status, "the registry record must go")
	tm, _, err := th.AdminClient.GetTeamMember(th.Ctx, th.Team.Id, th.Member.Id, "")
	require.NoError(t, err)
	assert.False(t, tm.SchemeGuest)
	assert.True(t, tm.SchemeUser)
	cm, _, err := th.AdminClient.GetChannelMember(th.Ctx, extra.Id, th.Member.Id, "")
	require.NoError(t, err)
	assert.False(t, cm.SchemeGuest)
	requireSystemRole(th, th.Member.Id, model.SystemUserRoleId)
	town, _, err := th.AdminClient.GetChannelByName(th.Ctx, model.DefaultChannelName, th.Team.Id, "")
	require.NoError(t, err)
	_, _, err = th.AdminClient.GetChannelMember(th.Ctx, town.Id, th.Member.Id, "")
	assert.NoError(t, err, "a promoted member joins the default channels")
	member := th.Login(th.Member)
	_, _, err = member.GetPostsForChannel(th.Ctx, other.Id, 0, 10, "", false, false)
	assert.NoError(t, err, "a member reads public channels again")
	assert.True(t, auditHas(th, "promote", th.Member.Id))
}

func TestPatchGuest(t *testing.T) {
	th := testhelper.Setup(t)
	second := th.CreateChannel(th.Team.Id, model.ChannelTypePrivate)
	g, u := createGuest(th, th.Channel.Id)
	expires := model.GetMillis() + 10*24*3600*1000
	resp := th.PluginRequest(th.AdminClient, http.MethodPatch, "/guests/"+g.UserID, map[string]any{
		"expires_at":      expires,
		"restrictions":    map[string]any{"upload_files": false},
		"add_channel_ids": []string{second.Id},
	})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	th.DecodeJSON(resp, g)
	assert.Equal(t, expires, g.ExpiresAt)
	assert.False(t, g.Restrictions.UploadFiles)
	assert.ElementsMatch(t, []string{th.Channel.Id, second.Id}, g.ChannelIDs)
	requireGuestMemberships(th, u.Id, th.Channel.Id, second.Id)

	// Single-channel with two channels is refused; removing one allows it.
	resp = th.PluginRequest(th.AdminClient, http.MethodPatch, "/guests/"+g.UserID, map[string]any{"single_channel": true})
	assert.Equal(t, http.StatusConflict, resp.Status, "%s", resp.Body)
	resp = th.PluginRequest(th.AdminClient, http.MethodPatch, "/guests/"+g.UserID, map[string]any{"single_channel": true, "remove_channel_ids": []string{second.Id}})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	requireGuestMemberships(th, u.Id, th.Channel.Id)

	for name, body := range map[string]any{
		"past expiry":  map[string]any{"expires_at": 5},
		"bad restrict": map[string]any{"restrictions": map[string]any{"upload_files": "yes"}},
		"bad channel":  map[string]any{"add_channel_ids": []string{"x"}},
	} {
		resp := th.PluginRequest(th.AdminClient, http.MethodPatch, "/guests/"+g.UserID, body)
		assert.Equal(t, http.StatusBadRequest, resp.Status, "%s: %s", name, resp.Body)
	}
}

func TestListGuests(t *testing.T) {
	th := testhelper.Setup(t)
	a, _ := createGuest(th, th.Channel.Id)
	b, _ := createGuest(th, th.Channel.Id)
	require.Equal(t, http.StatusOK, th.PluginRequest(th.AdminClient, http.MethodPost, "/guests/"+b.UserID+"/deactivate", nil).Status)

	var list struct {
		Guests []guestBody `json:"guests"`
		Total  int         `json:"total"`
	}
	th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/guests?query="+a.Username, nil), &list)
	require.Equal(t, 1, list.Total)
	assert.Equal(t, a.UserID, list.Guests[0].UserID)

	th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/guests?status=deactivated&per_page=200", nil), &list)
	ids := []string{}
	for _, g := range list.Guests {
		assert.Equal(t, "deactivated", g.Status)
		ids = append(ids, g.UserID)
	}
	assert.Contains(t, ids, b.UserID)
	assert.NotContains(t, ids, a.UserID)

	th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/guests?per_page=1&page=0", nil), &list)
	assert.Len(t, list.Guests, 1)
	assert.GreaterOrEqual(t, list.Total, 2)

	for _, q := range []string{"status=bogus", "sort=bogus", "per_page=100000", "page=-1"} {
		resp := th.PluginRequest(th.AdminClient, http.MethodGet, "/guests?"+q, nil)
		assert.Equal(t, http.StatusBadRequest, resp.Status, q)
	}
}

func TestRequirePasswordChangeHoldsPostingUntilChanged(t *testing.T) {
	th := testhelper.Setup(t)
	id := model.NewId()[:10]
	resp := th.PluginRequest(th.AdminClient, http.MethodPost, "/guests", map[string]any{
		"email": "p" + id + "@guest.example.com", "username": "p" + id, "password": testhelper.UserPassword,
		"require_password_change": true, "channel_ids": []string{th.Channel.Id},
		"nickname": "Nick", "position": "Contractor", "status_message": "Visiting",
	})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	var g guestBody
	th.DecodeJSON(resp, &g)
	th.Track(g.UserID)
	u, _, err := th.AdminClient.GetUser(th.Ctx, g.UserID, "")
	require.NoError(t, err)
	assert.Equal(t, "Nick", u.Nickname)
	assert.Equal(t, "Contractor", u.Position)
	cs := u.GetCustomStatus()
	require.NotNil(t, cs)
	assert.Equal(t, "Visiting", cs.Text)

	guest := th.Login(u)
	_, r, err := guest.CreatePost(th.Ctx, &model.Post{ChannelId: th.Channel.Id, Message: "before"})
	require.Error(t, err)
	assert.Equal(t, http.StatusBadRequest, r.StatusCode)
	assert.Contains(t, err.Error(), "change the password")

	_, err = guest.UpdateUserPassword(th.Ctx, u.Id, testhelper.UserPassword, "New-Passw0rd!x")
	require.NoError(t, err)
	_, _, err = guest.CreatePost(th.Ctx, &model.Post{ChannelId: th.Channel.Id, Message: "after"})
	require.NoError(t, err, "the guest changed the password and still cannot post")
}

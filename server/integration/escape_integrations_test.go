package integration

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Everything a guest could make or change in their own team and channel
// that outlives them or reaches others: webhooks, slash commands, OAuth
// apps, bots, access tokens, custom emoji, channels, members, roles,
// channel settings. Each is refused by core before the fact, and nothing
// exists afterwards.
func TestEscapeIntegrationsAndSettingsInTheGuestsOwnTeam(t *testing.T) {
	fx := newEscape(t)
	th := fx.th
	teamID, chID, self := th.Team.Id, th.Channel.Id, fx.guest.Id
	emoji, emojiType := multipartBody(t, "image", "e.png", onePixelPNG, map[string]string{
		"emoji": fmt.Sprintf(`{"creator_id":%q,"name":"esc%s"}`, self, strings.ToLower(model.NewId()[:8])),
	})
	forbidden := []attempt{
		{name: "POST /hooks/incoming", method: http.MethodPost, path: "/hooks/incoming", body: map[string]string{"channel_id": chID, "display_name": "in"}},
		{name: "POST /hooks/outgoing", method: http.MethodPost, path: "/hooks/outgoing", body: map[string]any{"team_id": teamID, "channel_id": chID, "trigger_words": []string{"go"}, "callback_urls": []string{"http://127.0.0.1:9/x"}, "display_name": "out"}},
		{name: "POST /commands", method: http.MethodPost, path: "/commands", body: map[string]string{"team_id": teamID, "trigger": "esc" + model.NewId()[:6], "url": "http://127.0.0.1:9/x", "method": "P"}},
		{name: "POST /oauth/apps", method: http.MethodPost, path: "/oauth/apps", body: map[string]any{"name": "app", "description": "d", "homepage": "https://example.com", "callback_urls": []string{"https://example.com/cb"}}},
		{name: "POST /bots", method: http.MethodPost, path: "/bots", body: map[string]string{"username": "esc" + model.NewId()[:8], "display_name": "bot"}},
		{name: "POST /users/{self}/tokens", method: http.MethodPost, path: "/users/" + self + "/tokens", body: map[string]string{"description": "mine"}},
		{name: "PUT /users/{self}/roles", method: http.MethodPut, path: "/users/" + self + "/roles", body: map[string]string{"roles": "system_user system_admin"}},
		{name: "PUT /teams/{own}/members/{self}/roles", method: http.MethodPut, path: "/teams/" + teamID + "/members/" + self + "/roles", body: map[string]string{"roles": "team_user team_admin"}},
		{name: "PUT /teams/{own}/members/{self}/schemeRoles", method: http.MethodPut, path: "/teams/" + teamID + "/members/" + self + "/schemeRoles", body: map[string]bool{"scheme_user": true, "scheme_admin": true}},
		{name: "PUT /channels/{own}/members/{self}/roles", method: http.MethodPut, path: "/channels/" + chID + "/members/" + self + "/roles", body: map[string]string{"roles": "channel_user channel_admin"}},
		{name: "PUT /channels/{own}/members/{self}/schemeRoles", method: http.MethodPut, path: "/channels/" + chID + "/members/" + self + "/schemeRoles", body: map[string]bool{"scheme_user": true, "scheme_admin": true}},
		{name: "POST /channels (public, with header)", method: http.MethodPost, path: "/channels", body: map[string]string{"team_id": teamID, "name": "esc" + model.NewId()[:8], "display_name": "x", "type": "O", "header": "guest's header"}},
		{name: "POST /channels (private)", method: http.MethodPost, path: "/channels", body: map[string]string{"team_id": teamID, "name": "esc" + model.NewId()[:8], "display_name": "x", "type": "P"}},
		{name: "POST /channels/{own}/members (stranger)", method: http.MethodPost, path: "/channels/" + chID + "/members", body: map[string]string{"user_id": fx.stranger.Id}},
		{name: "POST /channels/{public}/members (self)", method: http.MethodPost, path: "/channels/" + fx.public.Id + "/members", body: map[string]string{"user_id": self}},
		{name: "POST /teams/{own}/members (outsider)", method: http.MethodPost, path: "/teams/" + teamID + "/members", body: map[string]string{"team_id": teamID, "user_id": fx.outsider.Id}},
		{name: "POST /teams/{own}/members/batch (outsider)", method: http.MethodPost, path: "/teams/" + teamID + "/members/batch", body: []map[string]string{{"team_id": teamID, "user_id": fx.outsider.Id}}},
		{name: "PUT /channels/{own}/patch header", method: http.MethodPut, path: "/channels/" + chID + "/patch", body: map[string]string{"header": "guest's header"}},
		{name: "PUT /channels/{own}", method: http.MethodPut, path: "/channels/" + chID, body: map[string]string{"id": chID, "display_name": "renamed", "header": "guest's header"}},
		{name: "PUT /channels/{own}/privacy", method: http.MethodPut, path: "/channels/" + chID + "/privacy", body: map[string]string{"privacy": "P"}},
		{name: "DELETE /channels/{own}", method: http.MethodDelete, path: "/channels/" + chID},
		{name: "DELETE /channels/{own}/members/{member}", method: http.MethodDelete, path: "/channels/" + chID + "/members/" + th.Member.Id},
		{name: "POST /posts (public channel)", method: http.MethodPost, path: "/posts", body: map[string]string{"channel_id": fx.public.Id, "message": "hi"}},
		{name: "GET /posts/{public post}", method: http.MethodGet, path: "/posts/" + fx.publicPost.Id},
		{name: "GET /posts/{public post}/thread", method: http.MethodGet, path: "/posts/" + fx.publicPost.Id + "/thread"},
		{name: "POST /reactions (public post)", method: http.MethodPost, path: "/reactions", body: map[string]string{"user_id": self, "post_id": fx.publicPost.Id, "emoji_name": "smile"}},
		{name: "POST /posts/{public post}/pin", method: http.MethodPost, path: "/posts/" + fx.publicPost.Id + "/pin"},
		{name: "POST /users/{self}/typing (public channel)", method: http.MethodPost, path: "/users/" + self + "/typing", body: map[string]string{"channel_id": fx.public.Id}},
		{name: "POST /drafts (public channel)", method: http.MethodPost, path: "/drafts", body: map[string]string{"user_id": self, "channel_id": fx.public.Id, "message": "d"}},
	}
	for i := range forbidden {
		forbidden[i].want = http.StatusForbidden
	}
	try(t, th, fx.gc, forbidden)
	try(t, th, fx.gc, []attempt{
		{name: "POST /channels/{own}/bookmarks", method: http.MethodPost, path: "/channels/" + chID + "/bookmarks", body: map[string]string{"display_name": "b", "type": "link", "link_url": "https://example.com"}, want: http.StatusNotImplemented},
		{name: "POST /posts/schedule", method: http.MethodPost, path: "/posts/schedule", body: map[string]any{"channel_id": chID, "message": "later", "scheduled_at": time.Now().Add(time.Hour).UnixMilli()}, want: http.StatusBadRequest},
	})
	file, fileType := multipartBody(t, "files", "a.txt", []byte("data"), map[string]string{"channel_id": fx.public.Id})
	for name, r := range map[string]rawResp{
		"POST /emoji":                  callMultipart(th, fx.gc, "/emoji", emoji, emojiType),
		"POST /files (public channel)": callMultipart(th, fx.gc, "/files?channel_id="+fx.public.Id, file, fileType),
	} {
		assert.Equal(t, http.StatusForbidden, r.Status, "%s: %.200s", name, r.Body)
	}

	// Measured edition limit, as for core's licensed guests: a post's info
	// names its channel and team, without the post.
	info := call(th, fx.gc, http.MethodGet, "/posts/"+fx.publicPost.Id+"/info", nil)
	assert.Equal(t, http.StatusOK, info.Status, "measured: /posts/{id}/info answers a guest (update docs/security.md if this changes)")
	assert.Empty(t, leaks(info.Body, fx.publicPost.Message), "/posts/{id}/info leaked the post")

	ch, _, err := th.AdminClient.GetChannel(th.Ctx, chID)
	require.NoError(t, err)
	assert.Empty(t, ch.Header, "the guest changed their channel's header")
	assert.Equal(t, model.ChannelTypeOpen, ch.Type)
	assert.Zero(t, ch.DeleteAt)
	assert.Nil(t, channelMember(th, chID, fx.stranger.Id), "the stranger was added to the guest's channel")
	assert.NotNil(t, channelMember(th, chID, th.Member.Id), "the guest removed a member")
	assert.Nil(t, activeTeamMember(th, teamID, fx.outsider.Id), "the outsider was added to the team")
	fx.requireNoTrace(t)
	requireGuestMemberships(th, fx.guest.Id, chID)
	requireSystemRole(th, fx.guest.Id, "guest_accounts_guest")
}

// The slash commands that reach beyond the guest's channels: each answers
// with a refusal and changes nothing.
func TestEscapeSlashCommands(t *testing.T) {
	fx := newEscape(t)
	th := fx.th
	second := th.CreateUser()
	th.AddTeamMember(th.Team.Id, second.Id)
	th.AddChannelMember(th.Channel.Id, second.Id)
	invited := newAddress("example.com")
	mailMark := th.SMTP.LastSeq()
	for _, cmd := range []string{
		"/join ~" + fx.public.Name,
		"/open ~" + fx.public.Name,
		"/header the guest's header",
		"/purpose the guest's purpose",
		"/rename the guest's name",
		"/invite @" + fx.stranger.Username,
		"/invite @" + fx.outsider.Username + " ~" + th.Channel.Name,
		"/kick @" + second.Username,
		"/remove @" + second.Username,
		"/invite_people " + invited,
		"/msg @" + fx.stranger.Username + " hello",
		"/groupmsg @" + fx.stranger.Username + ",@" + second.Username + " hello",
	} {
		out, resp, err := fx.gc.ExecuteCommand(th.Ctx, th.Channel.Id, cmd)
		text := ""
		if out != nil {
			text = out.Text
		}
		t.Logf("| %s | %d %q |", cmd, respStatus(resp), text)
		if err == nil {
			assert.NotEmpty(t, text, "%s answered nothing", cmd)
			assert.NotContains(t, strings.ToLower(text), "success", cmd)
		}
	}
	ch, _, err := th.AdminClient.GetChannel(th.Ctx, th.Channel.Id)
	require.NoError(t, err)
	assert.Equal(t, "", ch.Header)
	assert.Equal(t, "", ch.Purpose)
	assert.NotEqual(t, "the guest's name", ch.DisplayName)
	assert.Nil(t, channelMember(th, fx.public.Id, fx.guest.Id), "the guest joined a public channel")
	assert.Nil(t, channelMember(th, th.Channel.Id, fx.stranger.Id), "the stranger was invited")
	assert.NotNil(t, channelMember(th, th.Channel.Id, second.Id), "the guest kicked a member")
	for _, m := range th.SMTP.Messages() {
		for _, addr := range []string{invited, fx.stranger.Email, fx.outsider.Email} {
			assert.False(t, m.Seq > mailMark && m.SentTo(addr), "an email went out: %s", m)
		}
	}
	fx.requireNoTrace(t)
}

// A guest cannot mint a personal access token; one an admin made for them
// stops working when the plugin deactivates them.
func TestEscapeAccessTokenDoesNotOutliveDeactivation(t *testing.T) {
	fx := newEscape(t)
	th := fx.th
	try(t, th, fx.gc, []attempt{{name: "POST /users/{self}/tokens", method: http.MethodPost, path: "/users/" + fx.guest.Id + "/tokens", body: map[string]string{"description": "mine"}, want: http.StatusForbidden}})
	tc := th.TokenClient(fx.guest.Id)
	_, _, err := tc.GetMe(th.Ctx, "")
	require.NoError(t, err, "the admin's token for the guest")
	resp := th.PluginRequest(th.AdminClient, http.MethodPost, "/guests/"+fx.guest.Id+"/deactivate", nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	for _, c := range []*model.Client4{tc, fx.gc} {
		_, r, err := c.GetMe(th.Ctx, "")
		require.Error(t, err, "a credential outlived the deactivation")
		assert.Equal(t, http.StatusUnauthorized, r.StatusCode)
	}
}

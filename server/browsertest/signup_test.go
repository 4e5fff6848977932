package browsertest

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// TestGuestSignsUpInTheBrowser is the invitation story end to end: an admin
// invites two addresses into channels of two teams, two emails arrive, a
// real browser follows the link from one, fills the form and ends up
// logged in as a guest who can post in exactly those channels.
func TestGuestSignsUpInTheBrowser(t *testing.T) {
	th := testhelper.Setup(t)
	team2 := th.CreateTeam(model.TeamOpen)
	ch2 := th.CreateChannel(team2.Id, model.ChannelTypeOpen)
	for _, ch := range []*model.Channel{th.Channel, ch2} {
		th.AddTeamMember(ch.TeamId, th.Admin.Id)
		th.AddChannelMember(ch.Id, th.Admin.Id)
	}
	seq := th.SMTP.LastSeq()
	a := "b" + model.NewId()[:10] + "@guest.example.com"
	b := "b" + model.NewId()[:10] + "@guest.example.com"
	resp := th.PluginRequest(th.AdminClient, http.MethodPost, "/invites", map[string]any{
		"emails": []string{a, b}, "channel_ids": []string{th.Channel.Id, ch2.Id}, "message": "See you <script>alert(1)</script> inside",
	})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)

	links := map[string]string{}
	for _, addr := range []string{a, b} {
		msg, err := th.SMTP.WaitFor(th.Ctx, func(m smtpMessage) bool { return m.Seq > seq && m.SentTo(addr) })
		require.NoError(t, err, "no email for %s", addr)
		found := msg.LinksWithPrefix(th.URL + "/plugins/guest-accounts/api/v1/invite/")
		require.NotEmpty(t, found, "no signup link in the email to %s", addr)
		links[addr] = found[0]
	}
	require.NotEqual(t, links[a], links[b], "two addresses got the same link")

	username := "web" + strings.ToLower(model.NewId()[:8])
	shot := filepath.Join(screenshotDir(t), "signup-form.png")
	res := runSignup(t, "--url", links[a], "--mode", "new", "--username", username, "--password", testhelper.UserPassword,
		"--first", "Ada", "--last", "Guest", "--screenshot", shot)
	require.Empty(t, res.Problem)
	assert.True(t, res.NewFormVisible, "the signup form is not shown")
	assert.False(t, res.ExistingFormVisible, "the sign-in form shows before its tab is chosen")
	require.Contains(t, res.URL, "/channels/"+th.Channel.Name, "the browser did not land in the first channel (status: %s)", res.StatusText)
	token := res.Cookies["MMAUTHTOKEN"]
	require.NotEmpty(t, token, "the browser is not logged in")
	require.FileExists(t, shot)

	// The browser's session is a guest's.
	guest := model.NewAPIv4Client(th.URL)
	guest.SetToken(token)
	me, _, err := guest.GetMe(th.Ctx, "")
	require.NoError(t, err)
	th.Track(me.Id)
	assert.Equal(t, a, me.Email)
	assert.Equal(t, username, me.Username)
	var g struct {
		Status     string   `json:"status"`
		ChannelIDs []string `json:"channel_ids"`
	}
	th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/guests/"+me.Id, nil), &g)
	assert.Equal(t, "active", g.Status)
	assert.ElementsMatch(t, []string{th.Channel.Id, ch2.Id}, g.ChannelIDs)
	for _, ch := range []string{th.Channel.Id, ch2.Id} {
		_, _, err := guest.CreatePost(th.Ctx, &model.Post{ChannelId: ch, Message: "hello from the browser"})
		require.NoError(t, err, "the guest cannot post in a given channel")
	}
	elsewhere := th.CreateChannel(th.Team.Id, model.ChannelTypeOpen)
	_, r, err := guest.CreatePost(th.Ctx, &model.Post{ChannelId: elsewhere.Id, Message: "sneaky"})
	require.Error(t, err)
	assert.Equal(t, http.StatusForbidden, r.StatusCode, "the guest posts in a channel they were not given")

	// The same link again, in a fresh browser: a clear page, not a form.
	again := runSignup(t, "--url", links[a], "--mode", "open", "--screenshot", filepath.Join(screenshotDir(t), "signup-used.png"))
	assert.Equal(t, http.StatusGone, again.Status)
	assert.Contains(t, again.Problem, "already been used")
}

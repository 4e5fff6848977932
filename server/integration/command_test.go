package integration

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

func TestGuestSlashCommand(t *testing.T) {
	th := testhelper.Setup(t)
	th.AddTeamMember(th.Team.Id, th.Admin.Id)
	th.AddChannelMember(th.Channel.Id, th.Admin.Id)
	_, u := createGuest(th, th.Channel.Id)
	run := func(who string, cmd string) string {
		c := th.AdminClient
		if who == "member" {
			c = th.MemberClient
		}
		resp, _, err := c.ExecuteCommand(th.Ctx, th.Channel.Id, cmd)
		require.NoError(t, err, cmd)
		return resp.Text
	}

	assert.Contains(t, run("admin", "/guest help"), "/guest list")
	assert.Contains(t, run("admin", "/guest stats"), "active")
	assert.Contains(t, run("admin", "/guest info @"+u.Username), u.Email)
	assert.Contains(t, run("admin", "/guest list active"), "@"+u.Username)

	// Members are refused every admin action and nothing changes.
	for _, sub := range []string{"list", "stats", "info @" + u.Username, "deactivate @" + u.Username, "promote @" + u.Username, "demote @" + th.Admin.Username} {
		assert.Contains(t, run("member", "/guest "+sub), "Only system admins", sub)
	}
	assert.Equal(t, "active", guestStatus(th, u.Id).Status)

	assert.Contains(t, run("admin", "/guest expire @"+u.Username+" 2999-01-31"), "2999-01-31")
	assert.NotZero(t, guestStatus(th, u.Id).ExpiresAt)
	assert.Contains(t, run("admin", "/guest expire @"+u.Username+" tomorrow-ish"), "not a date")
	assert.Contains(t, run("admin", "/guest expire @"+u.Username+" never"), "never")
	assert.Zero(t, guestStatus(th, u.Id).ExpiresAt)

	assert.Contains(t, run("admin", "/guest deactivate @"+u.Username), "deactivated")
	assert.Equal(t, "deactivated", guestStatus(th, u.Id).Status)
	assert.Contains(t, run("admin", "/guest activate @"+u.Username), "active again")
	assert.Equal(t, "active", guestStatus(th, u.Id).Status)

	// Restrictions and single-channel through the command.
	assert.Contains(t, run("admin", "/guest restrict @"+u.Username+" react off"), "react is now off")
	var g guestBody
	th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/guests/"+u.Id, nil), &g)
	assert.False(t, g.Restrictions.React)
	assert.Contains(t, run("admin", "/guest restrict @"+u.Username+" teleport off"), "not a restriction")
	assert.Contains(t, run("member", "/guest restrict @"+u.Username+" react on"), "Only system admins")
	assert.Contains(t, run("admin", "/guest single @"+u.Username+" on"), "now a single-channel guest")
	assert.True(t, guestStatus(th, u.Id).SingleChannel)
	assert.Contains(t, run("admin", "/guest single @"+u.Username+" off"), "no longer")

	member := th.CreateUser()
	th.AddTeamMember(th.Team.Id, member.Id)
	assert.Contains(t, run("admin", "/guest demote @"+member.Username), "now a guest")
	assert.Equal(t, "active", guestStatus(th, member.Id).Status)
	assert.Contains(t, run("admin", "/guest promote @"+member.Username), "full member")
	assert.True(t, strings.Contains(run("admin", "/guest info @"+member.Username), "not a guest"))
	assert.Contains(t, run("admin", "/guest info @nobody-"+u.Id), "No user")
}

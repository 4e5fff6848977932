package integration

import (
	"net/http"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// What GET /stats says is enforced with the dedicated role holds, from
// the guest's session: core refuses teams (create, list, join), new
// channels, strangers' profiles and directory entries, and DMs/GMs with
// strangers, before the fact; DMs with a co-member still work.
func TestRoleEditionLimitClaimsHold(t *testing.T) {
	th := testhelper.Setup(t)
	_, u := createGuest(th, th.Channel.Id)
	guest := th.Login(u)
	stranger := th.CreateUser() // same team, no shared channel
	th.AddTeamMember(th.Team.Id, stranger.Id)
	openTeam := th.CreateTeam(model.TeamOpen)

	st := readStatsRole(th)
	assert.Equal(t, guestRole, st.GuestRole.Role)
	assert.False(t, st.GuestRole.Fallback)
	for _, c := range []string{"guest_role", "list_users", "create_direct_channel"} {
		enforced, note, ok := st.limit(c)
		require.True(t, ok, "no %s edition limit", c)
		assert.True(t, enforced, "%s: %s", c, note)
	}

	forbidden := func(what string, resp *model.Response, err error) {
		t.Helper()
		require.Error(t, err, "%s went through", what)
		assert.Equal(t, http.StatusForbidden, resp.StatusCode, what)
	}
	// guest_role: teams and channels.
	_, resp, err := guest.CreateTeam(th.Ctx, &model.Team{Name: "t" + model.NewId()[:12], DisplayName: "x", Type: model.TeamOpen})
	forbidden("creating a team", resp, err)
	_, resp, err = guest.GetAllTeams(th.Ctx, "", 0, 100)
	forbidden("listing all teams", resp, err)
	_, resp, err = guest.AddTeamMember(th.Ctx, openTeam.Id, u.Id)
	forbidden("joining an open team", resp, err)
	for _, typ := range []model.ChannelType{model.ChannelTypeOpen, model.ChannelTypePrivate} {
		_, resp, err = guest.CreateChannel(th.Ctx, &model.Channel{TeamId: th.Team.Id, Name: "c" + model.NewId()[:12], DisplayName: "x", Type: typ})
		forbidden("creating a channel of type "+string(typ), resp, err)
	}

	// list_users: strangers stay out of sight.
	_, resp, err = guest.GetUser(th.Ctx, stranger.Id, "")
	forbidden("reading a stranger's profile", resp, err)
	users, _, err := guest.GetUsers(th.Ctx, 0, 200, "")
	require.NoError(t, err)
	seen := map[string]bool{}
	for _, x := range users {
		seen[x.Id] = true
	}
	assert.False(t, seen[stranger.Id], "the directory lists a stranger")
	assert.True(t, seen[th.Member.Id], "the directory misses a co-member")
	found, _, err := guest.SearchUsers(th.Ctx, &model.UserSearch{Term: stranger.Username})
	require.NoError(t, err)
	assert.Empty(t, found, "search finds a stranger")
	ac, _, err := guest.AutocompleteUsersInTeam(th.Ctx, th.Team.Id, stranger.Username, 10, "")
	require.NoError(t, err)
	assert.Empty(t, ac.Users, "autocomplete offers a stranger")

	// create_direct_channel: strangers refused, co-members allowed.
	_, resp, err = guest.CreateDirectChannel(th.Ctx, u.Id, stranger.Id)
	forbidden("a DM with a stranger", resp, err)
	_, resp, err = guest.CreateGroupChannel(th.Ctx, []string{u.Id, th.Member.Id, stranger.Id})
	forbidden("a GM with a stranger", resp, err)
	dm, _, err := guest.CreateDirectChannel(th.Ctx, u.Id, th.Member.Id)
	require.NoError(t, err, "a DM with a co-member")
	_, _, err = guest.CreatePost(th.Ctx, &model.Post{ChannelId: dm.Id, Message: "hello co-member"})
	require.NoError(t, err)
}

package integration

import (
	"net/http"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// Every way of becoming a guest ends on exactly the dedicated role (no
// other role beside it), and so does every later change that opens a role
// window; promotion ends on system_user. (The licence watcher's move
// between system_guest and the dedicated role needs a licence this test
// server cannot have: server/memberships' unit tests cover it.)
func TestRoleEveryPathEndsOnTheGuestRole(t *testing.T) {
	th := testhelper.Setup(t)
	adminInChannels(th, th.Channel)
	other := th.CreateChannel(th.Team.Id, model.ChannelTypeOpen)
	adminInChannels(th, other)

	// Acceptance of an invitation, from the link in the email.
	addr := newAddress("guest.example.com")
	seq := th.SMTP.LastSeq()
	invite(th, th.AdminClient, map[string]any{"emails": []string{addr}, "channel_ids": []string{th.Channel.Id}})
	accepted := signup(th, inviteLink(th, addr, seq))
	requireSystemRole(th, accepted.Id, guestRole)

	// Inviting the existing guest again gives the channel at once (a window).
	invite(th, th.AdminClient, map[string]any{"emails": []string{addr}, "channel_ids": []string{other.Id}})
	waitGivenChannel(th, accepted.Id, other.Id)
	requireGuestMemberships(th, accepted.Id, th.Channel.Id, other.Id)
	requireSystemRole(th, accepted.Id, guestRole)

	// Core's "add member" by an admin: the hook converts it in a window.
	third := th.CreateChannel(th.Team.Id, model.ChannelTypePrivate)
	th.AddChannelMember(third.Id, accepted.Id)
	waitGivenChannel(th, accepted.Id, third.Id)
	requireSystemRole(th, accepted.Id, guestRole)

	// An admin's create, with and without channels.
	_, created := createGuest(th, th.Channel.Id)
	requireSystemRole(th, created.Id, guestRole)
	_, bare := createGuest(th)
	requireSystemRole(th, bare.Id, guestRole)

	// Demotion of a member.
	member := th.CreateUser()
	th.AddTeamMember(th.Team.Id, member.Id)
	th.AddChannelMember(th.Channel.Id, member.Id)
	resp := th.PluginRequest(th.AdminClient, http.MethodPost, "/users/"+member.Id+"/demote", map[string]any{"channel_ids": []string{th.Channel.Id}})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	requireSystemRole(th, member.Id, guestRole)
	requireGuestMemberships(th, member.Id, th.Channel.Id)

	// An automatic rule on a new account.
	setRules(th, "member.test", "", noCap(th))
	outsider := selfSignUp(th, "outside.test")
	waitRuleGuest(th, outsider.Id)
	waitSystemRole(th, outsider.Id, guestRole)

	// Deactivation and reactivation keep it.
	resp = th.PluginRequest(th.AdminClient, http.MethodPost, "/guests/"+created.Id+"/deactivate", nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	resp = th.PluginRequest(th.AdminClient, http.MethodPost, "/guests/"+created.Id+"/activate", nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	requireSystemRole(th, created.Id, guestRole)

	// Promotion: a member again.
	resp = th.PluginRequest(th.AdminClient, http.MethodPost, "/guests/"+created.Id+"/promote", nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	requireSystemRole(th, created.Id, model.SystemUserRoleId)

	// Core lists exactly the guests by the role (System Console > Users
	// can filter on it); the active ones, so the page of 200 is not filled
	// by the guests earlier tests made and deactivated.
	users, _, err := th.AdminClient.GetUsersWithCustomQueryParameters(th.Ctx, 0, 200, "active=true&role="+guestRole, "")
	require.NoError(t, err)
	listed := map[string]bool{}
	for _, u := range users {
		listed[u.Id] = true
	}
	for _, id := range []string{accepted.Id, bare.Id, member.Id, outsider.Id} {
		assert.True(t, listed[id], "GET /users?role= misses guest %s", id)
	}
	assert.False(t, listed[created.Id], "the promoted member is listed as a guest")
}

// A new guest's account is never usable as system_user: while the plugin
// creates it (core makes every account system_user first), logins to it
// are refused; the first login that gets through already holds the guest
// role, and its session cannot create a team.
func TestRoleNewAccountIsNeverSignedInAsSystemUser(t *testing.T) {
	th := testhelper.Setup(t)
	for round := range 10 {
		id := model.NewId()[:10]
		username := "g" + id
		done := make(chan int, 1)
		go func() {
			resp := th.PluginRequest(th.AdminClient, http.MethodPost, "/guests", map[string]any{
				"email": username + "@guest.example.com", "username": username,
				"password": testhelper.UserPassword, "channel_ids": []string{th.Channel.Id},
			})
			done <- resp.Status
		}()
		var session *model.Client4
		attempts := 0
		for session == nil {
			c := th.Anonymous()
			attempts++
			if me, _, err := c.Login(th.Ctx, username, testhelper.UserPassword); err == nil {
				session = c
				assert.Equal(t, guestRole, me.Roles, "round %d: the first login (attempt %d) holds another role", round, attempts)
			}
			select {
			case status := <-done:
				require.Equal(t, http.StatusCreated, status, "round %d: creating the guest", round)
				done <- status
			default:
			}
		}
		me, _, err := session.GetMe(th.Ctx, "")
		require.NoError(t, err)
		th.Track(me.Id)
		assert.Equal(t, guestRole, me.Roles)
		_, resp, err := session.CreateTeam(th.Ctx, &model.Team{Name: "t" + model.NewId()[:12], DisplayName: "x", Type: model.TeamOpen})
		require.Error(t, err, "round %d: the new guest created a team", round)
		assert.Equal(t, http.StatusForbidden, resp.StatusCode)
		require.Equal(t, http.StatusCreated, <-done)
		t.Logf("round %d: first successful login after %d attempts", round, attempts)
	}
}

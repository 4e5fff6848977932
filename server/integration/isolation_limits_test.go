package integration

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// TestEditionLimits measures, acting as a guest through raw REST on the
// unlicensed server, what a guest can still do, prints the table that
// docs/security.md ("What a guest can and cannot do") states, and asserts every capability
// the plugin (or core, through guest memberships) enforces.
func TestEditionLimits(t *testing.T) {
	th := testhelper.Setup(t)
	public := th.CreateChannel(th.Team.Id, model.ChannelTypeOpen)
	_, _, err := th.AdminClient.CreatePost(th.Ctx, &model.Post{ChannelId: public.Id, Message: "public news"})
	require.NoError(t, err)
	outsider := th.CreateUser() // shares no channel with the guest
	th.AddTeamMember(th.Team.Id, outsider.Id)
	openTeam := th.CreateTeam(model.TeamOpen)
	u := createGuestWith(th, nil, th.Channel.Id)
	guest := th.Login(u)

	type row struct {
		capability string
		enforced   bool
		measured   string
		mustHold   bool // the plugin promises this one
	}
	var rows []row
	status := func(resp *model.Response) int {
		if resp == nil {
			return 0
		}
		return resp.StatusCode
	}

	_, resp, err := guest.GetPublicChannelsForTeam(th.Ctx, th.Team.Id, 0, 100, "")
	rows = append(rows, row{"list public channels", err != nil, fmt.Sprintf("GET /teams/{id}/channels → %d", status(resp)), true})

	_, resp, err = guest.GetPostsForChannel(th.Ctx, public.Id, 0, 10, "", false, false)
	rows = append(rows, row{"read public channel posts without joining", err != nil, fmt.Sprintf("GET /channels/{id}/posts → %d", status(resp)), true})

	users, resp, err := guest.GetUsers(th.Ctx, 0, 200, "")
	listed := err == nil && containsUser(users, outsider.Id)
	rows = append(rows, row{"list users (directory)", !listed, fmt.Sprintf("GET /users → %d, outsider listed: %v", status(resp), listed), false})

	found, resp, err := guest.SearchUsers(th.Ctx, &model.UserSearch{Term: outsider.Username})
	searched := err == nil && containsUser(found, outsider.Id)
	rows = append(rows, row{"search users", !searched, fmt.Sprintf("POST /users/search → %d, outsider found: %v", status(resp), searched), false})

	profile, resp, err := guest.GetUser(th.Ctx, outsider.Id, "")
	viewed := err == nil && profile.Id == outsider.Id
	rows = append(rows, row{"view an outsider's profile", !viewed, fmt.Sprintf("GET /users/{id} → %d", status(resp)), false})

	_, resp, err = guest.AddChannelMember(th.Ctx, public.Id, u.Id)
	rows = append(rows, row{"join a public channel", err != nil, fmt.Sprintf("POST /channels/{id}/members (self) → %d", status(resp)), true})

	_, resp, err = guest.AddTeamMember(th.Ctx, openTeam.Id, u.Id)
	joinStatus := status(resp)
	left := err != nil
	if !left {
		th.Eventually(func() bool { return activeTeamMember(th, openTeam.Id, u.Id) == nil }, "the guest stayed in the open team")
		left = activeTeamMember(th, openTeam.Id, u.Id) == nil
	}
	rows = append(rows, row{"join an open team", left, fmt.Sprintf("POST /teams/{id}/members (self) → %d, then removed by the hook: %v", joinStatus, left), true})

	dm, resp, err := guest.CreateDirectChannel(th.Ctx, u.Id, outsider.Id)
	rows = append(rows, row{"create a DM with a non-shared user", err != nil, fmt.Sprintf("POST /channels/direct → %d (the guest is told at once)", status(resp)), false})
	if dm != nil {
		_, resp, err = guest.CreatePost(th.Ctx, &model.Post{ChannelId: dm.Id, Message: "hello stranger"})
		rows = append(rows, row{"post in that DM", err != nil, fmt.Sprintf("POST /posts → %d", status(resp)), true})
	}

	townSquares := 0
	for _, teamID := range []string{th.Team.Id, openTeam.Id} {
		ts, _, err := th.AdminClient.GetChannelByName(th.Ctx, model.DefaultChannelName, teamID, "")
		require.NoError(t, err)
		if channelMember(th, ts.Id, u.Id) != nil {
			townSquares++
		}
	}
	rows = append(rows, row{"stay in town-square", townSquares == 0, fmt.Sprintf("town-square memberships: %d", townSquares), true})

	var b strings.Builder
	fmt.Fprintf(&b, "\nEdition limits (unlicensed Team Edition 11.4, acting as a guest):\n")
	fmt.Fprintf(&b, "| %-42s | %-16s | %s\n", "capability", "result", "measured")
	for _, r := range rows {
		result := "not enforceable"
		if r.enforced {
			result = "enforced"
		}
		fmt.Fprintf(&b, "| %-42s | %-16s | %s\n", r.capability, result, r.measured)
	}
	t.Log(b.String())
	for _, r := range rows {
		if r.mustHold {
			assert.True(t, r.enforced, "%s is not enforced: %s", r.capability, r.measured)
		}
	}
	// The guest still works in their channel.
	_, _, err = guest.CreatePost(th.Ctx, &model.Post{ChannelId: th.Channel.Id, Message: "still at work"})
	require.NoError(t, err)
	_, resp, _ = guest.GetMe(th.Ctx, "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

func containsUser(users []*model.User, id string) bool {
	for _, u := range users {
		if u.Id == id {
			return true
		}
	}
	return false
}

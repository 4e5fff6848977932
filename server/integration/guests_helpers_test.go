package integration

import (
	"net/http"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// guestBody is the API view of a guest.
type guestBody struct {
	UserID            string   `json:"user_id"`
	Username          string   `json:"username"`
	Email             string   `json:"email"`
	Status            string   `json:"status"`
	DeactivatedReason string   `json:"deactivated_reason"`
	ExpiresAt         int64    `json:"expires_at"`
	SingleChannel     bool     `json:"single_channel"`
	ChannelIDs        []string `json:"channel_ids"`
	Restrictions      struct {
		UploadFiles    bool `json:"upload_files"`
		DirectMessages bool `json:"direct_messages"`
		React          bool `json:"react"`
	} `json:"restrictions"`
}

// createGuest creates a guest through the plugin's admin API with the
// helper's password and the given channels.
func createGuest(th *testhelper.TestHelper, channelIDs ...string) (*guestBody, *model.User) {
	th.T.Helper()
	id := model.NewId()[:10]
	resp := th.PluginRequest(th.AdminClient, http.MethodPost, "/guests", map[string]any{
		"email":       "g" + id + "@guest.example.com",
		"username":    "g" + id,
		"first_name":  "Guest",
		"last_name":   id,
		"password":    testhelper.UserPassword,
		"channel_ids": channelIDs,
	})
	require.Equal(th.T, http.StatusCreated, resp.Status, "creating a guest: %s", resp.Body)
	var g guestBody
	th.DecodeJSON(resp, &g)
	th.Track(g.UserID)
	u, _, err := th.AdminClient.GetUser(th.Ctx, g.UserID, "")
	require.NoError(th.T, err)
	return &g, u
}

// requireGuestMemberships checks that every team and channel membership of
// the user is a guest one, and that the user is in exactly these channels
// (team channels only).
func requireGuestMemberships(th *testhelper.TestHelper, userID string, channelIDs ...string) {
	th.T.Helper()
	teams, _, err := th.AdminClient.GetTeamMembersForUser(th.Ctx, userID, "")
	require.NoError(th.T, err)
	got := map[string]bool{}
	names := map[string]string{}
	for _, tm := range teams {
		if tm.DeleteAt != 0 {
			continue
		}
		require.True(th.T, tm.SchemeGuest, "team membership in %s is not a guest membership (roles %q)", tm.TeamId, tm.Roles)
		require.False(th.T, tm.SchemeUser, "team membership in %s also has the user scheme role", tm.TeamId)
		members, _, err := th.AdminClient.GetChannelMembersForUser(th.Ctx, userID, tm.TeamId, "")
		require.NoError(th.T, err)
		for _, cm := range members {
			ch, _, err := th.AdminClient.GetChannel(th.Ctx, cm.ChannelId)
			require.NoError(th.T, err)
			if ch.Type == model.ChannelTypeDirect || ch.Type == model.ChannelTypeGroup {
				continue
			}
			require.True(th.T, cm.SchemeGuest, "membership in channel %s (%s) is not a guest membership", ch.Name, cm.ChannelId)
			got[cm.ChannelId] = true
			names[cm.ChannelId] = ch.Name
		}
	}
	want := map[string]bool{}
	for _, id := range channelIDs {
		want[id] = true
	}
	require.Equal(th.T, want, got, "the guest's channels (names of those found: %v)", names)
}

// requireSystemRole checks the user's system role.
func requireSystemRole(th *testhelper.TestHelper, userID, role string) {
	th.T.Helper()
	u, _, err := th.AdminClient.GetUser(th.Ctx, userID, "")
	require.NoError(th.T, err)
	require.Equal(th.T, role, u.Roles)
}

func auditHas(th *testhelper.TestHelper, action, targetID string) bool {
	var body struct {
		Entries []struct {
			Action   string `json:"action"`
			TargetID string `json:"target_id"`
			Result   string `json:"result"`
		} `json:"entries"`
	}
	th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/audit?per_page=200", nil), &body)
	for _, e := range body.Entries {
		if e.Action == action && e.TargetID == targetID && e.Result == "success" {
			return true
		}
	}
	return false
}

// requireSessionDead checks that a client's session no longer works.
func requireSessionDead(t *testing.T, th *testhelper.TestHelper, c *model.Client4) {
	t.Helper()
	_, resp, err := c.GetMe(th.Ctx, "")
	require.Error(t, err, "the old session still works")
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}

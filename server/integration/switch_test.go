package integration

import (
	"net/http"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/build/pluginctl"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

func guestStatus(th *testhelper.TestHelper, userID string) guestBody {
	var g guestBody
	th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/guests/"+userID, nil), &g)
	return g
}

func TestMasterSwitchRestoresExactlyItsOwnGuests(t *testing.T) {
	th := testhelper.Setup(t)
	_, a := createGuest(th, th.Channel.Id)
	_, b := createGuest(th, th.Channel.Id)
	_, c := createGuest(th, th.Channel.Id)
	require.Equal(t, http.StatusOK, th.PluginRequest(th.AdminClient, http.MethodPost, "/guests/"+c.Id+"/deactivate", nil).Status)
	sessionA := th.Login(a)
	tokenB := th.TokenClient(b.Id)

	require.NoError(t, th.UpdatePluginSettings(map[string]any{"EnableGuestAccounts": false}))
	t.Cleanup(func() { _ = th.UpdatePluginSettings(map[string]any{"EnableGuestAccounts": true}) })
	// The registry records the switch before core deactivates the account;
	// the audit entry follows the deactivation.
	th.Eventually(func() bool {
		return auditHas(th, "deactivate", a.Id) && auditHas(th, "deactivate", b.Id)
	}, "switching off did not deactivate the guests")
	assert.Equal(t, "switch", guestStatus(th, a.Id).DeactivatedReason)
	assert.Equal(t, "switch", guestStatus(th, b.Id).DeactivatedReason)
	requireSessionDead(t, th, sessionA)
	requireSessionDead(t, th, tokenB)
	_, _, err := th.Anonymous().Login(th.Ctx, a.Username, testhelper.UserPassword)
	require.Error(t, err, "a guest logs in while guest accounts are off")
	assert.Equal(t, "admin", guestStatus(th, c.Id).DeactivatedReason, "an admin's deactivation is kept")

	// Members are untouched.
	_, _, err = th.MemberClient.GetMe(th.Ctx, "")
	require.NoError(t, err)

	require.NoError(t, th.UpdatePluginSettings(map[string]any{"EnableGuestAccounts": true}))
	th.Eventually(func() bool {
		return guestStatus(th, a.Id).Status == "active" && guestStatus(th, b.Id).Status == "active"
	}, "switching on did not reactivate the guests")
	assert.Equal(t, "deactivated", guestStatus(th, c.Id).Status, "switching on must not bring back a guest an admin deactivated")
	again := th.Login(a)
	_, _, err = again.CreatePost(th.Ctx, &model.Post{ChannelId: th.Channel.Id, Message: "back again"})
	require.NoError(t, err)
	requireGuestMemberships(th, a.Id, th.Channel.Id)
}

func TestDisablingThePluginFailsClosed(t *testing.T) {
	th := testhelper.Setup(t)
	_, a := createGuest(th, th.Channel.Id)
	_, c := createGuest(th, th.Channel.Id)
	require.Equal(t, http.StatusOK, th.PluginRequest(th.AdminClient, http.MethodPost, "/guests/"+c.Id+"/deactivate", nil).Status)
	session := th.Login(a)

	_, err := th.AdminClient.DisablePlugin(th.Ctx, testhelper.PluginID)
	require.NoError(t, err)
	enabled := false
	t.Cleanup(func() {
		if !enabled {
			_, _ = th.AdminClient.EnablePlugin(th.Ctx, testhelper.PluginID)
		}
	})
	// With the plugin off nothing guards guests: they must be out at once.
	requireSessionDead(t, th, session)
	_, _, err = th.Anonymous().Login(th.Ctx, a.Username, testhelper.UserPassword)
	require.Error(t, err, "a guest logs in while the plugin is disabled")
	u, _, err := th.AdminClient.GetUser(th.Ctx, a.Id, "")
	require.NoError(t, err)
	assert.NotZero(t, u.DeleteAt, "the guest is not deactivated while the plugin is disabled")

	_, err = th.AdminClient.EnablePlugin(th.Ctx, testhelper.PluginID)
	require.NoError(t, err)
	enabled = true
	require.NoError(t, pluginctl.WaitForPlugin(th.Ctx, th.AdminClient, testhelper.PluginID, model.PluginStateRunning))
	th.Eventually(func() bool { return guestStatus(th, a.Id).Status == "active" }, "the guest was not reinstated when the plugin came back")
	assert.Equal(t, "deactivated", guestStatus(th, c.Id).Status)
	th.Login(a)
}

// TestServerRestartKeepsGuestsAndRepairsWindow restarts the shared server:
// a restart is not a disable, so nobody is logged out.
func TestServerRestartKeepsGuestsAndRepairsWindow(t *testing.T) {
	th := testhelper.Setup(t)
	g, a := createGuest(th, th.Channel.Id)
	_, b := createGuest(th, th.Channel.Id)
	token := th.TokenClient(a.Id)
	session := th.Login(a)

	// Simulate a crash inside a role window: b is left as system_guest.
	// Unlicensed core deactivates such users at start-up; the plugin's
	// activation must repair the role and reactivate them.
	_, err := th.AdminClient.UpdateUserRoles(th.Ctx, b.Id, model.SystemGuestRoleId)
	require.NoError(t, err)

	require.NoError(t, th.Stack.RestartMattermost(th.Ctx))
	require.NoError(t, pluginctl.WaitForPlugin(th.Ctx, th.AdminClient, testhelper.PluginID, model.PluginStateRunning))

	_, _, err = token.GetMe(th.Ctx, "")
	require.NoError(t, err, "a restart logged the guest's token out")
	_, _, err = session.GetMe(th.Ctx, "")
	require.NoError(t, err, "a restart logged the guest's session out")
	after := guestStatus(th, a.Id)
	assert.Equal(t, "active", after.Status)
	assert.Equal(t, g.ChannelIDs, after.ChannelIDs, "the registry lost data over a restart")

	th.Eventually(func() bool {
		u, _, err := th.AdminClient.GetUser(th.Ctx, b.Id, "")
		return err == nil && u.Roles == model.SystemUserRoleId && u.DeleteAt == 0
	}, "the guest left in a role window was not repaired")
	th.Login(b)
	assert.True(t, auditHas(th, "repair_role", b.Id))
}

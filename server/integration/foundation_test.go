package integration

import (
	"net/http"
	"path"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

type statsBody struct {
	ActiveGuests         int    `json:"active_guests"`
	DeactivatedGuests    int    `json:"deactivated_guests"`
	PendingInvitations   int    `json:"pending_invitations"`
	MaxActiveGuests      int    `json:"max_active_guests"`
	MaxChannelsPerGuest  int    `json:"max_channels_per_guest"`
	GuestAccountsEnabled bool   `json:"guest_accounts_enabled"`
	Edition              string `json:"edition"`
	ConfigurationError   string `json:"configuration_error"`
	JoinEnforcement      string `json:"join_enforcement"`
	EditionLimits        []struct {
		Capability string `json:"capability"`
		Enforced   bool   `json:"enforced"`
		Note       string `json:"note"`
	} `json:"edition_limits"`
}

type errorBody struct {
	ErrorID string `json:"error_id"`
	Message string `json:"message"`
}

func TestBundleInstalledAndEnabled(t *testing.T) {
	th := testhelper.Setup(t)
	plugins, _, err := th.AdminClient.GetPlugins(th.Ctx)
	require.NoError(t, err)
	var found *model.PluginInfo
	for _, p := range plugins.Active {
		if p.Id == testhelper.PluginID {
			found = p
		}
	}
	require.NotNil(t, found, "the plugin is not among the active plugins")
	assert.Equal(t, "Guest Accounts", found.Name)
	require.NotNil(t, found.SettingsSchema, "the settings schema must reach the System Console")
	keys := map[string]bool{}
	for _, s := range found.SettingsSchema.Settings {
		keys[s.Key] = true
		assert.NotEmpty(t, s.HelpText, "setting %s has no help text", s.Key)
	}
	for _, k := range []string{"EnableGuestAccounts", "AllowedDomains", "MaxActiveGuests", "MaxChannelsPerGuest",
		"CountDirectMessages", "InvitationLifetimeHours", "WhoMayInvite", "RequireMFA", "DefaultAllowUploads",
		"DefaultAllowDownloads", "DefaultAllowEditOwnPosts", "DefaultAllowReactions", "DefaultAllowCreatePrivateChannels",
		"DefaultAllowDirectMessages", "DefaultAccountLifetimeDays"} {
		assert.True(t, keys[k], "setting %s missing from the System Console schema", k)
	}

	// The webapp bundle is offered and served to clients.
	manifests, _, err := th.AdminClient.GetWebappPlugins(th.Ctx)
	require.NoError(t, err)
	var webapp *model.Manifest
	for _, m := range manifests {
		if m.Id == testhelper.PluginID {
			webapp = m
		}
	}
	require.NotNil(t, webapp, "the webapp part is not offered to clients")
	require.NotEmpty(t, webapp.Webapp.BundlePath)
	// The client loads it from /static/plugins/<id>/<file>.
	js, err := http.Get(th.URL + "/static/plugins/" + testhelper.PluginID + "/" + path.Base(webapp.Webapp.BundlePath))
	require.NoError(t, err)
	defer js.Body.Close()
	assert.Equal(t, http.StatusOK, js.StatusCode, "webapp bundle %s not served", webapp.Webapp.BundlePath)
}

// 11.4 never calls FileWillBeDownloaded (11.5+), so "Guests may download
// files" cannot be enforced: GET /stats (and with it the dashboard) says so,
// naming the server version.
func TestStatsListsTheDownloadRestrictionAsNotEnforced(t *testing.T) {
	th := testhelper.Setup(t)
	_, ping, err := th.AdminClient.GetPing(th.Ctx)
	require.NoError(t, err)
	// X-Version-Id: "11.4.0.<build>...": the first three parts are the
	// version the plugin API reports.
	parts := strings.SplitN(ping.ServerVersion, ".", 4)
	require.GreaterOrEqual(t, len(parts), 3, "server version %q", ping.ServerVersion)
	version := strings.Join(parts[:3], ".")
	require.True(t, strings.HasPrefix(version, "11.4."), "the test server is 11.4, not %q", version)

	var st statsBody
	th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/stats", nil), &st)
	found := false
	for _, l := range st.EditionLimits {
		if l.Capability == "download_files" {
			found = true
			assert.False(t, l.Enforced)
			assert.Contains(t, l.Note, "11.5")
			assert.Contains(t, l.Note, version)
		}
	}
	assert.True(t, found, "download_files is not among the edition limits: %+v", st.EditionLimits)
}

func TestStatsAnswersAdminsOnly(t *testing.T) {
	th := testhelper.Setup(t)

	resp := th.PluginRequest(th.AdminClient, http.MethodGet, "/stats", nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	var st statsBody
	th.DecodeJSON(resp, &st)
	assert.Equal(t, "unlicensed", st.Edition, "the test server is Team Edition without a license")
	assert.True(t, st.GuestAccountsEnabled)
	assert.NotEmpty(t, st.EditionLimits, "an unlicensed server has edition limits to report")
	assert.Equal(t, "after", st.JoinEnforcement, "11.4 has no veto hooks: joins are undone after the fact")

	for name, c := range map[string]*model.Client4{"anonymous": th.Anonymous(), "member": th.MemberClient} {
		resp := th.PluginRequest(c, http.MethodGet, "/stats", nil)
		want := http.StatusForbidden
		if name == "anonymous" {
			want = http.StatusUnauthorized
		}
		require.Equal(t, want, resp.Status, "%s: %s", name, resp.Body)
		var e errorBody
		th.DecodeJSON(resp, &e)
		assert.NotEmpty(t, e.ErrorID, name)
		assert.NotEmpty(t, e.Message, name)
	}

	// Unknown routes and methods are JSON errors too.
	resp = th.PluginRequest(th.AdminClient, http.MethodGet, "/no-such-endpoint", nil)
	require.Equal(t, http.StatusNotFound, resp.Status)
	var e errorBody
	th.DecodeJSON(resp, &e)
	assert.Equal(t, "guest_accounts.api.not_found", e.ErrorID)
}

func TestSettingChangeTakesEffect(t *testing.T) {
	th := testhelper.Setup(t)
	th.SetPluginSettings(map[string]any{"MaxActiveGuests": 7, "MaxChannelsPerGuest": 3})
	th.Eventually(func() bool {
		var st statsBody
		th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/stats", nil), &st)
		return st.MaxActiveGuests == 7 && st.MaxChannelsPerGuest == 3
	}, "the running plugin never saw the new caps")
}

func TestInvalidSettingIsRefused(t *testing.T) {
	th := testhelper.Setup(t)
	th.SetPluginSettings(map[string]any{"InvitationLifetimeHours": 24})

	for value, wantInMessage := range map[any]string{
		0:      "Invitation lifetime",
		100000: "Invitation lifetime",
		"abc":  "Invitation lifetime",
		"-5":   "Invitation lifetime",
	} {
		err := th.UpdatePluginSettings(map[string]any{"InvitationLifetimeHours": value})
		require.Error(t, err, "value %v must be refused", value)
		assert.Contains(t, err.Error(), wantInMessage, "the refusal must name the setting (value %v)", value)
	}
	err := th.UpdatePluginSettings(map[string]any{"WhoMayInvite": "everyone"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Who may invite")
	err = th.UpdatePluginSettings(map[string]any{"AllowedDomains": "example.com, bad..domain"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "bad..domain")

	// The last good value is still in force and stored.
	cfg, _, err := th.AdminClient.GetConfig(th.Ctx)
	require.NoError(t, err)
	assert.EqualValues(t, 24, cfg.PluginSettings.Plugins[testhelper.PluginID]["invitationlifetimehours"])
	var me struct {
		InvitationLifetimeHours int `json:"invitation_lifetime_hours"`
	}
	th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/me", nil), &me)
	assert.Equal(t, 24, me.InvitationLifetimeHours)
}

package integration

import (
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // RFC 6238 TOTP as Mattermost uses it
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// totp is the RFC 6238 code (HMAC-SHA1, 30 s step, 6 digits) of a base32
// secret at time t.
func totp(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.TrimRight(strings.ToUpper(secret), "="))
	require.NoError(t, err, "the MFA secret is not base32")
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(at.Unix()/30)) //nolint:gosec // G115: times here are after 1970
	mac := hmac.New(sha1.New, key)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	code := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", code%1_000_000)
}

// The RFC 6238 appendix B vector for SHA-1 (8 digits there; the last 6 here).
func TestMFATOTPVector(t *testing.T) {
	secret := base32.StdEncoding.EncodeToString([]byte("12345678901234567890"))
	assert.Equal(t, "287082", totp(t, secret, time.Unix(59, 0)))
	assert.Equal(t, "005924", totp(t, secret, time.Unix(1234567890, 0)))
}

type mfaGuestBody struct {
	RequireMFA         bool  `json:"require_mfa"`
	RequireMFAOverride *bool `json:"require_mfa_override"`
	MFAActive          bool  `json:"mfa_active"`
}

func setRequireMFA(th *testhelper.TestHelper, userID string, value any) mfaGuestBody {
	th.T.Helper()
	resp := th.PluginRequest(th.AdminClient, http.MethodPatch, "/guests/"+userID, map[string]any{"require_mfa": value})
	require.Equal(th.T, http.StatusOK, resp.Status, "%s", resp.Body)
	var g mfaGuestBody
	th.DecodeJSON(resp, &g)
	return g
}

// requirePostRefusedForMFA checks that the client cannot post or upload in
// the channel, and is told to set up MFA.
func requirePostRefusedForMFA(t *testing.T, th *testhelper.TestHelper, c *model.Client4, channelID string) {
	t.Helper()
	_, resp, err := c.CreatePost(th.Ctx, &model.Post{ChannelId: channelID, Message: "without MFA"})
	require.Error(t, err, "posted without MFA")
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, err.Error(), "multi-factor authentication (MFA)")
	assert.Contains(t, err.Error(), "/mfa/setup")
	_, resp, err = c.UploadFile(th.Ctx, []byte("data"), channelID, "mfa.txt")
	require.Error(t, err, "uploaded without MFA")
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, err.Error(), "multi-factor authentication (MFA)")
}

func requireCanPost(t *testing.T, th *testhelper.TestHelper, c *model.Client4, channelID, msg string) {
	t.Helper()
	_, _, err := c.CreatePost(th.Ctx, &model.Post{ChannelId: channelID, Message: msg})
	require.NoError(t, err, msg)
}

// A guest required to use MFA can log in but cannot post or upload until
// they set it up (TOTP computed here); then they log in with the code and
// can post.
func TestMFAPerGuest(t *testing.T) {
	th := testhelper.Setup(t)
	_, u := createGuest(th, th.Channel.Id)
	guest := th.Login(u) // login is not refused
	requireCanPost(t, th, guest, th.Channel.Id, "before MFA is required")

	g := setRequireMFA(th, u.Id, true)
	t.Cleanup(func() { setRequireMFA(th, u.Id, nil) })
	assert.True(t, g.RequireMFA)
	require.NotNil(t, g.RequireMFAOverride)
	assert.False(t, g.MFAActive)
	requirePostRefusedForMFA(t, th, guest, th.Channel.Id)
	// A new login still works, so the guest can reach the setup page.
	guest = th.Login(u)
	requirePostRefusedForMFA(t, th, guest, th.Channel.Id)

	// Set up MFA as the guest.
	secret, _, err := guest.GenerateMfaSecret(th.Ctx, u.Id)
	require.NoError(t, err, "generating an MFA secret as the guest")
	_, err = guest.UpdateUserMfa(th.Ctx, u.Id, totp(t, secret.Secret, time.Now()), true)
	require.NoError(t, err, "activating MFA")

	var gv mfaGuestBody
	th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/guests/"+u.Id, nil), &gv)
	assert.True(t, gv.MFAActive)
	assert.True(t, gv.RequireMFA)

	// Password alone is no longer enough; password and code are.
	_, _, err = model.NewAPIv4Client(th.URL).Login(th.Ctx, u.Username, testhelper.UserPassword)
	require.Error(t, err, "logged in without the MFA code")
	withMFA := model.NewAPIv4Client(th.URL)
	// The current code was just used for the activation and core refuses a
	// code twice; it accepts the next step's code (one step of clock skew).
	if _, _, err = withMFA.LoginWithMFA(th.Ctx, u.Username, testhelper.UserPassword, totp(t, secret.Secret, time.Now().Add(30*time.Second))); err != nil {
		t.Logf("login with the next code: %v; waiting for the next step", err)
		time.Sleep(time.Until(time.Unix(time.Now().Unix()/30*30+31, 0)))
		_, _, err = withMFA.LoginWithMFA(th.Ctx, u.Username, testhelper.UserPassword, totp(t, secret.Secret, time.Now()))
	}
	require.NoError(t, err, "logging in with password and MFA code")
	requireCanPost(t, th, withMFA, th.Channel.Id, "with MFA")
	_, _, err = withMFA.UploadFile(th.Ctx, []byte("data"), th.Channel.Id, "mfa.txt")
	require.NoError(t, err, "uploading with MFA")

	// null follows the settings again (off by default).
	g = setRequireMFA(th, u.Id, nil)
	assert.Nil(t, g.RequireMFAOverride)
	assert.False(t, g.RequireMFA)
}

// The override off beats "Require MFA for guests"; the slash command sets
// and clears it.
func TestMFASettingAndCommand(t *testing.T) {
	th := testhelper.Setup(t)
	th.AddTeamMember(th.Team.Id, th.Admin.Id)
	th.AddChannelMember(th.Channel.Id, th.Admin.Id)
	_, u := createGuest(th, th.Channel.Id)
	guest := th.Login(u)
	th.SetPluginSettings(map[string]any{"RequireMFA": true})

	requirePostRefusedForMFA(t, th, guest, th.Channel.Id)
	requireCanPost(t, th, th.MemberClient, th.Channel.Id, "members are never affected")

	run := func(c *model.Client4, cmd string) string {
		resp, _, err := c.ExecuteCommand(th.Ctx, th.Channel.Id, cmd)
		require.NoError(t, err, cmd)
		return resp.Text
	}
	assert.Contains(t, run(th.MemberClient, "/guest mfa @"+u.Username+" off"), "Only system admins")
	requirePostRefusedForMFA(t, th, guest, th.Channel.Id)

	assert.Contains(t, run(th.AdminClient, "/guest mfa @"+u.Username+" off"), "not required")
	requireCanPost(t, th, guest, th.Channel.Id, "override off")
	assert.Contains(t, run(th.AdminClient, "/guest mfa @"+u.Username+" default"), "required (following the settings)")
	requirePostRefusedForMFA(t, th, guest, th.Channel.Id)
	assert.Contains(t, run(th.AdminClient, "/guest info @"+u.Username), "MFA: required yes, set up no")
}

// The team rule applies to guests in the listed team only.
func TestMFATeamRule(t *testing.T) {
	th := testhelper.Setup(t)
	_, inside := createGuest(th, th.Channel.Id)
	otherTeam := th.CreateTeam(model.TeamOpen)
	otherChannel := th.CreateChannel(otherTeam.Id, model.ChannelTypeOpen)
	_, outside := createGuest(th, otherChannel.Id)
	in, out := th.Login(inside), th.Login(outside)

	th.SetPluginSettings(map[string]any{"RequireMFATeams": th.Team.Name})
	requirePostRefusedForMFA(t, th, in, th.Channel.Id)
	requireCanPost(t, th, out, otherChannel.Id, "a guest outside the MFA team")
	requireCanPost(t, th, th.MemberClient, th.Channel.Id, "a member of the MFA team")

	var gv mfaGuestBody
	th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/guests/"+inside.Id, nil), &gv)
	assert.True(t, gv.RequireMFA)
	th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/guests/"+outside.Id, nil), &gv)
	assert.False(t, gv.RequireMFA)
}

// The dashboard warns when guests need MFA but the server has it off.
func TestMFAStatsWarning(t *testing.T) {
	th := testhelper.Setup(t)
	warning := func() string {
		var st struct {
			MFAWarning *string `json:"mfa_warning"`
		}
		th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/stats", nil), &st)
		require.NotNil(t, st.MFAWarning, "no mfa_warning in /stats")
		return *st.MFAWarning
	}
	setServerMFA := func(on bool) {
		cfg, _, err := th.AdminClient.GetConfig(th.Ctx)
		require.NoError(t, err)
		cfg.ServiceSettings.EnableMultifactorAuthentication = model.NewPointer(on)
		_, _, err = th.AdminClient.UpdateConfig(th.Ctx, cfg)
		require.NoError(t, err)
	}
	cfg, _, err := th.AdminClient.GetConfig(th.Ctx)
	require.NoError(t, err)
	was := cfg.ServiceSettings.EnableMultifactorAuthentication != nil && *cfg.ServiceSettings.EnableMultifactorAuthentication
	t.Cleanup(func() { setServerMFA(was) })

	th.SetPluginSettings(map[string]any{"RequireMFA": true})
	setServerMFA(false)
	assert.Contains(t, warning(), "multi-factor authentication")
	setServerMFA(true)
	assert.Empty(t, warning())

	// Off again but nothing required: no warning; a per-guest override brings it back.
	setServerMFA(false)
	th.SetPluginSettings(map[string]any{"RequireMFA": false})
	assert.Empty(t, warning())
	_, u := createGuest(th, th.Channel.Id)
	setRequireMFA(th, u.Id, true)
	t.Cleanup(func() { setRequireMFA(th, u.Id, nil) })
	assert.NotEmpty(t, warning())
}

package browsertest

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// TestWebappInTheBrowser loads the built webapp bundle (webapp/dist/main.js)
// into a harness page that plays the Mattermost client (globals, registry,
// store), served by the real server, and uses what the bundle registered as
// an admin would: the main-menu action opens the invite modal, which sends a
// real invitation through the plugin API (the email arrives in the sink);
// the profile popover shows the Guest badge for a guest and not for the
// admin; the channel header shows that the channel has one guest; the
// System Console setting shows the guest dashboard with that guest and the
// new pending invitation; in the guest's details the MFA select makes MFA
// required for them (stored by the server); with "Member email domains" set,
// the rules panel previews an existing account outside them and converts it
// (alone, without its channels). Screenshots in build/out/screenshots.
func TestWebappInTheBrowser(t *testing.T) {
	th := testhelper.Setup(t)
	th.AddTeamMember(th.Team.Id, th.Admin.Id)
	th.AddChannelMember(th.Channel.Id, th.Admin.Id)

	// One guest in the channel, created through the plugin's admin API.
	id := strings.ToLower(model.NewId()[:10])
	guestName := "wg" + id
	resp := th.PluginRequest(th.AdminClient, http.MethodPost, "/guests", map[string]any{
		"email": guestName + "@guest.example.com", "username": guestName, "first_name": "Grace", "last_name": "Visitor",
		"password": testhelper.UserPassword, "channel_ids": []string{th.Channel.Id},
	})
	require.Equal(t, http.StatusCreated, resp.Status, "creating the guest: %s", resp.Body)
	var guest struct {
		UserID string `json:"user_id"`
	}
	th.DecodeJSON(resp, &guest)
	th.Track(guest.UserID)

	// An existing member outside the member domains (created before the rule
	// is set, so it stays a member until the rules are applied to it).
	outsiderName := "wo" + id
	outsider, _, err := th.AdminClient.CreateUser(th.Ctx, &model.User{
		Username: outsiderName, Email: outsiderName + "@outside.example.org", Password: testhelper.UserPassword, EmailVerified: true,
	})
	require.NoError(t, err, "creating the outsider")
	th.Track(outsider.Id)
	th.AddTeamMember(th.Team.Id, outsider.Id)
	th.AddChannelMember(th.Channel.Id, outsider.Id)
	th.SetPluginSettings(map[string]any{"MemberEmailDomains": "member.test"})
	th.Eventually(func() bool {
		var p struct {
			Enabled bool `json:"enabled"`
		}
		resp := th.PluginRequest(th.AdminClient, http.MethodGet, "/rules/preview", nil)
		if resp.Status != http.StatusOK {
			return false
		}
		th.DecodeJSON(resp, &p)
		return p.Enabled
	}, "the member domains setting did not reach the plugin")
	cfg, _, err := th.AdminClient.GetConfig(th.Ctx)
	require.NoError(t, err)
	serverMFA := cfg.ServiceSettings.EnableMultifactorAuthentication != nil && *cfg.ServiceSettings.EnableMultifactorAuthentication

	invitee := "wi" + id + "@guest.example.com"
	harness := installHarness(t, th.Env)
	shots := screenshotDir(t)
	for _, name := range []string{"invite-modal.png", "guest-badge.png", "channel-indicator.png", "dashboard.png", "rules-applied.png"} {
		_ = os.Remove(filepath.Join(shots, name)) // a stale screenshot must not pass the test
	}
	seq := th.SMTP.LastSeq()

	res, raw := runWebapp(t,
		"--url", th.URL, "--harness", harness,
		"--login", th.Admin.Username, "--password", testhelper.AdminPassword,
		"--email", invitee, "--channel", th.Channel.Name, "--channel-display", th.Channel.DisplayName, "--channel-id", th.Channel.Id,
		"--guest-id", guest.UserID, "--guest-username", guestName, "--outsider", outsiderName, "--out", shots,
	)
	t.Logf("driver report: %s", raw)
	require.Empty(t, res.Failed)

	// The page ran as the client would: logged in by cookie, the bundle registered itself.
	assert.Equal(t, http.StatusOK, res.HarnessStatus)
	assert.Equal(t, th.Admin.Id, res.Login.UserID)
	assert.True(t, res.Login.CSRFCookie, "the login did not set the MMCSRF cookie")
	assert.Equal(t, testhelper.PluginID, res.PluginID)
	assert.Contains(t, res.MainMenuItems, "Invite guests")
	assert.Equal(t, "Invite guests", res.Translation)
	methods := map[string]int{}
	for _, c := range res.RegistryCalls {
		methods[c.Method]++
		assert.False(t, c.Unknown, "the bundle called a registry method the harness does not know: %s", c.Method)
	}
	assert.Equal(t, 1, methods["registerPopoverUserAttributesComponent"])
	assert.Equal(t, 3, methods["registerRootComponent"])
	assert.Equal(t, 2, methods["registerChannelHeaderButtonAction"], "guests indicator + invite button")
	assert.Equal(t, 1, methods["registerMainMenuAction"])
	assert.Equal(t, 1, methods["registerAdminConsoleCustomSetting"])
	assert.Equal(t, 2, methods["registerWebSocketEventHandler"])

	// 1. The invite modal: one address, one channel, sent.
	assert.Equal(t, "Invite guests", res.ModalTitle)
	assert.Equal(t, 1, len(res.ChannelChips), "channel chips: %v", res.ChannelChips)
	// Typing searched the admin's channels on the server (search_autocomplete
	// per team): the list before typing has the default channels too, the
	// answer for the channel's name only that channel.
	assert.Contains(t, res.ChannelSearches, "200 "+th.Channel.Name, "channel searches: %v", res.ChannelSearches)
	assert.Greater(t, res.ChannelOptionsBefore, 1)
	assert.Equal(t, 1, res.ChannelOptionsShown)
	require.Len(t, res.Invite.Rows, 1, "invite results: %+v", res.Invite)
	row := res.Invite.Rows[0]
	assert.Equal(t, invitee, row.Email)
	assert.Equal(t, "Invitation sent", row.Status)
	assert.True(t, row.OK)
	assert.Equal(t, "1 of 1 invitations succeeded.", res.Invite.Summary)

	// The invitation is real: stored for the channel and mailed with a signup link.
	var invites struct {
		Invites []struct {
			Email      string   `json:"email"`
			ChannelIDs []string `json:"channel_ids"`
			InviterID  string   `json:"inviter_id"`
			Message    string   `json:"message"`
		} `json:"invites"`
	}
	th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/invites?status=pending", nil), &invites)
	found := false
	for _, inv := range invites.Invites {
		if inv.Email == invitee {
			found = true
			assert.Equal(t, []string{th.Channel.Id}, inv.ChannelIDs)
			assert.Equal(t, th.Admin.Id, inv.InviterID)
			assert.Contains(t, inv.Message, "sent by the browser test")
		}
	}
	assert.True(t, found, "no pending invitation for %s", invitee)
	msg, err := th.SMTP.WaitFor(th.Ctx, func(m smtpMessage) bool { return m.Seq > seq && m.SentTo(invitee) })
	require.NoError(t, err, "no invitation email for %s", invitee)
	assert.NotEmpty(t, msg.LinksWithPrefix(th.URL+"/plugins/guest-accounts/api/v1/invite/"), "no signup link in the email:\n%s", msg.Text)

	// 2. The Guest badge: shown for the guest (from one batched lookup), not for the admin.
	assert.Equal(t, "Guest", res.Badge.Text)
	assert.NotEmpty(t, res.Badge.Title)
	assert.Equal(t, 0, res.Badge.MemberBadges, "the admin's popover shows a Guest badge")
	assert.Equal(t, 1, res.Badge.LookupRequests, "two popovers should cost one batched lookup")

	// 3. The channel header: this channel has one guest; the dialog lists them.
	assert.Equal(t, "1", res.Indicator.Count)
	assert.Equal(t, "This channel has guests: 1", res.Indicator.Label)
	assert.Equal(t, 2, res.Indicator.HeaderButtons)
	assert.Contains(t, res.Indicator.Dialog, "@"+guestName)

	// 4. The dashboard lists the guest and the new pending invitation.
	assert.Equal(t, "Guest dashboard", res.Dashboard.Title)
	var guestRow []string
	for _, r := range res.Dashboard.Rows {
		if len(r) > 0 && strings.HasPrefix(r[0], "@"+guestName) {
			guestRow = r
		}
	}
	require.NotNil(t, guestRow, "the dashboard does not list @%s: %v", guestName, res.Dashboard.Rows)
	assert.Contains(t, guestRow[0], "Grace Visitor")
	assert.Contains(t, guestRow[1], "Active")
	assert.True(t, containsSubstring(res.Dashboard.PendingInvites, invitee), "pending invitations on the dashboard: %v", res.Dashboard.PendingInvites)

	// 5. The guest's details: MFA follows the settings (not required), then
	// the select makes it required, and the server stored it.
	gd := res.GuestDetails
	assert.Equal(t, "default", gd.MFABefore)
	assert.Equal(t, "Default (follows the settings: not required)", gd.MFADefaultOption)
	assert.Equal(t, "MFA is not required of this guest · MFA not set up yet", gd.MFAStatusBefore)
	assert.False(t, gd.SingleChannel)
	assert.Equal(t, http.StatusOK, gd.PatchStatus)
	assert.Equal(t, "required", gd.MFAAfter)
	assert.Equal(t, "MFA is required of this guest · MFA not set up yet They cannot post or upload until they set it up.", gd.MFAStatusAfter)
	assert.Empty(t, gd.Alerts)
	var stored struct {
		RequireMFA         bool  `json:"require_mfa"`
		RequireMFAOverride *bool `json:"require_mfa_override"`
		MFAActive          bool  `json:"mfa_active"`
	}
	th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/guests/"+guest.UserID, nil), &stored)
	assert.True(t, stored.RequireMFA)
	if assert.NotNil(t, stored.RequireMFAOverride) {
		assert.True(t, *stored.RequireMFAOverride)
	}
	assert.False(t, stored.MFAActive)
	if serverMFA {
		assert.Empty(t, res.Dashboard.MFAWarning, "MFA warning while the server has MFA on")
	} else {
		assert.Contains(t, res.Dashboard.MFAWarning, "MFA is turned off on this server")
	}

	// 6. The rules preview: the configured domain, the outsider listed (and
	// selected), the member and the admin not; channels kept by default.
	rules := res.Rules
	assert.Equal(t, "Member email domains member.test Sign-in methods that create guests Not set", rules.Config)
	var outsiderRow []string
	for _, r := range rules.Candidates {
		require.Len(t, r, 5, "candidate row %v", r)
		assert.NotContains(t, r[1], "@"+th.Member.Username+" ")
		assert.NotContains(t, r[1], "@"+th.Admin.Username+" ")
		if strings.HasPrefix(r[1], "@"+outsiderName+" ") {
			outsiderRow = r
		}
	}
	require.NotNil(t, outsiderRow, "the preview does not list @%s: %v", outsiderName, rules.Candidates)
	assert.Equal(t, []string{"", "@" + outsiderName + " " + outsider.Email, "Email and password", "email domain outside the member domains", ""}, outsiderRow)
	assert.Equal(t, len(rules.Candidates), rules.Checked, "every candidate is selected at first")
	assert.True(t, rules.KeepChannels)
	if len(rules.Candidates) == 1 {
		assert.Equal(t, "Make 1 account a guest", rules.ApplyLabel)
	} else {
		assert.Equal(t, fmt.Sprintf("Make %d accounts guests", len(rules.Candidates)), rules.ApplyLabel)
	}

	// 7. Applied to the outsider alone, without channels: a guest with no
	// channels, made by the member-domains rule; gone from the preview.
	assert.Empty(t, rules.Alerts)
	assert.Equal(t, "Made guests: 1 of 1.", rules.Summary)
	require.Len(t, rules.Results, 1)
	assert.Equal(t, "@"+outsiderName, rules.Results[0].Who)
	assert.Equal(t, "Now a guest", rules.Results[0].Status)
	assert.True(t, rules.Results[0].OK)
	assert.Len(t, rules.CandidatesAfter, len(rules.Candidates)-1)
	for _, r := range rules.CandidatesAfter {
		assert.NotContains(t, r[1], "@"+outsiderName+" ")
	}
	var converted struct {
		Status     string   `json:"status"`
		Rule       string   `json:"rule"`
		ChannelIDs []string `json:"channel_ids"`
	}
	resp = th.PluginRequest(th.AdminClient, http.MethodGet, "/guests/"+outsider.Id, nil)
	require.Equal(t, http.StatusOK, resp.Status, "the outsider is not a guest: %s", resp.Body)
	th.DecodeJSON(resp, &converted)
	assert.Equal(t, "active", converted.Status)
	assert.Equal(t, "member_domains", converted.Rule)
	assert.Empty(t, converted.ChannelIDs)

	// The screenshots exist and are real images.
	for _, name := range []string{"invite-modal.png", "guest-badge.png", "channel-indicator.png", "dashboard.png", "rules-applied.png"} {
		requirePNG(t, filepath.Join(shots, name))
	}

	// Nothing went wrong on the page.
	assert.Empty(t, res.ConsoleErrors, "console errors")
	assert.Empty(t, res.PageErrors, "uncaught page errors")
	assert.Empty(t, res.ErrorBounds, "components that crashed")
	assert.Empty(t, res.HTTPErrors, "failed requests")
}

func containsSubstring(list []string, s string) bool {
	for _, v := range list {
		if strings.Contains(v, s) {
			return true
		}
	}
	return false
}

// requirePNG checks the file is a non-trivial PNG.
func requirePNG(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err, "screenshot %s", path)
	require.Greater(t, len(data), 1000, "screenshot %s is (nearly) empty", path)
	require.Equal(t, "\x89PNG\r\n\x1a\n", string(data[:8]), fmt.Sprintf("%s is not a PNG", path))
}

package browsertest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// screenshotsOfWebapp are the pictures TestWebappInTheBrowser leaves in
// build/out/screenshots (English, then German: de-*).
var screenshotsOfWebapp = []string{
	"invite-modal.png", "guest-badge.png", "channel-indicator.png", "dashboard.png", "rules-applied.png",
	"create-guest.png", "demote-member.png",
	"de-dashboard.png", "de-channel-header.png", "de-guest-badge.png", "de-invite-modal.png",
}

// TestWebappInTheBrowser signs in to the stand-in client (webapp/standin),
// which loads the plugin bundle the real server has installed the way the
// web client does, and uses the plugin as an admin would: the team menu's
// "Invite guests" sends a real invitation (the email arrives in the sink);
// the guest's profile popover shows the Guest badge and the admin's does
// not; the channel header shows that the channel has a guest; the System
// Console page shows the guest dashboard with the guest and the invitation;
// the MFA select makes MFA required for the guest; the rules panel converts
// an account outside the member domains; "Create a guest" makes a guest with
// every field, and the same again is refused in words; "Make a member a
// guest" finds a member with the user search and converts them; and after
// switching the language to German the dashboard, header, badge and invite
// dialog speak German. Screenshots in build/out/screenshots.
func TestWebappInTheBrowser(t *testing.T) {
	th := testhelper.Setup(t)
	th.AddTeamMember(th.Team.Id, th.Admin.Id)
	th.AddChannelMember(th.Channel.Id, th.Admin.Id)
	t.Cleanup(func() {
		// The page saves the admin's language on the server: put it back.
		_, _, _ = th.AdminClient.PatchUser(th.Ctx, th.Admin.Id, &model.UserPatch{Locale: model.NewPointer("en")})
	})

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

	// A member to make a guest from the dashboard, and an existing member
	// outside the member domains for the rules (created before the rule is
	// set, so it stays a member until the rules are applied to it).
	newUser := func(name, email string) *model.User {
		u, _, err := th.AdminClient.CreateUser(th.Ctx, &model.User{Username: name, Email: email, Password: testhelper.UserPassword, EmailVerified: true})
		require.NoError(t, err, "creating %s", name)
		th.Track(u.Id)
		th.AddTeamMember(th.Team.Id, u.Id)
		th.AddChannelMember(th.Channel.Id, u.Id)
		return u
	}
	member := newUser("wd"+id, "wd"+id+"@member.test")
	outsiderName := "wo" + id
	outsider := newUser(outsiderName, outsiderName+"@outside.example.org")
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

	invitee := "wi" + id + "@guest.example.com"
	newGuest := "wn" + id
	page := installStandin(t, th.Env)
	shots := screenshotDir(t)
	for _, name := range screenshotsOfWebapp {
		_ = os.Remove(filepath.Join(shots, name)) // a stale screenshot must not pass the test
	}
	seq := th.SMTP.LastSeq()

	res, raw := runWebapp(t,
		"--url", th.URL, "--page", page, "--login", th.Admin.Username, "--password", testhelper.AdminPassword,
		"--team", th.Team.Name, "--email", invitee, "--channel", th.Channel.Name,
		"--guest-id", guest.UserID, "--guest-username", guestName, "--outsider", outsiderName,
		"--new-guest", newGuest, "--member", member.Username, "--out", shots,
	)
	t.Logf("driver report: %s", raw)
	require.Empty(t, res.Failed)

	// The page ran as the client would: signed in by cookie, the server's bundle loaded and initialised.
	assert.Equal(t, http.StatusOK, res.PageStatus)
	assert.Contains(t, res.Cookies, "MMAUTHTOKEN")
	assert.Contains(t, res.Cookies, "MMCSRF")
	assert.Contains(t, res.Plugins, testhelper.PluginID)
	assert.Contains(t, res.ChannelName, th.Channel.DisplayName)
	checkRegistryCalls(t, res.RegistryCalls)

	// 1. The invite modal: one address, one channel, sent.
	assert.Contains(t, res.MainMenuItems, "Invite guests")
	assert.Equal(t, "Invite guests", res.ModalTitle)
	assert.Len(t, res.ChannelChips, 1, "channel chips: %v", res.ChannelChips)
	assert.Contains(t, res.ChannelSearches, "200 "+th.Channel.Name, "channel searches: %v", res.ChannelSearches)
	assert.Greater(t, res.ChannelOptionsBefore, 1)
	assert.Equal(t, 1, res.ChannelOptionsShown)
	require.Len(t, res.Invite.Rows, 1, "invite results: %+v", res.Invite)
	assert.Equal(t, invitee, res.Invite.Rows[0].Email)
	assert.Equal(t, "Invitation sent", res.Invite.Rows[0].Status)
	assert.True(t, res.Invite.Rows[0].OK)
	assert.Equal(t, "1 of 1 invitations succeeded.", res.Invite.Summary)
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

	// 2. The Guest badge: shown for the guest, not for the admin.
	assert.Equal(t, "Guest", res.Badge.Text)
	assert.NotEmpty(t, res.Badge.Title)
	assert.Equal(t, 0, res.Badge.AdminBadges, "the admin's popover shows a Guest badge")

	// 3. The channel header: this channel has one guest; the dialog lists them.
	assert.Equal(t, "1", res.Indicator.Count)
	assert.Equal(t, "This channel has guests: 1", res.Indicator.Label)
	assert.Equal(t, 2, res.Indicator.HeaderButtons, "guests indicator and invite button")
	assert.Contains(t, res.Indicator.Dialog, "@"+guestName)

	// 4. The dashboard lists the guest and the new pending invitation; MFA and the rules act.
	assert.Equal(t, "Guest dashboard", res.Dashboard.Title)
	// The list is sorted by username, and other tests of this package leave
	// guests with random names too: find this test's row.
	var row []string
	for _, r := range res.Dashboard.Rows {
		if len(r) > 1 && strings.Contains(r[0], "@"+guestName) {
			row = r
		}
	}
	require.NotNil(t, row, "no dashboard row for @%s: %v", guestName, res.Dashboard.Rows)
	assert.Contains(t, row[0], "Grace Visitor")
	assert.Contains(t, row[1], "Active")
	assert.True(t, containsSubstring(res.Dashboard.PendingInvites, invitee), "pending invitations: %v", res.Dashboard.PendingInvites)
	assert.Subset(t, res.Dashboard.Sections, []string{"Create a guest", "Make a member a guest", "Guest list", "Pending invitations", "Automatic guest rules"})
	assert.Equal(t, "default", res.GuestDetails.MFABefore)
	assert.Equal(t, http.StatusOK, res.GuestDetails.PatchStatus)
	assert.Equal(t, "required", res.GuestDetails.MFAAfter)
	assert.Contains(t, res.GuestDetails.MFAStatusAfter, "MFA is required of this guest")
	var stored struct {
		RequireMFA bool `json:"require_mfa"`
	}
	th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/guests/"+guest.UserID, nil), &stored)
	assert.True(t, stored.RequireMFA)
	assert.Equal(t, "Member email domains member.test Sign-in methods that create guests Not set", res.Rules.Config)
	assert.Equal(t, "Made guests: 1 of 1.", res.Rules.Summary)
	var converted struct {
		Rule       string   `json:"rule"`
		ChannelIDs []string `json:"channel_ids"`
	}
	resp = th.PluginRequest(th.AdminClient, http.MethodGet, "/guests/"+outsider.Id, nil)
	require.Equal(t, http.StatusOK, resp.Status, "the outsider is not a guest: %s", resp.Body)
	th.DecodeJSON(resp, &converted)
	assert.Equal(t, "member_domains", converted.Rule)
	assert.Empty(t, converted.ChannelIDs)

	// 5. "Create a guest": made with the fields the form sent; the same again refused in words.
	assert.Equal(t, "@"+newGuest+" is now a guest.", res.Create.Done)
	var list struct {
		Guests []struct {
			UserID     string   `json:"user_id"`
			Username   string   `json:"username"`
			Email      string   `json:"email"`
			FirstName  string   `json:"first_name"`
			LastName   string   `json:"last_name"`
			Nickname   string   `json:"nickname"`
			Position   string   `json:"position"`
			ChannelIDs []string `json:"channel_ids"`
		} `json:"guests"`
	}
	th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/guests?query="+newGuest, nil), &list)
	require.Len(t, list.Guests, 1, "guests named %s: %+v", newGuest, list.Guests)
	created := list.Guests[0]
	th.Track(created.UserID)
	assert.Equal(t, newGuest+"@guest.example.com", created.Email)
	assert.Equal(t, []string{"Nadia", "Newcomer", "Nad", "Consultant"}, []string{created.FirstName, created.LastName, created.Nickname, created.Position})
	assert.Equal(t, []string{th.Channel.Id}, created.ChannelIDs)
	assert.Contains(t, res.Create.Refused, "The guest was not created.")
	assert.Equal(t, "The guest was not created. username: An account with that username already exists. (guest_accounts.app.create_user)", res.Create.Refused)
	assert.Len(t, res.Create.ConsoleErrors, 1, "the browser logs the refused request, and nothing else: %v", res.Create.ConsoleErrors)

	// 6. "Make a member a guest": found with core's user search, converted, channels kept.
	assert.True(t, containsSubstring(res.Demote.Candidates, "@"+member.Username), "candidates: %v", res.Demote.Candidates)
	assert.NotEmpty(t, res.UserSearches)
	assert.Equal(t, "@"+member.Username+" is now a guest.", res.Demote.Done)
	var demoted struct {
		Status     string   `json:"status"`
		ChannelIDs []string `json:"channel_ids"`
	}
	resp = th.PluginRequest(th.AdminClient, http.MethodGet, "/guests/"+member.Id, nil)
	require.Equal(t, http.StatusOK, resp.Status, "the member is not a guest: %s", resp.Body)
	th.DecodeJSON(resp, &demoted)
	assert.Equal(t, "active", demoted.Status)
	assert.Contains(t, demoted.ChannelIDs, th.Channel.Id)

	// 7. German, saved as the admin's language.
	assert.Subset(t, res.German.Sections, []string{"Gast anlegen", "Mitglied zum Gast machen", "Gästeliste", "Offene Einladungen", "Automatische Gastregeln"})
	assert.Regexp(t, regexp.MustCompile(`^Dieser Kanal hat Gäste: \d+$`), res.German.Indicator)
	assert.Equal(t, "Gast", res.German.Badge)
	assert.Contains(t, res.German.Menu, "Gäste einladen")
	assert.Equal(t, "Gäste einladen", res.German.ModalTitle)
	assert.Subset(t, res.German.ModalLabels, []string{"E-Mail-Adressen", "Kanäle", "Nachricht (optional)"})
	admin, _, err := th.AdminClient.GetUser(th.Ctx, th.Admin.Id, "")
	require.NoError(t, err)
	assert.Equal(t, "de", admin.Locale)

	for _, name := range screenshotsOfWebapp {
		requirePNG(t, filepath.Join(shots, name))
	}

	// Nothing went wrong on the page.
	assert.Empty(t, res.ConsoleErrors, "console errors")
	assert.Empty(t, res.PageErrors, "uncaught page errors")
	assert.Empty(t, res.Crashes, "components that crashed")
	assert.Empty(t, res.StandinErrors, "stand-in errors")
	assert.Empty(t, res.HTTPErrors, "failed requests")
}

// checkRegistryCalls checks what the plugin registered, and that every
// method it called is one the real web client's registry has in the pinned
// version (webapp/src/types/registry_api.json, read from the client's source).
func checkRegistryCalls(t *testing.T, calls []string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot(), "webapp", "src", "types", "registry_api.json"))
	require.NoError(t, err)
	var api struct {
		Methods      map[string]json.RawMessage `json:"methods"`
		AddedBetween []string                   `json:"added_between"`
	}
	require.NoError(t, json.Unmarshal(data, &api))
	count := map[string]int{}
	for _, m := range calls {
		count[m]++
		assert.Contains(t, api.Methods, m, "the real registry has no %s", m)
		assert.NotContains(t, api.AddedBetween, m, "%s is not proven in the pinned version", m)
	}
	assert.Equal(t, map[string]int{
		"registerReducer": 1, "registerTranslations": 1, "registerPopoverUserAttributesComponent": 1,
		"registerChannelHeaderButtonAction": 2, "registerRootComponent": 3, "registerAdminConsoleCustomSetting": 1,
		"registerWebSocketEventHandler": 2, "registerReconnectHandler": 1, "registerMainMenuAction": 1,
	}, count, fmt.Sprintf("registry calls: %v", calls))
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

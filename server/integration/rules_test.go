package integration

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// setRules turns the automatic guest rules on for one test (off after) and
// waits until the plugin applies them; extra settings go along.
func setRules(th *testhelper.TestHelper, memberDomains, methods string, extra ...map[string]any) {
	th.T.Helper()
	values := map[string]any{"MemberEmailDomains": memberDomains, "GuestSignInMethods": methods}
	for _, e := range extra {
		for k, v := range e {
			values[k] = v
		}
	}
	th.SetPluginSettings(values)
	th.T.Cleanup(func() {
		th.SetPluginSettings(map[string]any{"MemberEmailDomains": "", "GuestSignInMethods": ""})
	})
	th.Eventually(func() bool {
		var p struct {
			Members []string `json:"member_email_domains"`
			Methods []string `json:"guest_sign_in_methods"`
		}
		th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/rules/preview", nil), &p)
		return strings.Join(p.Members, ", ") == memberDomains && strings.Join(p.Methods, ", ") == methods
	}, "the rules were not applied")
}

// noCap lifts "Maximum active guests" and "Allowed guest email domains" (a
// rule guest past the cap is deactivated, and one outside the allowed
// domains cannot log in) and waits until it is in force.
func noCap(th *testhelper.TestHelper) map[string]any {
	th.T.Helper()
	th.SetPluginSettings(map[string]any{"MaxActiveGuests": 0, "AllowedDomains": ""})
	th.Eventually(func() bool {
		var st statsBody
		th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/stats", nil), &st)
		return st.MaxActiveGuests == 0
	}, "the cap was not lifted")
	return map[string]any{"MaxActiveGuests": 0, "AllowedDomains": ""}
}

// selfSignUp creates an account the way a visitor does on an open server:
// anonymously, through core's API.
func selfSignUp(th *testhelper.TestHelper, domain string) *model.User {
	th.T.Helper()
	id := model.NewId()[:12]
	u, _, err := th.Anonymous().CreateUser(th.Ctx, &model.User{
		Username: "s" + id, Email: "s" + id + "@" + domain, Password: testhelper.UserPassword,
	})
	require.NoError(th.T, err, "self sign-up")
	th.Track(u.Id)
	return u
}

type ruleGuest struct {
	UserID            string   `json:"user_id"`
	Status            string   `json:"status"`
	DeactivatedReason string   `json:"deactivated_reason"`
	InvitedBy         string   `json:"invited_by"`
	ChannelIDs        []string `json:"channel_ids"`
	Rule              string   `json:"rule"`
}

// waitRuleGuest waits until the UserHasBeenCreated hook (run asynchronously
// by core) has registered the account as a guest.
func waitRuleGuest(th *testhelper.TestHelper, userID string) ruleGuest {
	th.T.Helper()
	var g ruleGuest
	th.Eventually(func() bool {
		resp := th.PluginRequest(th.AdminClient, http.MethodGet, "/guests/"+userID, nil)
		if resp.Status != http.StatusOK {
			return false
		}
		th.DecodeJSON(resp, &g)
		return true
	}, "the new account %s did not become a guest", userID)
	return g
}

// An account signed up from outside the member domains becomes a guest with
// no channels and no inviter, audited; a member-domain account does not.
func TestRulesOutsideDomainSignUpBecomesGuest(t *testing.T) {
	th := testhelper.Setup(t)
	setRules(th, "member.test, *.member.test", "", noCap(th))

	member := selfSignUp(th, "eu.member.test")
	outsider := selfSignUp(th, "outside.test")
	memberClient := th.Login(member)
	outsiderClient := th.Login(outsider)

	g := waitRuleGuest(th, outsider.Id)
	assert.Equal(t, "member_domains", g.Rule)
	assert.Equal(t, "active", g.Status)
	assert.Empty(t, g.InvitedBy, "rule guests have no inviter")
	assert.Empty(t, g.ChannelIDs)
	th.Eventually(func() bool { return auditHas(th, "rule_new_account", outsider.Id) }, "no audit entry for the rule")

	// (Sessions are revoked by the conversion, but the hook may have run
	// before this login: the apply test proves revocation.) The guest sees
	// the no-channels state with nobody named to contact.
	_ = outsiderClient
	outsiderClient = th.Login(outsider)
	var me struct {
		IsGuest     bool   `json:"is_guest"`
		HasChannels bool   `json:"has_channels"`
		InvitedBy   string `json:"invited_by"`
	}
	th.DecodeJSON(th.PluginRequest(outsiderClient, http.MethodGet, "/me", nil), &me)
	assert.True(t, me.IsGuest)
	assert.False(t, me.HasChannels)
	assert.Empty(t, me.InvitedBy)
	teams, _, err := outsiderClient.GetTeamsForUser(th.Ctx, outsider.Id, "")
	require.NoError(t, err)
	assert.Empty(t, teams, "a rule guest starts in no team")
	// As a guest it cannot join the open team on its own.
	if _, _, err := outsiderClient.AddTeamMember(th.Ctx, th.Team.Id, outsider.Id); err == nil {
		th.Eventually(func() bool {
			tm := activeTeamMember(th, th.Team.Id, outsider.Id)
			return tm == nil || tm.SchemeGuest
		}, "a rule guest joined the open team as a member")
	}

	// The member-domain account is untouched: no registry record, still a
	// member who can join the open team and post.
	assert.Equal(t, http.StatusNotFound, th.PluginRequest(th.AdminClient, http.MethodGet, "/guests/"+member.Id, nil).Status)
	_, _, err = memberClient.AddTeamMember(th.Ctx, th.Team.Id, member.Id)
	require.NoError(t, err)
	ch, _, err := memberClient.GetChannelByName(th.Ctx, model.DefaultChannelName, th.Team.Id, "")
	require.NoError(t, err)
	_, _, err = memberClient.CreatePost(th.Ctx, &model.Post{ChannelId: ch.Id, Message: "member still posts"})
	require.NoError(t, err)
	assert.Equal(t, http.StatusNotFound, th.PluginRequest(th.AdminClient, http.MethodGet, "/guests/"+member.Id, nil).Status)
	assert.False(t, auditHas(th, "rule_new_account", member.Id))
}

// A listed sign-in method makes new accounts guests whatever their domain.
func TestRulesSignInMethod(t *testing.T) {
	th := testhelper.Setup(t)
	setRules(th, "", "email", noCap(th))

	u := th.CreateUser() // an email-and-password account, created by an admin
	g := waitRuleGuest(th, u.Id)
	assert.Equal(t, "sign_in_method", g.Rule)
	assert.Equal(t, "active", g.Status)

	// Guests the plugin creates itself (an admin here, an invitation
	// elsewhere) keep their inviter and are not re-processed by the rule.
	_, created := createGuest(th, th.Channel.Id)
	signedUp := signup(th, inviteLinkFor(th, th.Channel.Id))
	for _, id := range []string{created.Id, signedUp.Id} {
		var rg ruleGuest
		th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/guests/"+id, nil), &rg)
		assert.Empty(t, rg.Rule, id)
		assert.Equal(t, th.Admin.Id, rg.InvitedBy, id)
		assert.Equal(t, []string{th.Channel.Id}, rg.ChannelIDs, id)
		assert.False(t, auditHas(th, "rule_new_account", id), id)
	}
}

// inviteLinkFor invites a fresh address into the channel and returns the link.
func inviteLinkFor(th *testhelper.TestHelper, channelID string) string {
	th.T.Helper()
	addr := newAddress("example.com")
	res := invite(th, th.AdminClient, map[string]any{"emails": []string{addr}, "channel_ids": []string{channelID}})
	require.Len(th.T, res, 1)
	require.Equal(th.T, "sent", res[0].Status, "%+v", res[0])
	return inviteLink(th, addr, 0)
}

// Past the cap the rule still never leaves a matching account a member: it
// becomes a deactivated guest (reason "cap") that cannot log in.
func TestRulesFailClosedAtCap(t *testing.T) {
	th := testhelper.Setup(t)
	var st statsBody
	th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/stats", nil), &st)
	th.SetPluginSettings(map[string]any{"MaxActiveGuests": max(st.ActiveGuests, 1)})
	if st.ActiveGuests == 0 {
		createGuest(th) // fill the one slot
	}
	setRules(th, "member.test", "")

	outsider := selfSignUp(th, "outside.test")
	th.Eventually(func() bool {
		resp := th.PluginRequest(th.AdminClient, http.MethodGet, "/guests/"+outsider.Id, nil)
		var g ruleGuest
		if resp.Status != http.StatusOK {
			return false
		}
		th.DecodeJSON(resp, &g)
		return g.Status == "deactivated" && g.DeactivatedReason == "cap"
	}, "the outsider was not made a deactivated guest at the cap")
	c := model.NewAPIv4Client(th.URL)
	_, _, err := c.Login(th.Ctx, outsider.Username, testhelper.UserPassword)
	require.Error(t, err, "a guest deactivated at the cap logged in")
	th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/stats", nil), &st)
	assert.LessOrEqual(t, st.ActiveGuests, st.MaxActiveGuests)
}

type rulesPreview struct {
	Enabled    bool `json:"enabled"`
	Scanned    int  `json:"scanned"`
	Total      int  `json:"total"`
	Candidates []struct {
		UserID   string   `json:"user_id"`
		Rule     string   `json:"rule"`
		Warnings []string `json:"warnings"`
	} `json:"candidates"`
}

func (p rulesPreview) has(userID string) bool {
	for _, c := range p.Candidates {
		if c.UserID == userID {
			return true
		}
	}
	return false
}

// Existing accounts change only through the admin's apply, after a dry run
// that changes nothing; apply re-checks every id against the rules.
func TestRulesPreviewAndApplyToExistingAccounts(t *testing.T) {
	th := testhelper.Setup(t)
	outsider := selfSignUp(th, "elsewhere.test") // rules still off: stays a member
	member := th.CreateUser()
	noCap(th)
	th.AddTeamMember(th.Team.Id, outsider.Id)
	th.AddChannelMember(th.Channel.Id, outsider.Id)
	outsiderClient := th.Login(outsider)

	setRules(th, "member.test", "")
	var p rulesPreview
	th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/rules/preview", nil), &p)
	require.True(t, p.Enabled)
	assert.True(t, p.has(outsider.Id), "the outside account is not in the dry run")
	assert.False(t, p.has(member.Id), "a member-domain account is in the dry run")
	assert.False(t, p.has(th.Admin.Id), "a system admin is in the dry run")
	assert.GreaterOrEqual(t, p.Scanned, p.Total)
	// The dry run changed nothing.
	assert.Equal(t, http.StatusNotFound, th.PluginRequest(th.AdminClient, http.MethodGet, "/guests/"+outsider.Id, nil).Status)
	_, _, err := outsiderClient.GetMe(th.Ctx, "")
	require.NoError(t, err, "the dry run logged the account out")

	// The same dry run through the slash command.
	th.AddTeamMember(th.Team.Id, th.Admin.Id)
	th.AddChannelMember(th.Channel.Id, th.Admin.Id)
	reply, _, err := th.AdminClient.ExecuteCommand(th.Ctx, th.Channel.Id, "/guest rules")
	require.NoError(t, err)
	assert.Contains(t, reply.Text, "Dry run")
	assert.Contains(t, reply.Text, "@"+outsider.Username)
	assert.NotContains(t, reply.Text, "@"+member.Username)
	reply, _, err = th.AdminClient.ExecuteCommand(th.Ctx, th.Channel.Id, "/guest rules --no-channels")
	require.NoError(t, err)
	assert.Contains(t, reply.Text, "Usage")

	// Only admins may see or apply.
	memberClient := th.Login(member)
	assert.Equal(t, http.StatusForbidden, th.PluginRequest(memberClient, http.MethodGet, "/rules/preview", nil).Status)
	assert.Equal(t, http.StatusForbidden, th.PluginRequest(memberClient, http.MethodPost, "/rules/apply", map[string]any{"user_ids": []string{outsider.Id}}).Status)
	// Bad requests name the problem.
	for body, fragment := range map[string]string{
		`{"user_ids":[]}`:       "user ids",
		`{"user_ids":["../x"]}`: "not a valid user id",
		`{"user_ids":"x"}`:      "user_ids",
		`{"user_idz":["x"]}`:    "user_idz",
		`{"user_ids":["` + outsider.Id + `","` + outsider.Id + `"]}`: "twice",
	} {
		resp := th.PluginRequest(th.AdminClient, http.MethodPost, "/rules/apply", []byte(body))
		assert.Equal(t, http.StatusBadRequest, resp.Status, body)
		assert.Contains(t, string(resp.Body), fragment, body)
	}

	var out struct {
		Results []struct {
			UserID string `json:"user_id"`
			Status string `json:"status"`
			Reason string `json:"reason"`
		} `json:"results"`
	}
	th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodPost, "/rules/apply",
		map[string]any{"user_ids": []string{outsider.Id, member.Id, th.Admin.Id}, "keep_channels": true}), &out)
	require.Len(t, out.Results, 3)
	assert.Equal(t, "converted", out.Results[0].Status)
	assert.Equal(t, "not_matched", out.Results[1].Status)
	// sysadmin@guest-accounts.test is outside member.test, but admins are
	// never converted.
	assert.Equal(t, "exempt", out.Results[2].Status)
	assert.Equal(t, "system_admin", out.Results[2].Reason)
	requireSessionDead(t, th, outsiderClient)
	requireGuestMemberships(th, outsider.Id, th.Channel.Id)
	assert.True(t, auditHas(th, "rule_apply", outsider.Id))

	// Applying again reports the account as already a guest.
	th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodPost, "/rules/apply", map[string]any{"user_ids": []string{outsider.Id}}), &out)
	require.Len(t, out.Results, 1)
	assert.Equal(t, "exempt", out.Results[0].Status)
	assert.Equal(t, "already_guest", out.Results[0].Reason)
}

// gitlabAccount is a member who signs in with GitLab (an admin moved the
// account over, as a migration does).
func gitlabAccount(th *testhelper.TestHelper) *model.User {
	th.T.Helper()
	u := th.CreateUser()
	_, _, err := th.AdminClient.UpdateUserAuth(th.Ctx, u.Id, &model.UserAuth{AuthService: model.UserAuthServiceGitlab, AuthData: model.NewPointer("gl-" + u.Id)})
	require.NoError(th.T, err, "moving the account to GitLab")
	return u
}

var dryRunCode = regexp.MustCompile("`/guest rules apply ([0-9a-f]{8})`")

// The slash command converts only the list a dry run showed: without that
// dry run's code, with a wrong one, or after the list has changed, nothing
// is converted and the current list is shown with its own code.
func TestRulesCommandAppliesOnlyTheListSeen(t *testing.T) {
	th := testhelper.Setup(t)
	a, b := gitlabAccount(th), gitlabAccount(th)
	setRules(th, "", model.UserAuthServiceGitlab, noCap(th))
	th.AddTeamMember(th.Team.Id, th.Admin.Id)
	th.AddChannelMember(th.Channel.Id, th.Admin.Id)
	th.AddTeamMember(th.Team.Id, a.Id)
	th.AddChannelMember(th.Channel.Id, a.Id)
	run := func(cmd string) string {
		t.Helper()
		reply, _, err := th.AdminClient.ExecuteCommand(th.Ctx, th.Channel.Id, cmd)
		require.NoError(t, err, cmd)
		return reply.Text
	}
	codeOf := func(text string) string {
		t.Helper()
		m := dryRunCode.FindStringSubmatch(text)
		require.NotNil(t, m, "no code in %q", text)
		return m[1]
	}
	notGuests := func(users ...*model.User) {
		t.Helper()
		for _, u := range users {
			assert.Equal(t, http.StatusNotFound, th.PluginRequest(th.AdminClient, http.MethodGet, "/guests/"+u.Id, nil).Status, "@%s was converted", u.Username)
		}
	}

	dry := run("/guest rules")
	assert.Contains(t, dry, "@"+a.Username)
	assert.Contains(t, dry, "@"+b.Username)
	first := codeOf(dry)
	assert.Equal(t, first, codeOf(run("/guest rules")), "the same list has the same code")

	out := run("/guest rules apply")
	assert.Contains(t, out, "Nothing was converted")
	assert.Equal(t, first, codeOf(out), "the refusal shows the dry run")
	out = run("/guest rules apply 00000000")
	assert.Contains(t, out, "Nothing was converted")
	notGuests(a, b)

	// The list changes: b leaves (deactivated by an admin).
	_, err := th.AdminClient.UpdateUserActive(th.Ctx, b.Id, false)
	require.NoError(t, err)
	out = run("/guest rules apply " + first)
	assert.Contains(t, out, "have changed")
	assert.NotContains(t, out, "@"+b.Username)
	notGuests(a, b)

	out = run("/guest rules apply " + codeOf(out) + " --no-channels")
	assert.Contains(t, out, "1 account(s) are now guests")
	g := waitRuleGuest(th, a.Id)
	assert.Equal(t, "sign_in_method", g.Rule)
	assert.Empty(t, g.ChannelIDs, "--no-channels kept channels")
	assert.True(t, auditHas(th, "rule_apply", a.Id))
	notGuests(b)
}

package integration

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// adminInChannels makes the admin a member of the channels (inviters must
// be members of what they invite into).
func adminInChannels(th *testhelper.TestHelper, channels ...*model.Channel) {
	for _, ch := range channels {
		th.AddTeamMember(ch.TeamId, th.Admin.Id)
		th.AddChannelMember(ch.Id, th.Admin.Id)
	}
}

func TestInviteTwoAddressesAcrossTwoTeams(t *testing.T) {
	th := testhelper.Setup(t)
	team2 := th.CreateTeam(model.TeamOpen)
	ch2 := th.CreateChannel(team2.Id, model.ChannelTypePrivate)
	adminInChannels(th, th.Channel, ch2)
	a, b := newAddress("guest.example.com"), newAddress("guest.example.com")
	seq := th.SMTP.LastSeq()

	results := invite(th, th.AdminClient, map[string]any{
		"emails": []string{a, strings.ToUpper(b)}, "channel_ids": []string{th.Channel.Id, ch2.Id},
		"message": "Welcome <b>aboard</b>",
	})
	require.Len(t, results, 2)
	for _, r := range results {
		assert.Equal(t, "sent", r.Status, r.Message)
		assert.NotEmpty(t, r.InviteID)
	}
	assert.Equal(t, strings.ToLower(b), strings.ToLower(results[1].Email))

	linkA := inviteLink(th, a, seq)
	inviteLink(th, b, seq)
	page := newBrowser()
	status, body, header := page.open(th, linkA)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, a)
	assert.Contains(t, body, ch2.DisplayName)
	assert.Contains(t, body, "Welcome &lt;b&gt;aboard&lt;/b&gt;", "the custom message must be escaped")
	assert.Contains(t, header.Get("Content-Security-Policy"), "frame-ancestors 'none'")
	assert.Equal(t, "no-referrer", header.Get("Referrer-Policy"))

	u := signup(th, linkA)
	assert.Equal(t, a, u.Email)
	requireSystemRole(th, u.Id, guestRole)
	requireGuestMemberships(th, u.Id, th.Channel.Id, ch2.Id)
	guest := th.Login(u)
	for _, ch := range []string{th.Channel.Id, ch2.Id} {
		_, _, err := guest.CreatePost(th.Ctx, &model.Post{ChannelId: ch, Message: "hi"})
		require.NoError(t, err)
	}

	// The link is single-use.
	status, body, _ = newBrowser().open(th, linkA)
	assert.Equal(t, http.StatusGone, status)
	assert.Contains(t, body, "already been used")
}

func TestDeadLinks(t *testing.T) {
	th := testhelper.Setup(t)
	adminInChannels(th, th.Channel)
	seq := th.SMTP.LastSeq()
	resent, revoked, expired, domain := newAddress("guest.example.com"), newAddress("guest.example.com"), newAddress("guest.example.com"), newAddress("other.example.org")
	results := invite(th, th.AdminClient, map[string]any{"emails": []string{resent, revoked, expired, domain}, "channel_ids": []string{th.Channel.Id}})
	ids := map[string]string{}
	for _, r := range results {
		require.Equal(t, "sent", r.Status)
		ids[r.Email] = r.InviteID
	}

	// Resend: the old link dies, the new one works.
	oldLink := inviteLink(th, resent, seq)
	seq2 := th.SMTP.LastSeq()
	resp := th.PluginRequest(th.AdminClient, http.MethodPost, "/invites/"+ids[resent]+"/resend", nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	newLink := inviteLink(th, resent, seq2)
	require.NotEqual(t, oldLink, newLink)
	status, body, _ := newBrowser().open(th, oldLink)
	assert.Equal(t, http.StatusGone, status)
	assert.Contains(t, body, "newer invitation")
	b := newBrowser()
	status, _, _ = b.open(th, newLink)
	assert.Equal(t, http.StatusOK, status)

	// Revoke: dead at once, even for a page already open.
	revokedLink := inviteLink(th, revoked, seq)
	rb := newBrowser()
	status, _, _ = rb.open(th, revokedLink)
	require.Equal(t, http.StatusOK, status)
	resp = th.PluginRequest(th.AdminClient, http.MethodDelete, "/invites/"+ids[revoked], nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	code, out := rb.accept(th, revokedLink, map[string]any{"username": "r" + model.NewId()[:8], "password": testhelper.UserPassword})
	assert.Equal(t, http.StatusGone, code, "%v", out)
	status, body, _ = newBrowser().open(th, revokedLink)
	assert.Equal(t, http.StatusGone, status)
	assert.Contains(t, body, "withdrawn")

	// Past its lifetime (48 h by default): move the plugin's clock.
	expiredLink := inviteLink(th, expired, seq)
	th.MoveClock(49 * time.Hour)
	status, body, _ = newBrowser().open(th, expiredLink)
	assert.Equal(t, http.StatusGone, status)
	assert.Contains(t, body, "expired")
	var list struct {
		Invites []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"invites"`
	}
	th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/invites?status=expired", nil), &list)
	found := false
	for _, inv := range list.Invites {
		found = found || inv.ID == ids[expired]
	}
	assert.True(t, found, "an expired invitation is listed as expired")
	th.MoveClock(0)

	// Domain removed from the allowed list after the invitation.
	domainLink := inviteLink(th, domain, seq)
	th.SetPluginSettings(map[string]any{"AllowedDomains": "guest.example.com"})
	th.Eventually(func() bool {
		s, _, _ := newBrowser().open(th, domainLink)
		return s == http.StatusGone
	}, "a link whose domain was removed still works")

	// Unknown and malformed tokens.
	for _, tok := range []string{strings.Repeat("A", 43), "short", "%2e%2e%2fetc", strings.Repeat("x", 500)} {
		status, body, _ := newBrowser().open(th, th.URL+"/plugins/guest-accounts/api/v1/invite/"+tok)
		assert.Equal(t, http.StatusNotFound, status, tok)
		assert.NotContains(t, body, "panic", tok)
	}
}

// TestSameTokenAcceptedConcurrentlyMakesOneAccount: 20 people submit the
// signup form of one link at the same moment (each opened the page first,
// each from a client address of its own, so the per-client accept rate
// limit never answers). Exactly one gets the account; the others are told
// the link is used (409) or gone (410).
func TestSameTokenAcceptedConcurrentlyMakesOneAccount(t *testing.T) {
	th := testhelper.Setup(t)
	adminInChannels(th, th.Channel)
	seq := th.SMTP.LastSeq()
	addr := newAddress("guest.example.com")
	res := invite(th, th.AdminClient, map[string]any{"emails": []string{addr}, "channel_ids": []string{th.Channel.Id}})
	require.Equal(t, "sent", res[0].Status, res[0].Message)
	link := inviteLink(th, addr, seq)

	const n = 20
	browsers := make([]*testhelper.Browser, n)
	for i := range browsers {
		browsers[i] = testhelper.NewBrowser()
		code, body, err := browsers[i].Open(link)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, code, "signup page %d: %.200s", i, body)
	}
	// Every goroutine is ready before any submits; the results are checked
	// after all have answered.
	outcomes := make([]testhelper.AcceptOutcome, n)
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	for i := range browsers {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			form := map[string]any{"username": "c" + strings.ToLower(model.NewId()[:10]), "password": testhelper.UserPassword}
			client := nextClient()
			ready.Done()
			<-start
			o := &outcomes[i]
			o.Status, o.Body, o.Err = browsers[i].Accept(link, form, client)
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()

	codes := map[int]int{}
	winner := ""
	for i, o := range outcomes {
		require.NoError(t, o.Err, "acceptance %d", i)
		codes[o.Status]++
		switch o.Status {
		case http.StatusOK:
			var body struct {
				UserID string `json:"user_id"`
			}
			require.NoError(t, json.Unmarshal([]byte(o.Body), &body), o.Body)
			winner = body.UserID
		case http.StatusConflict, http.StatusGone:
		default:
			t.Errorf("acceptance %d: %d %.300s", i, o.Status, o.Body)
		}
	}
	t.Logf("%d simultaneous acceptances of one link: %v", n, codes)
	assert.Equal(t, 1, codes[http.StatusOK], "acceptances that got an account: %v", codes)
	users, _, err := th.AdminClient.SearchUsers(th.Ctx, &model.UserSearch{Term: addr, AllowInactive: true})
	require.NoError(t, err)
	for _, u := range users {
		th.Track(u.Id)
	}
	require.Len(t, users, 1, "one token made %d accounts", len(users))
	assert.Equal(t, winner, users[0].Id, "the account is not the one the winning answer named")
	th.RequireConsistent(th.TakeSnapshot(), map[string]bool{res[0].InviteID: true})
	assert.Equal(t, "accepted", inviteByID(th, res[0].InviteID).Status)
}

func TestInviteResultsAndRefusals(t *testing.T) {
	th := testhelper.Setup(t)
	adminInChannels(th, th.Channel)
	other := th.CreateChannel(th.Team.Id, model.ChannelTypeOpen)
	th.AddChannelMember(other.Id, th.Admin.Id)
	th.SetPluginSettings(map[string]any{"AllowedDomains": "guest.example.com, *.partner.org"})
	_, existing := createGuest(th, th.Channel.Id)

	results := invite(th, th.AdminClient, map[string]any{"emails": []string{
		"not an address", "Bob <b@guest.example.com>", newAddress("guest.example.com.evil.org"), newAddress("evil-guest.example.com"),
		newAddress("a.partner.org"), th.Member.Email, existing.Email,
	}, "channel_ids": []string{other.Id}})
	got := []string{}
	for _, r := range results {
		got = append(got, r.Status)
	}
	assert.Equal(t, []string{"invalid_address", "invalid_address", "domain_not_allowed", "domain_not_allowed", "sent", "already_member", "added_to_channels"}, got)
	requireGuestMemberships(th, existing.Id, th.Channel.Id, other.Id)

	// Who may invite: members may not by default, guests never.
	resp := th.PluginRequest(th.MemberClient, http.MethodPost, "/invites", map[string]any{"emails": []string{newAddress("guest.example.com")}, "channel_ids": []string{th.Channel.Id}})
	assert.Equal(t, http.StatusForbidden, resp.Status, "%s", resp.Body)
	th.SetPluginSettings(map[string]any{"WhoMayInvite": "members"})
	resp = th.PluginRequest(th.MemberClient, http.MethodPost, "/invites", map[string]any{"emails": []string{newAddress("guest.example.com")}, "channel_ids": []string{other.Id}})
	assert.Equal(t, http.StatusForbidden, resp.Status, "a member invites into a channel they are not in: %s", resp.Body)
	resp = th.PluginRequest(th.MemberClient, http.MethodPost, "/invites", map[string]any{"emails": []string{newAddress("guest.example.com")}, "channel_ids": []string{th.Channel.Id}})
	assert.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	guest := th.Login(existing)
	resp = th.PluginRequest(guest, http.MethodPost, "/invites", map[string]any{"emails": []string{newAddress("guest.example.com")}, "channel_ids": []string{th.Channel.Id}})
	assert.Equal(t, http.StatusForbidden, resp.Status, "a guest invites: %s", resp.Body)

	// Bad bodies.
	many := make([]string, 51)
	for i := range many {
		many[i] = newAddress("guest.example.com")
	}
	for name, body := range map[string]any{
		"malformed":      "{\"emails\": [",
		"no emails":      map[string]any{"emails": []string{}, "channel_ids": []string{th.Channel.Id}},
		"51 emails":      map[string]any{"emails": many, "channel_ids": []string{th.Channel.Id}},
		"no channels":    map[string]any{"emails": []string{newAddress("guest.example.com")}},
		"bad channel":    map[string]any{"emails": []string{newAddress("guest.example.com")}, "channel_ids": []string{"x/../y"}},
		"long message":   map[string]any{"emails": []string{newAddress("guest.example.com")}, "channel_ids": []string{th.Channel.Id}, "message": strings.Repeat("m", 1001)},
		"wrong type":     map[string]any{"emails": "a@b.c", "channel_ids": []string{th.Channel.Id}},
		"bad lifetime":   map[string]any{"emails": []string{newAddress("guest.example.com")}, "channel_ids": []string{th.Channel.Id}, "expires_in_hours": 9999},
		"unknown field":  map[string]any{"emails": []string{newAddress("guest.example.com")}, "channel_ids": []string{th.Channel.Id}, "role": "admin"},
		"single channel": map[string]any{"emails": []string{newAddress("guest.example.com")}, "channel_ids": []string{th.Channel.Id, other.Id}, "single_channel": true},
	} {
		resp := th.PluginRequest(th.AdminClient, http.MethodPost, "/invites", body)
		assert.Equal(t, http.StatusBadRequest, resp.Status, "%s: %s", name, resp.Body)
		var e errorBody
		th.DecodeJSON(resp, &e)
		assert.NotEmpty(t, e.Message, name)
	}
}

func TestInviteCapReachedCountsPending(t *testing.T) {
	th := testhelper.Setup(t)
	adminInChannels(th, th.Channel)
	var st statsBody
	th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/stats", nil), &st)
	th.SetPluginSettings(map[string]any{"MaxActiveGuests": st.ActiveGuests + st.PendingInvitations + 1})
	results := invite(th, th.AdminClient, map[string]any{"emails": []string{newAddress("guest.example.com"), newAddress("guest.example.com")}, "channel_ids": []string{th.Channel.Id}})
	require.Len(t, results, 2)
	assert.Equal(t, "sent", results[0].Status)
	assert.Equal(t, "cap_reached", results[1].Status)
	assert.Contains(t, results[1].Message, "Maximum active guests")
}

func TestAcceptNeedsTheSignupPageCSRFToken(t *testing.T) {
	th := testhelper.Setup(t)
	adminInChannels(th, th.Channel)
	seq := th.SMTP.LastSeq()
	addr := newAddress("guest.example.com")
	invite(th, th.AdminClient, map[string]any{"emails": []string{addr}, "channel_ids": []string{th.Channel.Id}})
	link := inviteLink(th, addr, seq)
	form := map[string]any{"username": "f" + model.NewId()[:10], "password": testhelper.UserPassword}

	code, _ := newBrowser().accept(th, link, form) // never opened the page: no cookie, no token
	assert.Equal(t, http.StatusForbidden, code)
	b := newBrowser()
	b.open(th, link)
	b.csrf = "forged-" + b.csrf
	code, _ = b.accept(th, link, form)
	assert.Equal(t, http.StatusForbidden, code)
	// Nothing was consumed: the real page still works.
	signup(th, link)
}

func TestExistingGuestAcceptsWithTheirAccount(t *testing.T) {
	th := testhelper.Setup(t)
	second := th.CreateChannel(th.Team.Id, model.ChannelTypePrivate)
	adminInChannels(th, th.Channel, second)
	th.SetPluginSettings(map[string]any{"WhoMayInvite": "members"})
	th.AddChannelMember(second.Id, th.Member.Id)

	// Two people invite the same address before any account exists.
	addr := newAddress("guest.example.com")
	seq := th.SMTP.LastSeq()
	invite(th, th.AdminClient, map[string]any{"emails": []string{addr}, "channel_ids": []string{th.Channel.Id}})
	first := inviteLink(th, addr, seq)
	seq = th.SMTP.LastSeq()
	invite(th, th.MemberClient, map[string]any{"emails": []string{addr}, "channel_ids": []string{second.Id}})
	secondLink := inviteLink(th, addr, seq)

	u := signup(th, first)
	requireGuestMemberships(th, u.Id, th.Channel.Id)

	// The second link: signed in as someone else it is refused and survives;
	// signed in as the invited guest it adds the channel.
	other, _ := createGuest(th, th.Channel.Id)
	acceptAs := func(c *model.Client4) int {
		b := newBrowser()
		status, _, _ := b.open(th, secondLink)
		require.Equal(t, http.StatusOK, status)
		return b.acceptRaw(th, secondLink, "{}", map[string]string{"Authorization": "Bearer " + c.AuthToken})
	}
	assert.Equal(t, http.StatusForbidden, acceptAs(th.Login(&model.User{Username: other.Username})), "another guest accepted the invitation")
	assert.Equal(t, http.StatusOK, acceptAs(th.Login(u)))
	requireGuestMemberships(th, u.Id, th.Channel.Id, second.Id)
	status, _, _ := newBrowser().open(th, secondLink)
	assert.Equal(t, http.StatusGone, status, "the accepted link still works")

	// Inviters see their own invitations; admins see all.
	var mine struct {
		Invites []struct {
			InviterID string `json:"inviter_id"`
		} `json:"invites"`
	}
	th.DecodeJSON(th.PluginRequest(th.MemberClient, http.MethodGet, "/invites", nil), &mine)
	require.NotEmpty(t, mine.Invites)
	for _, inv := range mine.Invites {
		assert.Equal(t, th.Member.Id, inv.InviterID, "a member sees someone else's invitation")
	}
}

package integration

import (
	"net/http"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

func TestSlashInviteUsesTheSameRules(t *testing.T) {
	th := testhelper.Setup(t)
	adminInChannels(th, th.Channel)
	seq := th.SMTP.LastSeq()
	addr := newAddress("guest.example.com")
	resp, _, err := th.AdminClient.ExecuteCommand(th.Ctx, th.Channel.Id, "/guest invite "+addr+" not-an-address@ ~"+th.Channel.Name+` --message "Hi <there>"`)
	require.NoError(t, err)
	assert.Contains(t, resp.Text, addr+" — sent")
	assert.Contains(t, resp.Text, "invalid address")
	link := inviteLink(th, addr, seq)
	u := signup(th, link)
	requireGuestMemberships(th, u.Id, th.Channel.Id)

	// A member may not invite by default; the command says so.
	resp, _, err = th.MemberClient.ExecuteCommand(th.Ctx, th.Channel.Id, "/guest invite "+newAddress("guest.example.com")+" ~"+th.Channel.Name)
	require.NoError(t, err)
	assert.Contains(t, resp.Text, "may not invite")
	// A guest never may.
	guest := th.Login(u)
	resp, _, err = guest.ExecuteCommand(th.Ctx, th.Channel.Id, "/guest invite "+newAddress("guest.example.com")+" ~"+th.Channel.Name)
	require.NoError(t, err)
	assert.Contains(t, resp.Text, "may not invite")
}

func TestLoginRefusedWhenTheDomainIsNoLongerAllowed(t *testing.T) {
	th := testhelper.Setup(t)
	_, u := createGuest(th, th.Channel.Id) // @guest.example.com
	th.Login(u)
	loginFails := func() bool {
		_, resp, err := th.Anonymous().Login(th.Ctx, u.Username, testhelper.UserPassword)
		// Core masks a plugin's login refusal as invalid credentials (401).
		return err != nil && resp != nil && resp.StatusCode == http.StatusUnauthorized
	}
	th.SetPluginSettings(map[string]any{"AllowedDomains": "other.example.org"})
	th.Eventually(loginFails, "a guest whose domain was removed can still log in")
	// Members are not affected by the guest domain list.
	_, _, err := th.Anonymous().Login(th.Ctx, th.Member.Username, testhelper.UserPassword)
	require.NoError(t, err)
	// Neither a sub-domain wildcard nor a look-alike lets the apex back in.
	th.SetPluginSettings(map[string]any{"AllowedDomains": "*.guest.example.com, guest.example.com.evil.org"})
	th.Eventually(loginFails, "the guest logged in through a wildcard or look-alike entry")
	// Putting the domain back lets them in again.
	th.SetPluginSettings(map[string]any{"AllowedDomains": "guest.example.com"})
	th.Eventually(func() bool { return !loginFails() }, "the guest stays locked out after the domain came back")
}

func TestChannelGuestsAndBadgeLookup(t *testing.T) {
	th := testhelper.Setup(t)
	_, g := createGuest(th, th.Channel.Id)
	other := th.CreateUser()
	th.AddTeamMember(th.Team.Id, other.Id)

	var res struct {
		ChannelID  string `json:"channel_id"`
		GuestCount int    `json:"guest_count"`
		Guests     []struct {
			UserID   string `json:"user_id"`
			Username string `json:"username"`
		} `json:"guests"`
	}
	resp := th.PluginRequest(th.MemberClient, http.MethodGet, "/channels/"+th.Channel.Id+"/guests", nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	th.DecodeJSON(resp, &res)
	assert.Equal(t, 1, res.GuestCount)
	require.Len(t, res.Guests, 1)
	assert.Equal(t, g.Id, res.Guests[0].UserID)

	// Not a member of the channel: no answer about it.
	outsider := th.Login(other)
	resp = th.PluginRequest(outsider, http.MethodGet, "/channels/"+th.Channel.Id+"/guests", nil)
	assert.Equal(t, http.StatusNotFound, resp.Status)

	var lookup struct {
		GuestIDs []string `json:"guest_ids"`
	}
	resp = th.PluginRequest(th.MemberClient, http.MethodPost, "/guests/lookup", map[string]any{"user_ids": []string{g.Id, th.Member.Id, other.Id}})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	th.DecodeJSON(resp, &lookup)
	assert.Equal(t, []string{g.Id}, lookup.GuestIDs)

	// A guest learns nothing about people outside their channels.
	_, g2 := createGuest(th, th.CreateChannel(th.Team.Id, model.ChannelTypeOpen).Id)
	guest := th.Login(g)
	th.DecodeJSON(th.PluginRequest(guest, http.MethodPost, "/guests/lookup", map[string]any{"user_ids": []string{g.Id, g2.Id}}), &lookup)
	assert.Equal(t, []string{g.Id}, lookup.GuestIDs)

	for name, body := range map[string]any{"bad id": map[string]any{"user_ids": []string{"../x"}}, "too many": map[string]any{"user_ids": make([]string, 201)}} {
		resp := th.PluginRequest(th.MemberClient, http.MethodPost, "/guests/lookup", body)
		assert.Equal(t, http.StatusBadRequest, resp.Status, name)
	}
}

func TestAcceptIsRateLimitedPerClient(t *testing.T) {
	th := testhelper.Setup(t)
	adminInChannels(th, th.Channel)
	seq := th.SMTP.LastSeq()
	addr := newAddress("guest.example.com")
	invite(th, th.AdminClient, map[string]any{"emails": []string{addr}, "channel_ids": []string{th.Channel.Id}})
	link := inviteLink(th, addr, seq)
	b := newBrowser()
	b.open(th, link)
	client := "198.51.100." + model.NewId()[:2] // one client, as the trusted proxy header says
	statuses := map[int]int{}
	for i := 0; i < 35; i++ {
		statuses[b.acceptRaw(th, link, `{"username":"9bad"}`, map[string]string{"X-Forwarded-For": client})]++
	}
	assert.Equal(t, 30, statuses[http.StatusBadRequest], "the first 30 attempts are judged: %v", statuses)
	assert.Equal(t, 5, statuses[http.StatusTooManyRequests], "then 429: %v", statuses)
	// The invitation is untouched: another client still signs up.
	signup(th, link)
}

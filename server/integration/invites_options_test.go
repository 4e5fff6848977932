package integration

import (
	"net/http"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// inviteAndAccept invites one new address with the extra fields, follows
// the link in the email from the SMTP sink and signs up. It returns the
// new guest's record and the times just before and after the acceptance.
func inviteAndAccept(th *testhelper.TestHelper, body map[string]any) (g guestBody, before, after time.Time) {
	th.T.Helper()
	addr := newAddress("guest.example.com")
	seq := th.SMTP.LastSeq()
	body["emails"] = []string{addr}
	res := invite(th, th.AdminClient, body)
	require.Len(th.T, res, 1)
	require.Equal(th.T, "sent", res[0].Status, res[0].Message)
	link := inviteLink(th, addr, seq)
	before = time.Now()
	u := signup(th, link)
	after = time.Now()
	th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/guests/"+u.Id, nil), &g)
	require.Equal(th.T, addr, g.Email)
	return g, before, after
}

// An invitation's guest expiry and single-channel flag reach the account
// made from it: the guest has that expiry, is single-channel, and a second
// channel is refused.
func TestInviteWithExpiryAndSingleChannel(t *testing.T) {
	th := testhelper.Setup(t)
	other := th.CreateChannel(th.Team.Id, model.ChannelTypeOpen)
	adminInChannels(th, th.Channel, other)
	expires := time.Now().Add(45 * 24 * time.Hour).UnixMilli()

	g, _, _ := inviteAndAccept(th, map[string]any{
		"channel_ids": []string{th.Channel.Id}, "guest_expires_at": expires, "single_channel": true,
	})
	assert.Equal(t, expires, g.ExpiresAt)
	assert.True(t, g.SingleChannel)
	assert.Equal(t, []string{th.Channel.Id}, g.ChannelIDs)
	requireGuestMemberships(th, g.UserID, th.Channel.Id)

	resp := th.PluginRequest(th.AdminClient, http.MethodPatch, "/guests/"+g.UserID, map[string]any{"add_channel_ids": []string{other.Id}})
	require.Equal(t, http.StatusConflict, resp.Status, "a second channel for a single-channel guest: %s", resp.Body)
	var e errorBody
	th.DecodeJSON(resp, &e)
	assert.Equal(t, "guest_accounts.app.single_channel_update", e.ErrorID)
	requireGuestMemberships(th, g.UserID, th.Channel.Id)
	assert.Equal(t, []string{th.Channel.Id}, registryChannels(th, g.UserID))
}

// "Default guest account lifetime": a guest who accepts while it is set
// expires that long after the acceptance; an invitation's own expiry wins.
func TestDefaultAccountLifetimeAppliesAtAcceptance(t *testing.T) {
	th := testhelper.Setup(t)
	adminInChannels(th, th.Channel)
	const days = 30
	lifetime := days * 24 * time.Hour
	th.SetPluginSettings(map[string]any{"DefaultAccountLifetimeDays": days})

	g, before, after := inviteAndAccept(th, map[string]any{"channel_ids": []string{th.Channel.Id}})
	// The plugin reads the clock during the acceptance, between before and
	// after (same machine, the plugin's clock not moved).
	assert.GreaterOrEqual(t, g.ExpiresAt, before.Add(lifetime).UnixMilli(), "expires_at before accept time + lifetime")
	assert.LessOrEqual(t, g.ExpiresAt, after.Add(lifetime).UnixMilli(), "expires_at after accept time + lifetime")
	assert.False(t, g.SingleChannel)

	own := time.Now().Add(5 * 24 * time.Hour).UnixMilli()
	g, _, _ = inviteAndAccept(th, map[string]any{"channel_ids": []string{th.Channel.Id}, "guest_expires_at": own})
	assert.Equal(t, own, g.ExpiresAt, "the invitation's expiry, not the default lifetime")
}

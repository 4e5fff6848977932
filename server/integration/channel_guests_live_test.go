package integration

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

const (
	channelGuestsEvent = "custom_guest-accounts_channel_guests_changed"
	guestsEvent        = "custom_guest-accounts_guests_changed"
)

// mark is how many events arrived so far; waitSince looks only at later
// ones, so an event from an earlier step cannot satisfy a later one.
func (w *wsEvents) mark() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.events)
}

// waitSince waits for an event after mark matching match.
func (w *wsEvents) waitSince(th *testhelper.TestHelper, mark int, what string, match func(*model.WebSocketEvent) bool) *model.WebSocketEvent {
	th.T.Helper()
	var got *model.WebSocketEvent
	th.Eventually(func() bool {
		w.mu.Lock()
		defer w.mu.Unlock()
		for _, ev := range w.events[mark:] {
			if match(ev) {
				got = ev
				return true
			}
		}
		return false
	}, "no websocket event: %s", what)
	return got
}

// channelGuests matches channel_guests_changed for the channel with that
// guest count (the count GET /channels/{id}/guests answers).
func channelGuests(channelID string, count int) func(*model.WebSocketEvent) bool {
	return func(ev *model.WebSocketEvent) bool {
		d := ev.GetData()
		return ev.EventType() == channelGuestsEvent && d["channel_id"] == channelID && fmt.Sprint(d["guest_count"]) == fmt.Sprint(count)
	}
}

// guestsChanged matches guests_changed naming the user.
func guestsChanged(userID string) func(*model.WebSocketEvent) bool {
	return func(ev *model.WebSocketEvent) bool {
		ids, _ := ev.GetData()["user_ids"].(string)
		return ev.EventType() == guestsEvent && strings.Contains(ids, userID)
	}
}

func requireChannelGuestCount(th *testhelper.TestHelper, c *model.Client4, channelID string, want int) {
	th.T.Helper()
	var body struct {
		GuestCount int `json:"guest_count"`
	}
	resp := th.PluginRequest(c, http.MethodGet, "/channels/"+channelID+"/guests", nil)
	require.Equal(th.T, http.StatusOK, resp.Status, "%s", resp.Body)
	th.DecodeJSON(resp, &body)
	require.Equal(th.T, want, body.GuestCount, "guest count of %s", channelID)
}

// A member's client learns at once that a channel lost its guest, however
// the guest left it: by themselves, by core's /kick and /remove, by the
// channel's member list, or by PATCH remove_channel_ids. Each removal
// also leaves the guest's registry, so it frees their channel allowance.
func TestChannelGuestsChangedWhenAGuestLeavesOrIsRemoved(t *testing.T) {
	th := testhelper.Setup(t)
	left := th.CreateChannel(th.Team.Id, model.ChannelTypeOpen)
	kicked := th.CreateChannel(th.Team.Id, model.ChannelTypePrivate)
	removed := th.CreateChannel(th.Team.Id, model.ChannelTypeOpen)
	patched := th.CreateChannel(th.Team.Id, model.ChannelTypeOpen)
	adminInChannels(th, th.Channel, left, kicked, removed, patched)
	for _, ch := range []*model.Channel{left, kicked, removed, patched} {
		th.AddChannelMember(ch.Id, th.Member.Id)
	}
	u := createGuestWith(th, nil, th.Channel.Id, left.Id, kicked.Id, removed.Id, patched.Id)
	guest := th.Login(u)
	events := listen(th, th.MemberClient)

	gone := func(what string, ch *model.Channel, mark int) {
		t.Helper()
		events.waitSince(th, mark, what+": channel_guests_changed", channelGuests(ch.Id, 0))
		waitNotMember(th, ch.Id, u.Id)
		th.Eventually(func() bool { return !slices.Contains(registryChannels(th, u.Id), ch.Id) },
			"%s: the registry still lists the channel", what)
		requireChannelGuestCount(th, th.MemberClient, ch.Id, 0)
	}

	m := events.mark()
	_, err := guest.RemoveUserFromChannel(th.Ctx, left.Id, u.Id)
	require.NoError(t, err, "a guest may leave a channel")
	gone("the guest left", left, m)
	th.Eventually(func() bool { return auditHas(th, "guest_channel_leave", u.Id) }, "no audit entry for the leave")

	m = events.mark()
	_, _, err = th.AdminClient.ExecuteCommand(th.Ctx, kicked.Id, "/kick @"+u.Username)
	require.NoError(t, err, "/kick")
	gone("/kick", kicked, m)

	m = events.mark()
	_, err = th.AdminClient.RemoveUserFromChannel(th.Ctx, removed.Id, u.Id)
	require.NoError(t, err, "the member list's remove")
	gone("removed from the member list", removed, m)

	m = events.mark()
	resp := th.PluginRequest(th.AdminClient, http.MethodPatch, "/guests/"+u.Id, map[string]any{"remove_channel_ids": []string{patched.Id}})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	events.waitSince(th, m, "guests_changed on a PATCH", guestsChanged(u.Id))
	gone("PATCH remove_channel_ids", patched, m)

	// The channel kept is untouched, and the guest still posts there.
	assert.Equal(t, []string{th.Channel.Id}, registryChannels(th, u.Id))
	requireGuestMemberships(th, u.Id, th.Channel.Id)
	requireChannelGuestCount(th, th.MemberClient, th.Channel.Id, 1)
	_, _, err = guest.CreatePost(th.Ctx, &model.Post{ChannelId: th.Channel.Id, Message: "still here"})
	require.NoError(t, err)
}

// /remove is core's other removal command; a channel removed from a guest
// at the cap frees a place for another.
func TestRemovedChannelFreesTheGuestsChannelAllowance(t *testing.T) {
	th := testhelper.Setup(t)
	other := th.CreateChannel(th.Team.Id, model.ChannelTypeOpen)
	third := th.CreateChannel(th.Team.Id, model.ChannelTypeOpen)
	adminInChannels(th, th.Channel, other, third)
	th.SetPluginSettings(map[string]any{"MaxChannelsPerGuest": 2})
	u := createGuestWith(th, nil, th.Channel.Id, other.Id)
	events := listen(th, th.MemberClient)
	th.AddChannelMember(other.Id, th.Member.Id)

	resp := th.PluginRequest(th.AdminClient, http.MethodPatch, "/guests/"+u.Id, map[string]any{"add_channel_ids": []string{third.Id}})
	require.Equal(t, http.StatusConflict, resp.Status, "at the cap: %s", resp.Body)

	m := events.mark()
	_, _, err := th.AdminClient.ExecuteCommand(th.Ctx, other.Id, "/remove @"+u.Username)
	require.NoError(t, err, "/remove")
	events.waitSince(th, m, "channel_guests_changed after /remove", channelGuests(other.Id, 0))
	th.Eventually(func() bool { return !slices.Contains(registryChannels(th, u.Id), other.Id) }, "the registry still lists the channel")

	resp = th.PluginRequest(th.AdminClient, http.MethodPatch, "/guests/"+u.Id, map[string]any{"add_channel_ids": []string{third.Id}})
	require.Equal(t, http.StatusOK, resp.Status, "the removal freed a place: %s", resp.Body)
	requireGuestMemberships(th, u.Id, th.Channel.Id, third.Id)
}

// Deactivating, reactivating and promoting a guest change the guest count
// of each of their channels, and the members' clients are told.
func TestChannelGuestsChangedOnDeactivationAndPromotion(t *testing.T) {
	th := testhelper.Setup(t)
	other := th.CreateChannel(th.Team.Id, model.ChannelTypePrivate)
	th.AddChannelMember(other.Id, th.Member.Id)
	u := createGuestWith(th, nil, th.Channel.Id, other.Id)
	events := listen(th, th.MemberClient)

	m := events.mark()
	require.Equal(t, http.StatusOK, th.PluginRequest(th.AdminClient, http.MethodPost, "/guests/"+u.Id+"/deactivate", nil).Status)
	for _, id := range []string{th.Channel.Id, other.Id} {
		events.waitSince(th, m, "channel_guests_changed on deactivation", channelGuests(id, 0))
		requireChannelGuestCount(th, th.MemberClient, id, 0)
	}

	m = events.mark()
	require.Equal(t, http.StatusOK, th.PluginRequest(th.AdminClient, http.MethodPost, "/guests/"+u.Id+"/activate", nil).Status)
	for _, id := range []string{th.Channel.Id, other.Id} {
		events.waitSince(th, m, "channel_guests_changed on reactivation", channelGuests(id, 1))
		requireChannelGuestCount(th, th.MemberClient, id, 1)
	}

	m = events.mark()
	resp := th.PluginRequest(th.AdminClient, http.MethodPost, "/guests/"+u.Id+"/promote", nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	events.waitSince(th, m, "guests_changed on promotion", guestsChanged(u.Id))
	for _, id := range []string{th.Channel.Id, other.Id} {
		events.waitSince(th, m, "channel_guests_changed on promotion", channelGuests(id, 0))
		requireChannelGuestCount(th, th.MemberClient, id, 0)
	}
	// Still a member of both, now an ordinary one.
	for _, id := range []string{th.Channel.Id, other.Id} {
		cm := channelMember(th, id, u.Id)
		require.NotNil(t, cm, "the promoted user left %s", id)
		assert.False(t, cm.SchemeGuest)
	}
}

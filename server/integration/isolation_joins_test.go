package integration

import (
	"net/http"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// An admin's core "add members" gives a guest an ordinary membership; the
// hook replaces it by a guest one, records it, posts the system message and
// publishes channel_guests_changed. The guest can then post there and core
// still refuses them everything outside their channels.
func TestIsolationAdminAddToChannelBecomesGuestMembership(t *testing.T) {
	th := testhelper.Setup(t)
	th.AddTeamMember(th.Team.Id, th.Admin.Id)
	other := th.CreateChannel(th.Team.Id, model.ChannelTypeOpen)
	th.AddChannelMember(other.Id, th.Member.Id)
	u := createGuestWith(th, nil, th.Channel.Id)
	events := listen(th, th.MemberClient)

	_, _, err := th.AdminClient.AddChannelMember(th.Ctx, other.Id, u.Id)
	require.NoError(t, err, "core lets the admin add the guest")

	waitGivenChannel(th, u.Id, other.Id)
	requireGuestMemberships(th, u.Id, th.Channel.Id, other.Id)
	requireSystemRole(th, u.Id, guestRole)
	th.Eventually(func() bool { return channelHasBotPost(th, other.Id, "@"+u.Username+" was added as a guest") },
		"no system message in the channel")
	events.wait(th, "channel_guests_changed", func(ev *model.WebSocketEvent) bool {
		return ev.EventType() == "custom_guest-accounts_channel_guests_changed" && ev.GetData()["channel_id"] == other.Id
	})

	guest := th.Login(u)
	_, _, err = guest.CreatePost(th.Ctx, &model.Post{ChannelId: other.Id, Message: "hello from a converted membership"})
	require.NoError(t, err)
	elsewhere := th.CreateChannel(th.Team.Id, model.ChannelTypeOpen)
	_, resp, err := guest.GetPostsForChannel(th.Ctx, elsewhere.Id, 0, 10, "", false, false)
	require.Error(t, err)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
}

// Adding a guest to a channel beyond "Maximum channels per guest", or a
// second channel to a single-channel guest, is undone; the guest is told
// why by the bot.
func TestIsolationChannelCapAndSingleChannelOnCoreAdd(t *testing.T) {
	th := testhelper.Setup(t)
	other := th.CreateChannel(th.Team.Id, model.ChannelTypeOpen)
	third := th.CreateChannel(th.Team.Id, model.ChannelTypePrivate)
	th.SetPluginSettings(map[string]any{"MaxChannelsPerGuest": 2})
	u := createGuestWith(th, nil, th.Channel.Id)

	// Under the cap: converted.
	_, _, err := th.AdminClient.AddChannelMember(th.Ctx, other.Id, u.Id)
	require.NoError(t, err)
	waitGivenChannel(th, u.Id, other.Id)
	// At the cap: removed, and told.
	_, _, err = th.AdminClient.AddChannelMember(th.Ctx, third.Id, u.Id)
	require.NoError(t, err)
	waitNotMember(th, third.Id, u.Id)
	waitBotDM(th, u.Id, "~"+third.Name, "maximum of 2 channels")
	requireGuestMemberships(th, u.Id, th.Channel.Id, other.Id)
	assert.NotContains(t, registryChannels(th, u.Id), third.Id)

	// The plugin's own paths refuse the same: PATCH and an invitation.
	resp := th.PluginRequest(th.AdminClient, http.MethodPatch, "/guests/"+u.Id, map[string]any{"add_channel_ids": []string{third.Id}})
	assert.Equal(t, http.StatusConflict, resp.Status, "%s", resp.Body)
	th.AddTeamMember(th.Team.Id, th.Admin.Id)
	th.AddChannelMember(third.Id, th.Admin.Id)
	res := invite(th, th.AdminClient, map[string]any{"emails": []string{u.Email}, "channel_ids": []string{third.Id}})
	require.Len(t, res, 1)
	assert.NotEqual(t, "added_to_channels", res[0].Status, "an invitation took the guest past the cap: %+v", res[0])
	requireGuestMemberships(th, u.Id, th.Channel.Id, other.Id)

	// A single-channel guest gets no second channel through core either.
	single := createGuestWith(th, map[string]any{"single_channel": true}, th.Channel.Id)
	_, _, err = th.AdminClient.AddChannelMember(th.Ctx, other.Id, single.Id)
	require.NoError(t, err)
	waitNotMember(th, other.Id, single.Id)
	waitBotDM(th, single.Id, "single-channel guest")
	requireGuestMemberships(th, single.Id, th.Channel.Id)
	resp = th.PluginRequest(th.AdminClient, http.MethodPatch, "/guests/"+single.Id, map[string]any{"add_channel_ids": []string{other.Id}})
	assert.Equal(t, http.StatusConflict, resp.Status, "%s", resp.Body)
}

// Who may add a guest to a channel follows "Who may invite guests": a
// member who may not is undone (and the guest told), one who may is
// converted.
func TestIsolationMemberAddFollowsInviteRule(t *testing.T) {
	th := testhelper.Setup(t)
	other := th.CreateChannel(th.Team.Id, model.ChannelTypeOpen)
	th.AddChannelMember(other.Id, th.Member.Id)
	u := createGuestWith(th, nil, th.Channel.Id)

	_, _, err := th.MemberClient.AddChannelMember(th.Ctx, other.Id, u.Id)
	require.NoError(t, err, "core lets a member add a team member to a public channel")
	waitNotMember(th, other.Id, u.Id)
	waitBotDM(th, u.Id, "~"+other.Name, "may not give guests access")
	requireGuestMemberships(th, u.Id, th.Channel.Id)

	th.SetPluginSettings(map[string]any{"WhoMayInvite": "members"})
	_, _, err = th.MemberClient.AddChannelMember(th.Ctx, other.Id, u.Id)
	require.NoError(t, err)
	waitGivenChannel(th, u.Id, other.Id)
	requireGuestMemberships(th, u.Id, th.Channel.Id, other.Id)
}

// A guest cannot reach open teams or public channels by themselves: core
// refuses the public channel (guest team membership) and, because of the
// dedicated guest role, the open team too; nothing is left behind.
func TestIsolationGuestSelfJoins(t *testing.T) {
	th := testhelper.Setup(t)
	public := th.CreateChannel(th.Team.Id, model.ChannelTypeOpen)
	openTeam := th.CreateTeam(model.TeamOpen)
	u := createGuestWith(th, nil, th.Channel.Id)
	guest := th.Login(u)

	_, resp, err := guest.AddChannelMember(th.Ctx, public.Id, u.Id)
	require.Error(t, err)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode, "a guest joined a public channel")

	_, resp, err = guest.AddTeamMember(th.Ctx, openTeam.Id, u.Id)
	require.Error(t, err, "core lets the guest join an open team")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Nil(t, activeTeamMember(th, openTeam.Id, u.Id), "the guest is in the open team")
	townSquare, _, err := th.AdminClient.GetChannelByName(th.Ctx, model.DefaultChannelName, openTeam.Id, "")
	require.NoError(t, err)
	assert.Nil(t, channelMember(th, townSquare.Id, u.Id), "the guest is in town-square")
	requireGuestMemberships(th, u.Id, th.Channel.Id)
}

// An admin adding a guest to another team through core gives a guest team
// membership without default channels; channels added there next become
// guest memberships too.
func TestIsolationAdminAddToTeamGivesGuestTeamMembership(t *testing.T) {
	th := testhelper.Setup(t)
	otherTeam := th.CreateTeam(model.TeamInvite)
	otherChannel := th.CreateChannel(otherTeam.Id, model.ChannelTypePrivate)
	u := createGuestWith(th, nil, th.Channel.Id)

	_, _, err := th.AdminClient.AddTeamMember(th.Ctx, otherTeam.Id, u.Id)
	require.NoError(t, err)
	th.Eventually(func() bool {
		tm := activeTeamMember(th, otherTeam.Id, u.Id)
		return tm != nil && tm.SchemeGuest
	}, "the team membership never became a guest one")
	th.Eventually(func() bool {
		u2, _, err := th.AdminClient.GetUser(th.Ctx, u.Id, "")
		return err == nil && u2.Roles == guestRole
	}, "the role window never closed")
	requireGuestMemberships(th, u.Id, th.Channel.Id) // town-square and off-topic are gone

	_, _, err = th.AdminClient.AddChannelMember(th.Ctx, otherChannel.Id, u.Id)
	require.NoError(t, err)
	waitGivenChannel(th, u.Id, otherChannel.Id)
	requireGuestMemberships(th, u.Id, th.Channel.Id, otherChannel.Id)
	waitBotDM(th, th.Admin.Id, "@"+u.Username, "as a guest")
}

// A member that promotion turns back into an ordinary member keeps the new
// ordinary memberships: the hooks do not take them for a guest's.
func TestIsolationPromotedGuestKeepsOrdinaryMemberships(t *testing.T) {
	th := testhelper.Setup(t)
	u := createGuestWith(th, nil, th.Channel.Id)
	resp := th.PluginRequest(th.AdminClient, http.MethodPost, "/guests/"+u.Id+"/promote", nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	// Adding a channel now is an ordinary member's business.
	other := th.CreateChannel(th.Team.Id, model.ChannelTypeOpen)
	_, _, err := th.AdminClient.AddChannelMember(th.Ctx, other.Id, u.Id)
	require.NoError(t, err)
	// The hook runs asynchronously; give it the same bound as the others and
	// require the membership to stay ordinary throughout.
	th.Eventually(func() bool { return channelHasCorePost(th, other.Id, u.Id) }, "no join message")
	cm := channelMember(th, other.Id, u.Id)
	require.NotNil(t, cm, "the promoted member was removed from a channel")
	assert.False(t, cm.SchemeGuest)
	cm = channelMember(th, th.Channel.Id, u.Id)
	require.NotNil(t, cm)
	assert.False(t, cm.SchemeGuest, "promotion left a guest membership")
}

// channelHasCorePost reports whether core posted a system message about the
// user in the channel (join/add messages).
func channelHasCorePost(th *testhelper.TestHelper, channelID, userID string) bool {
	posts, _, err := th.AdminClient.GetPostsForChannel(th.Ctx, channelID, 0, 50, "", false, false)
	if err != nil {
		return false
	}
	for _, p := range posts.Posts {
		if p.IsSystemMessage() && (p.GetProp("addedUserId") == userID || p.UserId == userID) {
			return true
		}
	}
	return false
}

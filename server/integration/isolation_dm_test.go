package integration

import (
	"net/http"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// requireRejected checks that core answered 400 because the plugin refused.
func requireRejected(t *testing.T, resp *model.Response, err error, what string) {
	t.Helper()
	require.Error(t, err, "%s was allowed", what)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "%s: %v", what, err)
	assert.Contains(t, strings.ToLower(err.Error()), "rejected by plugin", what)
}

// The DM/GM rule, acting as the guest through raw REST: core refuses a
// guest (dedicated guest role) a new DM or GM with someone sharing no
// channel, and in one opened while they shared a channel, posting, editing
// and uploading is refused once they no longer do. Members are held to the same rule towards
// guests unless "Allow members to message guests ..." is on.
func TestIsolationDirectMessages(t *testing.T) {
	th := testhelper.Setup(t)
	outsider := th.CreateUser() // in the team; shares the guest's channel only at first
	th.AddTeamMember(th.Team.Id, outsider.Id)
	th.AddChannelMember(th.Channel.Id, outsider.Id)
	outsiderClient := th.Login(outsider)
	u := createGuestWith(th, nil, th.Channel.Id)
	guest := th.Login(u)

	// DM with a member of the guest's channel: allowed both ways.
	withMember, _, err := guest.CreateDirectChannel(th.Ctx, u.Id, th.Member.Id)
	require.NoError(t, err)
	post, _, err := guest.CreatePost(th.Ctx, &model.Post{ChannelId: withMember.Id, Message: "hi colleague"})
	require.NoError(t, err, "a guest DMs someone of their channel")
	_, _, err = th.MemberClient.CreatePost(th.Ctx, &model.Post{ChannelId: withMember.Id, Message: "hi guest"})
	require.NoError(t, err, "a member DMs a guest of their channel")

	// A DM and a GM opened while the outsider shared the channel; then the
	// outsider leaves it. (A new DM or GM with someone sharing no channel
	// is refused by core itself, because of the dedicated guest role.)
	withOutsider, _, err := guest.CreateDirectChannel(th.Ctx, u.Id, outsider.Id)
	require.NoError(t, err)
	gm, _, err := guest.CreateGroupChannel(th.Ctx, []string{u.Id, th.Member.Id, outsider.Id})
	require.NoError(t, err)
	_, err = th.AdminClient.RemoveUserFromChannel(th.Ctx, th.Channel.Id, outsider.Id)
	require.NoError(t, err)
	stranger := th.CreateUser()
	th.AddTeamMember(th.Team.Id, stranger.Id)
	_, resp, err := guest.CreateDirectChannel(th.Ctx, u.Id, stranger.Id)
	require.Error(t, err, "core let a guest open a DM with a stranger")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	_, resp, err = guest.CreateGroupChannel(th.Ctx, []string{u.Id, th.Member.Id, stranger.Id})
	require.Error(t, err, "core let a guest open a GM with a stranger")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)

	_, resp, err = guest.CreatePost(th.Ctx, &model.Post{ChannelId: withOutsider.Id, Message: "hi stranger"})
	requireRejected(t, resp, err, "a guest's post to an outsider")
	_, resp, err = outsiderClient.CreatePost(th.Ctx, &model.Post{ChannelId: withOutsider.Id, Message: "hi guest"})
	requireRejected(t, resp, err, "an outsider's post to a guest")

	// Uploads follow the same rule.
	_, resp, err = guest.UploadFile(th.Ctx, []byte("secret"), withOutsider.Id, "a.txt")
	requireRejected(t, resp, err, "a guest's upload to an outsider")
	_, _, err = guest.UploadFile(th.Ctx, []byte("fine"), withMember.Id, "b.txt")
	require.NoError(t, err, "a guest uploads into a DM with someone of their channel")

	// /msg goes through the same post hook.
	_, _, _ = guest.ExecuteCommand(th.Ctx, th.Channel.Id, "/msg @"+outsider.Username+" sneaky")
	posts, _, err := th.AdminClient.GetPostsForChannel(th.Ctx, withOutsider.Id, 0, 50, "", false, false)
	require.NoError(t, err)
	for _, p := range posts.Posts {
		assert.True(t, p.IsSystemMessage(), "a message reached the outsider: %q", p.Message)
	}

	// GM including the outsider: refused.
	_, resp, err = guest.CreatePost(th.Ctx, &model.Post{ChannelId: gm.Id, Message: "hi all"})
	requireRejected(t, resp, err, "a guest's post in a GM with an outsider")

	// Edits: once the member no longer shares a channel, the guest's old
	// post cannot be edited either.
	_, err = th.AdminClient.RemoveUserFromChannel(th.Ctx, th.Channel.Id, th.Member.Id)
	require.NoError(t, err)
	post.Message = "edited"
	_, resp, err = guest.UpdatePost(th.Ctx, post.Id, post)
	requireRejected(t, resp, err, "an edit in a DM with someone no longer sharing a channel")

	// The setting lets members message guests; guests stay bound.
	th.SetPluginSettings(map[string]any{"AllowMembersToDMGuests": true})
	th.Eventually(func() bool {
		_, _, err := outsiderClient.CreatePost(th.Ctx, &model.Post{ChannelId: withOutsider.Id, Message: "hello, allowed now"})
		return err == nil
	}, "the setting did not let a member message a guest")
	_, resp, err = guest.CreatePost(th.Ctx, &model.Post{ChannelId: withOutsider.Id, Message: "still not me"})
	requireRejected(t, resp, err, "a guest's post to an outsider with the member setting on")
}

// A guest whose direct messages are restricted may not message anyone,
// even people of their channel; the bot's DM still works.
func TestIsolationDirectMessagesRestricted(t *testing.T) {
	th := testhelper.Setup(t)
	u := createGuestWith(th, map[string]any{}, th.Channel.Id)
	resp := th.PluginRequest(th.AdminClient, http.MethodPatch, "/guests/"+u.Id, map[string]any{"restrictions": map[string]any{"direct_messages": false, "upload_files": false}})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	guest := th.Login(u)
	dm, _, err := guest.CreateDirectChannel(th.Ctx, u.Id, th.Member.Id)
	require.NoError(t, err)
	_, r, err := guest.CreatePost(th.Ctx, &model.Post{ChannelId: dm.Id, Message: "hi"})
	requireRejected(t, r, err, "a DM-restricted guest's post")
	_, r, err = th.MemberClient.CreatePost(th.Ctx, &model.Post{ChannelId: dm.Id, Message: "hi"})
	requireRejected(t, r, err, "a post to a DM-restricted guest")
	_, r, err = guest.UploadFile(th.Ctx, []byte("x"), th.Channel.Id, "c.txt")
	requireRejected(t, r, err, "an upload by a guest who may not upload")
	_, _, err = guest.CreatePost(th.Ctx, &model.Post{ChannelId: th.Channel.Id, Message: "channels still work"})
	require.NoError(t, err)
}

// Guests cannot invite anyone: the plugin's endpoints and /guest refuse,
// and core refuses its own team invitations to guest memberships.
func TestIsolationGuestsCannotInvite(t *testing.T) {
	th := testhelper.Setup(t)
	th.SetPluginSettings(map[string]any{"WhoMayInvite": "members"})
	u := createGuestWith(th, nil, th.Channel.Id)
	guest := th.Login(u)

	resp := th.PluginRequest(guest, http.MethodPost, "/invites", map[string]any{"emails": []string{newAddress("example.com")}, "channel_ids": []string{th.Channel.Id}})
	assert.Equal(t, http.StatusForbidden, resp.Status, "plugin invite as a guest: %s", resp.Body)
	out, _, err := guest.ExecuteCommand(th.Ctx, th.Channel.Id, "/guest invite "+newAddress("example.com")+" ~"+th.Channel.Name)
	if err == nil {
		assert.NotContains(t, out.Text, "sent", "/guest invite as a guest")
	}

	// Core: email invitations, the team's invite link, regenerating it.
	r, err := guest.InviteUsersToTeam(th.Ctx, th.Team.Id, []string{newAddress("example.com")})
	require.Error(t, err, "core sent a team invitation for a guest")
	assert.Equal(t, http.StatusForbidden, r.StatusCode)
	team, _, err := guest.GetTeam(th.Ctx, th.Team.Id, "")
	require.NoError(t, err)
	assert.Empty(t, team.InviteId, "a guest can read the team's invite link id")
	_, r, err = guest.RegenerateTeamInviteId(th.Ctx, th.Team.Id)
	require.Error(t, err)
	assert.Equal(t, http.StatusForbidden, r.StatusCode)
	other := th.CreateUser()
	_, r, err = guest.AddTeamMember(th.Ctx, th.Team.Id, other.Id)
	require.Error(t, err, "a guest added someone to the team")
	assert.Equal(t, http.StatusForbidden, r.StatusCode)
}

// With "Count direct and group messages" on, a guest's conversations count
// after their channels, oldest first; one beyond "Maximum channels per
// guest" is explained at creation and stays silent.
func TestIsolationDirectMessagesCountTowardsTheChannelCap(t *testing.T) {
	th := testhelper.Setup(t)
	second := th.CreateUser()
	th.AddTeamMember(th.Team.Id, second.Id)
	th.AddChannelMember(th.Channel.Id, second.Id)
	u := createGuestWith(th, nil, th.Channel.Id)
	guest := th.Login(u)
	th.SetPluginSettings(map[string]any{"MaxChannelsPerGuest": 2, "CountDirectMessages": true})

	first, _, err := guest.CreateDirectChannel(th.Ctx, u.Id, th.Member.Id)
	require.NoError(t, err)
	_, _, err = guest.CreatePost(th.Ctx, &model.Post{ChannelId: first.Id, Message: "first conversation fits"})
	require.NoError(t, err, "one channel + one DM fit under a cap of 2")

	beyond, _, err := guest.CreateDirectChannel(th.Ctx, u.Id, second.Id)
	require.NoError(t, err, "core lets the DM be created (edition limit)")
	_, resp, err := guest.CreatePost(th.Ctx, &model.Post{ChannelId: beyond.Id, Message: "one too many"})
	requireRejected(t, resp, err, "a guest's post in a conversation beyond the cap")
	assert.Contains(t, err.Error(), "Maximum channels per guest")
	secondClient := th.Login(second)
	_, resp, err = secondClient.CreatePost(th.Ctx, &model.Post{ChannelId: beyond.Id, Message: "to the guest"})
	requireRejected(t, resp, err, "a member's post in a guest's conversation beyond the cap")
	// The first conversation keeps working.
	_, _, err = guest.CreatePost(th.Ctx, &model.Post{ChannelId: first.Id, Message: "still here"})
	require.NoError(t, err)

	// Not counting conversations: the second one works.
	th.SetPluginSettings(map[string]any{"CountDirectMessages": false})
	th.Eventually(func() bool {
		_, _, err := guest.CreatePost(th.Ctx, &model.Post{ChannelId: beyond.Id, Message: "now fine"})
		return err == nil
	}, "the conversation stays refused after DMs stopped counting")
}

// A channel that was archived is no longer shared: once the only channel a
// guest shares with a member is archived, their DM is refused.
func TestIsolationArchivedChannelIsNotShared(t *testing.T) {
	th := testhelper.Setup(t)
	only := th.CreateChannel(th.Team.Id, model.ChannelTypeOpen)
	th.AddChannelMember(only.Id, th.Member.Id)
	u := createGuestWith(th, nil, only.Id)
	guest := th.Login(u)
	dm, _, err := guest.CreateDirectChannel(th.Ctx, u.Id, th.Member.Id)
	require.NoError(t, err)
	_, _, err = guest.CreatePost(th.Ctx, &model.Post{ChannelId: dm.Id, Message: "while shared"})
	require.NoError(t, err, "the DM works while the channel is shared")

	_, err = th.AdminClient.DeleteChannel(th.Ctx, only.Id)
	require.NoError(t, err)
	_, resp, err := guest.CreatePost(th.Ctx, &model.Post{ChannelId: dm.Id, Message: "after the archive"})
	requireRejected(t, resp, err, "a guest's DM after the only shared channel was archived")
}

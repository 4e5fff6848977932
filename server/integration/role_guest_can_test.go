package integration

import (
	"net/http"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// What a guest can do, from the guest's own session on Team Edition with
// the dedicated guest role ("guests can" in the product's scope).

// A guest pins and unpins posts in their channel, their own and others',
// also when editing their own posts is off: pinning is not editing. A
// patch that pins and changes the text at once is an edit.
func TestGuestCanPinAndUnpin(t *testing.T) {
	th := testhelper.Setup(t)
	_, u := createGuest(th, th.Channel.Id)
	requireSystemRole(th, u.Id, guestRole)
	guest := th.Login(u)
	own, _, err := guest.CreatePost(th.Ctx, &model.Post{ChannelId: th.Channel.Id, Message: "the guest's post"})
	require.NoError(t, err)
	members, _, err := th.MemberClient.CreatePost(th.Ctx, &model.Post{ChannelId: th.Channel.Id, Message: "a member's post"})
	require.NoError(t, err)

	pinned := func(postID string) bool {
		p, _, err := th.AdminClient.GetPost(th.Ctx, postID, "")
		require.NoError(t, err)
		return p.IsPinned
	}
	pinCycle := func(postID, what string) {
		t.Helper()
		_, err := guest.PinPost(th.Ctx, postID)
		require.NoError(t, err, "pinning %s", what)
		assert.True(t, pinned(postID), "%s is not pinned", what)
		_, err = guest.UnpinPost(th.Ctx, postID)
		require.NoError(t, err, "unpinning %s", what)
		assert.False(t, pinned(postID), "%s is still pinned", what)
	}
	pinCycle(own.Id, "the guest's own post")
	pinCycle(members.Id, "a member's post")

	setRestriction(th, u.Id, "edit_own_posts", false)
	pinCycle(own.Id, "the guest's own post with editing off")
	pinCycle(members.Id, "a member's post with editing off")
	// Still an edit when the text changes too.
	_, resp, err := guest.PatchPost(th.Ctx, own.Id, &model.PostPatch{IsPinned: model.NewPointer(true), Message: model.NewPointer("changed while pinning")})
	require.Error(t, err, "a pin that also edits went through with editing off")
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	p, _, err := th.AdminClient.GetPost(th.Ctx, own.Id, "")
	require.NoError(t, err)
	assert.Equal(t, "the guest's post", p.Message)
	assert.False(t, p.IsPinned)
	// Props changed along with the pin are an edit as well.
	_, _, err = guest.PatchPost(th.Ctx, own.Id, &model.PostPatch{IsPinned: model.NewPointer(true), Props: &model.StringInterface{"attachments": []any{map[string]any{"text": "added"}}}})
	require.Error(t, err, "a pin that also changes props went through with editing off")
	assert.False(t, pinned(own.Id))
}

// A guest favourites and mutes their channel and a DM with a co-member,
// and changes their own account settings: profile, notification
// preferences, status, password.
func TestGuestCanFavouriteMuteAndChangeSettings(t *testing.T) {
	th := testhelper.Setup(t)
	_, u := createGuest(th, th.Channel.Id)
	guest := th.Login(u)
	dm, _, err := guest.CreateDirectChannel(th.Ctx, u.Id, th.Member.Id)
	require.NoError(t, err, "a DM with a co-member")

	for _, ch := range []string{th.Channel.Id, dm.Id} {
		_, err = guest.UpdatePreferences(th.Ctx, u.Id, model.Preferences{{UserId: u.Id, Category: model.PreferenceCategoryFavoriteChannel, Name: ch, Value: "true"}})
		require.NoError(t, err, "favourite")
		pref, _, err := th.AdminClient.GetPreferenceByCategoryAndName(th.Ctx, u.Id, model.PreferenceCategoryFavoriteChannel, ch)
		require.NoError(t, err)
		assert.Equal(t, "true", pref.Value)

		_, err = guest.UpdateChannelNotifyProps(th.Ctx, ch, u.Id, map[string]string{model.MarkUnreadNotifyProp: model.ChannelMarkUnreadMention})
		require.NoError(t, err, "mute")
		cm, _, err := th.AdminClient.GetChannelMember(th.Ctx, ch, u.Id, "")
		require.NoError(t, err)
		assert.Equal(t, model.ChannelMarkUnreadMention, cm.NotifyProps[model.MarkUnreadNotifyProp])
	}

	patched, _, err := guest.PatchUser(th.Ctx, u.Id, &model.UserPatch{
		FirstName: model.NewPointer("Renamed"), Nickname: model.NewPointer("nick"), Position: model.NewPointer("Consultant"),
		NotifyProps: model.StringMap{model.EmailNotifyProp: "false", model.PushNotifyProp: model.UserNotifyMention, model.DesktopNotifyProp: model.UserNotifyMention},
	})
	require.NoError(t, err, "own profile")
	assert.Equal(t, "Renamed", patched.FirstName)
	after, _, err := th.AdminClient.GetUser(th.Ctx, u.Id, "")
	require.NoError(t, err)
	assert.Equal(t, "nick", after.Nickname)
	assert.Equal(t, "Consultant", after.Position)
	assert.Equal(t, "false", after.NotifyProps[model.EmailNotifyProp])

	_, _, err = guest.UpdateUserStatus(th.Ctx, u.Id, &model.Status{UserId: u.Id, Status: model.StatusDnd})
	require.NoError(t, err, "status")
	st, _, err := th.AdminClient.GetUserStatus(th.Ctx, u.Id, "")
	require.NoError(t, err)
	assert.Equal(t, model.StatusDnd, st.Status)
	_, _, err = guest.UpdateUserCustomStatus(th.Ctx, u.Id, &model.CustomStatus{Emoji: "palm_tree", Text: "away this week"})
	require.NoError(t, err, "custom status")

	_, err = guest.UpdateUserPassword(th.Ctx, u.Id, testhelper.UserPassword, "New-Passw0rd!")
	require.NoError(t, err, "password")
	_, _, err = th.Anonymous().Login(th.Ctx, u.Username, "New-Passw0rd!")
	require.NoError(t, err, "login with the new password")
	_, _, err = th.Anonymous().Login(th.Ctx, u.Username, testhelper.UserPassword)
	require.Error(t, err, "the old password still works")
	requireSystemRole(th, u.Id, guestRole)
}

// command runs a slash command as the client in a channel of the team
// and returns core's answer (an error for a refused command).
func command(th *testhelper.TestHelper, c *model.Client4, channelID, text string) (*model.CommandResponse, error) {
	th.T.Helper()
	resp, _, err := c.ExecuteCommandWithTeam(th.Ctx, channelID, th.Team.Id, text)
	return resp, err
}

// lastPost is the newest post of a channel.
func lastPost(th *testhelper.TestHelper, channelID string) *model.Post {
	th.T.Helper()
	posts, _, err := th.AdminClient.GetPostsForChannel(th.Ctx, channelID, 0, 1, "", false, false)
	require.NoError(th.T, err)
	require.NotEmpty(th.T, posts.Order, "channel %s has no posts", channelID)
	return posts.Posts[posts.Order[0]]
}

// The slash commands a guest may use work from the guest's session: status
// (/away, /online, /dnd), /me, /shrug, /msg to a co-member, /mute. /msg to
// someone the guest shares no channel with is refused and sends nothing.
func TestGuestAllowedSlashCommands(t *testing.T) {
	th := testhelper.Setup(t)
	_, u := createGuest(th, th.Channel.Id)
	guest := th.Login(u)
	stranger := th.CreateUser()
	th.AddTeamMember(th.Team.Id, stranger.Id)

	for _, c := range []struct{ cmd, status string }{{"/away", model.StatusAway}, {"/dnd", model.StatusDnd}, {"/online", model.StatusOnline}} {
		_, err := command(th, guest, th.Channel.Id, c.cmd)
		require.NoError(t, err, c.cmd)
		st, _, err := th.AdminClient.GetUserStatus(th.Ctx, u.Id, "")
		require.NoError(t, err)
		assert.Equal(t, c.status, st.Status, c.cmd)
	}

	_, err := command(th, guest, th.Channel.Id, "/me waves")
	require.NoError(t, err, "/me")
	p := lastPost(th, th.Channel.Id)
	assert.Equal(t, u.Id, p.UserId)
	assert.Equal(t, model.PostTypeMe, p.Type)
	assert.Contains(t, p.Message, "waves")

	_, err = command(th, guest, th.Channel.Id, "/shrug fine")
	require.NoError(t, err, "/shrug")
	p = lastPost(th, th.Channel.Id)
	assert.Equal(t, u.Id, p.UserId)
	assert.Contains(t, p.Message, `¯\\\_(ツ)\_/¯`)

	_, err = command(th, guest, th.Channel.Id, "/msg @"+th.Member.Username+" hello co-member")
	require.NoError(t, err, "/msg to a co-member")
	dmID := channelIDByName(th, model.GetDMNameFromIds(u.Id, th.Member.Id))
	require.NotEmpty(t, dmID, "no DM with the co-member")
	p = lastPost(th, dmID)
	assert.Equal(t, u.Id, p.UserId)
	assert.Equal(t, "hello co-member", p.Message)

	_, _ = command(th, guest, th.Channel.Id, "/msg @"+stranger.Username+" hello stranger")
	assert.Empty(t, channelIDByName(th, model.GetDMNameFromIds(u.Id, stranger.Id)), "/msg opened a DM with a stranger")

	_, err = command(th, guest, th.Channel.Id, "/mute")
	require.NoError(t, err, "/mute")
	cm, _, err := th.AdminClient.GetChannelMember(th.Ctx, th.Channel.Id, u.Id, "")
	require.NoError(t, err)
	assert.Equal(t, model.ChannelMarkUnreadMention, cm.NotifyProps[model.MarkUnreadNotifyProp], "/mute did not mute")
}

// The restricted slash commands are refused to a guest and change
// nothing: /header, /purpose, /rename in their channel and in a DM with a
// co-member, /invite and /kick (/remove) of members, /join of another
// public channel.
func TestGuestRestrictedSlashCommands(t *testing.T) {
	th := testhelper.Setup(t)
	_, u := createGuest(th, th.Channel.Id)
	guest := th.Login(u)
	outsider := th.CreateUser() // in the team, not in the guest's channel
	th.AddTeamMember(th.Team.Id, outsider.Id)
	public := th.CreateChannel(th.Team.Id, model.ChannelTypeOpen)
	dm, _, err := guest.CreateDirectChannel(th.Ctx, u.Id, th.Member.Id)
	require.NoError(t, err)

	snapshot := func(id string) model.Channel {
		ch, _, err := th.AdminClient.GetChannel(th.Ctx, id)
		require.NoError(t, err)
		return *ch
	}
	channelBefore, dmBefore := snapshot(th.Channel.Id), snapshot(dm.Id)
	dmPostsBefore := len(postsOf(th, dm.Id))

	for _, ch := range []string{th.Channel.Id, dm.Id} {
		for _, cmd := range []string{"/header guest header", "/purpose guest purpose", "/rename guest-name"} {
			_, _ = command(th, guest, ch, cmd)
		}
	}
	// Core would run /header in the DM; the plugin answers first.
	resp, err := command(th, guest, dm.Id, "/HEADER  guest header")
	require.NoError(t, err)
	assert.Equal(t, model.CommandResponseTypeEphemeral, resp.ResponseType)
	assert.Contains(t, resp.Text, "Guests cannot use /header")
	assert.NotEmpty(t, auditEntries(th, "command_refused", dm.Id), "the refusal was not audited")
	_, _ = command(th, guest, th.Channel.Id, "/invite @"+outsider.Username+" ~"+th.Channel.Name)
	_, _ = command(th, guest, th.Channel.Id, "/join ~"+public.Name)
	_, _ = command(th, guest, th.Channel.Id, "/kick @"+th.Member.Username)
	_, _ = command(th, guest, th.Channel.Id, "/remove @"+th.Member.Username)

	for _, c := range []struct {
		before model.Channel
		what   string
	}{{channelBefore, "the guest's channel"}, {dmBefore, "the DM"}} {
		after := snapshot(c.before.Id)
		assert.Equal(t, c.before.Header, after.Header, "%s: header", c.what)
		assert.Equal(t, c.before.Purpose, after.Purpose, "%s: purpose", c.what)
		assert.Equal(t, c.before.DisplayName, after.DisplayName, "%s: display name", c.what)
		assert.Equal(t, c.before.Name, after.Name, "%s: name", c.what)
	}
	assert.Len(t, postsOf(th, dm.Id), dmPostsBefore, "something was posted in the DM")
	assert.Nil(t, channelMember(th, th.Channel.Id, outsider.Id), "/invite added the outsider")
	assert.Nil(t, channelMember(th, public.Id, u.Id), "/join added the guest")
	assert.NotNil(t, channelMember(th, th.Channel.Id, th.Member.Id), "/kick removed the member")
	requireGuestMemberships(th, u.Id, th.Channel.Id)

	// Members keep core's own /header, in channels and DMs alike.
	_, err = command(th, th.MemberClient, th.Channel.Id, "/header set by a member")
	require.NoError(t, err)
	_, err = command(th, th.MemberClient, dm.Id, "/header member's DM header")
	require.NoError(t, err)
	assert.Equal(t, "set by a member", snapshot(th.Channel.Id).Header)
	assert.Equal(t, "member's DM header", snapshot(dm.Id).Header)
}

// postsOf lists a channel's posts (newest first).
func postsOf(th *testhelper.TestHelper, channelID string) []*model.Post {
	th.T.Helper()
	posts, _, err := th.AdminClient.GetPostsForChannel(th.Ctx, channelID, 0, 200, "", false, false)
	require.NoError(th.T, err)
	out := make([]*model.Post, 0, len(posts.Order))
	for _, id := range posts.Order {
		out = append(out, posts.Posts[id])
	}
	return out
}

// channelIDByName finds a channel by its name in the database ("" when
// there is none): DMs have no team to look them up through the API.
func channelIDByName(th *testhelper.TestHelper, name string) string {
	th.T.Helper()
	out, err := th.Stack.SQL(th.Ctx, "SELECT id FROM channels WHERE name = '"+name+"'")
	require.NoError(th.T, err)
	return out
}

package integration

import (
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// What a guest's websocket receives about people and channels outside
// their channels: nothing. The stranger changes their profile and status,
// types and posts in a public channel, a new account is created, and the
// outsider changes their profile; none of it reaches the guest, whose
// websocket was opened the moment the login answered (before the plugin
// marked the session: the mark reaches open websockets too). The same
// events about a co-member of the guest's channel do reach them.
func TestEscapeWebsocketEventsAboutStrangers(t *testing.T) {
	fx := newEscape(t)
	th := fx.th
	c := model.NewAPIv4Client(th.URL)
	_, _, err := c.Login(th.Ctx, fx.guest.Username, testhelper.UserPassword)
	require.NoError(t, err)
	guestEvents := listen(th, c)
	waitSessionMarked(th, c)
	mark := guestEvents.mark()

	_, _, err = fx.sc.PatchUser(th.Ctx, fx.stranger.Id, &model.UserPatch{Nickname: model.NewPointer("the stranger"), Position: model.NewPointer(strangerPosition + " II")})
	require.NoError(t, err)
	_, _, err = fx.sc.UpdateUserStatus(th.Ctx, fx.stranger.Id, &model.Status{UserId: fx.stranger.Id, Status: model.StatusDnd})
	require.NoError(t, err)
	_, err = fx.sc.PublishUserTyping(th.Ctx, fx.stranger.Id, model.TypingRequest{ChannelId: fx.public.Id})
	require.NoError(t, err)
	secret, _, err := fx.sc.CreatePost(th.Ctx, &model.Post{ChannelId: fx.public.Id, Message: "stranger's public message"})
	require.NoError(t, err)
	_, _, err = th.AdminClient.PatchUser(th.Ctx, fx.outsider.Id, &model.UserPatch{Position: model.NewPointer("outsider's new position")})
	require.NoError(t, err)
	newcomer := th.CreateUser()
	// A co-member's change reaches the guest (the listener works).
	_, _, err = th.MemberClient.PatchUser(th.Ctx, th.Member.Id, &model.UserPatch{Nickname: model.NewPointer("co-member")})
	require.NoError(t, err)

	guestEvents.wait(th, "the co-member's profile update", func(ev *model.WebSocketEvent) bool {
		return ev.EventType() == model.WebsocketEventUserUpdated && strings.Contains(eventText(ev), th.Member.Id)
	})
	sentinel(th, guestEvents, th.Channel.Id)
	for _, ev := range guestEvents.eventsSince(mark) {
		s := eventText(ev)
		for _, secret := range []string{fx.stranger.Id, fx.outsider.Id, newcomer.Id, fx.public.Id, secret.Id, strangerPosition, "outsider's new position"} {
			assert.NotContains(t, s, secret, "the guest's websocket received %s", s)
		}
	}
}

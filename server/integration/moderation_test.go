package integration

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// Moderation keeps working whatever state the author is in: a system admin
// edits, pins and unpins, and a channel admin pins and unpins, posts by
// guests who are deactivated, expired, waiting for MFA or for a password
// change. Each case first shows the state is in force (the guest's own
// edit, or their session, is refused), so the admins' success is not that
// of an ordinary guest.
func TestModerationOfPostsByGuestsOnHold(t *testing.T) {
	th := testhelper.Setup(t)
	// The member becomes a channel admin of the test channel.
	_, err := th.AdminClient.UpdateChannelRoles(th.Ctx, th.Channel.Id, th.Member.Id, "channel_user channel_admin")
	require.NoError(t, err)

	cases := []struct {
		name string
		// hold puts the guest on hold and returns a check that the hold is
		// in force.
		hold func(t *testing.T, u *model.User, guest *model.Client4, post *model.Post)
	}{
		{"deactivated", func(t *testing.T, u *model.User, guest *model.Client4, _ *model.Post) {
			resp := th.PluginRequest(th.AdminClient, http.MethodPost, "/guests/"+u.Id+"/deactivate", nil)
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			requireSessionDead(t, th, guest)
		}},
		{"expired", func(t *testing.T, u *model.User, guest *model.Client4, _ *model.Post) {
			setExpiry(th, u.Id, time.Now().Add(time.Hour))
			th.MoveClock(2 * time.Hour)
			runExpiryJob(th)
			require.Equal(t, "expired", guestStatus(th, u.Id).DeactivatedReason)
			requireSessionDead(t, th, guest)
		}},
		{"waiting for MFA", func(t *testing.T, u *model.User, guest *model.Client4, post *model.Post) {
			setRequireMFA(th, u.Id, true)
			requireOwnEditRefused(t, th, guest, post, "multi-factor")
		}},
		{"waiting for a password change", func(t *testing.T, u *model.User, _ *model.Client4, post *model.Post) {
			// The plugin sets this state only when it creates the account,
			// before the guest could post; it is planted in the record here
			// (the plugin restarted so no cached copy is used).
			_, err := th.Stack.SQL(th.Ctx, fmt.Sprintf(`UPDATE pluginkeyvaluestore
				SET pvalue = convert_to((convert_from(pvalue, 'UTF8')::jsonb
					|| jsonb_build_object('must_change_password', true, 'password_set_at', %d))::text, 'UTF8')
				WHERE pluginid = '%s' AND pkey = 'guest/%s'`, time.Now().Add(time.Minute).UnixMilli(), testhelper.PluginID, u.Id))
			require.NoError(t, err)
			reenablePlugin(th, u.Id)
			requireOwnEditRefused(t, th, th.Login(u), post, "change the password")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, u := createGuest(th, th.Channel.Id)
			guest := th.Login(u)
			post, _, err := guest.CreatePost(th.Ctx, &model.Post{ChannelId: th.Channel.Id, Message: "written by the guest"})
			require.NoError(t, err)
			tc.hold(t, u, guest, post)

			edited, _, err := th.AdminClient.PatchPost(th.Ctx, post.Id, &model.PostPatch{Message: model.NewPointer("moderated by an admin")})
			require.NoError(t, err, "a system admin could not edit the post of a guest %s", tc.name)
			assert.Equal(t, "moderated by an admin", edited.Message)
			for _, mod := range []struct {
				who string
				c   *model.Client4
			}{{"a system admin", th.AdminClient}, {"a channel admin", th.MemberClient}} {
				_, err = mod.c.PinPost(th.Ctx, post.Id)
				require.NoError(t, err, "%s could not pin the post of a guest %s", mod.who, tc.name)
				assert.True(t, postByID(th, post.Id).IsPinned, "%s: not pinned", mod.who)
				_, err = mod.c.UnpinPost(th.Ctx, post.Id)
				require.NoError(t, err, "%s could not unpin the post of a guest %s", mod.who, tc.name)
				assert.False(t, postByID(th, post.Id).IsPinned, "%s: still pinned", mod.who)
			}
			assert.Equal(t, "moderated by an admin", postByID(th, post.Id).Message)
		})
	}
}

// requireOwnEditRefused checks that the guest's own edit of their post is
// refused with a reason containing want, and left the post as it was.
func requireOwnEditRefused(t *testing.T, th *testhelper.TestHelper, guest *model.Client4, post *model.Post, want string) {
	t.Helper()
	_, resp, err := guest.PatchPost(th.Ctx, post.Id, &model.PostPatch{Message: model.NewPointer("the guest's edit")})
	require.Error(t, err, "the guest's own edit passed: the hold is not in force")
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, err.Error(), want)
	assert.Equal(t, post.Message, postByID(th, post.Id).Message)
}

// postByID reads a post as the admin.
func postByID(th *testhelper.TestHelper, postID string) *model.Post {
	th.T.Helper()
	p, _, err := th.AdminClient.GetPost(th.Ctx, postID, "")
	require.NoError(th.T, err)
	return p
}

package integration

import (
	"net/http"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// A guest can change their own address to one outside "Allowed guest email
// domains" (core does not check guest domains for a user who is not
// system_guest, and calls no plugin hook). From then on every post and
// upload is refused before the fact, the first refusal signs the guest
// out of every session, and signing in again is refused; a guest who only
// reads is signed out by the periodic job. Both of core's routes are
// tried: PUT /users/{id}/patch and PUT /users/{id}.
func TestEscapeEmailChangeToADisallowedDomain(t *testing.T) {
	fx := newEscape(t)
	th := fx.th
	th.SetPluginSettings(map[string]any{"AllowedDomains": "guest.example.com"})
	_, _, err := fx.gc.CreatePost(th.Ctx, &model.Post{ChannelId: th.Channel.Id, Message: "from an allowed address"})
	require.NoError(t, err, "the guest posts while their address is allowed")
	second := fx.loginGuest()

	evil := "g" + model.NewId()[:8] + "@guest.example.com.evil.org"
	try(t, th, fx.gc, []attempt{
		{name: "PUT /users/{self}/patch email (look-alike domain)", method: http.MethodPut, path: "/users/" + fx.guest.Id + "/patch",
			body: map[string]string{"email": evil, "password": testhelper.UserPassword}, want: http.StatusOK},
	})
	const text = "posted from a disallowed address"
	_, resp, err := fx.gc.CreatePost(th.Ctx, &model.Post{ChannelId: th.Channel.Id, Message: text})
	requireRejected(t, resp, err, "a post after the address left the allowed domains")
	assert.Contains(t, err.Error(), "not in a domain allowed")
	_, resp, err = second.UploadFile(th.Ctx, []byte("data"), th.Channel.Id, "a.txt")
	require.Error(t, err, "an upload through another session")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "the guest's other session still works: %v", err)
	for _, c := range []*model.Client4{fx.gc, second} {
		_, resp, err = c.GetMe(th.Ctx, "")
		require.Error(t, err, "a session survived")
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	}
	_, _, err = model.NewAPIv4Client(th.URL).Login(th.Ctx, evil, testhelper.UserPassword)
	assert.Error(t, err, "the guest signed in again with the disallowed address")
	posts, _, err := th.AdminClient.GetPostsForChannel(th.Ctx, th.Channel.Id, 0, 50, "", false, false)
	require.NoError(t, err)
	for _, p := range posts.Posts {
		assert.NotEqual(t, text, p.Message, "the refused post was saved")
	}
	assert.True(t, auditHas(th, "guest_email_refused", fx.guest.Id), "no audit entry")

	// The other route, and an upload as the first thing tried.
	other := createGuestWith(th, nil, th.Channel.Id)
	oc := th.Login(other)
	other.Email = "g" + model.NewId()[:8] + "@evil.test"
	other.Password = testhelper.UserPassword // core asks for it to change one's own address
	_, _, err = oc.UpdateUser(th.Ctx, other)
	require.NoError(t, err, "measured: core lets the guest change their address through PUT /users/{id}")
	_, resp, err = oc.UploadFile(th.Ctx, []byte("data"), th.Channel.Id, "b.txt")
	requireRejected(t, resp, err, "an upload after the address left the allowed domains")
	_, resp, err = oc.GetMe(th.Ctx, "")
	require.Error(t, err, "the session survived the refused upload")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	// A guest who only reads is signed out by the periodic job.
	reader := createGuestWith(th, nil, th.Channel.Id)
	rc := th.Login(reader)
	_, _, err = rc.PatchUser(th.Ctx, reader.Id, &model.UserPatch{Email: model.NewPointer("g" + model.NewId()[:8] + "@evil.test"), Password: model.NewPointer(testhelper.UserPassword)})
	require.NoError(t, err)
	_, _, err = rc.GetPostsForChannel(th.Ctx, th.Channel.Id, 0, 10, "", false, false)
	require.NoError(t, err, "measured: reading needs no hook, so it works until the job runs")
	runExpiryJob(th)
	_, resp, err = rc.GetMe(th.Ctx, "")
	require.Error(t, err, "the reading guest's session survived the periodic job")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}

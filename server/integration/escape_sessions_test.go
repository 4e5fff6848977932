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

// Sessions core does not know as a guest's: the first use of a personal
// access token (core makes that session with no login hook), and sessions
// held before the plugin starts. The periodic job and the activation give
// them core's guest marker by the guests' system role, in one statement;
// members' sessions are left as they are.
func TestEscapeUnmarkedSessionsGetTheGuestMarker(t *testing.T) {
	fx := newEscape(t)
	th := fx.th
	tc := th.TokenClient(fx.guest.Id)
	_, _, err := tc.GetMe(th.Ctx, "")
	require.NoError(t, err, "the admin's token for the guest")
	// Core treats the token's session as an ordinary one until it is
	// marked: a random invite link is looked up (404), not refused (403).
	require.NotEqual(t, errGuestInviteJoin, inviteJoin(th, tc).errorID(), "core already treats the token's session as a guest's")

	runExpiryJob(th)
	assert.Equal(t, errGuestInviteJoin, inviteJoin(th, tc).errorID(), "the job did not mark the token's session (or core's cache kept the old copy)")
	assert.Equal(t, []string{"true"}, sessionMarkers(th, fx.guest.Id), "the guest's sessions after the job")

	// Sessions held before a start, not marked: the activation marks the
	// guest's, not the member's.
	_, err = th.Stack.SQL(th.Ctx, "UPDATE Sessions SET Props = Props - 'is_guest' WHERE UserId IN ('"+fx.guest.Id+"', '"+fx.stranger.Id+"')")
	require.NoError(t, err)
	require.Equal(t, []string{"unset"}, sessionMarkers(th, fx.guest.Id))
	restartServer(th)
	assert.Equal(t, []string{"true"}, sessionMarkers(th, fx.guest.Id), "the guest's sessions right after the activation")
	assert.Equal(t, []string{"unset"}, sessionMarkers(th, fx.stranger.Id), "the activation marked a member's session")
	for _, c := range []*model.Client4{fx.gc, tc} {
		assert.Equal(t, errGuestInviteJoin, inviteJoin(th, c).errorID(), "core does not treat a guest's session as a guest's after the activation")
	}
	assert.Equal(t, http.StatusNotFound, inviteJoin(th, fx.sc).Status, "core treats the member's session as a guest's")
}

// sessionMarkers lists the distinct is_guest markers of the user's
// sessions in the database ("unset" where there is none).
func sessionMarkers(th *testhelper.TestHelper, userID string) []string {
	th.T.Helper()
	out, err := th.Stack.SQL(th.Ctx, "SELECT DISTINCT COALESCE(Props->>'is_guest', 'unset') FROM Sessions WHERE UserId = '"+userID+"' ORDER BY 1")
	require.NoError(th.T, err)
	return strings.Fields(out)
}

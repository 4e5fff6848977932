package integration

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// The escape tests act as an attacker holding a guest account: they call
// core's raw REST API, slash commands and websocket, not the plugin's
// paths, and check that each attempt is refused before the fact and leaves
// no trace (docs/security.md, "Escapes tried from a guest account").

// escapeFixture is a guest signed in, with the people and places they must
// not reach.
type escapeFixture struct {
	th *testhelper.TestHelper
	// guest holds a guest membership of th.Channel only; gc is their client,
	// whose session carries core's guest marker.
	guest *model.User
	gc    *model.Client4
	// stranger is a member of the guest's team sharing no channel with
	// them, with a position set (a field that must not leak).
	stranger *model.User
	sc       *model.Client4
	// outsider is in another team only.
	outsider *model.User
	// openTeam and inviteTeam are teams the guest is not in; inviteTeam's
	// invite id is taken as leaked to the guest.
	openTeam, inviteTeam *model.Team
	// public is a public channel of the guest's team, with publicPost.
	public     *model.Channel
	publicPost *model.Post
}

const strangerPosition = "Head of Secret Projects"

func newEscape(t *testing.T) *escapeFixture {
	th := testhelper.Setup(t)
	fx := &escapeFixture{th: th}
	fx.public = th.CreateChannel(th.Team.Id, model.ChannelTypeOpen)
	var err error
	fx.publicPost, _, err = th.AdminClient.CreatePost(th.Ctx, &model.Post{ChannelId: fx.public.Id, Message: "public news for members only"})
	require.NoError(t, err)
	fx.stranger = th.CreateUser()
	th.AddTeamMember(th.Team.Id, fx.stranger.Id)
	th.AddChannelMember(fx.public.Id, fx.stranger.Id)
	_, _, err = th.AdminClient.PatchUser(th.Ctx, fx.stranger.Id, &model.UserPatch{Position: model.NewPointer(strangerPosition)})
	require.NoError(t, err)
	fx.sc = th.Login(fx.stranger)
	fx.openTeam = th.CreateTeam(model.TeamOpen)
	fx.inviteTeam = th.CreateTeam(model.TeamInvite)
	fx.outsider = th.CreateUser()
	th.AddTeamMember(fx.openTeam.Id, fx.outsider.Id)
	fx.guest = createGuestWith(th, nil, th.Channel.Id)
	requireSystemRole(th, fx.guest.Id, "guest_accounts_guest")
	fx.gc = fx.loginGuest()
	return fx
}

// loginGuest signs the guest in and waits until their new session carries
// core's guest marker (set by the plugin right after the login).
func (fx *escapeFixture) loginGuest() *model.Client4 {
	c := fx.th.Login(fx.guest)
	waitSessionMarked(fx.th, c)
	return c
}

// waitSessionMarked waits until core treats the client's session as a
// guest session, asking core itself (inviteJoin).
func waitSessionMarked(th *testhelper.TestHelper, c *model.Client4) {
	th.T.Helper()
	th.Eventually(func() bool {
		r := inviteJoin(th, c)
		return r.Status == http.StatusForbidden && r.errorID() == errGuestInviteJoin
	}, "the guest's session never became a guest session to core")
}

// inviteJoin asks core to join the team of a random invite link as the
// client: 403 with errGuestInviteJoin for a guest session, 404 otherwise;
// nothing is joined either way.
func inviteJoin(th *testhelper.TestHelper, c *model.Client4) rawResp {
	th.T.Helper()
	return call(th, c, http.MethodPost, "/teams/members/invite?invite_id="+model.NewId(), nil)
}

// errGuestInviteJoin is core's refusal of a team join through an invite
// link to a guest session.
const errGuestInviteJoin = "api.team.add_user_to_team_from_invite.guest.app_error"

// call sends one request to core's REST API as the client.
func call(th *testhelper.TestHelper, c *model.Client4, method, path string, body any) rawResp {
	th.T.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case []byte:
		raw = b
	default:
		var err error
		raw, err = json.Marshal(b)
		require.NoError(th.T, err)
	}
	r, err := rawRequest(method, th.URL+"/api/v4"+path, raw, bearer(c), nil)
	require.NoError(th.T, err, "%s %s", method, path)
	return r
}

// errorID is the id of core's JSON error ("" when there is none).
func (r rawResp) errorID() string {
	if r.Status < http.StatusBadRequest {
		return ""
	}
	var e struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(r.Body, &e)
	return e.ID
}

// attempt is one request an attacker sends, and the answer that refuses it.
type attempt struct {
	name         string
	method, path string
	body         any
	want         int
	// errID, when set, is core's error id the refusal must carry.
	errID string
}

// try sends the attempts as the client and checks each answer; the
// statuses are logged as the table docs/security.md gives.
func try(t *testing.T, th *testhelper.TestHelper, c *model.Client4, attempts []attempt) map[string]rawResp {
	t.Helper()
	out := make(map[string]rawResp, len(attempts))
	var table strings.Builder
	for _, a := range attempts {
		r := call(th, c, a.method, a.path, a.body)
		out[a.name] = r
		fmt.Fprintf(&table, "| %s | %d %s |\n", a.name, r.Status, r.errorID())
		if assert.Equal(t, a.want, r.Status, "%s: %.300s", a.name, r.Body) && a.errID != "" {
			assert.Equal(t, a.errID, r.errorID(), "%s", a.name)
		}
	}
	t.Logf("attempts as a guest:\n%s", table.String())
	return out
}

// together runs fn(0..n-1) in n goroutines released at the same moment.
func together(n int, fn func(i int)) {
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	ready.Add(n)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			fn(i)
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
}

// traceCounts counts, in core's tables, what a user created or holds that
// a guest never may: teams they created (a team keeps its creator's email),
// open or private channels they created that are not archived, channel
// admin roles, ordinary (non-guest) team and channel memberships, webhooks,
// slash commands, custom emoji, OAuth apps, bots and personal access
// tokens.
func traceCounts(th *testhelper.TestHelper, u *model.User) map[string]int {
	th.T.Helper()
	q := func(sql string) string { return "(" + sql + ")" }
	id, email := u.Id, strings.ReplaceAll(u.Email, "'", "''")
	names := []string{"teams", "channels", "channel_admin", "ordinary_team_memberships", "ordinary_channel_memberships",
		"incoming_webhooks", "outgoing_webhooks", "commands", "emoji", "oauth_apps", "bots", "access_tokens"}
	parts := []string{
		q("SELECT count(*) FROM Teams WHERE Email = '" + email + "' AND DeleteAt = 0"),
		q("SELECT count(*) FROM Channels WHERE CreatorId = '" + id + "' AND Type IN ('O','P') AND DeleteAt = 0"),
		q("SELECT count(*) FROM ChannelMembers WHERE UserId = '" + id + "' AND COALESCE(SchemeAdmin, false)"),
		q("SELECT count(*) FROM TeamMembers WHERE UserId = '" + id + "' AND DeleteAt = 0 AND NOT COALESCE(SchemeGuest, false)"),
		q("SELECT count(*) FROM ChannelMembers cm JOIN Channels c ON c.Id = cm.ChannelId WHERE cm.UserId = '" + id + "' AND c.Type IN ('O','P') AND NOT COALESCE(cm.SchemeGuest, false)"),
		q("SELECT count(*) FROM IncomingWebhooks WHERE UserId = '" + id + "' AND DeleteAt = 0"),
		q("SELECT count(*) FROM OutgoingWebhooks WHERE CreatorId = '" + id + "' AND DeleteAt = 0"),
		q("SELECT count(*) FROM Commands WHERE CreatorId = '" + id + "' AND DeleteAt = 0"),
		q("SELECT count(*) FROM Emoji WHERE CreatorId = '" + id + "' AND DeleteAt = 0"),
		q("SELECT count(*) FROM OAuthApps WHERE CreatorId = '" + id + "'"),
		q("SELECT count(*) FROM Bots WHERE OwnerId = '" + id + "' AND DeleteAt = 0"),
		q("SELECT count(*) FROM UserAccessTokens WHERE UserId = '" + id + "'"),
	}
	out, err := th.Stack.SQL(th.Ctx, "SELECT "+strings.Join(parts, ", "))
	require.NoError(th.T, err)
	fields := strings.Split(out, "|")
	require.Len(th.T, fields, len(names), "trace query answer %q", out)
	counts := make(map[string]int, len(names))
	for i, n := range names {
		v, err := strconv.Atoi(strings.TrimSpace(fields[i]))
		require.NoError(th.T, err)
		counts[n] = v
	}
	return counts
}

// requireNoTrace checks that the guest created and holds nothing a guest
// never may.
func (fx *escapeFixture) requireNoTrace(t *testing.T) {
	t.Helper()
	for what, n := range traceCounts(fx.th, fx.guest) {
		assert.Zero(t, n, "the guest left a trace: %s", what)
	}
}

// leaks names the secrets found in an answer's body.
func leaks(body []byte, secrets ...string) []string {
	var found []string
	for _, s := range secrets {
		if s != "" && bytes.Contains(body, []byte(s)) {
			found = append(found, s)
		}
	}
	return found
}

// strangerSecrets are what the guest must never read about the stranger
// and the outsider.
func (fx *escapeFixture) strangerSecrets() []string {
	return []string{fx.stranger.Id, fx.stranger.Email, fx.stranger.Username, strangerPosition,
		fx.outsider.Id, fx.outsider.Email, fx.outsider.Username}
}

// sentinel makes the admin post in a channel the listener is in and waits
// until the listener receives it: every event published before it has
// reached that websocket by then (core's hub delivers one connection's
// events in order), so what is absent was not sent.
func sentinel(th *testhelper.TestHelper, w *wsEvents, channelID string) {
	th.T.Helper()
	p, _, err := th.AdminClient.CreatePost(th.Ctx, &model.Post{ChannelId: channelID, Message: "sentinel " + model.NewId()})
	require.NoError(th.T, err)
	w.wait(th, "the sentinel post", func(ev *model.WebSocketEvent) bool {
		return ev.EventType() == model.WebsocketEventPosted && strings.Contains(fmt.Sprint(ev.GetData()["post"]), p.Id)
	})
}

// eventsSince returns a copy of the events received after mark.
func (w *wsEvents) eventsSince(mark int) []*model.WebSocketEvent {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]*model.WebSocketEvent(nil), w.events[mark:]...)
}

// eventText is an event's type and data as text, for searching.
func eventText(ev *model.WebSocketEvent) string {
	raw, _ := json.Marshal(ev.GetData())
	return string(ev.EventType()) + " " + string(raw)
}

// multipartBody builds a multipart form with one file and text fields.
func multipartBody(t *testing.T, fileField, fileName string, content []byte, fields map[string]string) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile(fileField, fileName)
	require.NoError(t, err)
	_, err = fw.Write(content)
	require.NoError(t, err)
	for k, v := range fields {
		require.NoError(t, mw.WriteField(k, v))
	}
	require.NoError(t, mw.Close())
	return buf.Bytes(), mw.FormDataContentType()
}

// callMultipart posts a multipart form to core's REST API as the client.
func callMultipart(th *testhelper.TestHelper, c *model.Client4, path string, body []byte, contentType string) rawResp {
	th.T.Helper()
	h := bearer(c)
	h["Content-Type"] = contentType
	r, err := rawRequest(http.MethodPost, th.URL+"/api/v4"+path, body, h, nil)
	require.NoError(th.T, err, "POST %s", path)
	return r
}

// onePixelPNG is a valid 1×1 PNG (custom emoji need an image).
var onePixelPNG = []byte{0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52,
	0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89, 0, 0, 0, 0x0d, 0x49, 0x44, 0x41, 0x54,
	0x78, 0x9c, 0x63, 0, 1, 0, 0, 5, 0, 1, 0x0d, 0x0a, 0x2d, 0xb4, 0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae,
	0x42, 0x60, 0x82}

// respStatus is a client answer's status (0 when there was none).
func respStatus(r *model.Response) int {
	if r == nil {
		return 0
	}
	return r.StatusCode
}

// requireStatedLimit checks that GET /stats states a limit the escape
// tests measured, as not enforced.
func requireStatedLimit(th *testhelper.TestHelper, capability string) {
	th.T.Helper()
	enforced, note, ok := readStatsRole(th).limit(capability)
	require.True(th.T, ok, "GET /stats does not state the %s limit", capability)
	assert.False(th.T, enforced, "GET /stats says %s is enforced", capability)
	assert.NotEmpty(th.T, note, capability)
}

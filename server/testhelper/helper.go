package testhelper

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper/smtpsink"
)

// UserPassword is the password of every user the helper creates.
const UserPassword = "User-Passw0rd!"

// TestHelper gives one test fresh data on the shared server.
type TestHelper struct {
	T   testing.TB
	Ctx context.Context
	*Env

	Team         *model.Team
	Channel      *model.Channel
	Member       *model.User
	MemberClient *model.Client4

	trackMu sync.Mutex
	tracked []string

	// clockOffset is where MoveClock put the plugin's clock.
	clockOffset time.Duration
}

// Track marks a user the test created for deactivation at the end.
func (th *TestHelper) Track(userID string) {
	th.trackMu.Lock()
	th.tracked = append(th.tracked, userID)
	th.trackMu.Unlock()
}

func (th *TestHelper) deactivateTracked() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	th.trackMu.Lock()
	ids := th.tracked
	th.trackMu.Unlock()
	for _, id := range ids {
		_, _ = th.AdminClient.DeleteUser(ctx, id)
	}
	if len(ids) > 0 {
		th.settle()
	}
}

// Setup returns a helper with a fresh open team, a public channel in it and
// a member of both, logged in.
func Setup(t testing.TB) *TestHelper {
	t.Helper()
	if env == nil {
		t.Fatal("testhelper: the stack is not running: call testhelper.Main(m) from TestMain and run through `make test-integration`")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	th := &TestHelper{T: t, Ctx: ctx, Env: env}
	th.Team = th.CreateTeam(model.TeamOpen)
	th.Channel = th.CreateChannel(th.Team.Id, model.ChannelTypeOpen)
	// Unlicensed servers refuse new users at 250 active ones, so every user a
	// test creates is deactivated when it ends.
	t.Cleanup(th.deactivateTracked)
	th.Member = th.CreateUser()
	th.AddTeamMember(th.Team.Id, th.Member.Id)
	th.AddChannelMember(th.Channel.Id, th.Member.Id)
	th.MemberClient = th.Login(th.Member)
	return th
}

// Shared returns the shared stack (for tests that need it without Setup).
func Shared() *Env { return env }

// CreateTeam creates a team of the given type (model.TeamOpen/TeamInvite).
func (th *TestHelper) CreateTeam(teamType string) *model.Team {
	th.T.Helper()
	name := "t" + model.NewId()[:12]
	team, _, err := th.AdminClient.CreateTeam(th.Ctx, &model.Team{Name: name, DisplayName: "Team " + name, Type: teamType, AllowOpenInvite: teamType == model.TeamOpen})
	require.NoError(th.T, err, "creating a team")
	return team
}

// CreateChannel creates a channel (model.ChannelTypeOpen/Private).
func (th *TestHelper) CreateChannel(teamID string, channelType model.ChannelType) *model.Channel {
	th.T.Helper()
	name := "c" + model.NewId()[:12]
	ch, _, err := th.AdminClient.CreateChannel(th.Ctx, &model.Channel{TeamId: teamID, Name: name, DisplayName: "Channel " + name, Type: channelType})
	require.NoError(th.T, err, "creating a channel")
	return ch
}

// CreateUser creates an ordinary user with UserPassword.
func (th *TestHelper) CreateUser() *model.User {
	th.T.Helper()
	id := model.NewId()[:12]
	u, _, err := th.AdminClient.CreateUser(th.Ctx, &model.User{
		Username: "u" + id, Email: "u" + id + "@member.test", Password: UserPassword,
		FirstName: "First" + id[:4], LastName: "Last" + id[:4], EmailVerified: true,
	})
	require.NoError(th.T, err, "creating a user")
	th.Track(u.Id)
	return u
}

// AddTeamMember adds the user to the team as the admin.
func (th *TestHelper) AddTeamMember(teamID, userID string) {
	th.T.Helper()
	_, _, err := th.AdminClient.AddTeamMember(th.Ctx, teamID, userID)
	require.NoError(th.T, err, "adding a team member")
}

// AddChannelMember adds the user to the channel as the admin.
func (th *TestHelper) AddChannelMember(channelID, userID string) {
	th.T.Helper()
	_, _, err := th.AdminClient.AddChannelMember(th.Ctx, channelID, userID)
	require.NoError(th.T, err, "adding a channel member")
}

// Login returns a client logged in as the user (password UserPassword).
func (th *TestHelper) Login(u *model.User) *model.Client4 {
	th.T.Helper()
	c := model.NewAPIv4Client(th.URL)
	_, _, err := c.Login(th.Ctx, u.Username, UserPassword)
	require.NoError(th.T, err, "logging in as %s", u.Username)
	return c
}

// TokenClient creates a personal access token for the user (as the admin)
// and returns a client that uses it.
func (th *TestHelper) TokenClient(userID string) *model.Client4 {
	th.T.Helper()
	tok, _, err := th.AdminClient.CreateUserAccessToken(th.Ctx, userID, "guest-accounts test")
	require.NoError(th.T, err, "creating a personal access token")
	c := model.NewAPIv4Client(th.URL)
	c.SetToken(tok.Token)
	return c
}

// Anonymous returns a client with no session.
func (th *TestHelper) Anonymous() *model.Client4 {
	return model.NewAPIv4Client(th.URL)
}

// PluginRequest calls the plugin's API (path below /api/v1) as the client's
// user; body is JSON-encoded unless it is []byte or nil.
func (th *TestHelper) PluginRequest(c *model.Client4, method, path string, body any) PluginResponse {
	th.T.Helper()
	var reader io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		reader = bytes.NewReader(b)
	case string:
		reader = strings.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		require.NoError(th.T, err)
		reader = bytes.NewReader(buf)
	}
	req, err := http.NewRequestWithContext(th.Ctx, method, th.URL+"/plugins/"+PluginID+"/api/v1"+path, reader)
	require.NoError(th.T, err)
	if c.AuthToken != "" {
		req.Header.Set("Authorization", "Bearer "+c.AuthToken)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(th.T, err, "%s %s", method, path)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(th.T, err)
	return PluginResponse{Status: resp.StatusCode, Body: raw, Header: resp.Header}
}

// DecodeJSON decodes a plugin answer, failing the test on bad JSON.
func (th *TestHelper) DecodeJSON(resp PluginResponse, v any) {
	th.T.Helper()
	require.NoError(th.T, json.Unmarshal(resp.Body, v), "answer is not the expected JSON: %s", resp.Body)
}

// UpdatePluginSettings saves plugin settings through the real config API,
// as the System Console does, and returns the API error (nil on success).
func (th *TestHelper) UpdatePluginSettings(values map[string]any) error {
	th.T.Helper()
	cfg, _, err := th.AdminClient.GetConfig(th.Ctx)
	require.NoError(th.T, err, "reading the server config")
	if cfg.PluginSettings.Plugins == nil {
		cfg.PluginSettings.Plugins = map[string]map[string]any{}
	}
	settings := cfg.PluginSettings.Plugins[PluginID]
	if settings == nil {
		settings = map[string]any{}
	}
	for k, v := range values {
		settings[strings.ToLower(k)] = v
	}
	cfg.PluginSettings.Plugins[PluginID] = settings
	_, _, err = th.AdminClient.UpdateConfig(th.Ctx, cfg)
	return err
}

// SetPluginSettings is UpdatePluginSettings that must succeed; the previous
// values come back when the test ends.
func (th *TestHelper) SetPluginSettings(values map[string]any) {
	th.T.Helper()
	cfg, _, err := th.AdminClient.GetConfig(th.Ctx)
	require.NoError(th.T, err)
	old := map[string]any{}
	for k, v := range cfg.PluginSettings.Plugins[PluginID] {
		old[k] = v
	}
	require.NoError(th.T, th.UpdatePluginSettings(values), "saving plugin settings")
	th.T.Cleanup(func() {
		restore := map[string]any{}
		for k := range values {
			restore[strings.ToLower(k)] = old[strings.ToLower(k)]
		}
		_ = th.UpdatePluginSettings(restore)
	})
}

// Eventually waits for cond, failing with msg after a generous bound. It
// is for state that core applies asynchronously (config listeners,
// websocket-driven caches), never a timing assertion.
func (th *TestHelper) Eventually(cond func() bool, msg string, args ...any) {
	th.T.Helper()
	require.Eventually(th.T, cond, 20*time.Second, 50*time.Millisecond, append([]any{msg}, args...)...)
}

// PluginResponse is a raw answer from the plugin's API.
type PluginResponse struct {
	Status int
	Body   []byte
	Header http.Header
}

// MoveClock moves the plugin's clock by d from real time (0 puts it back);
// it is put back when the test ends.
func (th *TestHelper) MoveClock(d time.Duration) {
	th.T.Helper()
	resp := th.PluginRequest(th.AdminClient, http.MethodPost, "/testing/clock", map[string]any{"offset_ms": d.Milliseconds()})
	require.Equal(th.T, http.StatusOK, resp.Status, "moving the clock: %s", resp.Body)
	th.clockOffset = d
	th.T.Cleanup(func() {
		th.PluginRequest(th.AdminClient, http.MethodPost, "/testing/clock", map[string]any{"offset_ms": 0})
	})
}

// Inbox is the SMTP sink.
func (th *TestHelper) Inbox() *smtpsink.Sink { return th.SMTP }

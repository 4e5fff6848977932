package integration

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// createGuestWith creates a guest through the plugin's admin API with extra
// fields (single_channel, ...).
func createGuestWith(th *testhelper.TestHelper, extra map[string]any, channelIDs ...string) *model.User {
	th.T.Helper()
	id := model.NewId()[:10]
	body := map[string]any{
		"email": "g" + id + "@guest.example.com", "username": "g" + id,
		"password": testhelper.UserPassword, "channel_ids": channelIDs,
	}
	for k, v := range extra {
		body[k] = v
	}
	resp := th.PluginRequest(th.AdminClient, http.MethodPost, "/guests", body)
	require.Equal(th.T, http.StatusCreated, resp.Status, "creating a guest: %s", resp.Body)
	var g guestBody
	th.DecodeJSON(resp, &g)
	th.Track(g.UserID)
	u, _, err := th.AdminClient.GetUser(th.Ctx, g.UserID, "")
	require.NoError(th.T, err)
	return u
}

// channelMember returns the user's membership of a channel, nil if none.
func channelMember(th *testhelper.TestHelper, channelID, userID string) *model.ChannelMember {
	th.T.Helper()
	cm, resp, err := th.AdminClient.GetChannelMember(th.Ctx, channelID, userID, "")
	if err != nil {
		require.Equal(th.T, http.StatusNotFound, resp.StatusCode, "reading a channel member: %v", err)
		return nil
	}
	return cm
}

// activeTeamMember returns the user's active team membership, nil if none.
func activeTeamMember(th *testhelper.TestHelper, teamID, userID string) *model.TeamMember {
	th.T.Helper()
	tm, resp, err := th.AdminClient.GetTeamMember(th.Ctx, teamID, userID, "")
	if err != nil {
		require.Equal(th.T, http.StatusNotFound, resp.StatusCode, "reading a team member: %v", err)
		return nil
	}
	if tm.DeleteAt != 0 {
		return nil
	}
	return tm
}

// waitGuestMember waits until the user's membership of the channel is a
// guest one (the join hooks run asynchronously).
func waitGuestMember(th *testhelper.TestHelper, channelID, userID string) {
	th.T.Helper()
	th.Eventually(func() bool {
		cm := channelMember(th, channelID, userID)
		return cm != nil && cm.SchemeGuest
	}, "the membership of %s never became a guest one", channelID)
}

// waitNotMember waits until the user is not a member of the channel.
func waitNotMember(th *testhelper.TestHelper, channelID, userID string) {
	th.T.Helper()
	th.Eventually(func() bool { return channelMember(th, channelID, userID) == nil },
		"the user is still a member of %s", channelID)
}

var (
	botIDOnce sync.Once
	botID     string
)

// pluginBotID is the user id of the plugin's bot.
func pluginBotID(th *testhelper.TestHelper) string {
	th.T.Helper()
	botIDOnce.Do(func() {
		u, _, err := th.AdminClient.GetUserByUsername(th.Ctx, "guest-accounts", "")
		require.NoError(th.T, err, "the plugin's bot")
		botID = u.Id
	})
	return botID
}

// waitBotDM waits for a direct message from the plugin's bot to the user
// that contains every fragment, and returns its text.
func waitBotDM(th *testhelper.TestHelper, userID string, fragments ...string) string {
	th.T.Helper()
	bot := pluginBotID(th)
	var found string
	th.Eventually(func() bool {
		ch, _, err := th.AdminClient.CreateDirectChannel(th.Ctx, bot, userID)
		if err != nil {
			return false
		}
		posts, _, err := th.AdminClient.GetPostsForChannel(th.Ctx, ch.Id, 0, 50, "", false, false)
		if err != nil {
			return false
		}
		for _, p := range posts.Posts {
			ok := p.UserId == bot
			for _, f := range fragments {
				ok = ok && strings.Contains(p.Message, f)
			}
			if ok {
				found = p.Message
				return true
			}
		}
		return false
	}, "no direct message from the bot to %s containing %q", userID, fragments)
	return found
}

// channelHasBotPost reports whether the bot posted a message containing
// fragment in the channel.
func channelHasBotPost(th *testhelper.TestHelper, channelID, fragment string) bool {
	th.T.Helper()
	posts, _, err := th.AdminClient.GetPostsForChannel(th.Ctx, channelID, 0, 100, "", false, false)
	require.NoError(th.T, err)
	for _, p := range posts.Posts {
		if p.UserId == pluginBotID(th) && strings.Contains(p.Message, fragment) {
			return true
		}
	}
	return false
}

// registryChannels returns the guest's channels in the plugin's registry.
func registryChannels(th *testhelper.TestHelper, userID string) []string {
	th.T.Helper()
	var g guestBody
	th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/guests/"+userID, nil), &g)
	return g.ChannelIDs
}

// wsEvents collects the websocket events a user's client receives.
type wsEvents struct {
	mu     sync.Mutex
	events []*model.WebSocketEvent
	client *model.WebSocketClient
}

// listen opens a websocket as the client's user.
func listen(th *testhelper.TestHelper, c *model.Client4) *wsEvents {
	th.T.Helper()
	wsURL := "ws" + strings.TrimPrefix(th.URL, "http")
	ws, err := model.NewWebSocketClient4(wsURL, c.AuthToken)
	require.NoError(th.T, err, "opening a websocket")
	w := &wsEvents{client: ws}
	ws.Listen()
	go func() {
		for ev := range ws.EventChannel {
			w.mu.Lock()
			w.events = append(w.events, ev)
			w.mu.Unlock()
		}
	}()
	go func() {
		for range ws.ResponseChannel { //nolint:revive // drained so the client never blocks
		}
	}()
	go func() {
		for range ws.PingTimeoutChannel { //nolint:revive
		}
	}()
	th.T.Cleanup(ws.Close)
	time.Sleep(200 * time.Millisecond) // let the hello arrive before acting
	return w
}

// wait waits for an event matching match.
func (w *wsEvents) wait(th *testhelper.TestHelper, what string, match func(*model.WebSocketEvent) bool) *model.WebSocketEvent {
	th.T.Helper()
	var got *model.WebSocketEvent
	th.Eventually(func() bool {
		w.mu.Lock()
		defer w.mu.Unlock()
		for _, ev := range w.events {
			if match(ev) {
				got = ev
				return true
			}
		}
		return false
	}, "no websocket event: %s", what)
	return got
}

// ephemeralIn matches an ephemeral post in the channel containing fragment.
func ephemeralIn(channelID, fragment string) func(*model.WebSocketEvent) bool {
	return func(ev *model.WebSocketEvent) bool {
		if ev.EventType() != model.WebsocketEventEphemeralMessage {
			return false
		}
		raw, _ := ev.GetData()["post"].(string)
		var p model.Post
		if err := json.Unmarshal([]byte(raw), &p); err != nil {
			return false
		}
		return p.ChannelId == channelID && strings.Contains(p.Message, fragment)
	}
}

// waitGivenChannel waits until the hook has converted and recorded the
// channel (the role window is closed by then).
func waitGivenChannel(th *testhelper.TestHelper, userID, channelID string) {
	th.T.Helper()
	th.Eventually(func() bool {
		for _, id := range registryChannels(th, userID) {
			if id == channelID {
				return true
			}
		}
		return false
	}, "channel %s was never recorded as given", channelID)
	waitGuestMember(th, channelID, userID)
}

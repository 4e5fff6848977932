package integration

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// 50 invitations accepted at the same moment against room for 10 more
// guests leave exactly 10 new active guests; the others are told the cap.
func TestIsolationConcurrentAcceptancesRespectCap(t *testing.T) {
	const invitations, room = 50, 10
	th := testhelper.Setup(t)
	adminInChannels(th, th.Channel)

	addrs := make([]string, invitations)
	for i := range addrs {
		addrs[i] = newAddress("example.com")
	}
	results := invite(th, th.AdminClient, map[string]any{"emails": addrs, "channel_ids": []string{th.Channel.Id}})
	require.Len(t, results, invitations)
	for _, r := range results {
		require.Equal(t, "sent", r.Status, "%+v", r)
		inviteID := r.InviteID
		t.Cleanup(func() { th.PluginRequest(th.AdminClient, http.MethodDelete, "/invites/"+inviteID, nil) })
	}
	browsers := make([]*signupBrowser, invitations)
	links := make([]string, invitations)
	for i, addr := range addrs {
		links[i] = inviteLink(th, addr, 0)
		browsers[i] = newBrowser()
		code, body, _ := browsers[i].open(th, links[i])
		require.Equal(t, http.StatusOK, code, "signup page: %s", body)
	}

	var st statsBody
	th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/stats", nil), &st)
	before := st.ActiveGuests
	th.SetPluginSettings(map[string]any{"MaxActiveGuests": before + room})
	th.Eventually(func() bool {
		th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/stats", nil), &st)
		return st.MaxActiveGuests == before+room
	}, "cap not applied")

	type outcome struct {
		status   int
		username string
		body     string
	}
	outcomes := make([]outcome, invitations)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range invitations {
		wg.Add(1)
		go func() {
			defer wg.Done()
			username := "c" + strings.ToLower(model.NewId()[:12])
			raw, _ := json.Marshal(map[string]any{"username": username, "password": testhelper.UserPassword})
			req, err := http.NewRequest(http.MethodPost, links[i]+"/accept", bytes.NewReader(raw))
			if err != nil {
				outcomes[i] = outcome{body: err.Error()}
				return
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Requested-With", "XMLHttpRequest")
			req.Header.Set("X-GA-CSRF", browsers[i].csrf)
			// One address per acceptor, as 50 people would have, so the
			// per-address rate limit of the anonymous endpoint stays out.
			req.Header.Set("X-Forwarded-For", fmt.Sprintf("192.0.2.%d", i+1))
			<-start
			resp, err := browsers[i].client.Do(req)
			if err != nil {
				outcomes[i] = outcome{body: err.Error()}
				return
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			outcomes[i] = outcome{status: resp.StatusCode, username: username, body: string(body)}
		}()
	}
	close(start)
	wg.Wait()

	accepted := 0
	for _, o := range outcomes {
		switch o.status {
		case http.StatusOK:
			accepted++
			u, _, err := th.AdminClient.GetUserByUsername(th.Ctx, o.username, "")
			require.NoError(t, err)
			th.Track(u.Id)
		case http.StatusConflict:
			assert.Contains(t, o.body, "cap_reached", "a refusal that is not the cap")
		default:
			t.Errorf("unexpected answer %d: %s", o.status, o.body)
		}
	}
	assert.Equal(t, room, accepted, "acceptances that got an account")
	th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/stats", nil), &st)
	assert.Equal(t, before+room, st.ActiveGuests, "active guests after the burst")
}

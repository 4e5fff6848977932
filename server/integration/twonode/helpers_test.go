package twonode

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// adminIn makes the admin a member of the channel (to invite into it).
func adminIn(th *testhelper.TestHelper, ch *model.Channel) {
	th.AddTeamMember(ch.TeamId, th.Admin.Id)
	th.AddChannelMember(ch.Id, th.Admin.Id)
}

type guestView struct {
	UserID            string `json:"user_id"`
	Username          string `json:"username"`
	Email             string `json:"email"`
	Status            string `json:"status"`
	DeactivatedReason string `json:"deactivated_reason"`
	ExpiresAt         int64  `json:"expires_at"`
}

// createGuest creates a guest in the helper's channel through the plugin.
func createGuest(th *testhelper.TestHelper) (*guestView, *model.User) {
	th.T.Helper()
	id := model.NewId()[:10]
	resp := th.PluginRequest(th.AdminClient, http.MethodPost, "/guests", map[string]any{
		"email": "g" + id + "@guest.example.com", "username": "g" + id,
		"password": testhelper.UserPassword, "channel_ids": []string{th.Channel.Id},
	})
	require.Equal(th.T, http.StatusCreated, resp.Status, "creating a guest: %s", resp.Body)
	var g guestView
	th.DecodeJSON(resp, &g)
	th.Track(g.UserID)
	u, _, err := th.AdminClient.GetUser(th.Ctx, g.UserID, "")
	require.NoError(th.T, err)
	return &g, u
}

// guest reads a guest through the plugin of the helper's node.
func guest(th *testhelper.TestHelper, userID string) guestView {
	th.T.Helper()
	resp := th.PluginRequest(th.AdminClient, http.MethodGet, "/guests/"+userID, nil)
	require.Equal(th.T, http.StatusOK, resp.Status, "reading guest %s: %s", userID, resp.Body)
	var g guestView
	th.DecodeJSON(resp, &g)
	return g
}

// setExpiry sets a guest's expiry date.
func setExpiry(th *testhelper.TestHelper, userID string, at time.Time) {
	th.T.Helper()
	resp := th.PluginRequest(th.AdminClient, http.MethodPatch, "/guests/"+userID, map[string]any{"expires_at": at.UnixMilli()})
	require.Equal(th.T, http.StatusOK, resp.Status, "setting the expiry date: %s", resp.Body)
}

// expiryReport is the answer of POST /jobs/expiry/run.
type expiryReport struct {
	Checked  int  `json:"checked"`
	Expired  int  `json:"expired"`
	Reminded int  `json:"reminded"`
	Errors   int  `json:"errors"`
	Skipped  bool `json:"skipped"`
}

// runExpiry runs the expiry job on the helper's node without failing the
// test (it is called from goroutines and through faults).
func runExpiry(th *testhelper.TestHelper) (int, expiryReport, string) {
	req, err := http.NewRequest(http.MethodPost, th.URL+"/plugins/"+testhelper.PluginID+"/api/v1/jobs/expiry/run", nil)
	if err != nil {
		return 0, expiryReport{}, err.Error()
	}
	req.Header.Set("Authorization", "Bearer "+th.AdminClient.AuthToken)
	client := &http.Client{Timeout: 2 * time.Minute}
	resp, err := client.Do(req)
	if err != nil {
		return 0, expiryReport{}, err.Error()
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var r expiryReport
	_ = json.Unmarshal(raw, &r)
	return resp.StatusCode, r, string(raw)
}

// mailsTo counts the messages to addr newer than seq whose subject or HTML
// contains fragment.
func mailsTo(th *testhelper.TestHelper, addr string, seq int, fragment string) int {
	n := 0
	for _, m := range th.SMTP.MessagesTo(addr) {
		if m.Seq > seq && (strings.Contains(m.Subject, fragment) || strings.Contains(m.HTML, fragment)) {
			n++
		}
	}
	return n
}

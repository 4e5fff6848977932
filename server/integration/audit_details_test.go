package integration

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

type auditEntry struct {
	ActorID  string `json:"actor_id"`
	Action   string `json:"action"`
	TargetID string `json:"target_id"`
	Result   string `json:"result"`
	Details  string `json:"details"`
}

// auditEntries lists the audit log's entries for an action on a target,
// newest first.
func auditEntries(th *testhelper.TestHelper, action, targetID string) []auditEntry {
	th.T.Helper()
	var body struct {
		Entries []auditEntry `json:"entries"`
	}
	resp := th.PluginRequest(th.AdminClient, http.MethodGet, "/audit?per_page=200", nil)
	require.Equal(th.T, http.StatusOK, resp.Status, "%s", resp.Body)
	th.DecodeJSON(resp, &body)
	var out []auditEntry
	for _, e := range body.Entries {
		if e.Action == action && e.TargetID == targetID {
			out = append(out, e)
		}
	}
	return out
}

// A guest edit is audited with what changed: expiry, restrictions, MFA,
// single-channel and channels, old and new values; a refused edit with
// what was asked.
func TestUpdateGuestAuditDetails(t *testing.T) {
	th := testhelper.Setup(t)
	other := th.CreateChannel(th.Team.Id, model.ChannelTypeOpen)
	u := createGuestWith(th, nil, th.Channel.Id)
	at := time.Now().Add(90 * 24 * time.Hour).Truncate(time.Second)

	resp := th.PluginRequest(th.AdminClient, http.MethodPatch, "/guests/"+u.Id, map[string]any{
		"expires_at":      at.UnixMilli(),
		"restrictions":    map[string]any{"download_files": false, "react": true},
		"require_mfa":     true,
		"add_channel_ids": []string{other.Id},
	})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	entries := auditEntries(th, "update_guest", u.Id)
	require.Len(t, entries, 1)
	e := entries[0]
	assert.Equal(t, th.Admin.Id, e.ActorID)
	assert.Equal(t, "success", e.Result)
	assert.Equal(t, "expires_at: never -> "+at.UTC().Format(time.RFC3339)+"; "+
		"restriction download_files: default -> off; restriction react: default -> on; "+
		"require_mfa: default -> on; channels added: "+other.Id, e.Details)

	resp = th.PluginRequest(th.AdminClient, http.MethodPatch, "/guests/"+u.Id, map[string]any{
		"expires_at": 0, "remove_channel_ids": []string{other.Id}, "require_mfa": nil,
	})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	entries = auditEntries(th, "update_guest", u.Id)
	require.Len(t, entries, 2)
	assert.Equal(t, "expires_at: "+at.UTC().Format(time.RFC3339)+" -> never; require_mfa: on -> default; channels removed: "+other.Id, entries[0].Details)

	// Refused: two channels for a single-channel guest. Nothing changed;
	// the entry says what was asked.
	resp = th.PluginRequest(th.AdminClient, http.MethodPatch, "/guests/"+u.Id, map[string]any{
		"single_channel": true, "add_channel_ids": []string{other.Id},
	})
	require.Equal(t, http.StatusConflict, resp.Status, "%s", resp.Body)
	entries = auditEntries(th, "update_guest", u.Id)
	require.Len(t, entries, 3)
	assert.True(t, strings.HasPrefix(entries[0].Result, "refused: "), entries[0].Result)
	assert.Equal(t, "requested: single_channel: on; add channels: "+other.Id, entries[0].Details)
}

// The /guest commands that edit a guest are audited the same way.
func TestGuestCommandsAuditDetails(t *testing.T) {
	th := testhelper.Setup(t)
	th.AddTeamMember(th.Team.Id, th.Admin.Id)
	th.AddChannelMember(th.Channel.Id, th.Admin.Id)
	u := createGuestWith(th, nil, th.Channel.Id)
	run := func(cmd string) {
		t.Helper()
		_, _, err := th.AdminClient.ExecuteCommand(th.Ctx, th.Channel.Id, cmd)
		require.NoError(t, err, cmd)
	}

	run("/guest single @" + u.Username + " on")
	run("/guest restrict @" + u.Username + " upload_files off")
	run("/guest mfa @" + u.Username + " off")
	run("/guest expire @" + u.Username + " 2999-01-31")

	entries := auditEntries(th, "update_guest", u.Id)
	require.Len(t, entries, 4)
	for _, e := range entries {
		assert.Equal(t, th.Admin.Id, e.ActorID)
		assert.Equal(t, "success", e.Result)
	}
	// Newest first.
	assert.Equal(t, "expires_at: never -> 2999-01-31T23:59:59Z", entries[0].Details)
	assert.Equal(t, "require_mfa: default -> off", entries[1].Details)
	assert.Equal(t, "restriction upload_files: default -> off", entries[2].Details)
	assert.Equal(t, "single_channel: off -> on", entries[3].Details)
}

package integration

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sync"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// patchStatus sends PATCH /guests/{id} without failing from a goroutine.
func patchStatus(th *testhelper.TestHelper, userID string, body map[string]any) int {
	raw, err := json.Marshal(body)
	if err != nil {
		return 0
	}
	req, err := http.NewRequest(http.MethodPatch, th.URL+"/plugins/"+testhelper.PluginID+"/api/v1/guests/"+userID, bytes.NewReader(raw))
	if err != nil {
		return 0
	}
	req.Header.Set("Authorization", "Bearer "+th.AdminClient.AuthToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// Edits of one guest sent at the same moment all survive: each channel
// added by its own PATCH is recorded and kept, and an edit of another
// field does not put back the channel list it would have read before the
// others were saved.
func TestConcurrentGuestEditsLoseNothing(t *testing.T) {
	const adds = 8
	th := testhelper.Setup(t)
	u := createGuestWith(th, nil, th.Channel.Id)
	channels := []string{th.Channel.Id}
	for range adds {
		channels = append(channels, th.CreateChannel(th.Team.Id, model.ChannelTypeOpen).Id)
	}

	statuses := make([]int, adds+1)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := 0; i <= adds; i++ {
		done.Add(1)
		go func() {
			defer done.Done()
			body := map[string]any{"restrictions": map[string]any{"react": false}}
			if i < adds {
				body = map[string]any{"add_channel_ids": []string{channels[i+1]}}
			}
			start.Wait()
			statuses[i] = patchStatus(th, u.Id, body)
		}()
	}
	start.Done()
	done.Wait()
	for i, s := range statuses {
		require.Equal(t, http.StatusOK, s, "edit %d", i)
	}

	assert.ElementsMatch(t, channels, registryChannels(th, u.Id), "a concurrent edit lost a channel")
	requireGuestMemberships(th, u.Id, channels...)
	assert.False(t, guestStatus(th, u.Id).Restrictions.React, "the restriction edit was lost")
}

package integration

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// The admin's lists and counts come from the store's indexes (kvstore
// index.go): pages, sorts, filters, searches and totals through the real
// API, the indexes checked against the records in the database, and the
// repair of a write a crash interrupted.

type guestPage struct {
	Guests      []guestBody `json:"guests"`
	Total       int         `json:"total"`
	TotalCapped bool        `json:"total_capped"`
}

func listGuests(th *testhelper.TestHelper, query string) guestPage {
	th.T.Helper()
	resp := th.PluginRequest(th.AdminClient, http.MethodGet, "/guests?"+query, nil)
	require.Equal(th.T, http.StatusOK, resp.Status, "GET /guests?%s: %s", query, resp.Body)
	var p guestPage
	th.DecodeJSON(resp, &p)
	return p
}

func usernames(p guestPage) []string {
	out := []string{}
	for _, g := range p.Guests {
		out = append(out, g.Username)
	}
	return out
}

// createNamedGuest creates a guest whose username starts with prefix and
// whose first name is token (searchable).
func createNamedGuest(th *testhelper.TestHelper, username, token string) *guestBody {
	th.T.Helper()
	resp := th.PluginRequest(th.AdminClient, http.MethodPost, "/guests", map[string]any{
		"email": username + "@guest.example.com", "username": username, "first_name": token, "last_name": "Index",
		"password": testhelper.UserPassword, "channel_ids": []string{th.Channel.Id},
	})
	require.Equal(th.T, http.StatusCreated, resp.Status, "creating a guest: %s", resp.Body)
	var g guestBody
	th.DecodeJSON(resp, &g)
	th.Track(g.UserID)
	return &g
}

func runIndexJob(th *testhelper.TestHelper) map[string]any {
	th.T.Helper()
	resp := th.PluginRequest(th.AdminClient, http.MethodPost, "/jobs/index/run", nil)
	require.Equal(th.T, http.StatusOK, resp.Status, "index job: %s", resp.Body)
	var rep map[string]any
	th.DecodeJSON(resp, &rep)
	return rep
}

func TestAdminListsComeFromTheIndexes(t *testing.T) {
	th := testhelper.Setup(t)
	runIndexJob(th)
	require.True(t, th.Stats().IndexReady, "the indexes are built at activation")
	before := th.Stats()

	token := "idx" + model.NewId()[:8]
	var gs []*guestBody
	for i, name := range []string{"delta", "alpha", "echo", "charlie", "bravo"} {
		gs = append(gs, createNamedGuest(th, fmt.Sprintf("%s%s%d", name, token[3:], i), token))
	}
	// charlie and echo deactivated; alpha expires.
	for _, g := range []*guestBody{gs[2], gs[3]} {
		resp := th.PluginRequest(th.AdminClient, http.MethodPost, "/guests/"+g.UserID+"/deactivate", nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	}
	resp := th.PluginRequest(th.AdminClient, http.MethodPatch, "/guests/"+gs[1].UserID, map[string]any{"expires_at": time.Now().Add(72 * time.Hour).UnixMilli()})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)

	q := "query=" + strings.ToUpper(token)
	p := listGuests(th, q+"&sort=username")
	assert.Equal(t, 5, p.Total)
	assert.Equal(t, []string{gs[1].Username, gs[4].Username, gs[3].Username, gs[0].Username, gs[2].Username}, usernames(p), "by username, search case-insensitive")
	p = listGuests(th, q+"&sort=created_at&per_page=2&page=1")
	assert.Equal(t, 5, p.Total)
	assert.Equal(t, []string{gs[2].Username, gs[1].Username}, usernames(p), "newest first, second page of two")
	p = listGuests(th, q+"&status=deactivated")
	assert.Equal(t, 2, p.Total)
	assert.ElementsMatch(t, []string{gs[2].Username, gs[3].Username}, usernames(p))
	for _, g := range p.Guests {
		assert.Equal(t, "deactivated", g.Status)
	}
	p = listGuests(th, q+"&status=expiring&sort=expires_at")
	assert.Equal(t, []string{gs[1].Username}, usernames(p))
	// bravo signs in and posts: first by last activity (recorded in the
	// background, to the hour).
	bravo, _, err := th.AdminClient.GetUser(th.Ctx, gs[4].UserID, "")
	require.NoError(t, err)
	_, _, err = th.Login(bravo).CreatePost(th.Ctx, &model.Post{ChannelId: th.Channel.Id, Message: "active"})
	require.NoError(t, err)
	th.Eventually(func() bool {
		p := listGuests(th, q+"&status=active&sort=last_activity")
		return p.Total == 3 && len(p.Guests) == 3 && p.Guests[0].UserID == gs[4].UserID
	}, "the guest who posted is not first by last activity")

	after := th.Stats()
	assert.Equal(t, before.DeactivatedGuests+2, after.DeactivatedGuests, "counted as they changed")
	assert.Equal(t, before.ActiveGuests+3, after.ActiveGuests)

	// The whole list (no search): its total is the registry's size, and
	// pages do not overlap.
	all := listGuests(th, "per_page=200")
	assert.Equal(t, len(th.TakeSnapshot().Guests), all.Total)
	seen := map[string]bool{}
	for page := 0; page*3 < all.Total && page < 40; page++ {
		for _, g := range listGuests(th, fmt.Sprintf("per_page=3&page=%d&sort=created_at", page)).Guests {
			assert.False(t, seen[g.UserID], "guest %s on two pages", g.Username)
			seen[g.UserID] = true
		}
	}

	// Invitations: pages, statuses, search, totals.
	for _, n := range []string{"first", "second", "third"} {
		res := th.Invite(th.AdminClient, map[string]any{"emails": []string{fmt.Sprintf("%s-%s@invited.example.com", token, n)}, "channel_ids": []string{th.Channel.Id}})
		require.Equal(t, "sent", res[0].Status)
	}
	var invites struct {
		Invites []struct {
			ID     string `json:"id"`
			Email  string `json:"email"`
			Status string `json:"status"`
		} `json:"invites"`
		Total int `json:"total"`
	}
	resp = th.PluginRequest(th.AdminClient, http.MethodGet, "/invites?per_page=2&query="+token, nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	th.DecodeJSON(resp, &invites)
	assert.Equal(t, 3, invites.Total)
	require.Len(t, invites.Invites, 2)
	assert.Equal(t, token+"-third@invited.example.com", invites.Invites[0].Email, "newest first")
	resp = th.PluginRequest(th.AdminClient, http.MethodDelete, "/invites/"+invites.Invites[0].ID, nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	resp = th.PluginRequest(th.AdminClient, http.MethodGet, "/invites?status=pending&query="+token, nil)
	th.DecodeJSON(resp, &invites)
	assert.Equal(t, 2, invites.Total)
	resp = th.PluginRequest(th.AdminClient, http.MethodGet, "/invites?status=revoked&query="+token, nil)
	th.DecodeJSON(resp, &invites)
	assert.Equal(t, 1, invites.Total)
	assert.Equal(t, after.PendingInvitations+2, th.Stats().PendingInvitations)

	// The audit log: the invitations' entries found by the address's
	// words.
	var audit struct {
		Entries []struct {
			Action   string `json:"action"`
			TargetID string `json:"target_id"`
		} `json:"entries"`
		Total int `json:"total"`
	}
	resp = th.PluginRequest(th.AdminClient, http.MethodGet, "/audit?per_page=50&query="+token+"-second@", nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	th.DecodeJSON(resp, &audit)
	assert.Equal(t, 1, audit.Total)
	require.Len(t, audit.Entries, 1)
	assert.Equal(t, "invite", audit.Entries[0].Action)
	resp = th.PluginRequest(th.AdminClient, http.MethodGet, "/audit?per_page=1", nil)
	th.DecodeJSON(resp, &audit)
	assert.Greater(t, audit.Total, 10, "the total is the whole log's")
	resp = th.PluginRequest(th.AdminClient, http.MethodGet, "/audit?sort=sideways", nil)
	assert.Equal(t, http.StatusBadRequest, resp.Status)

	th.RequireIndexConsistent()
}

func TestIndexRepairFinishesAnInterruptedWrite(t *testing.T) {
	th := testhelper.Setup(t)
	runIndexJob(th)
	g := createNamedGuest(th, "repair"+model.NewId()[:8], "Repair")
	th.RequireIndexConsistent()

	// What a node that died in the middle of deactivating the guest leaves:
	// the record says deactivated (and the cap's counter is down), the old
	// status entry is still there, the new one and the index counters'
	// moves are missing, and the write's marker.
	_, err := th.Stack.SQL(th.Ctx, fmt.Sprintf(`
		UPDATE pluginkeyvaluestore SET pvalue = convert_to(replace(convert_from(pvalue, 'UTF8'), '"restrictions"', '"deactivated":"admin","restrictions"'), 'UTF8')
			WHERE pluginid = '%[1]s' AND pkey = 'guest/%[2]s';
		UPDATE pluginkeyvaluestore SET pvalue = convert_to((convert_from(pvalue, 'UTF8')::bigint - 1)::text, 'UTF8')
			WHERE pluginid = '%[1]s' AND pkey = 'count/active-guests';
		INSERT INTO pluginkeyvaluestore (pluginid, pkey, pvalue, expireat)
			SELECT '%[1]s', 'ixd/g/%[2]s/%[3]s', convert_to(json_build_object('at', %[4]d, 'kind', 'g', 'id', '%[2]s',
				'keys', (SELECT jsonb_agg(pkey) FROM pluginkeyvaluestore WHERE pluginid = '%[1]s' AND pkey LIKE 'ixg/%%' AND pkey LIKE '%%%[2]s%%')
					|| '["ixg/s/da/%[2]s"]'::jsonb)::text, 'UTF8'), 0`,
		testhelper.PluginID, g.UserID, model.NewId(), time.Now().Add(-10*time.Minute).UnixMilli()))
	require.NoError(t, err)
	assert.NotEmpty(t, th.IndexProblems(), "the interrupted write shows")

	rep := runIndexJob(th)
	assert.EqualValues(t, 1, rep["repaired"])
	assert.Equal(t, true, rep["recounted"])
	th.RequireIndexConsistent()
	p := listGuests(th, "status=deactivated&query="+g.Username)
	assert.Equal(t, 1, p.Total, "the guest is listed as the record says")
}

func TestProfileSyncFollowsARename(t *testing.T) {
	th := testhelper.Setup(t)
	runIndexJob(th)
	g := createNamedGuest(th, "before"+model.NewId()[:8], "Rename")
	renamed := "after" + model.NewId()[:8]
	_, _, err := th.AdminClient.PatchUser(th.Ctx, g.UserID, &model.UserPatch{Username: &renamed})
	require.NoError(t, err)
	runIndexJob(th)
	p := listGuests(th, "query="+renamed)
	require.Equal(t, 1, p.Total, "found by the new name once the job followed core's change")
	assert.Equal(t, renamed, p.Guests[0].Username)
	p = listGuests(th, "query="+g.Username)
	require.Equal(t, 1, p.Total, "the old name is still in the email address")
	assert.Equal(t, renamed, p.Guests[0].Username)
	th.RequireIndexConsistent()
}

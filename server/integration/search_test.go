package integration

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// setSearchCap sets how many matches a search collects before it turns
// broad (the test build's hook; 0: the default, 1,000).
func setSearchCap(th *testhelper.TestHelper, n int) {
	th.T.Helper()
	resp := th.PluginRequest(th.AdminClient, http.MethodPost, "/testing/search-cap", map[string]any{"cap": n})
	require.Equal(th.T, http.StatusOK, resp.Status, "setting the search cap: %s", resp.Body)
}

// TestSearchFindsWordStartsOnBothPaths searches the guest list and the
// audit log on the real database: few matches (collected through the word
// index and sorted by the plugin) and many (read from the sorted list with
// the words filter), which must serve the same pages.
func TestSearchFindsWordStartsOnBothPaths(t *testing.T) {
	th := testhelper.Setup(t)
	runIndexJob(th)
	defer setSearchCap(th, 0)
	token := "srch" + model.NewId()[:8]
	var gs []*guestBody
	for i, name := range []string{"delta", "alpha", "echo", "charlie", "bravo"} {
		gs = append(gs, createNamedGuest(th, fmt.Sprintf("%s%s%d", name, token[4:], i), token))
	}
	resp := th.PluginRequest(th.AdminClient, http.MethodPost, "/guests/"+gs[3].UserID+"/deactivate", nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)

	pages := func(query string) ([]string, guestPage) {
		t.Helper()
		var names []string
		var first guestPage
		for page := range 5 {
			p := listGuests(th, fmt.Sprintf("per_page=2&page=%d&sort=username&query=%s", page, url.QueryEscape(query)))
			if page == 0 {
				first = p
			}
			names = append(names, usernames(p)...)
		}
		return names, first
	}
	byName := []string{gs[1].Username, gs[4].Username, gs[3].Username, gs[0].Username, gs[2].Username}
	for _, limit := range []int{0, 2} {
		setSearchCap(th, limit)
		names, p := pages(token)
		assert.Equal(t, byName, names, "cap %d: every guest, by username, over three pages", limit)
		if limit == 0 {
			assert.Equal(t, 5, p.Total)
			assert.False(t, p.TotalCapped)
		} else {
			assert.Equal(t, 2, p.Total, "more than the cap: the total says so")
			assert.True(t, p.TotalCapped)
		}
		names, p = pages("ALPHA " + token)
		assert.Equal(t, []string{gs[1].Username}, names, "cap %d: every word must begin a word", limit)
		assert.Equal(t, 1, p.Total)
		names, _ = pages(token + " guest.example")
		assert.Equal(t, byName, names, "cap %d: words of the address", limit)
		names, _ = pages(token[2:])
		assert.Empty(t, names, "cap %d: the inside of a word is not a word start", limit)
		p = listGuests(th, "status=deactivated&query="+token)
		assert.Equal(t, []string{gs[3].Username}, usernames(p), "cap %d: with a status", limit)
		assert.Equal(t, 1, p.Total)
		assert.False(t, p.TotalCapped)
	}

	// The audit log: each guest's creation, found by the words of the
	// action and the guest's id, newest first, on both paths.
	var want []string
	for i := len(gs) - 1; i >= 0; i-- {
		want = append(want, gs[i].UserID)
	}
	for _, limit := range []int{0, 2} {
		setSearchCap(th, limit)
		var got []string
		for _, g := range gs {
			var audit struct {
				Entries []struct {
					Action   string `json:"action"`
					TargetID string `json:"target_id"`
				} `json:"entries"`
				Total int `json:"total"`
			}
			resp := th.PluginRequest(th.AdminClient, http.MethodGet, "/audit?per_page=50&query="+url.QueryEscape("CREATE guest "+g.UserID), nil)
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			th.DecodeJSON(resp, &audit)
			require.Len(t, audit.Entries, 1, "cap %d", limit)
			assert.Equal(t, "create_guest", audit.Entries[0].Action)
			assert.Equal(t, 1, audit.Total)
			got = append(got, audit.Entries[0].TargetID)
		}
		assert.ElementsMatch(t, want, got)
		var page auditSearchPage
		since := time.Now().Add(-10 * time.Minute).UnixMilli()
		resp := th.PluginRequest(th.AdminClient, http.MethodGet, fmt.Sprintf("/audit?per_page=50&since=%d&query=create_guest", since), nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		th.DecodeJSON(resp, &page)
		assert.Subset(t, auditTargets(page.Entries), want, "cap %d: the recent creations", limit)
		assert.Equal(t, limit > 0, page.TotalCapped, "cap %d", limit)

		// since is checked in the search itself: of the creations on this
		// server (the words match them all), only those at or after since
		// are found, on both paths. Other tests move the plugin's clock,
		// so some creations may lie ahead of this test's: the expected set
		// comes from the unfiltered search.
		var newest auditSearchPage
		th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/audit?per_page=1&query="+url.QueryEscape("create_guest "+gs[4].UserID), nil), &newest)
		require.Len(t, newest.Entries, 1)
		at := newest.Entries[0].At
		all, _ := auditSearchAll(th, "")
		for _, since := range []int64{at, at + 1} {
			var recent []string
			for _, e := range all {
				if e.At >= since {
					recent = append(recent, e.TargetID)
				}
			}
			got, first := auditSearchAll(th, fmt.Sprintf("&since=%d", since))
			assert.ElementsMatch(t, recent, auditTargets(got), "cap %d, since %d", limit, since)
			if limit == 0 || len(recent) <= limit {
				assert.Equal(t, len(recent), first.Total, "cap %d, since %d", limit, since)
				assert.False(t, first.TotalCapped)
			} else {
				assert.True(t, first.TotalCapped, "cap %d, since %d", limit, since)
			}
		}
		assert.Contains(t, auditTargets(all), gs[4].UserID)
	}
	th.RequireIndexConsistent()
}

type auditHit struct {
	At       int64  `json:"at"`
	TargetID string `json:"target_id"`
}

type auditSearchPage struct {
	Entries     []auditHit `json:"entries"`
	Total       int        `json:"total"`
	TotalCapped bool       `json:"total_capped"`
}

// auditSearchAll pages through the search for "create_guest" (with extra
// query parameters) and returns every entry and the first page.
func auditSearchAll(th *testhelper.TestHelper, extra string) ([]auditHit, auditSearchPage) {
	th.T.Helper()
	var all []auditHit
	var first auditSearchPage
	for page := 0; ; page++ {
		var p auditSearchPage
		resp := th.PluginRequest(th.AdminClient, http.MethodGet, fmt.Sprintf("/audit?query=create_guest&per_page=100&page=%d%s", page, extra), nil)
		require.Equal(th.T, http.StatusOK, resp.Status, "%s", resp.Body)
		th.DecodeJSON(resp, &p)
		if page == 0 {
			first = p
		}
		all = append(all, p.Entries...)
		if len(p.Entries) < 100 {
			return all, first
		}
	}
}

func auditTargets(es []auditHit) []string {
	out := make([]string, 0, len(es))
	for _, e := range es {
		out = append(out, e.TargetID)
	}
	return out
}

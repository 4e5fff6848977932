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
		var page struct {
			Entries []struct {
				TargetID string `json:"target_id"`
			} `json:"entries"`
			Total       int  `json:"total"`
			TotalCapped bool `json:"total_capped"`
		}
		since := time.Now().Add(-10 * time.Minute).UnixMilli()
		resp := th.PluginRequest(th.AdminClient, http.MethodGet, fmt.Sprintf("/audit?per_page=50&since=%d&query=create_guest", since), nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		th.DecodeJSON(resp, &page)
		var targets []string
		for _, e := range page.Entries {
			targets = append(targets, e.TargetID)
		}
		assert.Subset(t, targets, want, "cap %d: the recent creations", limit)
		assert.Equal(t, limit > 0, page.TotalCapped, "cap %d", limit)

		// since is checked in the search itself: every creation on this
		// server matches the words, but from the newest one's time on,
		// only that one does, and a millisecond later none (the plugin's
		// clock may be moved by other tests, so the times come from the
		// entries).
		var newest struct {
			Entries []struct {
				At       int64  `json:"at"`
				TargetID string `json:"target_id"`
			} `json:"entries"`
			Total int `json:"total"`
		}
		th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/audit?per_page=1&query="+url.QueryEscape("create_guest "+gs[4].UserID), nil), &newest)
		require.Len(t, newest.Entries, 1)
		at := newest.Entries[0].At
		for _, c := range []struct {
			since int64
			want  int
		}{{at, 1}, {at + 1, 0}} {
			var got struct {
				Entries []struct {
					TargetID string `json:"target_id"`
				} `json:"entries"`
				Total int `json:"total"`
			}
			resp := th.PluginRequest(th.AdminClient, http.MethodGet, fmt.Sprintf("/audit?since=%d&query=%s", c.since, "create_guest"), nil)
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			th.DecodeJSON(resp, &got)
			assert.Equal(t, c.want, got.Total, "cap %d, since %d", limit, c.since)
			require.Len(t, got.Entries, c.want, "cap %d, since %d", limit, c.since)
			if c.want == 1 {
				assert.Equal(t, gs[4].UserID, got.Entries[0].TargetID)
			}
		}
	}
	th.RequireIndexConsistent()
}

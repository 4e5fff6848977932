package bench

import (
	"fmt"
	"net/http"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// BenchmarkSwitchOff measures how long the master switch takes to
// deactivate (and then reactivate) N guests, N from GA_SWITCH_GUESTS
// (default 240: an unlicensed server refuses new users at 250 active ones,
// so 1,000 guests only exist on licensed servers; the cost per guest is
// what scales). Each iteration is one full off/on cycle.
func BenchmarkSwitchOff(b *testing.B) {
	n := 240
	if v, err := strconv.Atoi(os.Getenv("GA_SWITCH_GUESTS")); err == nil && v > 0 {
		n = v
	}
	th := testhelper.Setup(b)
	createGuests(b, th, n)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		require.NoError(b, th.UpdatePluginSettings(map[string]any{"EnableGuestAccounts": false}))
		waitActive(b, th, 0)
		off := time.Since(start)
		start = time.Now()
		require.NoError(b, th.UpdatePluginSettings(map[string]any{"EnableGuestAccounts": true}))
		waitActive(b, th, n)
		on := time.Since(start)
		b.ReportMetric(off.Seconds(), "s-off")
		b.ReportMetric(on.Seconds(), "s-on")
		fmt.Printf("switch with %d guests: off %.1fs (%.1f ms/guest), on %.1fs\n", n, off.Seconds(), float64(off.Milliseconds())/float64(n), on.Seconds())
	}
}

func createGuests(b *testing.B, th *testhelper.TestHelper, n int) {
	b.Helper()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			id := model.NewId()[:10]
			resp := th.PluginRequest(th.AdminClient, http.MethodPost, "/guests", map[string]any{
				"email": "b" + id + "@bench.example.com", "username": "b" + id, "password": testhelper.UserPassword,
				"channel_ids": []string{th.Channel.Id},
			})
			if resp.Status != http.StatusCreated {
				errs <- fmt.Errorf("creating a guest: %d %s", resp.Status, resp.Body)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
}

func waitActive(b *testing.B, th *testhelper.TestHelper, want int) {
	b.Helper()
	deadline := time.Now().Add(30 * time.Minute)
	for time.Now().Before(deadline) {
		var st struct {
			Active int `json:"active_guests"`
		}
		th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/stats", nil), &st)
		if st.Active == want {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	b.Fatalf("active guests never reached %d", want)
}

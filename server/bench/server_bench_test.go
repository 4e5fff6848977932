package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// BenchmarkServer is `make bench` on the real server: post, DM and join
// throughput and latency with the plugin disabled, with a no-op plugin of
// the same hooks, and with Guest Accounts and 0, 1,000 and 10,000
// registered guests, in alternating rounds; then the registry at 10,000 and
// 100,000 guests. It prints one report and writes it as JSON; it asserts
// nothing about time.
func BenchmarkServer(b *testing.B) {
	p := loadParams()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Minute)
	defer cancel()
	started := time.Now()
	th := testhelper.Setup(b)
	noopBundle, err := buildNoopBundle(ctx, b.TempDir())
	require.NoError(b, err)
	require.NoError(b, pluginctlInstall(ctx, th, noopBundle))
	w, err := newWorld(ctx, th, p)
	require.NoError(b, err)
	defer w.seed.Close()
	require.NoError(b, setPlugin(ctx, w.admin, noopID, false))
	// Every configuration sees the same Users table: the accounts of the
	// largest registry are there from the start.
	require.NoError(b, w.seed.seedUsers(ctx, w.members[0].user.Id, p.Guests[len(p.Guests)-1]))
	require.NoError(b, w.seed.analyze(ctx))

	rep := &report{Params: p, Started: started, CPUs: runtime.NumCPU(), Server: serverVersion(ctx, w.admin)}
	b.ResetTimer()
	rep.Overhead, err = w.overhead(ctx, b)
	require.NoError(b, err)
	var scaleErr error
	for _, n := range p.Scale {
		sc, err := w.scale(ctx, b, n)
		if err != nil {
			// Report what was measured before failing.
			scaleErr = errors.Wrapf(err, "scale, %d guests", n)
			break
		}
		rep.Scale = append(rep.Scale, sc)
	}
	b.StopTimer()
	rep.Duration = time.Since(started).Round(time.Second).String()
	rep.GoBenchmarks = readGoBenchmarks(os.Getenv("GA_GOBENCH"))
	require.NoError(b, rep.write(os.Stdout))
	require.NoError(b, scaleErr)
	require.NoError(b, w.cleanup(ctx))
}

func configs(p params) []config {
	cs := []config{{Name: "disabled"}, {Name: "no-op plugin", Noop: true}}
	for _, n := range p.Guests {
		cs = append(cs, config{Name: fmt.Sprintf("plugin, %s guests", thousands(n)), Ours: true, Guests: n})
	}
	return cs
}

// overhead runs every workload in every configuration, round after round;
// each round starts at the next configuration, so no configuration always
// runs first or last.
func (w *world) overhead(ctx context.Context, b *testing.B) ([]workloadResult, error) {
	cs := configs(w.p)
	samples := map[string]map[string][]sample{}
	for _, wl := range workloads {
		samples[wl.Name] = map[string][]sample{}
	}
	for r := range w.p.Rounds {
		for k := range cs {
			c := cs[(r+k)%len(cs)]
			if err := w.set(ctx, c); err != nil {
				return nil, errors.Wrapf(err, "switching to %q", c.Name)
			}
			for _, wl := range workloads {
				do := wl.op(w)
				if _, err := runLoad(ctx, w.p.Workers, 2*w.p.Workers, do); err != nil { // warm-up
					return nil, errors.Wrapf(err, "%s, %s (warm-up)", wl.Name, c.Name)
				}
				s, err := runLoad(ctx, w.p.Workers, w.p.Requests, do)
				if err != nil {
					return nil, errors.Wrapf(err, "%s, %s", wl.Name, c.Name)
				}
				samples[wl.Name][c.Name] = append(samples[wl.Name][c.Name], s)
			}
		}
		b.Logf("round %d/%d done", r+1, w.p.Rounds)
	}
	var out []workloadResult
	for _, wl := range workloads {
		res := workloadResult{Workload: wl.Name}
		for _, c := range cs {
			res.Configs = append(res.Configs, configResult{Config: c, Stats: summarize(samples[wl.Name][c.Name])})
		}
		res.ratios()
		out = append(out, res)
	}
	return out, nil
}

// scale measures the plugin with n registered guests.
func (w *world) scale(ctx context.Context, b *testing.B, n int) (scaleResult, error) {
	res := scaleResult{Guests: n}
	// Activation with the registry in place: take the real guests out (so
	// the disable does not switch them off), seed, enable, put them back.
	if err := w.set(ctx, config{Name: "off"}); err != nil {
		return res, err
	}
	if err := w.seed.seedUsers(ctx, w.members[0].user.Id, n); err != nil {
		return res, err
	}
	if err := w.seed.setRegistry(ctx, n, w.th.Admin.Id, w.th.Team.Id, w.th.Channel.Id); err != nil {
		return res, err
	}
	if err := w.seed.analyze(ctx); err != nil {
		return res, err
	}
	if err := w.seed.settle(ctx); err != nil {
		return res, err
	}
	act, err := w.enableTimed(ctx)
	if err != nil {
		return res, errors.Wrap(err, "enabling with the registry in place")
	}
	res.ActivationS = act.Seconds()
	if err := w.seed.putBack(ctx, w.realGuests); err != nil {
		return res, err
	}
	w.oursOn, w.seeded = true, n
	if res.Registry, err = w.seed.countRegistry(ctx); err != nil {
		return res, err
	}
	pid, err := pluginPID(w.th.Stack.Dir, testhelper.PluginID)
	if err != nil {
		return res, err
	}
	res.RSSAfterActivationMiB, res.PeakRSSActivationMiB, _ = memory(pid)
	b.Logf("%d guests: activation %.1fs", n, res.ActivationS)

	// The expiry job first, while the plugin holds only what activation
	// left: its peak memory, from a reset high-water mark.
	rss, _, err := memory(pid)
	if err != nil {
		return res, err
	}
	res.RSSBeforeJobMiB = rss
	if err := resetPeak(pid); err != nil {
		return res, errors.Wrap(err, "resetting the plugin's peak RSS")
	}
	start := time.Now()
	status, body, err := pluginCall(ctx, w.admin, http.MethodPost, "/jobs/expiry/run", nil)
	if err != nil || status != http.StatusOK {
		return res, errors.Errorf("expiry job: %d %s %v", status, body, err)
	}
	res.ExpiryJobS = time.Since(start).Seconds()
	if err := json.Unmarshal(body, &res.ExpiryJob); err != nil {
		return res, err
	}
	_, res.PeakRSSJobMiB, _ = memory(pid)
	b.Logf("%d guests: expiry job %.1fs, checked %d, peak RSS %.1f MiB", n, res.ExpiryJobS, res.ExpiryJob.Checked, res.PeakRSSJobMiB)

	// Per-request checks: a member's and a guest's post.
	for _, wl := range workloads[:2] {
		do := wl.op(w)
		if _, err := runLoad(ctx, w.p.Workers, 2*w.p.Workers, do); err != nil {
			return res, err
		}
		s, err := runLoad(ctx, w.p.Workers, w.p.Requests, do)
		if err != nil {
			return res, err
		}
		st := summarize([]sample{s})
		res.Checks = append(res.Checks, check{Name: wl.Name, P50: st.P50, P99: st.P99, Throughput: st.Throughput})
	}
	// Guest lookup: a random registered guest each time (not cached).
	rng := rand.New(rand.NewPCG(42, 7))
	if err := w.timed(&res, "guest lookup (GET /guests/{id})", 100, func(int) error {
		return w.expect(ctx, http.MethodGet, "/guests/"+seedID(1+rng.IntN(n)), nil, http.StatusOK)
	}); err != nil {
		return res, err
	}
	// Cap check: an invitation checks active + pending against the cap.
	if err := w.timed(&res, "cap check (POST /invites, 1 address)", 10, func(int) error {
		return w.expect(ctx, http.MethodPost, "/invites", map[string]any{
			"emails": []string{"i" + model.NewId()[:10] + "@invited.bench.test"}, "channel_ids": []string{w.th.Channel.Id},
		}, http.StatusOK)
	}); err != nil {
		return res, err
	}
	// Admin views that walk the registry.
	if err := w.timed(&res, "dashboard stats (GET /stats)", 3, func(int) error {
		return w.expect(ctx, http.MethodGet, "/stats", nil, http.StatusOK)
	}); err != nil {
		return res, err
	}
	if err := w.timed(&res, "guest list (GET /guests, 50 per page)", 3, func(int) error {
		return w.expect(ctx, http.MethodGet, "/guests?per_page=50", nil, http.StatusOK)
	}); err != nil {
		return res, err
	}
	if res.RSSAfterListMiB, _, err = memory(pid); err != nil {
		return res, err
	}
	return res, nil
}

func (w *world) timed(res *scaleResult, name string, n int, fn func(int) error) error {
	p50, p99, err := timeEach(n, fn)
	if err != nil {
		return errors.Wrap(err, name)
	}
	res.Checks = append(res.Checks, check{Name: name, P50: p50, P99: p99})
	return nil
}

func (w *world) expect(ctx context.Context, method, path string, body any, want int) error {
	status, raw, err := pluginCall(ctx, w.admin, method, path, body)
	if err != nil {
		return err
	}
	if status != want {
		return errors.Errorf("%s %s: %d %s", method, path, status, raw)
	}
	return nil
}

// cleanup leaves an empty registry and a recounted plugin for the
// benchmarks that run after this one on the same stack.
func (w *world) cleanup(ctx context.Context) error {
	if err := w.seed.setRegistry(ctx, 0, "", "", ""); err != nil {
		return err
	}
	w.seeded = 0
	if err := w.set(ctx, config{Name: "off"}); err != nil {
		return err
	}
	w.realGuests = nil
	if err := w.set(ctx, config{Name: "on", Ours: true}); err != nil {
		return err
	}
	_, err := w.setSettings(ctx, w.oldSettings)
	return err
}

func serverVersion(ctx context.Context, c *model.Client4) string {
	_, resp, err := c.GetPing(ctx)
	if err != nil || resp == nil {
		return "unknown"
	}
	// "11.4.0.<build>.<hash>.<enterprise>": the release is enough.
	parts := strings.SplitN(resp.ServerVersion, ".", 4)
	return strings.Join(parts[:min(3, len(parts))], ".")
}

func pluginctlInstall(ctx context.Context, th *testhelper.TestHelper, bundle string) error {
	f, err := os.Open(bundle)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, _, err := th.AdminClient.UploadPluginForced(ctx, f); err != nil {
		return errors.Wrap(err, "uploading the no-op plugin")
	}
	return setPlugin(ctx, th.AdminClient, noopID, true)
}

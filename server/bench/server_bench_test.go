package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/build/benchreport"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// BenchmarkServer is `make bench` on the real server: post, DM, GM and
// join throughput and latency with the plugin disabled, with a no-op
// plugin of the same hooks, and with Guest Accounts, in paired blocks
// (overhead); then the registry at scale. It prints one report and writes
// it as JSON; it asserts nothing about time.
func BenchmarkServer(b *testing.B) {
	p := loadParams()
	ctx, cancel := context.WithTimeout(context.Background(), 140*time.Minute)
	defer cancel()
	started := time.Now()
	load0 := loadAverage()
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
	largest := p.Guests
	for _, n := range p.Scale {
		largest = max(largest, n)
	}
	require.NoError(b, w.seed.seedUsers(ctx, w.members[0].user.Id, largest))
	require.NoError(b, w.seed.analyze(ctx))

	rep := &benchreport.Report{Params: p, Started: started, CPUs: runtime.NumCPU(), Server: serverVersion(ctx, w.admin)}
	rep.LoadAvg[0] = load0
	b.ResetTimer()
	t0 := time.Now()
	rep.Overhead, rep.Cycles, err = w.overhead(ctx, b)
	require.NoError(b, err)
	rep.OverheadS = time.Since(t0).Seconds()
	rep.Precise = benchreport.PreciseEnough(rep.Overhead)
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
	rep.LoadAvg[1] = loadAverage()
	rep.GoBenchmarks = readGoBenchmarks(os.Getenv("GA_GOBENCH"))
	require.NoError(b, rep.WriteText(os.Stdout))
	dir := os.Getenv("GA_BENCH_OUT")
	if dir == "" {
		dir = filepath.Join("..", "..", "build", "out", "bench")
	}
	path, err := rep.Save(dir)
	require.NoError(b, err)
	fmt.Printf("JSON: %s (and latest.json beside it)\n", path)
	require.NoError(b, scaleErr)
	require.NoError(b, w.cleanup(ctx))
}

// configs are the configurations every cycle visits.
func configs(p benchreport.Params) []config {
	return []config{
		{Name: "plugin disabled"},
		{Name: "no-op plugin", Noop: true},
		{Name: fmt.Sprintf("Guest Accounts, %s guests", benchreport.Thousands(p.Guests)), Ours: true, Guests: p.Guests},
	}
}

// orders are the six orders of three configurations: cycle k visits them
// in orders[k%6], so each configuration comes first, second and last
// equally often, and each pair of configurations runs in both orders
// (drift and warm-up cancel out over the cycles).
var orders = [][3]int{{0, 1, 2}, {2, 1, 0}, {1, 2, 0}, {0, 2, 1}, {2, 0, 1}, {1, 0, 2}}

// overhead runs paired blocks: each cycle visits every configuration once
// and runs every workload in it (a block); the ratio of two
// configurations is taken within each cycle, where both ran within
// seconds of each other on the same server, data and machine state. It
// stops once every ratio of Guest Accounts to the no-op plugin is known
// within the target half-width (after MinCycles), at MaxCycles, or when
// the budget is spent.
func (w *world) overhead(ctx context.Context, _ *testing.B) ([]benchreport.WorkloadResult, int, error) {
	cs := configs(w.p)
	samples := map[string]map[string][]sample{}
	for _, wl := range workloads {
		samples[wl.Name] = map[string][]sample{}
	}
	// What the seeding left to the database (dead rows, statistics) is
	// done now rather than by autovacuum during a block.
	if err := w.seed.vacuumAll(ctx); err != nil {
		return nil, 0, err
	}
	if err := w.seed.quiet(ctx); err != nil {
		return nil, 0, err
	}
	start := time.Now()
	var out []benchreport.WorkloadResult
	cycles := 0
	for round := -w.p.WarmupCycles; cycles < w.p.MaxCycles; round++ {
		warmup := round < 0
		for _, k := range orders[(round+len(orders)*w.p.WarmupCycles)%len(orders)] {
			c := cs[k]
			if err := w.set(ctx, c); err != nil {
				return nil, 0, errors.Wrapf(err, "switching to %q", c.Name)
			}
			upkeep := time.Now()
			if err := w.seed.beforeVisit(ctx); err != nil {
				return nil, 0, err
			}
			if warmup {
				fmt.Fprintf(os.Stderr, "bench: upkeep before visiting %q took %s\n", c.Name, time.Since(upkeep).Round(time.Millisecond))
			}
			for _, wl := range workloads {
				n := w.p.PostRequests
				if wl.Join {
					n = w.p.JoinRequests
				}
				do := wl.op(w)
				if _, err := runLoad(ctx, w.p.Workers, 2*w.p.Workers, do); err != nil { // warm-up
					return nil, 0, errors.Wrapf(err, "%s, %s (warm-up)", wl.Name, c.Name)
				}
				before := readCPU(w.serverBin)
				s, err := runLoad(ctx, w.p.Workers, n, do)
				if err != nil {
					return nil, 0, errors.Wrapf(err, "%s, %s", wl.Name, c.Name)
				}
				s.CPU = readCPU(w.serverBin).minus(before)
				if !warmup {
					samples[wl.Name][c.Name] = append(samples[wl.Name][c.Name], s)
				}
			}
		}
		if warmup {
			fmt.Fprintf(os.Stderr, "bench: warm-up cycle done (%s), not counted\n", time.Since(start).Round(time.Second))
			start = time.Now()
			continue
		}
		cycles++
		out = out[:0]
		for _, wl := range workloads {
			res := benchreport.WorkloadResult{Workload: wl.Name}
			for _, c := range cs {
				res.Configs = append(res.Configs, benchreport.ConfigResult{Config: c, Stats: summarize(samples[wl.Name][c.Name])})
			}
			res.Summarize(w.p.TargetHalfWidth)
			out = append(out, res)
		}
		// Live on stderr (b.Logf shows only when the benchmark ends).
		fmt.Fprintf(os.Stderr, "bench: cycle %d (%s): %s\n", cycles, time.Since(start).Round(time.Second), progress(out))
		if cycles >= w.p.MinCycles && (benchreport.PreciseEnough(out) || time.Since(start).Seconds() > w.p.BudgetS) {
			break
		}
	}
	return out, cycles, nil
}

// progress is one log line: each workload's ratio and its half-width.
func progress(ws []benchreport.WorkloadResult) string {
	var parts []string
	for _, w := range ws {
		var noop *benchreport.CPUPerRequest
		for _, c := range w.Configs {
			if c.Config.Noop {
				noop = c.Stats.CPUMsPerRequest
			}
		}
		for _, c := range w.Configs {
			if c.Config.Ours {
				part := fmt.Sprintf("%s %.3f ±%.3f [cpu %.3f %.3f-%.3f]", w.Workload, c.VsNoop, c.VsNoopPaired.GeoMean.HalfWidth(), c.CPUVsNoop, c.CPUVsNoopCI[0], c.CPUVsNoopCI[1])
				if ours := c.Stats.CPUMsPerRequest; ours != nil && noop != nil {
					part += fmt.Sprintf(" (cpu/request %+.3f ms: plugins %+.3f, server %+.3f, db %+.3f)", ours.Total-noop.Total,
						ours.Plugins-noop.Plugins, ours.Server-noop.Server, ours.Database-noop.Database)
				}
				parts = append(parts, part)
			}
		}
	}
	return strings.Join(parts, "; ")
}

// rebuildMax is the largest registry whose first index build (after an
// upgrade from a version without indexes) the benchmark times: the build
// writes every entry through the KV API, a few minutes at 100,000 guests.
const rebuildMax = 10000

// scale measures the plugin with n registered guests (and n audit entries,
// n/10 invitations).
func (w *world) scale(ctx context.Context, b *testing.B, n int) (benchreport.ScaleResult, error) {
	res := benchreport.ScaleResult{Guests: n}
	if err := w.seed.seedUsers(ctx, w.members[0].user.Id, n); err != nil {
		return res, err
	}
	if err := w.seed.seedLists(ctx, n, w.th.Admin.Id, w.th.Channel.Id, w.th.Team.Id); err != nil {
		return res, err
	}
	if n <= rebuildMax {
		// As after an upgrade: records only; activation, then the
		// background build until the indexes are ready.
		d, err := w.activateWith(ctx, n, true)
		if err != nil {
			return res, errors.Wrap(err, "activation with the indexes to build")
		}
		start := time.Now()
		if err := w.waitIndexReady(ctx); err != nil {
			return res, err
		}
		res.RebuildActivationS = d.Seconds() + time.Since(start).Seconds()
		b.Logf("%d guests: first activation %.1fs, indexes built after %.1fs", n, d.Seconds(), res.RebuildActivationS)
	}
	d, err := w.activateWith(ctx, n, false)
	if err != nil {
		return res, errors.Wrap(err, "enabling with the registry in place")
	}
	res.ActivationS = d.Seconds()
	if res.Registry, err = w.seed.countRegistry(ctx); err != nil {
		return res, err
	}
	pid, err := pluginPID(w.th.Stack.Dir, testhelper.PluginID)
	if err != nil {
		return res, err
	}
	res.RSSAfterActivationMiB, res.PeakRSSActivationMiB, _ = memory(pid)
	b.Logf("%d guests: activation %.2fs", n, res.ActivationS)

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
		s, err := runLoad(ctx, w.p.Workers, w.p.PostRequests, do)
		if err != nil {
			return res, err
		}
		st := summarize([]sample{s})
		res.Checks = append(res.Checks, benchreport.Check{Name: wl.Name, P50: st.P50, P99: st.P99, Throughput: st.Throughput, Samples: st.Requests})
	}
	// Guest lookup: a random registered guest each time (not cached).
	rng := rand.New(rand.NewPCG(42, 7))
	if err := w.timed(&res, "guest lookup (GET /guests/{id})", 100, func(int) error {
		return w.expect(ctx, http.MethodGet, "/guests/"+seedID(1+rng.IntN(n)), nil, http.StatusOK)
	}); err != nil {
		return res, err
	}
	// Cap check: an invitation checks active + pending against the cap.
	if err := w.timed(&res, "cap check (POST /invites, 1 address)", 20, func(int) error {
		return w.expect(ctx, http.MethodPost, "/invites", map[string]any{
			"emails": []string{"i" + model.NewId()[:10] + "@invited.bench.test"}, "channel_ids": []string{w.th.Channel.Id},
		}, http.StatusOK)
	}); err != nil {
		return res, err
	}
	// Admin views: stats and one page of each list, with the plugin's
	// memory watched from a reset high-water mark.
	if res.RSSBeforeListMiB, _, err = memory(pid); err != nil {
		return res, err
	}
	if err := resetPeak(pid); err != nil {
		return res, err
	}
	views := []struct{ name, path string }{
		{"dashboard stats (GET /stats)", "/stats"},
		{"guest list, first page of 50 (by username)", "/guests?per_page=50"},
		{"guest list, page 100 (by username)", "/guests?per_page=50&page=100"},
		{"guest list by last activity", "/guests?per_page=50&sort=last_activity"},
		{"guest list by expiry, expiring only", "/guests?per_page=50&sort=expires_at&status=expiring"},
		{"guest list, deactivated only", "/guests?per_page=50&status=deactivated"},
		{"guest search, many matches (\"bench12\": 1,111 at 100k)", "/guests?per_page=50&query=bench12"},
		{"guest search, few matches (\"bench777\": 111 at 100k)", "/guests?per_page=50&query=bench777"},
		{"invitations, first page of 50", "/invites?per_page=50"},
		{"invitations, pending", "/invites?per_page=50&status=pending"},
		{"audit log, first page of 50", "/audit?per_page=50"},
		{"audit log search, many matches (\"revoke\": a fifth)", "/audit?per_page=50&query=revoke"},
		{"audit log search, one entry (a target id)", "/audit?per_page=50&query=" + seedID(777)},
	}
	for _, v := range views {
		if err := w.timed(&res, v.name, 30, func(int) error {
			return w.expect(ctx, http.MethodGet, v.path, nil, http.StatusOK)
		}); err != nil {
			return res, err
		}
	}
	if res.RSSAfterListMiB, res.PeakRSSListMiB, err = memory(pid); err != nil {
		return res, err
	}
	// What a walk through the KV API would cost: core's KVList query for a
	// page of 1,000 keys (offset paging over every key of the plugin), run
	// here on the database directly, first and last page.
	keys, err := w.seed.pluginKeys(ctx)
	if err != nil {
		return res, err
	}
	for _, offset := range []int{0, max(0, keys-1000)} {
		name := "core KVList query, first page of 1,000 keys (database only)"
		if offset > 0 {
			name = fmt.Sprintf("core KVList query, last page of 1,000 of %s keys (database only)", benchreport.Thousands(keys))
		}
		if err := w.timed(&res, name, 10, func(int) error { return w.seed.kvList(ctx, offset) }); err != nil {
			return res, err
		}
	}
	return res, nil
}

// activateWith disables the plugin (its guests taken out first, as
// always), puts n seeded guests in the registry (records only, with
// noIndex) and the real guests back, and times the enable.
func (w *world) activateWith(ctx context.Context, n int, noIndex bool) (time.Duration, error) {
	if err := w.set(ctx, config{Name: "off"}); err != nil {
		return 0, err
	}
	if err := w.seed.setRegistry(ctx, n, w.th.Admin.Id, w.th.Team.Id, w.th.Channel.Id, noIndex); err != nil {
		return 0, err
	}
	if err := w.seed.putBack(ctx, w.realGuests); err != nil {
		return 0, err
	}
	if !noIndex {
		if err := w.seed.recount(ctx); err != nil {
			return 0, err
		}
	}
	if err := w.seed.analyze(ctx); err != nil {
		return 0, err
	}
	if err := w.seed.settle(ctx); err != nil {
		return 0, err
	}
	d, err := w.enableTimed(ctx)
	if err != nil {
		return 0, err
	}
	w.oursOn, w.seeded = true, n
	return d, nil
}

// waitIndexReady polls /stats until the plugin reports its indexes built.
func (w *world) waitIndexReady(ctx context.Context) error {
	deadline := time.Now().Add(20 * time.Minute)
	for time.Now().Before(deadline) {
		status, body, err := pluginCall(ctx, w.admin, http.MethodGet, "/stats", nil)
		if err != nil {
			return err
		}
		var st struct {
			Ready bool `json:"index_ready"`
		}
		if status == http.StatusOK && json.Unmarshal(body, &st) == nil && st.Ready {
			return nil
		}
		time.Sleep(250 * time.Millisecond)
	}
	return errors.New("the indexes were not built within 20 minutes")
}

func (w *world) timed(res *benchreport.ScaleResult, name string, n int, fn func(int) error) error {
	p50, p99, err := timeEach(n, fn)
	if err != nil {
		return errors.Wrap(err, name)
	}
	res.Checks = append(res.Checks, benchreport.Check{Name: name, P50: p50, P99: p99, Samples: n})
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
	if err := w.seed.setRegistry(ctx, 0, "", "", "", false); err != nil {
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

package bench

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Targets (issue #8): relative to the no-op plugin, the floor any plugin
// with these hooks pays for core's RPC hop.
const (
	targetThroughputRatio = 0.98
	targetAddedP50Ms      = 0.3
)

type configResult struct {
	Config config `json:"config"`
	Stats  stats  `json:"stats"`
	// VsDisabled and VsNoop are throughput ratios: the median over the
	// rounds of this configuration's throughput over the reference's in the
	// same round (pairing by round cancels the machine's drift), with the
	// smallest and largest round ratio. AddedP50Ms is p50 minus the no-op
	// plugin's (all rounds pooled).
	VsDisabled       float64    `json:"throughput_vs_disabled"`
	VsNoop           float64    `json:"throughput_vs_noop"`
	VsNoopRange      [2]float64 `json:"throughput_vs_noop_min_max"`
	AddedP50Ms       float64    `json:"p50_added_vs_noop_ms"`
	MeetsGoal        *bool      `json:"meets_target,omitempty"`
	PooledVsNoop     float64    `json:"pooled_throughput_vs_noop"`
	PooledVsDisabled float64    `json:"pooled_throughput_vs_disabled"`
}

type workloadResult struct {
	Workload string         `json:"workload"`
	Configs  []configResult `json:"configs"`
}

func (r *workloadResult) ratios() {
	var disabled, noop stats
	for _, c := range r.Configs {
		switch {
		case !c.Config.Ours && !c.Config.Noop:
			disabled = c.Stats
		case c.Config.Noop:
			noop = c.Stats
		}
	}
	for i := range r.Configs {
		c := &r.Configs[i]
		c.VsDisabled, _ = pairedRatio(c.Stats.Rounds, disabled.Rounds)
		c.VsNoop, c.VsNoopRange = pairedRatio(c.Stats.Rounds, noop.Rounds)
		if disabled.Throughput > 0 {
			c.PooledVsDisabled = c.Stats.Throughput / disabled.Throughput
		}
		if noop.Throughput > 0 {
			c.PooledVsNoop = c.Stats.Throughput / noop.Throughput
		}
		c.AddedP50Ms = c.Stats.P50 - noop.P50
		if c.Config.Ours {
			ok := c.VsNoop >= targetThroughputRatio && c.AddedP50Ms < targetAddedP50Ms
			c.MeetsGoal = &ok
		}
	}
}

// pairedRatio is the median of a[i]/b[i] over the rounds, and the range.
func pairedRatio(a, b []float64) (float64, [2]float64) {
	var r []float64
	for i := range min(len(a), len(b)) {
		if b[i] > 0 {
			r = append(r, a[i]/b[i])
		}
	}
	if len(r) == 0 {
		return 0, [2]float64{}
	}
	sort.Float64s(r)
	med := r[len(r)/2]
	if len(r)%2 == 0 {
		med = (r[len(r)/2-1] + r[len(r)/2]) / 2
	}
	return med, [2]float64{r[0], r[len(r)-1]}
}

type check struct {
	Name       string  `json:"name"`
	P50        float64 `json:"p50_ms"`
	P99        float64 `json:"p99_ms"`
	Throughput float64 `json:"throughput_per_s,omitempty"`
}

type scaleResult struct {
	Guests                int     `json:"registered_guests"`
	Registry              int     `json:"registry_records"`
	ActivationS           float64 `json:"activation_s"`
	RSSAfterActivationMiB float64 `json:"plugin_rss_after_activation_mib"`
	PeakRSSActivationMiB  float64 `json:"plugin_peak_rss_until_then_mib"`
	Checks                []check `json:"checks"`
	ExpiryJobS            float64 `json:"expiry_job_s"`
	ExpiryJob             struct {
		Checked  int `json:"checked"`
		Expired  int `json:"expired"`
		Reminded int `json:"reminded"`
		Errors   int `json:"errors"`
	} `json:"expiry_job"`
	RSSBeforeJobMiB float64 `json:"plugin_rss_before_job_mib"`
	PeakRSSJobMiB   float64 `json:"plugin_peak_rss_during_job_mib"`
	// RSSAfterListMiB is after the admin views (the guest list holds every
	// guest and user while it sorts).
	RSSAfterListMiB float64 `json:"plugin_rss_after_guest_list_mib"`
}

type goBenchmark struct {
	Package  string  `json:"package"`
	Name     string  `json:"name"`
	NsPerOp  float64 `json:"ns_per_op"`
	BPerOp   float64 `json:"bytes_per_op"`
	AllocsOp float64 `json:"allocs_per_op"`
}

type report struct {
	Started      time.Time        `json:"started"`
	Duration     string           `json:"duration"`
	Server       string           `json:"server_version"`
	CPUs         int              `json:"cpus"`
	Params       params           `json:"params"`
	Overhead     []workloadResult `json:"overhead"`
	Scale        []scaleResult    `json:"scale"`
	GoBenchmarks []goBenchmark    `json:"go_benchmarks"`
}

// write prints the report and saves it as JSON in GA_BENCH_OUT (default
// build/out/bench).
func (r *report) write(out io.Writer) error {
	fmt.Fprintf(out, "\nGuest Accounts benchmark: Mattermost %s + PostgreSQL on %d CPUs, %d concurrent users,\n"+
		"%d alternating rounds of %d requests per workload and configuration (%s)\n\n",
		r.Server, r.CPUs, r.Params.Workers, r.Params.Rounds, r.Params.Requests, r.Duration)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "workload\tconfiguration\treq/s\tp50 ms\tp95 ms\tp99 ms\t× disabled\t× no-op\t(rounds)\tp50 +ms vs no-op\ttarget\t")
	for _, w := range r.Overhead {
		for i, c := range w.Configs {
			name := ""
			if i == 0 {
				name = w.Workload
			}
			goal := ""
			if c.MeetsGoal != nil {
				goal = map[bool]string{true: "met", false: "missed"}[*c.MeetsGoal]
			}
			fmt.Fprintf(tw, "%s\t%s\t%.1f\t%.2f\t%.2f\t%.2f\t%.3f\t%.3f\t%.2f–%.2f\t%+.2f\t%s\t\n", name, c.Config.Name,
				c.Stats.Throughput, c.Stats.P50, c.Stats.P95, c.Stats.P99, c.VsDisabled, c.VsNoop,
				c.VsNoopRange[0], c.VsNoopRange[1], c.AddedP50Ms, goal)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(out, "× disabled, × no-op: median over the rounds of the throughput ratio within each round; (rounds): its range.\n"+
		"target: Guest Accounts >= %.2f x the no-op plugin's throughput and < %.1f ms added p50\n\n", targetThroughputRatio, targetAddedP50Ms)

	if len(r.Scale) > 0 {
		tw = tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprint(tw, "registry at scale\t")
		for _, s := range r.Scale {
			fmt.Fprintf(tw, "%s guests\t", thousands(s.Guests))
		}
		fmt.Fprintln(tw)
		for i := range r.Scale[0].Checks {
			fmt.Fprintf(tw, "%s p50 / p99 ms\t", r.Scale[0].Checks[i].Name)
			for _, s := range r.Scale {
				fmt.Fprintf(tw, "%.2f / %.2f\t", s.Checks[i].P50, s.Checks[i].P99)
			}
			fmt.Fprintln(tw)
		}
		row := func(label string, f func(s scaleResult) string) {
			fmt.Fprintf(tw, "%s\t", label)
			for _, s := range r.Scale {
				fmt.Fprintf(tw, "%s\t", f(s))
			}
			fmt.Fprintln(tw)
		}
		row("plugin activation (enable → running) s", func(s scaleResult) string { return fmt.Sprintf("%.1f", s.ActivationS) })
		row("expiry job s (records checked)", func(s scaleResult) string {
			return fmt.Sprintf("%.1f (%s)", s.ExpiryJobS, thousands(s.ExpiryJob.Checked))
		})
		row("plugin RSS before the job MiB", func(s scaleResult) string { return fmt.Sprintf("%.1f", s.RSSBeforeJobMiB) })
		row("plugin peak RSS during the job MiB", func(s scaleResult) string { return fmt.Sprintf("%.1f", s.PeakRSSJobMiB) })
		row("plugin peak RSS of the activation MiB", func(s scaleResult) string { return fmt.Sprintf("%.1f", s.PeakRSSActivationMiB) })
		row("plugin RSS after the guest list MiB", func(s scaleResult) string { return fmt.Sprintf("%.1f", s.RSSAfterListMiB) })
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(out)
	}

	if len(r.GoBenchmarks) > 0 {
		tw = tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "Go benchmark\tns/op\tB/op\tallocs/op\t")
		for _, g := range r.GoBenchmarks {
			fmt.Fprintf(tw, "%s.%s\t%.1f\t%.0f\t%.0f\t\n", filepath.Base(g.Package), g.Name, g.NsPerOp, g.BPerOp, g.AllocsOp)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(out)
	}

	dir := os.Getenv("GA_BENCH_OUT")
	if dir == "" {
		dir = filepath.Join("..", "..", "build", "out", "bench")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	raw, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	path := filepath.Join(dir, "bench-"+r.Started.Format("20060102-150405")+".json")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "latest.json"), raw, 0o600); err != nil {
		return err
	}
	abs, _ := filepath.Abs(path)
	fmt.Fprintf(out, "JSON: %s\n", abs)
	return nil
}

// readGoBenchmarks parses `go test -bench -benchmem` output (the Go
// benchmarks `make bench` ran first).
func readGoBenchmarks(path string) []goBenchmark {
	if path == "" {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []goBenchmark
	pkg := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "pkg: ") {
			pkg = strings.TrimPrefix(line, "pkg: ")
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") {
			continue
		}
		g := goBenchmark{Package: pkg, Name: strings.TrimPrefix(fields[0], "Benchmark")}
		for i := 2; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				continue
			}
			switch fields[i+1] {
			case "ns/op":
				g.NsPerOp = v
			case "B/op":
				g.BPerOp = v
			case "allocs/op":
				g.AllocsOp = v
			}
		}
		out = append(out, g)
	}
	return out
}

// thousands writes 10000 as "10,000".
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

package benchreport

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
)

// WriteText prints the report for a terminal.
func (r *Report) WriteText(out io.Writer) error {
	fmt.Fprintf(out, "\nGuest Accounts benchmark: Mattermost %s + PostgreSQL on %d CPUs (load average %.2f before, %.2f after), %d concurrent users,\n"+
		"%d cycles of paired blocks (%d requests per post workload, %d joins per block), %s in all\n\n",
		r.Server, r.CPUs, r.LoadAvg[0], r.LoadAvg[1], r.Params.Workers, r.Cycles, r.Params.PostRequests, r.Params.JoinRequests, r.Duration)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "workload\tconfiguration\treq/s\tp50 ms\tp95 ms\tp99 ms\t× disabled\t× no-op [95% CI]\tmedian [95% CI]\tp50 +ms vs no-op [95% CI]\tfloor\t")
	for _, w := range r.Overhead {
		for i, c := range w.Configs {
			name := ""
			if i == 0 {
				name = w.Workload
			}
			floor := ""
			if c.MeetsFloor != nil {
				floor = map[bool]string{true: "met", false: "missed"}[*c.MeetsFloor]
			}
			m := c.VsNoopPaired.Median
			fmt.Fprintf(tw, "%s\t%s\t%.1f\t%.2f\t%.2f\t%.2f\t%.3f\t%.3f [%.3f, %.3f]\t%.3f [%.3f, %.3f]\t%+.2f [%+.2f, %+.2f]\t%s\t\n",
				name, c.Config.Name, c.Stats.Throughput, c.Stats.P50, c.Stats.P95, c.Stats.P99, c.VsDisabled,
				c.VsNoop, c.VsNoopCI[0], c.VsNoopCI[1], m.Estimate, m.Lo, m.Hi, c.AddedP50Ms, c.AddedP50CI[0], c.AddedP50CI[1], floor)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(out, "× no-op: geometric mean over the cycles of the ratio of adjacent blocks, t-based 95%% interval; median: bootstrap interval.\n"+
		"floor: Guest Accounts >= %.2f x the no-op plugin (aim %.2f). Precision target ±%.0f%%: %s.\n\n",
		FloorVsNoop, AimVsNoop, 100*r.Params.TargetHalfWidth, map[bool]string{true: "reached", false: "NOT reached (machine too noisy or budget too short)"}[r.Precise])

	if len(r.Scale) > 0 {
		tw = tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprint(tw, "registry at scale\t")
		for _, s := range r.Scale {
			fmt.Fprintf(tw, "%s guests\t", Thousands(s.Guests))
		}
		fmt.Fprintln(tw)
		for _, row := range r.scaleRows() {
			fmt.Fprintf(tw, "%s\t%s\t\n", row[0], strings.Join(row[1:], "\t"))
		}
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
	return nil
}

// scaleRows are the rows of the scale table: a label, then one cell per
// registry size.
func (r *Report) scaleRows() [][]string {
	var rows [][]string
	names := []string{}
	seen := map[string]bool{}
	for _, s := range r.Scale {
		for _, c := range s.Checks {
			if !seen[c.Name] {
				seen[c.Name] = true
				names = append(names, c.Name)
			}
		}
	}
	for _, name := range names {
		row := []string{name + " p50 / p99 ms"}
		for _, s := range r.Scale {
			cell := "–"
			for _, c := range s.Checks {
				if c.Name == name {
					cell = fmt.Sprintf("%.1f / %.1f", c.P50, c.P99)
				}
			}
			row = append(row, cell)
		}
		rows = append(rows, row)
	}
	add := func(label string, f func(s ScaleResult) string) {
		row := []string{label}
		for _, s := range r.Scale {
			row = append(row, f(s))
		}
		rows = append(rows, row)
	}
	add("plugin activation (enable → running), s", func(s ScaleResult) string { return fmt.Sprintf("%.2f", s.ActivationS) })
	if r.hasRebuild() {
		add("first activation, indexes built, s", func(s ScaleResult) string { return fmt.Sprintf("%.1f", s.RebuildActivationS) })
	}
	add("expiry job, s (records checked)", func(s ScaleResult) string {
		return fmt.Sprintf("%.1f (%s)", s.ExpiryJobS, Thousands(s.ExpiryJob.Checked))
	})
	add("plugin RSS before → peak during the expiry job, MiB", func(s ScaleResult) string {
		return fmt.Sprintf("%.1f → %.1f", s.RSSBeforeJobMiB, s.PeakRSSJobMiB)
	})
	add("plugin RSS before → peak during the admin views, MiB", func(s ScaleResult) string {
		return fmt.Sprintf("%.1f → %.1f", s.RSSBeforeListMiB, s.PeakRSSListMiB)
	})
	return rows
}

func (r *Report) hasRebuild() bool {
	for _, s := range r.Scale {
		if s.RebuildActivationS > 0 {
			return true
		}
	}
	return false
}

// Markdown renders the tables the documentation shows: the overhead
// (ratio and interval per workload and configuration) and the registry at
// scale.
func (r *Report) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "`make bench` of %s: Mattermost %s + PostgreSQL, %d CPUs (load average %.2f before, %.2f after), %d users at once, "+
		"%d cycles of paired blocks (%s requests per post workload and block, %s joins), %s in all.\n\n",
		r.Started.Format("2006-01-02"), r.Server, r.CPUs, r.LoadAvg[0], r.LoadAvg[1], r.Params.Workers, r.Cycles,
		Thousands(r.Params.PostRequests), Thousands(r.Params.JoinRequests), r.Duration)
	b.WriteString("| Workload | Configuration | req/s | p50 ms | p95 ms | × disabled | **× no-op** [95 % CI] | median [95 % CI] | p50 vs no-op, ms [95 % CI] | CPU ms/request | CPU efficiency × no-op [95 % CI] |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, w := range r.Overhead {
		for i, c := range w.Configs {
			name := ""
			if i == 0 {
				name = w.Workload
			}
			ratio, median, added, cpu, eff := "1 (reference)", "", "0", "–", "1 (reference)"
			if s := c.Stats.CPUMsPerRequest; s != nil {
				cpu = fmt.Sprintf("%.2f (plugins %.2f)", s.Total, s.Plugins)
			}
			if !c.Config.Noop {
				eff = "–"
				if c.CPUVsNoop > 0 {
					eff = fmt.Sprintf("%.3f [%.3f, %.3f]", c.CPUVsNoop, c.CPUVsNoopCI[0], c.CPUVsNoopCI[1])
				}
				ratio = fmt.Sprintf("%.3f [%.3f, %.3f]", c.VsNoop, c.VsNoopCI[0], c.VsNoopCI[1])
				if c.Config.Ours {
					ratio = "**" + ratio + "**"
				}
				m := c.VsNoopPaired.Median
				median = fmt.Sprintf("%.3f [%.3f, %.3f]", m.Estimate, m.Lo, m.Hi)
				added = fmt.Sprintf("%+.2f [%+.2f, %+.2f]", c.AddedP50Ms, c.AddedP50CI[0], c.AddedP50CI[1])
			}
			fmt.Fprintf(&b, "| %s | %s | %.0f | %.2f | %.2f | %.3f | %s | %s | %s | %s | %s |\n", name, c.Config.Name,
				c.Stats.Throughput, c.Stats.P50, c.Stats.P95, c.VsDisabled, ratio, median, added, cpu, eff)
		}
	}
	fmt.Fprintf(&b, "\nPrecision target (every Guest Accounts ratio within ±%.0f %%): %s.\n",
		100*r.Params.TargetHalfWidth, map[bool]string{true: "reached", false: "not reached"}[r.Precise])
	if len(r.Scale) > 0 {
		b.WriteString("\n| Registry at scale |")
		for _, s := range r.Scale {
			fmt.Fprintf(&b, " %s guests |", Thousands(s.Guests))
		}
		b.WriteString("\n|---|" + strings.Repeat("---|", len(r.Scale)) + "\n")
		for _, row := range r.scaleRows() {
			fmt.Fprintf(&b, "| %s |\n", strings.Join(row, " | "))
		}
	}
	return b.String()
}

// Summary renders the short table the README shows: Guest Accounts
// against the no-op plugin per workload, and the admin's reads at the
// largest registry measured.
func (r *Report) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "`make bench` of %s (Mattermost %s, %d CPUs, %d cycles of paired blocks; details in docs/performance.md):\n\n",
		r.Started.Format("2006-01-02"), r.Server, r.CPUs, r.Cycles)
	b.WriteString("| Workload | throughput × no-op plugin [95 % CI] | CPU efficiency × no-op [95 % CI] |\n|---|---|---|\n")
	for _, w := range r.Overhead {
		for _, c := range w.Configs {
			if !c.Config.Ours {
				continue
			}
			eff := "–"
			if c.CPUVsNoop > 0 {
				eff = fmt.Sprintf("%.3f [%.3f, %.3f]", c.CPUVsNoop, c.CPUVsNoopCI[0], c.CPUVsNoopCI[1])
			}
			fmt.Fprintf(&b, "| %s | %.3f [%.3f, %.3f] | %s |\n", w.Workload, c.VsNoop, c.VsNoopCI[0], c.VsNoopCI[1], eff)
		}
	}
	if n := len(r.Scale); n > 0 {
		s := r.Scale[n-1]
		fmt.Fprintf(&b, "\nAt %s guests (p50): ", Thousands(s.Guests))
		var parts []string
		for _, c := range s.Checks {
			if strings.Contains(c.Name, "stats") || strings.Contains(c.Name, "first page") {
				parts = append(parts, fmt.Sprintf("%s %.0f ms", c.Name, c.P50))
			}
		}
		fmt.Fprintf(&b, "%s; activation %.1f s; plugin RSS at most %.0f MiB while listing.\n", strings.Join(parts, ", "), s.ActivationS, s.PeakRSSListMiB)
	}
	return b.String()
}

// Save writes the report as JSON to dir: a timestamped file and
// latest.json. It returns the timestamped file's path.
func (r *Report) Save(dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", err
	}
	raw, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "bench-"+r.Started.Format("20060102-150405")+".json")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		return "", err
	}
	return path, os.WriteFile(filepath.Join(dir, "latest.json"), raw, 0o600)
}

// Thousands writes 10000 as "10,000".
func Thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}

// ReplaceBetween puts content between the markers start and end in doc
// (the markers stay); it fails when they are missing.
func ReplaceBetween(doc, start, end, content string) (string, error) {
	i := strings.Index(doc, start)
	j := strings.Index(doc, end)
	if i < 0 || j < 0 || j < i {
		return "", fmt.Errorf("markers %q and %q not found in order", start, end)
	}
	return doc[:i+len(start)] + "\n" + strings.TrimRight(content, "\n") + "\n" + doc[j:], nil
}

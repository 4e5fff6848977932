package benchreport

import (
	"encoding/json"
	"os"
	"time"
)

// Targets (issue #17): Guest Accounts' throughput relative to the no-op
// plugin with the same hooks, the floor any such plugin pays for core's
// RPC hop to the plugin process.
const (
	// FloorVsNoop is the least each post and join workload must reach.
	FloorVsNoop = 0.95
	// AimVsNoop is what the plugin aims for.
	AimVsNoop = 0.98
	// TargetHalfWidth is the precision the benchmark runs for: every ratio
	// of Guest Accounts to the no-op plugin known within ±3 %.
	TargetHalfWidth = 0.03
)

// Params are the sizes of one run.
type Params struct {
	Workers int `json:"workers"`
	// PostRequests and JoinRequests are measured per workload and block
	// (after a warm-up of two requests per worker).
	PostRequests int `json:"post_requests_per_block"`
	JoinRequests int `json:"join_requests_per_block"`
	// Cycles: each visits every configuration once, in a rotating order.
	MinCycles int `json:"min_cycles"`
	MaxCycles int `json:"max_cycles"`
	// WarmupCycles run first, the same way, and are not counted: the
	// state the seeding left (autovacuum, the plugin's first index and
	// profile runs) passes in them.
	WarmupCycles int `json:"warmup_cycles"`
	// BudgetS stops the overhead part after its first MinCycles once it
	// has run this long, precise or not.
	BudgetS         float64 `json:"overhead_budget_s"`
	TargetHalfWidth float64 `json:"target_half_width"`
	// Guests is the registry size of the Guest Accounts configuration.
	Guests int   `json:"registered_guests"`
	Scale  []int `json:"scale_sizes"`
}

// Config is one configuration of the server under measurement.
type Config struct {
	Name   string `json:"name"`
	Ours   bool   `json:"guest_accounts"`
	Noop   bool   `json:"noop_plugin"`
	Guests int    `json:"registered_guests"`
}

// Stats are the pooled measurements of one workload in one configuration.
type Stats struct {
	Requests   int     `json:"requests"`
	Throughput float64 `json:"throughput_per_s"`
	P50        float64 `json:"p50_ms"`
	P95        float64 `json:"p95_ms"`
	P99        float64 `json:"p99_ms"`
	// BlockThroughputs and BlockP50s are per block, in cycle order: the
	// pairs the ratios are made of.
	BlockThroughputs []float64 `json:"block_throughputs_per_s"`
	BlockP50s        []float64 `json:"block_p50_ms"`
	// CPUMsPerRequest is the processor time the stack spent per request
	// in these blocks, by process: far steadier than throughput on a
	// shared machine, it shows where a difference comes from.
	CPUMsPerRequest *CPUPerRequest `json:"cpu_ms_per_request,omitempty"`
	// BlockCPUMs is each block's processor time per request (ms, every
	// process of the stack), in cycle order.
	BlockCPUMs []float64 `json:"block_cpu_ms_per_request,omitempty"`
}

// CPUPerRequest is processor time per request (ms) by part of the stack.
type CPUPerRequest struct {
	Server   float64 `json:"server"`
	Plugins  float64 `json:"plugins"`
	Database float64 `json:"database"`
	Total    float64 `json:"total"`
}

// ConfigResult is one configuration's row of a workload.
type ConfigResult struct {
	Config Config `json:"config"`
	Stats  Stats  `json:"stats"`
	// VsNoop is the throughput ratio to the no-op plugin: the geometric
	// mean over the cycles of the ratio of the two adjacent blocks, with
	// its 95 % interval (VsNoopCI); VsNoopPaired has the median, its
	// bootstrap interval and every pair's ratio.
	VsNoop       float64    `json:"throughput_vs_noop"`
	VsNoopCI     [2]float64 `json:"throughput_vs_noop_ci95"`
	VsNoopPaired Paired     `json:"throughput_vs_noop_paired"`
	VsDisabled   float64    `json:"throughput_vs_disabled"`
	VsDisabledCI [2]float64 `json:"throughput_vs_disabled_ci95"`
	// AddedP50Ms is the mean over the cycles of this block's p50 minus the
	// no-op plugin's in the same cycle, with its 95 % interval.
	AddedP50Ms float64    `json:"p50_added_vs_noop_ms"`
	AddedP50CI [2]float64 `json:"p50_added_vs_noop_ms_ci95"`
	// CPUVsNoop is the no-op plugin's processor time per request divided
	// by this configuration's, pair by pair (geometric mean and 95 %
	// interval): the throughput ratio a CPU-bound server would see,
	// without the swings other load on the machine gives wall-clock
	// throughput. Absent when the blocks were not measured.
	CPUVsNoop    float64    `json:"cpu_efficiency_vs_noop,omitempty"`
	CPUVsNoopCI  [2]float64 `json:"cpu_efficiency_vs_noop_ci95,omitzero"`
	MeetsFloor   *bool      `json:"meets_floor,omitempty"`
	MeetsAim     *bool      `json:"meets_aim,omitempty"`
	PreciseToTgt *bool      `json:"precise_to_target,omitempty"`
}

// WorkloadResult is one workload in every configuration.
type WorkloadResult struct {
	Workload string         `json:"workload"`
	Configs  []ConfigResult `json:"configs"`
}

// Check is one timed request kind at scale.
type Check struct {
	Name       string  `json:"name"`
	P50        float64 `json:"p50_ms"`
	P99        float64 `json:"p99_ms"`
	Throughput float64 `json:"throughput_per_s,omitempty"`
	Samples    int     `json:"samples,omitempty"`
}

// ScaleResult is the plugin with a registry of a given size.
type ScaleResult struct {
	Guests   int `json:"registered_guests"`
	Registry int `json:"registry_records"`
	// ActivationS is enable → running with the registry in place and no
	// repair due; RebuildActivationS, when measured, is the first
	// activation that had to build the indexes.
	ActivationS           float64 `json:"activation_s"`
	RebuildActivationS    float64 `json:"rebuild_activation_s,omitempty"`
	RSSAfterActivationMiB float64 `json:"plugin_rss_after_activation_mib"`
	PeakRSSActivationMiB  float64 `json:"plugin_peak_rss_until_then_mib"`
	Checks                []Check `json:"checks"`
	ExpiryJobS            float64 `json:"expiry_job_s"`
	ExpiryJob             struct {
		Checked  int `json:"checked"`
		Expired  int `json:"expired"`
		Reminded int `json:"reminded"`
		Errors   int `json:"errors"`
	} `json:"expiry_job"`
	RSSBeforeJobMiB float64 `json:"plugin_rss_before_job_mib"`
	PeakRSSJobMiB   float64 `json:"plugin_peak_rss_during_job_mib"`
	// RSSBeforeListMiB and PeakRSSListMiB frame the admin views (stats and
	// list pages, peak from a reset high-water mark).
	RSSBeforeListMiB float64 `json:"plugin_rss_before_lists_mib"`
	PeakRSSListMiB   float64 `json:"plugin_peak_rss_during_lists_mib"`
	RSSAfterListMiB  float64 `json:"plugin_rss_after_guest_list_mib"`
}

// GoBenchmark is one line of `go test -bench -benchmem`.
type GoBenchmark struct {
	Package  string  `json:"package"`
	Name     string  `json:"name"`
	NsPerOp  float64 `json:"ns_per_op"`
	BPerOp   float64 `json:"bytes_per_op"`
	AllocsOp float64 `json:"allocs_per_op"`
}

// Report is one `make bench` run.
type Report struct {
	Started  time.Time `json:"started"`
	Duration string    `json:"duration"`
	// OverheadS is how long the paired overhead part ran.
	OverheadS float64 `json:"overhead_s"`
	Cycles    int     `json:"cycles"`
	// Precise says whether every Guest Accounts ratio reached the target
	// half-width before the run stopped.
	Precise      bool             `json:"precise"`
	Server       string           `json:"server_version"`
	CPUs         int              `json:"cpus"`
	LoadAvg      [2]float64       `json:"load_average_before_after"`
	Params       Params           `json:"params"`
	Overhead     []WorkloadResult `json:"overhead"`
	Scale        []ScaleResult    `json:"scale"`
	GoBenchmarks []GoBenchmark    `json:"go_benchmarks"`
}

// Read loads a report written by the benchmark.
func Read(path string) (*Report, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Report
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// Summarize fills the ratios of every configuration of w from its blocks:
// block i of each configuration belongs to cycle i.
func (w *WorkloadResult) Summarize(target float64) {
	var disabled, noop *Stats
	for i := range w.Configs {
		c := &w.Configs[i]
		switch {
		case c.Config.Noop:
			noop = &c.Stats
		case !c.Config.Ours:
			disabled = &c.Stats
		}
	}
	for i := range w.Configs {
		c := &w.Configs[i]
		if noop != nil {
			p := PairRatios(c.Stats.BlockThroughputs, noop.BlockThroughputs)
			c.VsNoopPaired = p
			c.VsNoop, c.VsNoopCI = p.GeoMean.Estimate, [2]float64{p.GeoMean.Lo, p.GeoMean.Hi}
			var diffs []float64
			for k := range min(len(c.Stats.BlockP50s), len(noop.BlockP50s)) {
				diffs = append(diffs, c.Stats.BlockP50s[k]-noop.BlockP50s[k])
			}
			d := MeanCI(diffs)
			c.AddedP50Ms, c.AddedP50CI = d.Estimate, [2]float64{d.Lo, d.Hi}
			if cpu := PairRatios(noop.BlockCPUMs, c.Stats.BlockCPUMs); cpu.Pairs > 0 {
				c.CPUVsNoop, c.CPUVsNoopCI = cpu.GeoMean.Estimate, [2]float64{cpu.GeoMean.Lo, cpu.GeoMean.Hi}
			}
		}
		if disabled != nil {
			p := PairRatios(c.Stats.BlockThroughputs, disabled.BlockThroughputs)
			c.VsDisabled, c.VsDisabledCI = p.GeoMean.Estimate, [2]float64{p.GeoMean.Lo, p.GeoMean.Hi}
		}
		if c.Config.Ours {
			floor, aim := c.VsNoop >= FloorVsNoop, c.VsNoop >= AimVsNoop
			precise := c.VsNoopPaired.GeoMean.HalfWidth() <= target
			c.MeetsFloor, c.MeetsAim, c.PreciseToTgt = &floor, &aim, &precise
		}
	}
}

// PreciseEnough reports whether every Guest Accounts ratio to the no-op
// plugin is known within the target half-width.
func PreciseEnough(ws []WorkloadResult) bool {
	for _, w := range ws {
		for _, c := range w.Configs {
			if c.Config.Ours && (c.PreciseToTgt == nil || !*c.PreciseToTgt) {
				return false
			}
		}
	}
	return len(ws) > 0
}

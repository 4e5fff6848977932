package benchreport

import (
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMeanCIMatchesTheStudentT(t *testing.T) {
	// mean 2, sample sd 1, n 4: t(0.975, 3) = 3.182446, se 0.5.
	ci := MeanCI([]float64{1, 2, 2, 3 + 0})
	sd := math.Sqrt(2.0 / 3)
	assert.InDelta(t, 2, ci.Estimate, 1e-12)
	assert.InDelta(t, 2-3.182446*sd/2, ci.Lo, 1e-5)
	assert.InDelta(t, 2+3.182446*sd/2, ci.Hi, 1e-5)
	one := MeanCI([]float64{5})
	assert.Equal(t, Interval{5, 5, 5}, one)
	assert.Equal(t, Interval{}, MeanCI(nil))
}

func TestPairRatiosAreGeometricAndPaired(t *testing.T) {
	// A drifting machine: both configurations slow down together; the
	// plugin is always 10 % slower than the reference in the same pair.
	ref := []float64{100, 200, 400, 800, 50}
	ours := []float64{90, 180, 360, 720, 45}
	p := PairRatios(ours, ref)
	require.Equal(t, 5, p.Pairs)
	assert.InDelta(t, 0.9, p.GeoMean.Estimate, 1e-12)
	assert.InDelta(t, 0.9, p.GeoMean.Lo, 1e-9, "no spread within pairs: the interval is the point")
	assert.InDelta(t, 0.9, p.Median.Estimate, 1e-12)
	assert.Equal(t, [2]float64{0.9, 0.9}, [2]float64{math.Round(p.Range[0]*1e9) / 1e9, math.Round(p.Range[1]*1e9) / 1e9})

	// Pairs with a missing reference are left out.
	p = PairRatios([]float64{1, 2}, []float64{0, 2})
	assert.Equal(t, 1, p.Pairs)
}

func TestIntervalsNarrowWithMorePairs(t *testing.T) {
	noisy := func(n int) []float64 {
		var r []float64
		for i := range n {
			r = append(r, 1+0.1*math.Sin(float64(i)*1.7))
		}
		return r
	}
	ones := func(n int) []float64 {
		r := make([]float64, n)
		for i := range r {
			r[i] = 1
		}
		return r
	}
	few, many := PairRatios(noisy(8), ones(8)), PairRatios(noisy(64), ones(64))
	assert.Greater(t, few.GeoMean.HalfWidth(), many.GeoMean.HalfWidth())
	assert.Less(t, many.GeoMean.Lo, many.GeoMean.Estimate)
	assert.Greater(t, many.Median.Hi, many.Median.Estimate)
	// Repeatable: the bootstrap is seeded.
	assert.Equal(t, MedianCI(noisy(20), 1), MedianCI(noisy(20), 1))
}

func TestSummarizeAndPrecision(t *testing.T) {
	w := WorkloadResult{Workload: "post", Configs: []ConfigResult{
		{Config: Config{Name: "disabled"}, Stats: Stats{BlockThroughputs: []float64{110, 100, 105}, BlockP50s: []float64{10, 10, 10}}},
		{Config: Config{Name: "no-op", Noop: true}, Stats: Stats{BlockThroughputs: []float64{100, 100, 100}, BlockP50s: []float64{11, 11, 11}}},
		{Config: Config{Name: "ours", Ours: true}, Stats: Stats{BlockThroughputs: []float64{96, 97, 98}, BlockP50s: []float64{11.5, 11.4, 11.3}}},
	}}
	w.Summarize(TargetHalfWidth)
	ours := w.Configs[2]
	assert.InDelta(t, 0.97, ours.VsNoop, 0.001)
	assert.True(t, *ours.MeetsFloor)
	assert.False(t, *ours.MeetsAim)
	assert.True(t, *ours.PreciseToTgt, "±%.3f", ours.VsNoopPaired.GeoMean.HalfWidth())
	assert.InDelta(t, 0.4, ours.AddedP50Ms, 1e-9)
	assert.Nil(t, w.Configs[1].MeetsFloor, "only Guest Accounts has a floor")
	assert.True(t, PreciseEnough([]WorkloadResult{w}))

	w.Configs[2].Stats.BlockThroughputs = []float64{80, 100, 120}
	w.Summarize(TargetHalfWidth)
	assert.False(t, *w.Configs[2].PreciseToTgt)
	assert.False(t, PreciseEnough([]WorkloadResult{w}))
}

func TestMarkdownGoesBetweenTheMarkers(t *testing.T) {
	doc := "# Perf\n\nbefore\n<!-- s -->\nold table\n<!-- e -->\nafter\n"
	out, err := ReplaceBetween(doc, "<!-- s -->", "<!-- e -->", "| new |\n")
	require.NoError(t, err)
	assert.Equal(t, "# Perf\n\nbefore\n<!-- s -->\n| new |\n<!-- e -->\nafter\n", out)
	_, err = ReplaceBetween("no markers", "<!-- s -->", "<!-- e -->", "x")
	assert.Error(t, err)

	r := &Report{Params: Params{TargetHalfWidth: 0.03}, Overhead: []WorkloadResult{{Workload: "member post", Configs: []ConfigResult{
		{Config: Config{Name: "no-op plugin", Noop: true}},
		{Config: Config{Name: "Guest Accounts", Ours: true}, VsNoop: 0.981, VsNoopCI: [2]float64{0.97, 0.99}},
	}}}, Scale: []ScaleResult{{Guests: 100000, Checks: []Check{{Name: "stats", P50: 3.2, P99: 9}}}}}
	md := r.Markdown()
	assert.Contains(t, md, "**0.981 [0.970, 0.990]**")
	assert.Contains(t, md, "| stats p50 / p99 ms | 3.2 / 9.0 |")
	assert.Contains(t, md, "100,000 guests")
	// The no-op row is the reference of both ratios: throughput and CPU.
	assert.Equal(t, 2, strings.Count(md, "1 (reference)"))

	r.Overhead[0].Configs[1].CPUVsNoop, r.Overhead[0].Configs[1].CPUVsNoopCI = 0.99, [2]float64{0.98, 1.0}
	r.Overhead[0].Configs[1].Stats.CPUMsPerRequest = &CPUPerRequest{Total: 4.2, Plugins: 0.2}
	assert.Contains(t, r.Markdown(), "| 4.20 (plugins 0.20) | 0.990 [0.980, 1.000] |")
	sum := r.Summary()
	assert.Contains(t, sum, "| member post | 0.981 [0.970, 0.990] | 0.990 [0.980, 1.000] |")
	assert.Contains(t, sum, "At 100,000 guests (p50): stats 3 ms")
	assert.NotContains(t, sum, "no-op plugin |", "the summary lists only Guest Accounts' rows")
}

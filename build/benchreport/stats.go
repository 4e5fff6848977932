// Package benchreport is what `make bench` writes to build/out/bench (the
// JSON report) and the statistics behind its ratios. The benchmark
// (server/bench) fills it; build/benchtable renders the documentation's
// table from the same types, so the two never disagree.
package benchreport

import (
	"math"
	"math/rand/v2"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"
)

// Confidence is the level of every interval in the report.
const Confidence = 0.95

// bootstrapResamples is how many resamples a bootstrap interval draws.
const bootstrapResamples = 10000

// Interval is an estimate with its 95 % confidence interval.
type Interval struct {
	Estimate float64 `json:"estimate"`
	Lo       float64 `json:"lo"`
	Hi       float64 `json:"hi"`
}

// HalfWidth is the larger distance from the estimate to a bound (the
// "±" of the interval; the intervals of ratios are not symmetric).
func (i Interval) HalfWidth() float64 {
	return math.Max(i.Hi-i.Estimate, i.Estimate-i.Lo)
}

// Paired summarises per-pair ratios a[i]/b[i] of two configurations
// measured side by side (pair i: adjacent blocks of the same cycle).
type Paired struct {
	Pairs int `json:"pairs"`
	// GeoMean is the geometric mean of the ratios with a t-based interval
	// on the mean of their logarithms: the primary figure.
	GeoMean Interval `json:"geometric_mean"`
	// Median is the median ratio with a percentile bootstrap interval, a
	// check that a few disturbed pairs do not carry the mean.
	Median Interval   `json:"median"`
	Range  [2]float64 `json:"min_max"`
	Ratios []float64  `json:"ratios"`
}

// PairRatios compares a with b pair by pair; pairs where b is not positive
// are left out.
func PairRatios(a, b []float64) Paired {
	var r []float64
	n := min(len(a), len(b))
	for i, x := range a[:n] {
		if y := b[:n][i]; x > 0 && y > 0 {
			r = append(r, x/y)
		}
	}
	p := Paired{Pairs: len(r), Ratios: r}
	if len(r) == 0 {
		return p
	}
	logs := make([]float64, len(r))
	for i, x := range r {
		logs[i] = math.Log(x)
	}
	m := MeanCI(logs)
	p.GeoMean = Interval{Estimate: math.Exp(m.Estimate), Lo: math.Exp(m.Lo), Hi: math.Exp(m.Hi)}
	p.Median = MedianCI(r, 1)
	s := append([]float64(nil), r...)
	sort.Float64s(s)
	p.Range = [2]float64{s[0], s[len(s)-1]}
	return p
}

// MeanCI is the mean of x with a Student-t interval (one value: no
// spread, the interval is the point).
func MeanCI(x []float64) Interval {
	n := float64(len(x))
	if len(x) == 0 {
		return Interval{}
	}
	mean := 0.0
	for _, v := range x {
		mean += v
	}
	mean /= n
	if len(x) < 2 {
		return Interval{Estimate: mean, Lo: mean, Hi: mean}
	}
	ss := 0.0
	for _, v := range x {
		ss += (v - mean) * (v - mean)
	}
	se := math.Sqrt(ss/(n-1)) / math.Sqrt(n)
	q := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: n - 1}.Quantile(1 - (1-Confidence)/2)
	return Interval{Estimate: mean, Lo: mean - q*se, Hi: mean + q*se}
}

// MedianCI is the median of x with a percentile bootstrap interval; seed
// makes it repeatable.
func MedianCI(x []float64, seed uint64) Interval {
	if len(x) == 0 {
		return Interval{}
	}
	est := median(append([]float64(nil), x...))
	rng := rand.New(rand.NewPCG(seed, uint64(len(x))))
	meds := make([]float64, bootstrapResamples)
	buf := make([]float64, len(x))
	for b := range meds {
		for i := range buf {
			buf[i] = x[rng.IntN(len(x))]
		}
		meds[b] = median(buf)
	}
	sort.Float64s(meds)
	alpha := (1 - Confidence) / 2
	return Interval{Estimate: est, Lo: quantile(meds, alpha), Hi: quantile(meds, 1-alpha)}
}

// median sorts x in place.
func median(x []float64) float64 {
	sort.Float64s(x)
	n := len(x)
	if n%2 == 1 {
		return x[n/2]
	}
	return (x[n/2-1] + x[n/2]) / 2
}

// quantile of sorted s, linear between ranks.
func quantile(s []float64, p float64) float64 {
	if len(s) == 1 {
		return s[0]
	}
	pos := p * float64(len(s)-1)
	i := int(pos)
	if i >= len(s)-1 {
		return s[len(s)-1]
	}
	return s[i] + (pos-float64(i))*(s[i+1]-s[i])
}

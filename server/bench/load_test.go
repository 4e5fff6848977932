package bench

import (
	"context"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/build/benchreport"
)

// transport keeps connections to the loopback server open: the default
// keeps two idle connections per host, so eight workers would reconnect.
var transport = &http.Transport{MaxIdleConns: 128, MaxIdleConnsPerHost: 64, IdleConnTimeout: time.Minute}

// client returns a REST client for a personal access token that reuses
// connections.
func client(url, token string) *model.Client4 {
	c := model.NewAPIv4Client(url)
	c.HTTPClient = &http.Client{Transport: transport, Timeout: time.Minute}
	c.SetToken(token)
	return c
}

// op is one timed request by worker w (its i-th); untimed is work done
// after it in the same turn (a leave after a join), not part of the
// latency but part of the wall time.
type op func(ctx context.Context, w, i int) (untimed func() error, err error)

// sample is one measured run of a workload.
type sample struct {
	Requests  int             `json:"requests"`
	Wall      time.Duration   `json:"wall_ns"`
	Latencies []time.Duration `json:"-"`
	CPU       cpuShares       `json:"cpu_s"` // processor time of the measured requests
}

// runLoad makes total requests with `workers` concurrent workers (each
// its own user), total/workers each, and measures each request.
func runLoad(ctx context.Context, workers, total int, do op) (sample, error) {
	per := total / workers
	lat := make([][]time.Duration, workers)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat[w] = make([]time.Duration, 0, per)
			for i := range per {
				t0 := time.Now()
				after, err := do(ctx, w, i)
				lat[w] = append(lat[w], time.Since(t0))
				if err == nil && after != nil {
					err = after()
				}
				if err != nil {
					errs <- errors.Wrapf(err, "worker %d, request %d", w, i)
					return
				}
			}
		}()
	}
	wg.Wait()
	wall := time.Since(start)
	close(errs)
	if err := <-errs; err != nil {
		return sample{}, err
	}
	s := sample{Requests: per * workers, Wall: wall}
	for _, l := range lat {
		s.Latencies = append(s.Latencies, l...)
	}
	return s, nil
}

// summarize pools samples of one workload in one configuration; each
// sample is one block.
func summarize(samples []sample) benchreport.Stats {
	var st benchreport.Stats
	var wall time.Duration
	var all []time.Duration
	var cpu cpuShares
	for _, s := range samples {
		cpu.Server += s.CPU.Server
		cpu.Plugins += s.CPU.Plugins
		cpu.Database += s.CPU.Database
		st.Requests += s.Requests
		wall += s.Wall
		all = append(all, s.Latencies...)
		st.BlockThroughputs = append(st.BlockThroughputs, float64(s.Requests)/s.Wall.Seconds())
		st.BlockP50s = append(st.BlockP50s, percentile(s.Latencies, 0.50))
		if s.Requests > 0 {
			st.BlockCPUMs = append(st.BlockCPUMs, (s.CPU.Server+s.CPU.Plugins+s.CPU.Database)*1000/float64(s.Requests))
		}
	}
	if wall > 0 {
		st.Throughput = float64(st.Requests) / wall.Seconds()
	}
	st.P50, st.P95, st.P99 = percentile(all, 0.50), percentile(all, 0.95), percentile(all, 0.99)
	if st.Requests > 0 {
		per := func(s float64) float64 { return s * 1000 / float64(st.Requests) }
		st.CPUMsPerRequest = &benchreport.CPUPerRequest{
			Server: per(cpu.Server), Plugins: per(cpu.Plugins), Database: per(cpu.Database),
			Total: per(cpu.Server + cpu.Plugins + cpu.Database),
		}
	}
	return st
}

// percentile is the nearest-rank percentile, in milliseconds.
func percentile(d []time.Duration, p float64) float64 {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	k := int(p*float64(len(s))+0.999999) - 1
	k = max(0, min(k, len(s)-1))
	return float64(s[k].Microseconds()) / 1000
}

// timeEach runs fn n times one after another and returns the latencies'
// p50 and p99 (ms).
func timeEach(n int, fn func(i int) error) (p50, p99 float64, err error) {
	var lat []time.Duration
	for i := range n {
		t0 := time.Now()
		if err := fn(i); err != nil {
			return 0, 0, err
		}
		lat = append(lat, time.Since(t0))
	}
	return percentile(lat, 0.5), percentile(lat, 0.99), nil
}

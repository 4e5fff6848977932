package bench

import (
	"bufio"
	"os"
	"strconv"
	"strings"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/build/benchreport"
)

// readGoBenchmarks parses `go test -bench -benchmem` output (the Go
// benchmarks `make bench` ran first).
func readGoBenchmarks(path string) []benchreport.GoBenchmark {
	if path == "" {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []benchreport.GoBenchmark
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
		g := benchreport.GoBenchmark{Package: pkg, Name: strings.TrimPrefix(fields[0], "Benchmark")}
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

// loadAverage is the 1-minute load average (0 when unreadable): the report
// says how idle the machine was.
func loadAverage() float64 {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(raw))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}

package bench

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// clockTicksPerSecond is USER_HZ, the unit of utime and stime in
// /proc/<pid>/stat: 100 on every Linux architecture Go runs the server on.
const clockTicksPerSecond = 100

// cpuShares is the processor time (seconds) the parts of the stack used:
// the Mattermost server process, the plugin processes it started, and the
// PostgreSQL processes.
type cpuShares struct {
	Server, Plugins, Database float64
}

func (c cpuShares) minus(o cpuShares) cpuShares {
	return cpuShares{Server: c.Server - o.Server, Plugins: c.Plugins - o.Plugins, Database: c.Database - o.Database}
}

// readCPU sums utime+stime of the server process (serverBin), its children
// (plugins) and every postgres process. Throughput on two shared cores
// swings by tens of percent between blocks; processor time per request
// does not, so it shows where a difference comes from. Processes that
// exit during a block lose their time: configurations change only
// between blocks.
func readCPU(serverBin string) cpuShares {
	type proc struct {
		ppid  int
		ticks float64
		cmd   string
	}
	procs := map[int]proc{}
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		pid, err := strconv.Atoi(filepath.Base(d))
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join(d, "stat")) //nolint:gosec // G304: /proc
		if err != nil {
			continue
		}
		// Fields after the command name (in parentheses, may hold spaces):
		// state ppid ... utime(14) stime(15), counted from the name's end.
		end := bytes.LastIndexByte(stat, ')')
		if end < 0 {
			continue
		}
		f := strings.Fields(string(stat[end+1:]))
		if len(f) < 13 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		ut, _ := strconv.ParseFloat(f[11], 64)
		st, _ := strconv.ParseFloat(f[12], 64)
		cmd, _ := os.ReadFile(filepath.Join(d, "cmdline")) //nolint:gosec // G304: /proc
		procs[pid] = proc{ppid: ppid, ticks: ut + st, cmd: string(bytes.ReplaceAll(cmd, []byte{0}, []byte{' '}))}
	}
	var out cpuShares
	servers := map[int]bool{}
	for pid, p := range procs {
		if strings.HasPrefix(p.cmd, serverBin+" ") {
			servers[pid] = true
			out.Server += p.ticks / clockTicksPerSecond
		}
	}
	for _, p := range procs {
		switch {
		case servers[p.ppid]:
			out.Plugins += p.ticks / clockTicksPerSecond
		case strings.HasPrefix(p.cmd, "postgres"):
			out.Database += p.ticks / clockTicksPerSecond
		}
	}
	return out
}

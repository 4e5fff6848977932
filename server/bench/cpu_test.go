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

// cpuSnapshot is each process's class and processor time (seconds) at one
// moment.
type cpuSnapshot map[int]cpuProc

type cpuProc struct {
	class   int // classServer, classPlugin, classDatabase
	seconds float64
}

const (
	classServer = iota
	classPlugin
	classDatabase
)

// minus is the time spent between o and c, process by process: a process
// that exited in between (a database connection closed by the pool) drops
// out instead of taking its whole history with it; one that started
// counts from zero.
func (c cpuSnapshot) minus(o cpuSnapshot) cpuShares {
	var out cpuShares
	for pid, p := range c {
		d := p.seconds
		if before, ok := o[pid]; ok && before.class == p.class && before.seconds <= p.seconds {
			d -= before.seconds
		}
		switch p.class {
		case classServer:
			out.Server += d
		case classPlugin:
			out.Plugins += d
		case classDatabase:
			out.Database += d
		}
	}
	return out
}

// readCPU reads utime+stime of the server process (serverBin), its children
// (plugins) and every postgres process. Throughput on two shared cores
// swings by tens of percent between blocks; processor time per request
// shows where a difference comes from.
func readCPU(serverBin string) cpuSnapshot {
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
	out := cpuSnapshot{}
	servers := map[int]bool{}
	for pid, p := range procs {
		if strings.HasPrefix(p.cmd, serverBin+" ") {
			servers[pid] = true
			out[pid] = cpuProc{class: classServer, seconds: p.ticks / clockTicksPerSecond}
		}
	}
	for pid, p := range procs {
		switch {
		case servers[p.ppid]:
			out[pid] = cpuProc{class: classPlugin, seconds: p.ticks / clockTicksPerSecond}
		case strings.HasPrefix(p.cmd, "postgres"):
			out[pid] = cpuProc{class: classDatabase, seconds: p.ticks / clockTicksPerSecond}
		}
	}
	return out
}

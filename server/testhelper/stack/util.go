package stack

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/pkg/errors"
)

// FreePort asks the kernel for a free loopback TCP port.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, errors.Wrap(err, "finding a free port")
	}
	defer l.Close()
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return 0, errors.Errorf("a TCP listener has the address %v", l.Addr())
	}
	return addr.Port, nil
}

func waitTCP(ctx context.Context, addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return errors.Wrapf(err, "nothing listens on %s after %s", addr, timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// waitHTTP polls url until it answers 200.
func waitHTTP(ctx context.Context, url string, timeout time.Duration, alive func() error) error {
	deadline := time.Now().Add(timeout)
	client := &http.Client{Timeout: 2 * time.Second}
	var last error
	for {
		if alive != nil {
			if err := alive(); err != nil {
				return err
			}
		}
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = errors.Errorf("status %d", resp.StatusCode)
		} else {
			last = err
		}
		if time.Now().After(deadline) {
			return errors.Wrapf(last, "%s did not answer 200 within %s", url, timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(150 * time.Millisecond):
		}
	}
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// procAttr gives children of an attached stack a parent-death signal, so a
// crashed test binary leaves no server behind; a detached stack (make run)
// gets its own session instead.
func (s *Stack) procAttr() *syscall.SysProcAttr {
	if s.Detached {
		return &syscall.SysProcAttr{Setsid: true}
	}
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

func (s *Stack) writePid(name string, pid int) {
	_ = os.WriteFile(filepath.Join(s.Dir, name+".pid"), []byte(strconv.Itoa(pid)), 0o600)
}

// StopDetached stops the processes of a detached stack in dir from their pid
// files: Mattermost first, then PostgreSQL, then anything else.
func StopDetached(dir string) error {
	var firstErr error
	for _, name := range []string{"mattermost", "smtpsink", "postgres"} {
		if err := stopPidFile(filepath.Join(dir, name+".pid"), 30*time.Second); err != nil && firstErr == nil {
			firstErr = errors.Wrapf(err, "stopping %s", name)
		}
	}
	return firstErr
}

func stopPidFile(path string, timeout time.Duration) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		return err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil {
		return errors.Wrapf(err, "bad pid file %s", path)
	}
	defer os.Remove(path)
	return stopPid(pid, timeout)
}

// stopPid sends SIGTERM (SIGINT for a fast PostgreSQL shutdown would also do;
// SIGTERM is "smart" for postgres but Mattermost has closed its connections
// by then), then SIGKILL after timeout.
func stopPid(pid int, timeout time.Duration) error {
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		if errors.Is(err, syscall.ESRCH) {
			return nil
		}
		return err
	}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return syscall.Kill(pid, syscall.SIGKILL)
}

package stack

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestStartStop proves the stack comes up on loopback, answers the ping, and
// leaves no process behind when stopped (server before PostgreSQL).
func TestStartStop(t *testing.T) {
	if os.Getenv("GA_MATTERMOST_DIR") == "" {
		t.Fatal("GA_MATTERMOST_DIR is not set: run `make test-integration` (it builds the pinned Mattermost server and sets it)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	s, err := Start(ctx, Options{Dir: t.TempDir()})
	require.NoError(t, err)
	t.Logf("stack ready in %s at %s", time.Since(start), s.URL)
	mmPid, pgPid := s.mattermost.Process.Pid, s.postgres.Process.Pid

	resp, err := http.Get(s.URL + "/api/v4/system/ping")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.FileExists(t, filepath.Join(s.Dir, "mattermost.pid"))

	require.NoError(t, s.Stop())
	require.NoError(t, s.Stop(), "a second Stop is a no-op")
	for _, pid := range []int{mmPid, pgPid} {
		require.ErrorIs(t, syscall.Kill(pid, 0), syscall.ESRCH, "process %d still running after Stop", pid)
	}
	_, err = http.Get(s.URL + "/api/v4/system/ping")
	require.Error(t, err, "the server still answers after Stop")
}

package browsertest

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

// pageResult is what e2e/signup.mjs reports.
type pageResult struct {
	Status     int               `json:"status"`
	Title      string            `json:"title"`
	URL        string            `json:"url"`
	Problem    string            `json:"problem"`
	StatusText string            `json:"statusText"`
	Cookies    map[string]string `json:"cookies"`
	// Visibility of the two forms right after the page loaded.
	ExistingFormVisible bool `json:"existingFormVisible"`
	NewFormVisible      bool `json:"newFormVisible"`
}

// repoRoot is the repository root, from this file's place.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// screenshotDir is build/out/screenshots, created on demand.
func screenshotDir(t *testing.T) string {
	dir := filepath.Join(repoRoot(), "build", "out", "screenshots")
	require.NoError(t, os.MkdirAll(dir, 0o750))
	return dir
}

// runSignup runs the browser driver; a missing Node, driver or browser
// fails the test with what to install.
func runSignup(t *testing.T, args ...string) pageResult {
	t.Helper()
	script := filepath.Join(repoRoot(), "e2e", "signup.mjs")
	_, err := os.Stat(filepath.Join(repoRoot(), "e2e", "node_modules", "playwright-core"))
	require.NoError(t, err, "playwright-core is not installed: run `make test-browser` (it runs npm ci in e2e/)")
	node, err := exec.LookPath("node")
	require.NoError(t, err, "Node.js is needed for the browser tests")
	cmd := exec.Command(node, append([]string{script}, args...)...)
	cmd.Dir = filepath.Join(repoRoot(), "e2e")
	out, err := cmd.Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		t.Fatalf("the browser driver failed: %v\n%s", err, ee.Stderr)
	}
	require.NoError(t, err)
	var res pageResult
	require.NoError(t, json.Unmarshal(out, &res), "driver output: %s", out)
	return res
}

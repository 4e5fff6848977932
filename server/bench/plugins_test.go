package bench

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/build/pluginctl"
)

const noopID = "guest-accounts-noop"

// repoRoot is the module root (the benchmark runs in server/bench).
func repoRoot() (string, error) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		return "", errors.New("run the benchmark from server/bench (go test ./server/bench/)")
	}
	return root, nil
}

// buildNoopBundle builds the no-op reference plugin (build/noopplugin) for
// this machine and packs it as a plugin bundle in dir.
func buildNoopBundle(ctx context.Context, dir string) (string, error) {
	root, err := repoRoot()
	if err != nil {
		return "", err
	}
	exe := "server/dist/plugin-" + runtime.GOOS + "-" + runtime.GOARCH
	bin := filepath.Join(dir, "noop-plugin")
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", bin, "./build/noopplugin")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", errors.Wrapf(err, "building the no-op plugin: %s", out)
	}
	raw, err := os.ReadFile(filepath.Join(root, "build", "noopplugin", "plugin.json"))
	if err != nil {
		return "", err
	}
	var manifest map[string]any
	if err := json.Unmarshal(raw, &manifest); err != nil {
		return "", errors.Wrap(err, "reading build/noopplugin/plugin.json")
	}
	manifest["server"] = map[string]any{"executables": map[string]string{runtime.GOOS + "-" + runtime.GOARCH: exe}}
	manifestJSON, err := json.MarshalIndent(manifest, "", "  ")
	if err != nil {
		return "", err
	}
	binary, err := os.ReadFile(bin)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, f := range []struct {
		name string
		mode int64
		data []byte
	}{
		{noopID + "/plugin.json", 0o644, manifestJSON},
		{noopID + "/" + exe, 0o755, binary},
	} {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: f.mode, Size: int64(len(f.data)), Typeflag: tar.TypeReg}); err != nil {
			return "", err
		}
		if _, err := tw.Write(f.data); err != nil {
			return "", err
		}
	}
	if err := tw.Close(); err != nil {
		return "", err
	}
	if err := gz.Close(); err != nil {
		return "", err
	}
	path := filepath.Join(dir, noopID+".tar.gz")
	return path, os.WriteFile(path, buf.Bytes(), 0o600)
}

// setPlugin enables or disables an installed plugin and waits for it.
func setPlugin(ctx context.Context, admin *model.Client4, id string, on bool) error {
	if on {
		if _, err := admin.EnablePlugin(ctx, id); err != nil {
			return errors.Wrapf(err, "enabling %s", id)
		}
		return pluginctl.WaitForPlugin(ctx, admin, id, model.PluginStateRunning)
	}
	if _, err := admin.DisablePlugin(ctx, id); err != nil {
		return errors.Wrapf(err, "disabling %s", id)
	}
	return pluginctl.WaitForPlugin(ctx, admin, id, model.PluginStateNotRunning)
}

// pluginPID finds the process of a plugin of this stack: its executable
// lies under the stack's plugin folder (other stacks on the machine have
// their own folders).
func pluginPID(stackDir, pluginID string) (int, error) {
	want := filepath.Join(stackDir, "plugins", pluginID) + string(filepath.Separator)
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	for _, e := range entries {
		pid := 0
		if _, err := fmt.Sscan(e.Name(), &pid); err != nil || pid <= 0 {
			continue
		}
		exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe"))
		if err != nil {
			continue
		}
		if strings.HasPrefix(exe, want) || strings.HasPrefix(exe, resolved(want)) {
			return pid, nil
		}
	}
	return 0, errors.Errorf("no process runs a plugin from %s", want)
}

// resolved follows symlinks in dir (the temp folder may be one).
func resolved(dir string) string {
	if r, err := filepath.EvalSymlinks(strings.TrimSuffix(dir, string(filepath.Separator))); err == nil {
		return r + string(filepath.Separator)
	}
	return dir
}

// memory reads VmRSS and VmHWM (peak RSS) of a process, in MiB.
func memory(pid int) (rss, hwm float64, err error) {
	raw, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(raw), "\n") {
		var kb float64
		switch {
		case strings.HasPrefix(line, "VmRSS:"):
			_, _ = fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(line, "VmRSS:"), "kB")), &kb)
			rss = kb / 1024
		case strings.HasPrefix(line, "VmHWM:"):
			_, _ = fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(line, "VmHWM:"), "kB")), &kb)
			hwm = kb / 1024
		}
	}
	return rss, hwm, nil
}

// resetPeak resets a process's VmHWM to its current RSS (Linux
// clear_refs 5), so the next reading is the peak of what follows.
func resetPeak(pid int) error {
	return os.WriteFile(filepath.Join("/proc", strconv.Itoa(pid), "clear_refs"), []byte("5"), 0o200)
}

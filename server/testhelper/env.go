// Package testhelper is the real-server integration harness: it starts
// PostgreSQL, Mattermost and an SMTP sink once per test binary, installs
// the freshly built plugin bundle, and gives each test fresh data.
//
// Use it from TestMain:
//
//	func TestMain(m *testing.M) { testhelper.Main(m) }
package testhelper

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/build/pluginctl"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper/smtpsink"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper/stack"
)

// PluginID is the plugin under test.
const PluginID = "guest-accounts"

// AdminPassword is the password of the first (system admin) user.
const AdminPassword = "Admin-Passw0rd!"

// Env is the stack shared by all tests of one test binary.
type Env struct {
	Stack       *stack.Stack
	SMTP        *smtpsink.Sink
	URL         string
	Admin       *model.User
	AdminClient *model.Client4
	BundlePath  string
}

var env *Env

// Main starts the stack, runs the tests and stops the stack. A stack that
// cannot start fails the run with the reason; it never skips.
func Main(m *testing.M) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testhelper:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func run(m *testing.M) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	bundle, err := findBundle()
	if err != nil {
		return 0, err
	}
	sink, err := smtpsink.Start()
	if err != nil {
		return 0, errors.Wrap(err, "starting the SMTP sink")
	}
	defer sink.Close()
	dir, err := os.MkdirTemp("", "guest-accounts-it-")
	if err != nil {
		return 0, err
	}
	keep := os.Getenv("GA_KEEP_STACK_DIR") != ""
	if !keep {
		defer os.RemoveAll(dir)
	}
	st, err := stack.Start(ctx, stack.Options{
		Dir: dir, SMTPHost: sink.Host(), SMTPPort: sink.Port(),
		// The plugin's clock can be moved by the tests (expiry without sleeping).
		Env: []string{"GUEST_ACCOUNTS_TEST_CLOCK=1"},
	})
	if err != nil {
		return 0, err
	}
	defer func() {
		if err := st.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "testhelper: stopping the stack:", err)
		}
	}()
	// Extra nodes (SecondNode) stop before the database they use.
	defer stopNodes()
	env = &Env{Stack: st, SMTP: sink, URL: st.URL, BundlePath: bundle}
	if err := env.bootstrap(ctx); err != nil {
		return 0, errors.Wrapf(err, "setting up the server (logs in %s; set GA_KEEP_STACK_DIR=1 to keep them)", dir)
	}
	code := m.Run()
	if code != 0 {
		fmt.Fprintf(os.Stderr, "testhelper: server logs were in %s (set GA_KEEP_STACK_DIR=1 to keep them)\n", dir)
	}
	return code, nil
}

// findBundle locates the plugin bundle `make dist-test` (or `make dist`)
// built: GA_BUNDLE, else the newest dist/test/*.tar.gz or dist/*.tar.gz
// above the working directory.
func findBundle() (string, error) {
	if b := os.Getenv("GA_BUNDLE"); b != "" {
		if _, err := os.Stat(b); err != nil {
			return "", errors.Errorf("GA_BUNDLE=%s does not exist: run `make dist-test`", b)
		}
		return b, nil
	}
	dir, _ := os.Getwd()
	for {
		matches, _ := filepath.Glob(filepath.Join(dir, "dist", PluginID+"-*.tar.gz"))
		tests, _ := filepath.Glob(filepath.Join(dir, "dist", "test", PluginID+"-*.tar.gz"))
		matches = append(matches, tests...)
		if len(matches) > 0 {
			sort.Slice(matches, func(i, j int) bool { return modTime(matches[i]).After(modTime(matches[j])) })
			return matches[0], nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no plugin bundle: run the integration tests with `make test-integration` (it builds the bundle first), build one with `make dist-test`, or set GA_BUNDLE")
		}
		dir = parent
	}
}

func modTime(path string) time.Time {
	fi, err := os.Stat(path)
	if err != nil {
		return time.Time{}
	}
	return fi.ModTime()
}

// bootstrap creates the admin (the first user of a server becomes system
// admin), installs and enables the bundle and waits until it runs.
func (e *Env) bootstrap(ctx context.Context) error {
	admin, err := pluginctl.EnsureAdmin(ctx, e.URL, "sysadmin", "sysadmin@guest-accounts.test", AdminPassword)
	if err != nil {
		return err
	}
	e.AdminClient = admin
	me, _, err := admin.GetMe(ctx, "")
	if err != nil {
		return errors.Wrap(err, "reading the admin user")
	}
	e.Admin = me
	return pluginctl.InstallPlugin(ctx, admin, e.BundlePath, PluginID)
}

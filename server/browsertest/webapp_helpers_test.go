package browsertest

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// standinFolder is where the stand-in client lives in the server's client
// folder; the server serves <run dir>/client/ at /static/, so the page is
// same-origin with the API (session cookie and CSRF work as in the client).
// The page is not called index.html: Go's file server redirects that name
// to the folder, and the server answers 404 for folders. The plugin's own
// bundle is not copied: the stand-in loads what the server has installed,
// from /static/plugins/, as the web client does.
const standinFolder = "ga-standin"

// installStandin copies the built stand-in client (webapp/dist/standin) into
// the running server's client folder and returns the page's URL path.
func installStandin(t *testing.T, env *testhelper.Env) string {
	t.Helper()
	from := filepath.Join(repoRoot(), "webapp", "dist", "standin")
	dir := filepath.Join(env.Stack.Dir, "client", standinFolder)
	require.NoError(t, os.MkdirAll(dir, 0o750))
	for _, name := range []string{"standin.html", "host.js", "standin.css"} {
		data, err := os.ReadFile(filepath.Join(from, name))
		require.NoError(t, err, "the stand-in client is not built: run `make test-browser` (it builds the webapp first)")
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o600))
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return "/static/" + standinFolder + "/standin.html"
}

// webappResult is what e2e/webapp.mjs reports.
type webappResult struct {
	Failed          string            `json:"failed"`
	PageStatus      int               `json:"pageStatus"`
	Plugins         []string          `json:"plugins"`
	Cookies         []string          `json:"cookies"`
	ChannelName     string            `json:"channelName"`
	Screenshots     map[string]string `json:"screenshots"`
	ConsoleErrors   []string          `json:"consoleErrors"`
	PageErrors      []string          `json:"pageErrors"`
	HTTPErrors      []string          `json:"httpErrors"`
	PluginRequests  []string          `json:"pluginRequests"`
	ChannelSearches []string          `json:"channelSearches"`
	UserSearches    []string          `json:"userSearches"`
	Crashes         []string          `json:"crashes"`
	StandinErrors   []string          `json:"standinErrors"`
	RegistryCalls   []string          `json:"registryCalls"`
	MainMenuItems   []string          `json:"mainMenuItems"`
	ModalTitle      string            `json:"modalTitle"`
	ChannelChips    []string          `json:"channelChips"`
	// The picker's list before typing, and after the server's search for
	// the channel's name.
	ChannelOptionsBefore int `json:"channelOptionsBefore"`
	ChannelOptionsShown  int `json:"channelOptionsShown"`
	Invite               struct {
		Summary string `json:"summary"`
		Rows    []struct {
			Email  string `json:"email"`
			Status string `json:"status"`
			OK     bool   `json:"ok"`
		} `json:"rows"`
	} `json:"invite"`
	Badge struct {
		Text        string `json:"text"`
		Title       string `json:"title"`
		AdminBadges int    `json:"adminBadges"`
	} `json:"badge"`
	Indicator struct {
		Label         string `json:"label"`
		Count         string `json:"count"`
		HeaderButtons int    `json:"headerButtons"`
		Dialog        string `json:"dialog"`
	} `json:"indicator"`
	Dashboard struct {
		Title          string     `json:"title"`
		Rows           [][]string `json:"rows"`
		PendingInvites []string   `json:"pendingInvites"`
		Sections       []string   `json:"sections"`
	} `json:"dashboard"`
	GuestDetails struct {
		MFABefore      string `json:"mfaBefore"`
		PatchStatus    int    `json:"patchStatus"`
		MFAAfter       string `json:"mfaAfter"`
		MFAStatusAfter string `json:"mfaStatusAfter"`
	} `json:"guestDetails"`
	Rules struct {
		Config  string `json:"config"`
		Summary string `json:"summary"`
	} `json:"rules"`
	Create struct {
		Done          string   `json:"done"`
		Refused       string   `json:"refused"`
		ConsoleErrors []string `json:"consoleErrors"`
	} `json:"create"`
	Demote struct {
		Candidates []string `json:"candidates"`
		Done       string   `json:"done"`
	} `json:"demote"`
	German struct {
		Sections    []string `json:"sections"`
		Indicator   string   `json:"indicator"`
		Badge       string   `json:"badge"`
		Menu        []string `json:"menu"`
		ModalTitle  string   `json:"modalTitle"`
		ModalLabels []string `json:"modalLabels"`
	} `json:"german"`
}

// runWebapp runs e2e/webapp.mjs; a failed step fails the test with the
// driver's report and error output (a screenshot of the page at the failure
// is in the screenshot folder).
func runWebapp(t *testing.T, args ...string) (webappResult, []byte) {
	t.Helper()
	_, err := os.Stat(filepath.Join(repoRoot(), "e2e", "node_modules", "playwright-core"))
	require.NoError(t, err, "playwright-core is not installed: run `make test-browser` (it runs npm ci in e2e/)")
	node, err := exec.LookPath("node")
	require.NoError(t, err, "Node.js is needed for the browser tests")
	cmd := exec.Command(node, append([]string{filepath.Join(repoRoot(), "e2e", "webapp.mjs")}, args...)...)
	cmd.Dir = filepath.Join(repoRoot(), "e2e")
	out, err := cmd.Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		t.Fatalf("the webapp driver failed: %v\nreport: %s\n%s", err, out, ee.Stderr)
	}
	require.NoError(t, err)
	var res webappResult
	require.NoError(t, json.Unmarshal(out, &res), "driver output: %s", out)
	return res, out
}

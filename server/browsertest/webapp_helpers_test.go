package browsertest

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// harnessFolder is where the harness lives in the server's client folder;
// the server serves <run dir>/client/ at /static/, so the page is
// same-origin with the API (session cookie and CSRF work as in the client).
// The page is not called index.html: Go's file server redirects that name
// to the folder, and the server answers 404 for folders.
const harnessFolder = "ga-harness"

// installHarness copies the harness page, React/ReactDOM (UMD builds from
// webapp/node_modules) and the freshly built webapp bundle into the running
// server's client folder and returns the page's URL path.
func installHarness(t *testing.T, env *testhelper.Env) string {
	t.Helper()
	root := repoRoot()
	files := map[string]string{
		"harness.html":                filepath.Join(root, "e2e", "harness", "harness.html"),
		"harness.js":                  filepath.Join(root, "e2e", "harness", "harness.js"),
		"react.production.min.js":     filepath.Join(root, "webapp", "node_modules", "react", "umd", "react.production.min.js"),
		"react-dom.production.min.js": filepath.Join(root, "webapp", "node_modules", "react-dom", "umd", "react-dom.production.min.js"),
		"main.js":                     filepath.Join(root, "webapp", "dist", "main.js"),
	}
	dir := filepath.Join(env.Stack.Dir, "client", harnessFolder)
	require.NoError(t, os.MkdirAll(dir, 0o755))
	for name, src := range files {
		data, err := os.ReadFile(src)
		switch {
		case err != nil && name == "main.js":
			t.Fatalf("no webapp bundle at %s: run `make test-browser` (it builds the webapp first): %v", src, err)
		case err != nil && filepath.Ext(name) == ".js" && name != "harness.js":
			t.Fatalf("React's UMD build is missing (%s): run `make webapp-deps`: %v", src, err)
		}
		require.NoError(t, err, "reading %s", src)
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return "/static/" + harnessFolder + "/harness.html"
}

// webappResult is what e2e/webapp.mjs reports.
type webappResult struct {
	Failed         string            `json:"failed"`
	HarnessStatus  int               `json:"harnessStatus"`
	PluginID       string            `json:"pluginId"`
	Cookies        []string          `json:"cookies"`
	Screenshots    map[string]string `json:"screenshots"`
	ConsoleErrors  []string          `json:"consoleErrors"`
	PageErrors     []string          `json:"pageErrors"`
	HTTPErrors     []string          `json:"httpErrors"`
	PluginRequests []string          `json:"pluginRequests"`
	ErrorBounds    []string          `json:"errorBoundaries"`
	MainMenuItems  []string          `json:"mainMenuItems"`
	Translation    string            `json:"translationSample"`
	Login          struct {
		Status     int    `json:"status"`
		UserID     string `json:"userId"`
		CSRFCookie bool   `json:"csrfCookie"`
	} `json:"login"`
	ModalTitle   string   `json:"modalTitle"`
	EmailChips   []string `json:"emailChips"`
	ChannelChips []string `json:"channelChips"`
	// The picker's list before typing, and after the server's search for
	// the channel's name; the searches as "status term".
	ChannelOptionsBefore int      `json:"channelOptionsBefore"`
	ChannelOptionsShown  int      `json:"channelOptionsShown"`
	ChannelSearches      []string `json:"channelSearches"`
	Invite               struct {
		Summary string `json:"summary"`
		Rows    []struct {
			Email   string `json:"email"`
			Status  string `json:"status"`
			Message string `json:"message"`
			OK      bool   `json:"ok"`
		} `json:"rows"`
	} `json:"invite"`
	Badge struct {
		GuestRoles     string `json:"guestRoles"`
		Text           string `json:"text"`
		Title          string `json:"title"`
		MemberBadges   int    `json:"memberBadges"`
		LookupRequests int    `json:"lookupRequests"`
	} `json:"badge"`
	Indicator struct {
		Label         string `json:"label"`
		Count         string `json:"count"`
		HeaderButtons int    `json:"headerButtons"`
		Dialog        string `json:"dialog"`
	} `json:"indicator"`
	DashboardSearched bool `json:"dashboardSearched"`
	Dashboard         struct {
		Title          string     `json:"title"`
		Rows           [][]string `json:"rows"`
		PendingInvites []string   `json:"pendingInvites"`
		Sections       []string   `json:"sections"`
		Stats          string     `json:"stats"`
		MFAWarning     string     `json:"mfaWarning"`
	} `json:"dashboard"`
	GuestDetails struct {
		MFABefore        string   `json:"mfaBefore"`
		MFADefaultOption string   `json:"mfaDefaultOption"`
		MFAStatusBefore  string   `json:"mfaStatusBefore"`
		SingleChannel    bool     `json:"singleChannel"`
		PatchStatus      int      `json:"patchStatus"`
		MFAAfter         string   `json:"mfaAfter"`
		MFAStatusAfter   string   `json:"mfaStatusAfter"`
		Alerts           []string `json:"alerts"`
	} `json:"guestDetails"`
	Rules struct {
		Config          string     `json:"config"`
		Candidates      [][]string `json:"candidates"`
		Checked         int        `json:"checked"`
		KeepChannels    bool       `json:"keepChannels"`
		ApplyLabel      string     `json:"applyLabel"`
		Summary         string     `json:"summary"`
		CandidatesAfter [][]string `json:"candidatesAfter"`
		Alerts          []string   `json:"alerts"`
		Results         []struct {
			Who    string `json:"who"`
			Status string `json:"status"`
			OK     bool   `json:"ok"`
		} `json:"results"`
	} `json:"rules"`
	RegistryCalls []struct {
		Method  string   `json:"method"`
		Args    []string `json:"args"`
		Unknown bool     `json:"unknown"`
	} `json:"registryCalls"`
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
	if ee, ok := err.(*exec.ExitError); ok {
		t.Fatalf("the webapp driver failed: %v\nreport: %s\n%s", err, out, ee.Stderr)
	}
	require.NoError(t, err)
	var res webappResult
	require.NoError(t, json.Unmarshal(out, &res), "driver output: %s", out)
	return res, out
}

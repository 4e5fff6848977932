// Package browsertest drives headless Chromium (Debian's, through
// playwright-core in e2e/) against the real server: the plugin's own pages,
// followed from the real emails. Run by `make test-browser`.
package browsertest

import (
	"testing"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

func TestMain(m *testing.M) {
	testhelper.Main(m)
}

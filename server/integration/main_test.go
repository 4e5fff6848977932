// Package integration holds the real-server tests: a real Mattermost 11.4
// Team Edition with PostgreSQL and an SMTP sink, started once for this test
// binary by testhelper.Main, with the freshly built bundle installed.
package integration

import (
	"testing"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

func TestMain(m *testing.M) {
	testhelper.Main(m)
}

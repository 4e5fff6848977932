// Package twonode holds the real-server tests that need a stack of their
// own: two Mattermost servers on one PostgreSQL database (what a cluster
// would be, without the license clustering needs) and the faults that stop
// a server or the database. testhelper.Main starts the first node; the
// second starts on first use (testhelper.SecondNode).
package twonode

import (
	"testing"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

func TestMain(m *testing.M) {
	testhelper.Main(m)
}

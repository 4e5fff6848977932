// Package bench holds the real-server benchmarks (`make bench`): they use
// the same stack as the integration tests and print measurements; they
// never assert on time.
package bench

import (
	"testing"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

func TestMain(m *testing.M) {
	testhelper.Main(m)
}

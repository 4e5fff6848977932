package testhelper

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/pkg/errors"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper/stack"
)

var (
	nodeMu sync.Mutex
	second *Env
	nodes  []*stack.Stack
)

// SecondNode returns a second Mattermost server on the shared stack's
// PostgreSQL database, with the same plugin bundle installed and the same
// SMTP sink, started on first use and stopped with the stack. Its config
// file, data folder and plugin folder are its own: an unlicensed server
// has no clustering, so nothing but the database is shared.
func SecondNode(t testing.TB) *Env {
	t.Helper()
	nodeMu.Lock()
	defer nodeMu.Unlock()
	if env == nil {
		t.Fatal("testhelper: the stack is not running: call testhelper.Main(m) from TestMain")
	}
	if second != nil {
		return second
	}
	e, err := startNode()
	if err != nil {
		t.Fatalf("starting a second Mattermost node: %v", err)
	}
	second = e
	return e
}

func startNode() (*Env, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dir, err := os.MkdirTemp("", "guest-accounts-node2-")
	if err != nil {
		return nil, err
	}
	node, err := env.Stack.StartNode(ctx, stack.Options{Dir: dir, Env: []string{"GUEST_ACCOUNTS_TEST_CLOCK=1"}})
	if err != nil {
		return nil, err
	}
	nodes = append(nodes, node)
	e := &Env{Stack: node, SMTP: env.SMTP, URL: node.URL, BundlePath: env.BundlePath}
	if err := e.bootstrap(ctx); err != nil {
		return nil, errors.Wrapf(err, "setting up the second node (logs in %s)", dir)
	}
	return e, nil
}

// stopNodes stops the extra nodes (before the database they use).
func stopNodes() {
	nodeMu.Lock()
	defer nodeMu.Unlock()
	for _, n := range nodes {
		if err := n.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "testhelper: stopping a node:", err)
		}
		if os.Getenv("GA_KEEP_STACK_DIR") == "" {
			_ = os.RemoveAll(n.Dir)
		}
	}
	nodes = nil
	second = nil
}

// On returns a helper for the same test data (team, channel, member) that
// talks to another node: its admin and a new member session there. Users it
// creates are deactivated when the test ends.
func (th *TestHelper) On(e *Env) *TestHelper {
	th.T.Helper()
	other := &TestHelper{T: th.T, Ctx: th.Ctx, Env: e, Team: th.Team, Channel: th.Channel, Member: th.Member}
	other.MemberClient = other.Login(th.Member)
	th.T.Cleanup(other.deactivateTracked)
	return other
}

package testhelper

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// CapRace is the cap race: rounds of invitations accepted at the same
// moment against room for a few more guests, on one node or spread over
// several that share the database.
type CapRace struct {
	th      *TestHelper
	nodes   []*TestHelper
	links   [][]string
	invites [][]string
	ours    map[string]bool
	before  int
	room    int
}

// CapRound is what one round showed.
type CapRound struct {
	Accepted, CapRefused int
	// MaxCounter is the highest active-guest counter sampled during the
	// burst; ActiveAfter the active guests the database holds afterwards.
	MaxCounter, ActiveAfter int
}

// NewCapRace invites rounds × n fresh addresses into th's channel (cap
// lifted while inviting: open invitations count towards it), then sets the
// cap on every node to room more than the active guests. The cap is lifted
// again when the test ends. th talks to the first node; the invitations
// are sent from there.
func NewCapRace(th *TestHelper, nodes []*TestHelper, rounds, n, room int) *CapRace {
	th.T.Helper()
	c := &CapRace{th: th, nodes: nodes, ours: map[string]bool{}, room: room}
	th.T.Cleanup(func() {
		for _, node := range nodes {
			_ = node.UpdatePluginSettings(map[string]any{"MaxActiveGuests": 0})
		}
	})
	for _, node := range nodes {
		node.SetCap(0)
	}
	for range rounds {
		seq := th.SMTP.LastSeq()
		addrs := make([]string, n)
		for i := range addrs {
			addrs[i] = NewAddress("race.example.com")
		}
		results := th.Invite(th.AdminClient, map[string]any{"emails": addrs, "channel_ids": []string{th.Channel.Id}})
		require.Len(th.T, results, n)
		ids := make([]string, n)
		for i, r := range results {
			require.Equal(th.T, "sent", r.Status, "%+v", r)
			ids[i] = r.InviteID
			c.ours[r.InviteID] = true
		}
		links := make([]string, n)
		for i, addr := range addrs {
			links[i] = th.InviteLink(addr, seq)
		}
		c.links = append(c.links, links)
		c.invites = append(c.invites, ids)
	}
	snap := th.TakeSnapshot()
	th.RequireConsistent(snap, c.ours)
	c.before = snap.ActiveGuests()
	for _, node := range nodes {
		node.SetCap(c.Cap())
	}
	return c
}

// Cap is the cap the rounds race against.
func (c *CapRace) Cap() int { return c.before + c.room }

// Round fires round r's acceptances at once (link i on node i % nodes),
// checks that exactly room got an account, that the counter never passed
// the cap and that the database agrees; then it deactivates the new guests
// and revokes the rest, so the next round starts from the same place.
func (c *CapRace) Round(r int) CapRound {
	th := c.th
	th.T.Helper()
	envs := make([]*Env, len(c.nodes))
	for i, node := range c.nodes {
		envs[i] = node.Env
	}
	var maxCounter int
	stop := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Add(1)
	go func() {
		defer sampler.Done()
		for {
			if v, ok := counterValue(th); ok {
				maxCounter = max(maxCounter, v)
			}
			select {
			case <-stop:
				return
			case <-time.After(150 * time.Millisecond):
			}
		}
	}()
	outcomes := th.AcceptBurst(envs, c.links[r])
	close(stop)
	sampler.Wait()

	round := CapRound{MaxCounter: maxCounter}
	var accepted []string
	for i, o := range outcomes {
		switch {
		case o.Err != nil:
			th.T.Errorf("acceptance %d: %v", i, o.Err)
		case o.Status == http.StatusOK && o.UserID != "":
			accepted = append(accepted, o.UserID)
		case o.Status == http.StatusConflict && strings.Contains(o.Body, "cap_reached"):
			round.CapRefused++
		default:
			th.T.Errorf("acceptance %d: unexpected answer %d: %s", i, o.Status, o.Body)
		}
	}
	round.Accepted = len(accepted)
	snap := th.TakeSnapshot()
	round.ActiveAfter = snap.ActiveGuests()
	assert.Equal(th.T, c.room, round.Accepted, "round %d: acceptances that got an account", r+1)
	assert.Equal(th.T, c.Cap(), round.ActiveAfter, "round %d: active guests after the burst", r+1)
	assert.LessOrEqual(th.T, round.MaxCounter, c.Cap(), "round %d: the counter passed the cap during the burst", r+1)
	th.RequireConsistent(snap, c.ours)
	for _, node := range c.nodes {
		assert.Equal(th.T, c.Cap(), node.Stats().ActiveGuests, "round %d: the counter as %s reports it", r+1, node.URL)
	}
	th.DeactivateGuests(accepted)
	th.RevokeInvites(c.invites[r])
	return round
}

// counterValue reads the active-guest counter from /stats without failing
// the test (it runs beside a burst).
func counterValue(th *TestHelper) (int, bool) {
	req, err := http.NewRequest(http.MethodGet, th.URL+"/plugins/"+PluginID+"/api/v1/stats", nil)
	if err != nil {
		return 0, false
	}
	req.Header.Set("Authorization", "Bearer "+th.AdminClient.AuthToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, false
	}
	defer resp.Body.Close()
	var st Stats
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&st) != nil {
		return 0, false
	}
	return st.ActiveGuests, true
}

// WatchCounter samples the active-guest counter (GET /stats on this
// helper's node) every 150 ms, beside a burst or a fault, until stop is
// called; stop returns the highest value seen and how many samples
// answered (none while the plugin is disabled or the node is down).
func (th *TestHelper) WatchCounter() (stop func() (highest, samples int)) {
	var highest, samples int
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			if v, ok := counterValue(th); ok {
				highest = max(highest, v)
				samples++
			}
			select {
			case <-done:
				return
			case <-time.After(150 * time.Millisecond):
			}
		}
	}()
	return func() (int, int) {
		close(done)
		wg.Wait()
		return highest, samples
	}
}

package testhelper

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"
)

// AcceptOutcome is one acceptance's answer.
type AcceptOutcome struct {
	Status int
	UserID string
	Body   string
	Err    error
}

// parallel runs fn(i) for i in [0, n) on at most width goroutines.
func parallel(n, width int, fn func(i int)) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, width)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			fn(i)
		}()
	}
	wg.Wait()
}

var clientSeq atomic.Int64

// NextClientAddr is a client address no other call in this test process
// returns, for X-Forwarded-For (the test stack trusts it): the accept rate
// limit (30 a minute per client address and node) must never answer a
// test that does not test it, however many acceptances run close together.
func NextClientAddr() string {
	n := clientSeq.Add(1)
	return fmt.Sprintf("198.51.%d.%d", n/250%256, n%250+1)
}

// Burst is a set of signup forms opened and ready to be submitted at the
// same moment.
type Burst struct {
	browsers []*Browser
	targets  []string
}

// PrepareBurst opens the signup page of every link (link i on
// nodes[i % len(nodes)]; none means this helper's node).
func (th *TestHelper) PrepareBurst(nodes []*Env, links []string) *Burst {
	th.T.Helper()
	if len(nodes) == 0 {
		nodes = []*Env{th.Env}
	}
	b := &Burst{browsers: make([]*Browser, len(links)), targets: make([]string, len(links))}
	opened := make([]error, len(links))
	parallel(len(links), 8, func(i int) {
		b.targets[i] = OnNode(links[i], nodes[i%len(nodes)])
		b.browsers[i] = NewBrowser()
		code, body, err := b.browsers[i].Open(b.targets[i])
		if err == nil && code != http.StatusOK {
			err = fmt.Errorf("signup page answered %d: %.200s", code, body)
		}
		opened[i] = err
	})
	for i, err := range opened {
		require.NoError(th.T, err, "opening %s", b.targets[i])
	}
	return b
}

// Fire submits every form at once, each from its own client address, and
// returns the answers in link order; safe in a goroutine. The caller
// tracks the accounts (TrackAccepted).
func (b *Burst) Fire() []AcceptOutcome {
	out := make([]AcceptOutcome, len(b.targets))
	clients := make([]string, len(b.targets))
	for i := range clients {
		clients[i] = NextClientAddr()
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range b.targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			form := map[string]any{"username": "r" + strings.ToLower(model.NewId()[:12]), "password": UserPassword}
			<-start
			code, body, err := b.browsers[i].Accept(b.targets[i], form, clients[i])
			o := AcceptOutcome{Status: code, Body: body, Err: err}
			if code == http.StatusOK {
				var res struct {
					UserID string `json:"user_id"`
				}
				if json.Unmarshal([]byte(body), &res) == nil {
					o.UserID = res.UserID
				}
			}
			out[i] = o
		}()
	}
	close(start)
	wg.Wait()
	return out
}

// TrackAccepted marks the accounts the outcomes created for deactivation
// when the test ends.
func (th *TestHelper) TrackAccepted(outcomes []AcceptOutcome) {
	for _, o := range outcomes {
		if o.UserID != "" {
			th.Track(o.UserID)
		}
	}
}

// AcceptBurst prepares and fires a burst (see PrepareBurst and Fire) and
// tracks the accounts it created.
func (th *TestHelper) AcceptBurst(nodes []*Env, links []string) []AcceptOutcome {
	th.T.Helper()
	out := th.PrepareBurst(nodes, links).Fire()
	th.TrackAccepted(out)
	return out
}

// DeactivateGuests deactivates guests through the plugin (the counter goes
// down with them), a few at a time.
func (th *TestHelper) DeactivateGuests(ids []string) {
	th.T.Helper()
	codes := make([]int, len(ids))
	parallel(len(ids), 4, func(i int) {
		codes[i] = th.PluginRequest(th.AdminClient, http.MethodPost, "/guests/"+ids[i]+"/deactivate", nil).Status
	})
	for i, c := range codes {
		require.Equal(th.T, http.StatusOK, c, "deactivating %s", ids[i])
	}
}

// RevokeInvites revokes invitations (those no longer pending are left).
func (th *TestHelper) RevokeInvites(ids []string) {
	th.T.Helper()
	parallel(len(ids), 4, func(i int) {
		th.PluginRequest(th.AdminClient, http.MethodDelete, "/invites/"+ids[i], nil)
	})
}

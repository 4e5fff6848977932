package testhelper

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"

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

// AcceptBurst opens the signup page of every link (link i on
// nodes[i % len(nodes)]; nil means this helper's node), then submits all
// the forms at the same moment, each from its own client address, and
// returns the answers in link order. Every accepted account is tracked.
func (th *TestHelper) AcceptBurst(nodes []*Env, links []string) []AcceptOutcome {
	th.T.Helper()
	if len(nodes) == 0 {
		nodes = []*Env{th.Env}
	}
	browsers := make([]*Browser, len(links))
	targets := make([]string, len(links))
	opened := make([]error, len(links))
	parallel(len(links), 8, func(i int) {
		targets[i] = OnNode(links[i], nodes[i%len(nodes)])
		browsers[i] = NewBrowser()
		code, body, err := browsers[i].Open(targets[i])
		if err == nil && code != http.StatusOK {
			err = fmt.Errorf("signup page answered %d: %.200s", code, body)
		}
		opened[i] = err
	})
	for i, err := range opened {
		require.NoError(th.T, err, "opening %s", targets[i])
	}
	out := make([]AcceptOutcome, len(links))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range links {
		wg.Add(1)
		go func() {
			defer wg.Done()
			form := map[string]any{"username": "r" + strings.ToLower(model.NewId()[:12]), "password": UserPassword}
			<-start
			code, body, err := browsers[i].Accept(targets[i], form, fmt.Sprintf("198.51.%d.%d", i/250, i%250+1))
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
	for _, o := range out {
		if o.UserID != "" {
			th.Track(o.UserID)
		}
	}
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

// ActiveGuestsInRegistry is the number of active guests the registry lists
// (GET /guests?status=active), to compare with the counter in /stats.
func (th *TestHelper) ActiveGuestsInRegistry() int {
	th.T.Helper()
	resp := th.PluginRequest(th.AdminClient, http.MethodGet, "/guests?status=active&per_page=1", nil)
	require.Equal(th.T, http.StatusOK, resp.Status, "listing guests: %s", resp.Body)
	var body struct {
		Total int `json:"total"`
	}
	th.DecodeJSON(resp, &body)
	return body.Total
}

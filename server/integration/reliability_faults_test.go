package integration

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/build/pluginctl"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// TestFaultPluginDisabledMidAcceptances: the plugin is disabled while 20
// invitations are being accepted at once. Fail closed: while it is off no
// invited address has an active account and nobody gets further (no login,
// no signup page). Enabled again: every account the burst made is an active
// guest again, the registry, the counter and core agree, no invitation is
// used without its account, and the invitations not used still work.
func TestFaultPluginDisabledMidAcceptances(t *testing.T) {
	const n = 20
	th := testhelper.Setup(t)
	adminInChannels(th, th.Channel)
	seq := th.SMTP.LastSeq()
	addrs := make([]string, n)
	for i := range addrs {
		addrs[i] = testhelper.NewAddress("switch.example.com")
	}
	ours := map[string]bool{}
	for _, r := range th.Invite(th.AdminClient, map[string]any{"emails": addrs, "channel_ids": []string{th.Channel.Id}}) {
		require.Equal(t, "sent", r.Status, "%+v", r)
		ours[r.InviteID] = true
	}
	links := make([]string, n)
	for i, addr := range addrs {
		links[i] = th.InviteLink(addr, seq)
	}
	first := th.PrepareBurst(nil, links[:n/2])
	second := th.PrepareBurst(nil, links[n/2:])

	enabled := true
	t.Cleanup(func() {
		if !enabled {
			_, _ = th.AdminClient.EnablePlugin(th.Ctx, testhelper.PluginID)
		}
	})
	// Half the acceptances are in flight when the admin disables the
	// plugin, the other half start while it is being disabled.
	done := make(chan []testhelper.AcceptOutcome, 2)
	go func() { done <- first.Fire() }()
	time.Sleep(100 * time.Millisecond)
	disabled := make(chan error, 1)
	go func() {
		_, err := th.AdminClient.DisablePlugin(th.Ctx, testhelper.PluginID)
		disabled <- err
	}()
	time.Sleep(50 * time.Millisecond)
	go func() { done <- second.Fire() }()
	outcomes := append(<-done, <-done...)
	require.NoError(t, <-disabled)
	enabled = false
	th.TrackAccepted(outcomes)
	require.NoError(t, pluginctl.WaitForPlugin(th.Ctx, th.AdminClient, testhelper.PluginID, model.PluginStateNotRunning))

	counts := map[int]int{}
	for _, o := range outcomes {
		counts[o.Status]++
	}
	// While off: no invited address has an active account.
	snap := th.TakeSnapshot()
	var made []*model.User
	for _, addr := range addrs {
		u, ok := snap.ByEmail[strings.ToLower(addr)]
		if !ok {
			continue
		}
		th.Track(u.ID)
		assert.NotZero(t, u.DeleteAt, "%s has an active account while the plugin is off", addr)
		full, _, err := th.AdminClient.GetUser(th.Ctx, u.ID, "")
		require.NoError(t, err)
		made = append(made, full)
	}
	for _, u := range made {
		_, _, err := th.Anonymous().Login(th.Ctx, u.Username, testhelper.UserPassword)
		assert.Error(t, err, "%s logs in while the plugin is off", u.Username)
	}
	code, _, err := testhelper.NewBrowser().Open(links[0])
	require.NoError(t, err)
	assert.Equal(t, http.StatusNotFound, code, "a signup page answers while the plugin is off")
	t.Logf("plugin disabled during %d acceptances: answers %v; %d accounts exist, none active while off", n, counts, len(made))

	_, err = th.AdminClient.EnablePlugin(th.Ctx, testhelper.PluginID)
	require.NoError(t, err)
	enabled = true
	require.NoError(t, pluginctl.WaitForPlugin(th.Ctx, th.AdminClient, testhelper.PluginID, model.PluginStateRunning))
	th.Eventually(func() bool {
		s := th.TakeSnapshot()
		for _, u := range made {
			if s.Users[u.Id].DeleteAt != 0 {
				return false
			}
		}
		return true
	}, "the guests the burst made were not reinstated")
	for _, u := range made {
		requireGuestMemberships(th, u.Id, th.Channel.Id)
		th.Login(u)
	}
	th.RequireConsistent(th.TakeSnapshot(), ours)

	// The invitations the burst did not use still work.
	var rest []string
	for i, addr := range addrs {
		if _, ok := snap.ByEmail[strings.ToLower(addr)]; !ok {
			rest = append(rest, links[i])
		}
	}
	if len(rest) > 0 {
		o := th.AcceptBurst(nil, rest[:1])[0]
		assert.Equal(t, http.StatusOK, o.Status, "an unused invitation after the plugin came back: %s", o.Body)
	}
	th.RequireConsistent(th.TakeSnapshot(), ours)
}

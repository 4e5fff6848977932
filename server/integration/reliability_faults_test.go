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

// cutOff turns guest accounts off and on again: the plugin disabled, or
// the master switch.
type cutOff struct {
	name string
	off  func(th *testhelper.TestHelper) error
	on   func(th *testhelper.TestHelper) error
	// pageWhileOff is what a signup link answers while off.
	pageWhileOff int
}

var cutOffs = []cutOff{
	{
		name: "plugin disabled",
		off: func(th *testhelper.TestHelper) error {
			_, err := th.AdminClient.DisablePlugin(th.Ctx, testhelper.PluginID)
			return err
		},
		on: func(th *testhelper.TestHelper) error {
			if _, err := th.AdminClient.EnablePlugin(th.Ctx, testhelper.PluginID); err != nil {
				return err
			}
			return pluginctl.WaitForPlugin(th.Ctx, th.AdminClient, testhelper.PluginID, model.PluginStateRunning)
		},
		pageWhileOff: http.StatusNotFound,
	},
	{
		name: "master switch off",
		off: func(th *testhelper.TestHelper) error {
			return th.UpdatePluginSettings(map[string]any{"EnableGuestAccounts": false})
		},
		on: func(th *testhelper.TestHelper) error {
			return th.UpdatePluginSettings(map[string]any{"EnableGuestAccounts": true})
		},
		pageWhileOff: http.StatusGone,
	},
}

// TestFaultGuestAccountsOffMidAcceptances: the plugin is disabled (then,
// separately, the master switch turned off) while 20 invitations are being
// accepted against room for 6 more guests ("Maximum active guests"): half
// in flight, half starting while it goes off. Fail closed: while off no
// invited address has an active account and nobody gets further (no login,
// no signup page). On again: every account the burst made is an active
// guest in its channel, the registry, the counter and core agree, no
// invitation is used without its account, the active guests never passed
// the cap (counter sampled throughout, registry, /stats), and an unused
// invitation is told the cap while it is reached and works once a guest is
// deactivated.
func TestFaultGuestAccountsOffMidAcceptances(t *testing.T) {
	for _, c := range cutOffs {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) { acceptancesCutOff(t, c) })
	}
}

func acceptancesCutOff(t *testing.T, c cutOff) {
	const n, room = 20, 6
	th := testhelper.Setup(t)
	adminInChannels(th, th.Channel)
	// Open invitations count towards the cap: lifted while inviting.
	th.SetCap(0)
	t.Cleanup(func() { _ = th.UpdatePluginSettings(map[string]any{"MaxActiveGuests": 0}) })
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
	start := th.TakeSnapshot()
	th.RequireConsistent(start, ours)
	capN := start.ActiveGuests() + room
	th.SetCap(capN)

	isOn := true
	t.Cleanup(func() {
		if !isOn {
			_ = c.on(th)
		}
	})
	stopWatch := th.WatchCounter()
	done := make(chan []testhelper.AcceptOutcome, 2)
	go func() { done <- first.Fire() }()
	time.Sleep(100 * time.Millisecond)
	offErr := make(chan error, 1)
	go func() { offErr <- c.off(th) }()
	time.Sleep(50 * time.Millisecond)
	go func() { done <- second.Fire() }()
	outcomes := append(<-done, <-done...)
	require.NoError(t, <-offErr)
	isOn = false
	th.TrackAccepted(outcomes)

	counts := map[int]int{}
	toldCap := 0
	for _, o := range outcomes {
		counts[o.Status]++
		if o.Status == http.StatusConflict && strings.Contains(o.Body, "cap_reached") {
			toldCap++
		}
	}
	assert.LessOrEqual(t, counts[http.StatusOK], room, "acceptances that got an account past the cap: %v", counts)
	// While off: no invited address has an active account (the switch
	// works in the background: wait for it).
	var snap *testhelper.Snapshot
	th.Eventually(func() bool {
		snap = th.TakeSnapshot()
		for _, addr := range addrs {
			if u, ok := snap.ByEmail[strings.ToLower(addr)]; ok && u.DeleteAt == 0 {
				return false
			}
		}
		return true
	}, "an invited address has an active account while guest accounts are off")
	var made []*model.User
	for _, addr := range addrs {
		if u, ok := snap.ByEmail[strings.ToLower(addr)]; ok {
			th.Track(u.ID)
			full, _, err := th.AdminClient.GetUser(th.Ctx, u.ID, "")
			require.NoError(t, err)
			made = append(made, full)
		}
	}
	for _, u := range made {
		_, _, err := th.Anonymous().Login(th.Ctx, u.Username, testhelper.UserPassword)
		assert.Error(t, err, "%s logs in while guest accounts are off", u.Username)
	}
	code, _, err := testhelper.NewBrowser().Open(links[0])
	require.NoError(t, err)
	assert.Equal(t, c.pageWhileOff, code, "a signup page while guest accounts are off")
	assert.LessOrEqual(t, len(made), room, "accounts made against room for %d", room)
	t.Logf("%s during %d acceptances (room for %d): answers %v (%d told the cap); %d accounts made, none active while off", c.name, n, room, counts, toldCap, len(made))

	require.NoError(t, c.on(th))
	isOn = true
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
	snap = th.TakeSnapshot()
	th.RequireConsistent(snap, ours)
	assert.Equal(t, start.ActiveGuests()+len(made), snap.ActiveGuests(), "active guests after guest accounts came back")
	assert.LessOrEqual(t, snap.ActiveGuests(), capN, "active guests in the database against the cap")
	assert.LessOrEqual(t, th.Stats().ActiveGuests, capN, "active guests as /stats reports them")

	// The invitations the burst did not use still work.
	var rest []string
	for i, addr := range addrs {
		if _, ok := snap.ByEmail[strings.ToLower(addr)]; !ok {
			rest = append(rest, links[i])
		}
	}
	require.NotEmpty(t, rest, "every invitation was used")
	b := th.PrepareBurst(nil, rest[:1])
	if len(made) == room {
		o := b.Fire()[0]
		assert.Equal(t, http.StatusConflict, o.Status, "an unused invitation with the cap reached: %s", o.Body)
		assert.Contains(t, o.Body, "cap_reached")
		th.DeactivateGuests([]string{made[0].Id})
	}
	o := b.Fire()
	th.TrackAccepted(o)
	assert.Equal(t, http.StatusOK, o[0].Status, "an unused invitation after guest accounts came back, with room: %s", o[0].Body)
	highest, samples := stopWatch()
	snap = th.TakeSnapshot()
	th.RequireConsistent(snap, ours)
	assert.LessOrEqual(t, snap.ActiveGuests(), capN, "active guests in the database against the cap")
	assert.LessOrEqual(t, highest, capN, "the counter passed the cap (%d samples)", samples)
	t.Logf("cap %d: counter at most %d over %d samples, %d active at the end", capN, highest, samples, snap.ActiveGuests())
}

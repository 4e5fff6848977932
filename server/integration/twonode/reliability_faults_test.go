package twonode

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/build/pluginctl"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper/smtpsink"
)

// waitPluginAnswers waits until the node's plugin answers /stats again
// (after a restart or a database outage).
func waitPluginAnswers(th *testhelper.TestHelper) {
	th.T.Helper()
	require.Eventually(th.T, func() bool {
		return statsNoFail(th)
	}, 90*time.Second, 250*time.Millisecond, "the plugin on %s does not answer", th.URL)
}

func statsNoFail(th *testhelper.TestHelper) bool {
	req, err := http.NewRequest(http.MethodGet, th.URL+"/plugins/"+testhelper.PluginID+"/api/v1/stats", nil)
	if err != nil {
		return false
	}
	req.Header.Set("Authorization", "Bearer "+th.AdminClient.AuthToken)
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// TestFaultDatabaseStopsDuringExpiryJob: PostgreSQL stops for a few
// seconds while the expiry job deactivates guests. The run fails part-way;
// the next run finishes the work. Afterwards every expired guest is
// deactivated in the registry and in core, the counter agrees, and no
// guest got two expiry notices.
func TestFaultDatabaseStopsDuringExpiryJob(t *testing.T) {
	const guests = 12
	th := testhelper.Setup(t)
	var users []*model.User
	for range guests {
		_, u := createGuest(th)
		setExpiry(th, u.Id, time.Now().Add(time.Hour))
		users = append(users, u)
	}
	th.MoveClock(2 * time.Hour)
	seq := th.SMTP.LastSeq()
	emails := map[string]bool{}
	for _, u := range users {
		emails[u.Email] = true
	}

	// The database stops while the job sends the first expiry notice: the
	// sink holds the server's SMTP transaction until PostgreSQL is down, so
	// the outage lands mid-run every time.
	var once sync.Once
	var stopErr error
	var stopped time.Time
	restore := th.SMTP.OnMessage(func(m smtpsink.Message) {
		for _, r := range m.Recipients() {
			if emails[r] {
				once.Do(func() { stopErr = th.Stack.StopPostgres(); stopped = time.Now() })
				return
			}
		}
	})
	code, rep, body := runExpiry(th)
	restore()
	require.NoError(t, stopErr)
	require.False(t, stopped.IsZero(), "no expiry notice was sent: %d %s", code, body)
	t.Logf("the run interrupted by the outage answered %d %+v %.200s", code, rep, body)
	time.Sleep(time.Until(stopped.Add(3 * time.Second)))
	require.NoError(t, th.Stack.StartPostgres(th.Ctx))
	back := time.Now()
	waitPluginAnswers(th)

	var second expiryReport
	th.Eventually(func() bool {
		code, rep, _ := runExpiry(th)
		second = rep
		return code == http.StatusOK && rep.Errors == 0
	}, "the expiry job does not run cleanly after the outage")
	t.Logf("the next clean run, %s after the database came back: %+v", time.Since(back).Round(100*time.Millisecond), second)

	expires := th.AuditCounts("expire")
	notices := map[int]int{}
	audits := map[int]int{}
	for _, u := range users {
		g := guest(th, u.Id)
		assert.Equal(t, "expired", g.DeactivatedReason, "guest %s after the outage", u.Username)
		n := mailsTo(th, u.Email, seq, "has ended")
		notices[n]++
		audits[expires[u.Id]]++
		assert.LessOrEqual(t, n, 1, "expiry notices to %s", u.Username)
	}
	t.Logf("guests by number of expiry notices: %v; by number of expire audit entries: %v", notices, audits)
	th.RequireConsistent(th.TakeSnapshot(), nil)

	// The half-done state an outage can leave between the registry and
	// core (recorded as expired, still active in core), made on purpose the
	// way an admin can make it (reactivating in the System Console): the
	// next run deactivates the account.
	_, err := th.AdminClient.UpdateUserActive(th.Ctx, users[0].Id, true)
	require.NoError(t, err)
	require.NotEmpty(t, th.TakeSnapshot().Problems(nil), "the check does not see an expired guest active in core")
	code, rep, body = runExpiry(th)
	require.Equal(t, http.StatusOK, code, body)
	assert.Zero(t, rep.Errors)
	th.RequireConsistent(th.TakeSnapshot(), nil)
	_, _, err = th.Anonymous().Login(th.Ctx, users[0].Username, testhelper.UserPassword)
	assert.Error(t, err, "an expired guest logs in")
}

// postInvites posts a batch without failing the test (the server may go
// away under it) and returns the status or the transport error.
func postInvites(th *testhelper.TestHelper, body map[string]any) (int, string) {
	raw, _ := json.Marshal(body)
	req, err := http.NewRequest(http.MethodPost, th.URL+"/plugins/"+testhelper.PluginID+"/api/v1/invites", bytes.NewReader(raw))
	if err != nil {
		return 0, err.Error()
	}
	req.Header.Set("Authorization", "Bearer "+th.AdminClient.AuthToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 3 * time.Minute}).Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

// batchAfterFault checks a batch of invitations interrupted by a fault and
// repairs what the admin would: every address has at most one live
// invitation; every emailed link works; an invitation saved whose email
// never left can be resent; an address never reached can be invited again;
// one address of each kind then signs up. It returns how many addresses
// were in each case.
func batchAfterFault(th *testhelper.TestHelper, addrs []string, seq int) (sent, unsent, missing int) {
	th.T.Helper()
	snap := th.TakeSnapshot()
	live := map[string][]testhelper.KVInvite{}
	for _, inv := range snap.Invites {
		if inv.Status == "pending" || inv.Status == "accepting" || inv.Status == "accepted" {
			live[strings.ToLower(inv.Email)] = append(live[strings.ToLower(inv.Email)], inv)
		}
	}
	var sentAddrs, unsentAddrs, missingAddrs, resendIDs []string
	for _, addr := range addrs {
		invs := live[addr]
		require.LessOrEqual(th.T, len(invs), 1, "%s has %d live invitations", addr, len(invs))
		switch {
		case mailsTo(th, addr, seq, "/invite/") > 0:
			require.Len(th.T, invs, 1, "%s got a link but has no invitation", addr)
			require.Equal(th.T, "pending", invs[0].Status)
			sentAddrs = append(sentAddrs, addr)
			code, _, err := testhelper.NewBrowser().Open(th.InviteLink(addr, seq))
			require.NoError(th.T, err)
			require.Equal(th.T, http.StatusOK, code, "an emailed link does not open after the fault")
		case len(invs) == 1:
			unsentAddrs = append(unsentAddrs, addr)
			resendIDs = append(resendIDs, invs[0].ID)
		default:
			missingAddrs = append(missingAddrs, addr)
		}
	}
	seq2 := th.SMTP.LastSeq()
	for _, id := range resendIDs {
		resp := th.PluginRequest(th.AdminClient, http.MethodPost, "/invites/"+id+"/resend", nil)
		require.Equal(th.T, http.StatusOK, resp.Status, "resending an invitation whose email never left: %s", resp.Body)
	}
	if len(missingAddrs) > 0 {
		for _, r := range th.Invite(th.AdminClient, map[string]any{"emails": missingAddrs, "channel_ids": []string{th.Channel.Id}}) {
			require.Equal(th.T, "sent", r.Status, "inviting an address the batch never reached: %+v", r)
		}
	}
	var links []string
	if len(sentAddrs) > 0 {
		links = append(links, th.InviteLink(sentAddrs[0], seq))
	}
	for _, group := range [][]string{unsentAddrs, missingAddrs} {
		if len(group) > 0 {
			links = append(links, th.InviteLink(group[0], seq2))
		}
	}
	for _, o := range th.AcceptBurst(nil, links) {
		require.Equal(th.T, http.StatusOK, o.Status, "signing up after the fault: %s", o.Body)
	}
	th.RequireConsistent(th.TakeSnapshot(), nil)
	return len(sentAddrs), len(unsentAddrs), len(missingAddrs)
}

// TestFaultServerRestartMidBatchInvite: the server goes away while a batch
// of 50 invitations is being sent, after the 10th email: first a graceful
// restart (an admin restarting the service), then a crash (SIGKILL to the
// server and its plugin). Afterwards nothing is half-made: no address has
// two live invitations, every emailed link works, and what the batch did
// not finish can be finished by resending or inviting again.
func TestFaultServerRestartMidBatchInvite(t *testing.T) {
	th := testhelper.Setup(t)
	adminIn(th, th.Channel)
	for _, crash := range []bool{false, true} {
		addrs := make([]string, 50)
		ours := map[string]bool{}
		for i := range addrs {
			addrs[i] = testhelper.NewAddress("fault.example.com")
			ours[addrs[i]] = true
		}
		seq := th.SMTP.LastSeq()
		var mu sync.Mutex
		seen := 0
		faultDone := make(chan error, 1)
		restore := th.SMTP.OnMessage(func(m smtpsink.Message) {
			mu.Lock()
			defer mu.Unlock()
			for _, r := range m.Recipients() {
				if ours[r] {
					seen++
				}
			}
			if seen != 10 {
				return
			}
			if crash {
				faultDone <- th.Stack.KillMattermost()
			} else {
				go func() { faultDone <- th.Stack.RestartMattermost(th.Ctx) }()
			}
		})
		code, body := postInvites(th, map[string]any{"emails": addrs, "channel_ids": []string{th.Channel.Id}})
		require.NoError(t, <-faultDone)
		restore()
		if crash {
			require.NoError(t, th.Stack.StartMattermost(th.Ctx))
		}
		require.NoError(t, pluginctl.WaitForPlugin(th.Ctx, th.AdminClient, testhelper.PluginID, model.PluginStateRunning))
		waitPluginAnswers(th)
		sent, unsent, missing := batchAfterFault(th, addrs, seq)
		t.Logf("crash=%v: the batch request answered %d %.120s; emailed %d, saved without email %d, never reached %d",
			crash, code, body, sent, unsent, missing)
	}
}

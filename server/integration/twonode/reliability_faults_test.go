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

// TestFaultDatabaseStopsDuringExpiryJob: PostgreSQL stops for 3 s while
// the expiry job deactivates guests (created up to "Maximum active
// guests"), just as the first expiry notice is being sent. The run waits
// for the database (its per-user lock retries for up to 2 minutes) and
// finishes; a further run finds nothing left. Afterwards every expired
// guest is deactivated in the registry and in core, the counter agrees and
// never passed the cap, and every guest got exactly one expiry notice and
// one expiry audit entry. (An expiry cut off between its steps is finished
// by the next run: TestExpiryInterruptedIsFinishedWithItsNotice.)
func TestFaultDatabaseStopsDuringExpiryJob(t *testing.T) {
	const guests = 12
	th := testhelper.Setup(t)
	start := th.TakeSnapshot()
	th.RequireConsistent(start, nil)
	capN := start.ActiveGuests() + guests
	th.SetCap(capN)
	t.Cleanup(func() { _ = th.UpdatePluginSettings(map[string]any{"MaxActiveGuests": 0}) })
	var users []*model.User
	for range guests {
		_, u := createGuest(th)
		setExpiry(th, u.Id, time.Now().Add(time.Hour))
		users = append(users, u)
	}
	id := model.NewId()[:10]
	resp := th.PluginRequest(th.AdminClient, http.MethodPost, "/guests", map[string]any{
		"email": "g" + id + "@guest.example.com", "username": "g" + id, "password": testhelper.UserPassword,
	})
	require.Equal(t, http.StatusConflict, resp.Status, "a guest created past the cap: %s", resp.Body)
	require.Contains(t, string(resp.Body), "cap_reached")
	require.Equal(t, capN, th.Stats().ActiveGuests)
	th.MoveClock(2 * time.Hour)
	seq := th.SMTP.LastSeq()
	emails := map[string]bool{}
	for _, u := range users {
		emails[u.Email] = true
	}

	// The database stops while the job sends the first expiry notice (the
	// sink holds the server's SMTP transaction until PostgreSQL is down, so
	// the outage lands mid-run every time) and starts again 3 s later,
	// while that run is still going: the run waits for the database (the
	// per-user lock retries), and it answers once the database is back.
	var once sync.Once
	var stopErr error
	stopped := make(chan time.Time, 1)
	restore := th.SMTP.OnMessage(func(m smtpsink.Message) {
		for _, r := range m.Recipients() {
			if emails[r] {
				once.Do(func() { stopErr = th.Stack.StopPostgres(); stopped <- time.Now() })
				return
			}
		}
	})
	type runResult struct {
		code int
		rep  expiryReport
		body string
	}
	interrupted := make(chan runResult, 1)
	go func() {
		code, rep, body := runExpiry(th)
		interrupted <- runResult{code, rep, body}
	}()
	var at time.Time
	select {
	case at = <-stopped:
	case r := <-interrupted:
		t.Fatalf("the run ended without sending an expiry notice: %d %s", r.code, r.body)
	}
	time.Sleep(time.Until(at.Add(3 * time.Second)))
	require.NoError(t, th.Stack.StartPostgres(th.Ctx))
	back := time.Now()
	first := <-interrupted
	restore()
	require.NoError(t, stopErr)
	t.Logf("the run interrupted by the outage answered %s after the database came back: %d %+v %.200s",
		time.Since(back).Round(100*time.Millisecond), first.code, first.rep, first.body)
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
		assert.Equal(t, 1, n, "expiry notices to %s", u.Username)
		assert.Equal(t, 1, expires[u.Id], "expire audit entries of %s", u.Username)
	}
	t.Logf("guests by number of expiry notices: %v; by number of expire audit entries: %v", notices, audits)
	snap := th.TakeSnapshot()
	th.RequireConsistent(snap, nil)
	assert.Equal(t, start.ActiveGuests(), snap.ActiveGuests(), "active guests after every guest expired")
	assert.LessOrEqual(t, th.Stats().ActiveGuests, capN)

	// The half-done state an outage can leave between the registry and
	// core (recorded as expired, still active in core), made on purpose the
	// way an admin can make it (reactivating in the System Console): the
	// next run deactivates the account.
	_, err := th.AdminClient.UpdateUserActive(th.Ctx, users[0].Id, true)
	require.NoError(t, err)
	require.NotEmpty(t, th.TakeSnapshot().Problems(nil), "the check does not see an expired guest active in core")
	code, rep, body := runExpiry(th)
	require.Equal(t, http.StatusOK, code, body)
	assert.Zero(t, rep.Errors)
	th.RequireConsistent(th.TakeSnapshot(), nil)
	assert.Equal(t, 1, mailsTo(th, users[0].Email, seq, "has ended"), "the repair told the guest again")
	assert.Equal(t, 1, th.AuditCounts("expire")[users[0].Id], "the repair audited the expiry again")
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
// of 50 invitations is being sent, after the 10th email, with
// "Maximum active guests" leaving room for exactly those 50 (open
// invitations count): first a graceful restart (an admin restarting the
// service), then a crash (SIGKILL to the server and its plugin). A
// graceful stop gives open connections 1 s (core's
// TimeToWaitForConnectionsToCloseOnServerShutdown) and then closes them,
// so the answer may be cut; the batch itself goes through the plugin's
// gate, which the plugin's stop waits for: all 50 sent. The crash
// stops it at the 10th: 10 emailed, none saved without its email, 40
// never reached. Afterwards nothing is half-made: no address has two live
// invitations, every emailed link works, what the batch did not finish
// can be finished by resending or inviting again, and then the cap is
// exactly full: one more address is told the cap, and the active guests
// never passed it.
func TestFaultServerRestartMidBatchInvite(t *testing.T) {
	th := testhelper.Setup(t)
	adminIn(th, th.Channel)
	t.Cleanup(func() { _ = th.UpdatePluginSettings(map[string]any{"MaxActiveGuests": 0}) })
	for _, crash := range []bool{false, true} {
		st := th.Stats()
		capN := st.ActiveGuests + st.PendingInvitations + 50
		th.SetCap(capN)
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
		if crash {
			assert.Equal(t, [3]int{10, 0, 40}, [3]int{sent, unsent, missing}, "after the crash: emailed, saved without email, never reached")
		} else {
			// The plugin finishes the batch (its stop waits for requests in
			// flight); whether the answer still reaches the client depends
			// on time: core closes its HTTP server 1 s after the signal
			// (TimeToWaitForConnectionsToCloseOnServerShutdown), and the
			// 40 invitations left take about that on a busy machine.
			if code != http.StatusOK {
				t.Logf("the answer was cut by core closing its HTTP server; the batch itself finished: %.200s", body)
			}
			assert.Equal(t, [3]int{50, 0, 0}, [3]int{sent, unsent, missing}, "after the graceful restart: emailed, saved without email, never reached")
		}
		// The batch (finished by hand) filled the room it had exactly.
		res := th.Invite(th.AdminClient, map[string]any{"emails": []string{testhelper.NewAddress("fault.example.com")}, "channel_ids": []string{th.Channel.Id}})
		assert.Equal(t, "cap_reached", res[0].Status, "one more address after the batch: %+v", res[0])
		after := th.Stats()
		assert.Equal(t, capN, after.ActiveGuests+after.PendingInvitations, "active guests and open invitations against the cap")
		assert.LessOrEqual(t, th.TakeSnapshot().ActiveGuests(), capN, "active guests in the database against the cap")
	}
}

// TestFaultExpiryRunLockLost: the expiry job's run lock (a cluster mutex
// leased for 15 s in the database) is lost, as it is when the database is
// away longer than the lease: here its row is deleted again and again
// while both nodes run the job at once, so the two runs go through the
// same guests at the same time. Each guest must still be expired, told
// and audited once: every per-guest decision is taken again under the
// user lock it acts in.
func TestFaultExpiryRunLockLost(t *testing.T) {
	const guests = 40
	b := testhelper.SecondNode(t)
	th := testhelper.Setup(t)
	thB := th.On(b)
	var users []*model.User
	for range guests {
		_, u := createGuest(th)
		setExpiry(th, u.Id, time.Now().Add(time.Hour))
		users = append(users, u)
	}
	th.MoveClock(2 * time.Hour)
	thB.MoveClock(2 * time.Hour)
	seq := th.SMTP.LastSeq()
	// Each notice takes a while to deliver, so a run lasts longer than the
	// mutex's 1 s retry and the other run starts while it goes on.
	restore := th.SMTP.OnMessage(func(smtpsink.Message) { time.Sleep(40 * time.Millisecond) })
	defer restore()

	stop := make(chan struct{})
	deleterDone := make(chan int)
	go func() {
		deleted := 0
		for {
			select {
			case <-stop:
				deleterDone <- deleted
				return
			default:
			}
			out, err := th.Stack.SQL(th.Ctx, "DELETE FROM pluginkeyvaluestore WHERE pluginid = 'guest-accounts' AND pkey = 'mutex_expiry-run'")
			if err == nil && strings.Contains(out, "DELETE 1") {
				deleted++
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	var wg sync.WaitGroup
	reports := make([]expiryReport, 2)
	codes := make([]int, 2)
	bodies := make([]string, 2)
	start := make(chan struct{})
	for i, node := range []*testhelper.TestHelper{th, thB} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			codes[i], reports[i], bodies[i] = runExpiry(node)
		}()
	}
	close(start)
	wg.Wait()
	close(stop)
	deleted := <-deleterDone
	require.Equal(t, []int{http.StatusOK, http.StatusOK}, codes, "A: %s; B: %s", bodies[0], bodies[1])
	t.Logf("two expiry runs without their lock (lock row deleted %d times): A %+v, B %+v", deleted, reports[0], reports[1])

	expires := th.AuditCounts("expire")
	notices := map[int]int{}
	for _, u := range users {
		n := mailsTo(th, u.Email, seq, "has ended")
		notices[n]++
		assert.Equal(t, 1, n, "expiry notices to %s", u.Username)
		assert.Equal(t, 1, expires[u.Id], "expire audit entries of %s", u.Username)
		assert.Equal(t, "expired", guest(thB, u.Id).DeactivatedReason)
	}
	t.Logf("guests by number of expiry notices: %v", notices)
	assert.Equal(t, guests, reports[0].Expired+reports[1].Expired, "guests expired by the two runs together")
	th.RequireConsistent(th.TakeSnapshot(), nil)
}

package integration

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// TestReliabilityCapRaceRounds: ten rounds of 50 invitations accepted at
// the same moment against room for 10 more guests. Every round exactly 10
// get an account, the rest are told the cap, the counter never passes the
// cap, and the registry, the counter and core's users agree.
func TestReliabilityCapRaceRounds(t *testing.T) {
	const rounds, n, room = 10, 50, 10
	th := testhelper.Setup(t)
	adminInChannels(th, th.Channel)
	race := testhelper.NewCapRace(th, []*testhelper.TestHelper{th}, rounds, n, room)
	most := 0
	for r := range rounds {
		got := race.Round(r)
		t.Logf("round %d: %d accepted, %d refused at the cap, counter at most %d while racing, %d active after (cap %d)",
			r+1, got.Accepted, got.CapRefused, got.MaxCounter, got.ActiveAfter, race.Cap())
		most = max(most, got.ActiveAfter)
		if t.Failed() {
			break
		}
	}
	t.Logf("%d rounds x %d parallel acceptances: at most %d active guests observed against a cap of %d", rounds, n, most, race.Cap())
}

// TestReliabilityResendRacesAccept: an invitation resent while its link is
// being accepted. Whoever wins, there is at most one account and the state
// is consistent: the invitation is used and names the account, or it is
// pending again under a new link that works and the old link is dead.
func TestReliabilityResendRacesAccept(t *testing.T) {
	const trials = 8
	th := testhelper.Setup(t)
	adminInChannels(th, th.Channel)
	acceptWon, resendWon := 0, 0
	won := make([]string, 0, trials) // which order won, per trial
	for trial := range trials {
		seq := th.SMTP.LastSeq()
		addr := testhelper.NewAddress("resend.example.com")
		res := th.Invite(th.AdminClient, map[string]any{"emails": []string{addr}, "channel_ids": []string{th.Channel.Id}})
		require.Equal(t, "sent", res[0].Status, "%+v", res[0])
		id := res[0].InviteID
		link := th.InviteLink(addr, seq)
		b := testhelper.NewBrowser()
		code, body, err := b.Open(link)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, code, body)
		seq = th.SMTP.LastSeq()

		var wg sync.WaitGroup
		var acceptCode, resendCode int
		var acceptBody string
		var acceptErr error
		start := make(chan struct{})
		stagger := time.Duration(trial%4) * 3 * time.Millisecond
		client := testhelper.NextClientAddr()
		wg.Add(2)
		go func() {
			defer wg.Done()
			<-start
			// Stagger by a few milliseconds so both orders happen.
			time.Sleep(stagger)
			acceptCode, acceptBody, acceptErr = b.Accept(link, map[string]any{"username": "rs" + strings.ToLower(addr[1:11]), "password": testhelper.UserPassword}, client)
		}()
		go func() {
			defer wg.Done()
			<-start
			resendCode = resendStatus(th, id)
		}()
		close(start)
		wg.Wait()
		require.NoError(t, acceptErr)

		users, _, err := th.AdminClient.SearchUsers(th.Ctx, &model.UserSearch{Term: addr, AllowInactive: true})
		require.NoError(t, err)
		for _, u := range users {
			th.Track(u.Id)
		}
		require.LessOrEqual(t, len(users), 1, "one invitation made %d accounts", len(users))
		inv := inviteByID(th, id)
		switch {
		case acceptCode == http.StatusOK:
			acceptWon++
			won = append(won, fmt.Sprintf("trial %d (accept %v late): acceptance first", trial+1, stagger))
			assert.Equal(t, http.StatusConflict, resendCode, "a resend succeeded for a used invitation")
			require.Len(t, users, 1, "accepted without an account")
			assert.Equal(t, "accepted", inv.Status)
			assert.Equal(t, users[0].Id, inv.AcceptedBy)
		case resendCode == http.StatusOK:
			resendWon++
			won = append(won, fmt.Sprintf("trial %d (accept %v late): resend first", trial+1, stagger))
			assert.Contains(t, []int{http.StatusConflict, http.StatusGone}, acceptCode, "accept: %s", acceptBody)
			assert.Empty(t, users, "an account exists though the acceptance failed")
			assert.Equal(t, "pending", inv.Status)
			// The old link is dead, the new one works.
			code, _, err := testhelper.NewBrowser().Open(link)
			require.NoError(t, err)
			assert.Equal(t, http.StatusGone, code, "the old link still opens after the resend")
			fresh := th.InviteLink(addr, seq)
			require.NotEqual(t, link, fresh)
			u := signup(th, fresh)
			assert.Equal(t, addr, u.Email)
		default:
			t.Fatalf("neither won: accept %d (%s), resend %d", acceptCode, acceptBody, resendCode)
		}
	}
	t.Logf("%d resend/accept races: acceptance first %d, resend first %d\n  %s", trials, acceptWon, resendWon, strings.Join(won, "\n  "))
	snap := th.TakeSnapshot()
	assert.Empty(t, snap.Problems(map[string]bool{}), "registry, counter and users disagree")
}

// resendStatus posts a resend without failing from a goroutine.
func resendStatus(th *testhelper.TestHelper, id string) int {
	req, err := http.NewRequest(http.MethodPost, th.URL+"/plugins/"+testhelper.PluginID+"/api/v1/invites/"+id+"/resend", nil)
	if err != nil {
		return 0
	}
	req.Header.Set("Authorization", "Bearer "+th.AdminClient.AuthToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

type inviteView struct {
	ID         string `json:"id"`
	Status     string `json:"status"`
	AcceptedBy string `json:"accepted_by"`
}

// inviteByID reads the invitation as the database holds it now.
func inviteByID(th *testhelper.TestHelper, id string) inviteView {
	th.T.Helper()
	var found *inviteView
	for _, inv := range th.TakeSnapshot().Invites {
		if inv.ID == id && inv.Status != "superseded" {
			found = &inviteView{ID: inv.ID, Status: inv.Status, AcceptedBy: inv.AcceptedBy}
		}
	}
	require.NotNil(th.T, found, "invitation %s is gone", id)
	return *found
}

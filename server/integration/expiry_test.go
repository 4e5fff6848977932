package integration

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// expiryReport is the answer of POST /jobs/expiry/run.
type expiryReport struct {
	Checked  int  `json:"checked"`
	Expired  int  `json:"expired"`
	Reminded int  `json:"reminded"`
	Errors   int  `json:"errors"`
	Skipped  bool `json:"skipped"`
}

// runExpiryJob runs the expiry job's body once, as the schedule would.
func runExpiryJob(th *testhelper.TestHelper) expiryReport {
	th.T.Helper()
	resp := th.PluginRequest(th.AdminClient, http.MethodPost, "/jobs/expiry/run", nil)
	require.Equal(th.T, http.StatusOK, resp.Status, "running the expiry job: %s", resp.Body)
	var r expiryReport
	th.DecodeJSON(resp, &r)
	return r
}

// setExpiry sets a guest's expiry date through PATCH /guests/{id}.
func setExpiry(th *testhelper.TestHelper, userID string, at time.Time) guestBody {
	th.T.Helper()
	resp := th.PluginRequest(th.AdminClient, http.MethodPatch, "/guests/"+userID, map[string]any{"expires_at": at.UnixMilli()})
	require.Equal(th.T, http.StatusOK, resp.Status, "setting the expiry date: %s", resp.Body)
	var g guestBody
	th.DecodeJSON(resp, &g)
	return g
}

// mailsTo returns the messages to addr newer than seq.
func mailsTo(th *testhelper.TestHelper, addr string, seq int) []smtpMessage {
	var out []smtpMessage
	for _, m := range th.SMTP.MessagesTo(addr) {
		if m.Seq > seq {
			out = append(out, m)
		}
	}
	return out
}

// mentions reports whether a message's subject or HTML contains s.
func mentions(m smtpMessage, s string) bool {
	return strings.Contains(m.Subject, s) || strings.Contains(m.HTML, s)
}

func TestExpiryReminderThenDeactivationThenExtension(t *testing.T) {
	th := testhelper.Setup(t)
	th.SetPluginSettings(map[string]any{"ExpiryReminderDays": 7})
	_, u := createGuest(th, th.Channel.Id)
	_, keeper := createGuest(th, th.Channel.Id) // no expiry date: never touched
	keeperSession := th.Login(keeper)

	session := th.Login(u)
	// Noted before the date is set: the scheduled run may come first.
	seq := th.SMTP.LastSeq()
	expiresAt := time.Now().Add(3 * 24 * time.Hour)
	g := setExpiry(th, u.Id, expiresAt)
	require.Equal(t, "active", g.Status)
	date := expiresAt.UTC().Format("Monday, January 2, 2006")

	// Three days before the date the reminder is due: the guest and the
	// inviter (the admin who created the guest) are emailed, with the date.
	report := runExpiryJob(th)
	assert.Zero(t, report.Errors, "%+v", report)
	msg, err := th.SMTP.WaitFor(th.Ctx, func(m smtpMessage) bool { return m.Seq > seq && m.SentTo(u.Email) })
	require.NoError(t, err)
	assert.Contains(t, msg.Subject, "3 days")
	assert.Contains(t, msg.HTML, date, "the reminder names the date")
	inviterMsg, err := th.SMTP.WaitFor(th.Ctx, func(m smtpMessage) bool {
		return m.Seq > seq && m.SentTo(th.Admin.Email) && mentions(m, u.Username)
	})
	require.NoError(t, err)
	assert.Contains(t, inviterMsg.HTML, date, "the inviter's reminder names the date")
	assert.True(t, auditHas(th, "expiry_reminder", u.Id))
	assert.Equal(t, "active", guestStatus(th, u.Id).Status)
	_, _, err = session.GetMe(th.Ctx, "")
	require.NoError(t, err, "the reminder must not end the session")

	// A second run sends nothing more (SendMail is synchronous: anything the
	// run sent is in the sink when the request returns).
	seq2 := th.SMTP.LastSeq()
	runExpiryJob(th)
	assert.Empty(t, mailsTo(th, u.Email, seq2), "a second reminder went to the guest")
	for _, m := range mailsTo(th, th.Admin.Email, seq2) {
		assert.False(t, mentions(m, u.Username), "a second reminder went to the inviter: %s", m.Subject)
	}

	// Past the date the job deactivates the guest: the session dies, the
	// reason is "expired", the audit log says so, the guest is told.
	seq3 := th.SMTP.LastSeq()
	th.MoveClock(4 * 24 * time.Hour)
	report = runExpiryJob(th)
	assert.GreaterOrEqual(t, report.Expired, 1, "%+v", report)
	requireSessionDead(t, th, session)
	g = guestStatus(th, u.Id)
	assert.Equal(t, "deactivated", g.Status)
	assert.Equal(t, "expired", g.DeactivatedReason)
	assert.True(t, auditHas(th, "expire", u.Id))
	_, _, err = th.Anonymous().Login(th.Ctx, u.Username, testhelper.UserPassword)
	require.Error(t, err, "an expired guest logs in")
	notice, err := th.SMTP.WaitFor(th.Ctx, func(m smtpMessage) bool { return m.Seq > seq3 && m.SentTo(u.Email) })
	require.NoError(t, err)
	assert.Contains(t, notice.HTML, date, "the expiry notice names the date")

	// The guest without an expiry date is untouched.
	assert.Equal(t, "active", guestStatus(th, keeper.Id).Status)
	_, _, err = keeperSession.GetMe(th.Ctx, "")
	require.NoError(t, err, "a guest without an expiry date lost their session")
	assert.Empty(t, mailsTo(th, keeper.Email, seq), "a guest without an expiry date was emailed")

	// Extending the date (the plugin's clock is four days ahead) brings the
	// guest back: active, can log in and post.
	g = setExpiry(th, u.Id, time.Now().Add(30*24*time.Hour))
	assert.Equal(t, "active", g.Status)
	assert.Empty(t, g.DeactivatedReason)
	again := th.Login(u)
	_, _, err = again.CreatePost(th.Ctx, &model.Post{ChannelId: th.Channel.Id, Message: "back after the extension"})
	require.NoError(t, err)
	requireGuestMemberships(th, u.Id, th.Channel.Id)
	assert.True(t, auditHas(th, "activate", u.Id))

	// The new date is far off: the job leaves the guest alone.
	seq4 := th.SMTP.LastSeq()
	runExpiryJob(th)
	assert.Equal(t, "active", guestStatus(th, u.Id).Status)
	assert.Empty(t, mailsTo(th, u.Email, seq4))
}

func TestExpiryExtensionRespectsCapAndCommandReactivates(t *testing.T) {
	th := testhelper.Setup(t)
	th.AddTeamMember(th.Team.Id, th.Admin.Id)
	th.AddChannelMember(th.Channel.Id, th.Admin.Id)
	createGuest(th, th.Channel.Id) // stays active: the counter is at least 1
	_, u := createGuest(th, th.Channel.Id)
	setExpiry(th, u.Id, time.Now().Add(2*time.Hour))
	session := th.Login(u)

	th.MoveClock(3 * time.Hour)
	runExpiryJob(th)
	requireSessionDead(t, th, session)
	require.Equal(t, "expired", guestStatus(th, u.Id).DeactivatedReason)

	// With no room under the cap the new date is saved but the guest stays
	// deactivated (expired).
	th.SetPluginSettings(map[string]any{"MaxActiveGuests": 1})
	th.Eventually(func() bool {
		var st statsBody
		th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/stats", nil), &st)
		return st.MaxActiveGuests == 1
	}, "cap not applied")
	later := time.Now().Add(20 * 24 * time.Hour)
	g := setExpiry(th, u.Id, later)
	assert.Equal(t, "deactivated", g.Status)
	assert.Equal(t, "expired", g.DeactivatedReason)
	assert.Equal(t, later.UnixMilli(), g.ExpiresAt)
	_, _, err := th.Anonymous().Login(th.Ctx, u.Username, testhelper.UserPassword)
	require.Error(t, err, "a guest over the cap logs in")

	// Room again: extending by /guest expire reactivates.
	th.SetPluginSettings(map[string]any{"MaxActiveGuests": 0})
	th.Eventually(func() bool {
		var st statsBody
		th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/stats", nil), &st)
		return st.MaxActiveGuests == 0
	}, "cap not lifted")
	day := time.Now().Add(40 * 24 * time.Hour).UTC().Format("2006-01-02")
	out, _, err := th.AdminClient.ExecuteCommand(th.Ctx, th.Channel.Id, "/guest expire @"+u.Username+" "+day)
	require.NoError(t, err)
	assert.Contains(t, out.Text, day)
	assert.Equal(t, "active", guestStatus(th, u.Id).Status)
	again := th.Login(u)
	_, _, err = again.GetMe(th.Ctx, "")
	require.NoError(t, err)
}

func TestExpiryJobRunIsAdminOnly(t *testing.T) {
	th := testhelper.Setup(t)
	resp := th.PluginRequest(th.MemberClient, http.MethodPost, "/jobs/expiry/run", nil)
	assert.Equal(t, http.StatusForbidden, resp.Status, "%s", resp.Body)
	resp = th.PluginRequest(th.Anonymous(), http.MethodPost, "/jobs/expiry/run", nil)
	assert.Equal(t, http.StatusUnauthorized, resp.Status, "%s", resp.Body)
}

// TestExpiryInterruptedIsFinishedWithItsNotice: an expiry interrupted after
// the registry recorded it (the database going away, or a crash, between
// its steps) is finished by the next run with its notice and its audit
// entry, once. The two half-done states are written into the database:
// both recorded as expired with the notice still due (and the counter
// already down); one still active in core (stopped before core deactivated
// it), one deactivated in core (stopped before the guest was told).
func TestExpiryInterruptedIsFinishedWithItsNotice(t *testing.T) {
	th := testhelper.Setup(t)
	_, coreActive := createGuest(th, th.Channel.Id)
	_, coreDone := createGuest(th, th.Channel.Id)
	session := th.Login(coreActive)
	for _, u := range []*model.User{coreActive, coreDone} {
		setExpiry(th, u.Id, time.Now().Add(time.Hour))
		sqlUpdate(th, fmt.Sprintf(`UPDATE pluginkeyvaluestore SET pvalue = convert_to((convert_from(pvalue, 'UTF8')::jsonb
			|| '{"deactivated": "expired", "expiry_notice_due": true}'::jsonb)::text, 'UTF8')
			WHERE pluginid = '%s' AND pkey = 'guest/%s'`, testhelper.PluginID, u.Id))
		sqlUpdate(th, fmt.Sprintf(`UPDATE pluginkeyvaluestore SET pvalue = convert_to((convert_from(pvalue, 'UTF8')::bigint - 1)::text, 'UTF8')
			WHERE pluginid = '%s' AND pkey = 'count/active-guests'`, testhelper.PluginID))
		th.MarkInterruptedGuestWrite(u.Id)
	}
	// The plugin sees a guest it already records as deactivated: it leaves
	// the record alone.
	_, err := th.AdminClient.UpdateUserActive(th.Ctx, coreDone.Id, false)
	require.NoError(t, err)
	th.MoveClock(2 * time.Hour)
	seq := th.SMTP.LastSeq()

	for run := 1; run <= 2; run++ {
		report := runExpiryJob(th)
		assert.Zero(t, report.Errors, "run %d: %+v", run, report)
		expires := th.AuditCounts("expire")
		for _, u := range []*model.User{coreActive, coreDone} {
			notices := 0
			for _, m := range mailsTo(th, u.Email, seq) {
				if mentions(m, "has ended") {
					notices++
				}
			}
			assert.Equal(t, 1, notices, "run %d: expiry notices to %s", run, u.Username)
			assert.Equal(t, 1, expires[u.Id], "run %d: expire audit entries of %s", run, u.Username)
			got, _, err := th.AdminClient.GetUser(th.Ctx, u.Id, "")
			require.NoError(t, err)
			assert.NotZero(t, got.DeleteAt, "run %d: %s is active in core", run, u.Username)
			assert.Equal(t, "expired", guestStatus(th, u.Id).DeactivatedReason)
		}
		th.RequireConsistent(th.TakeSnapshot(), map[string]bool{})
	}
	requireSessionDead(t, th, session)
}

// sqlUpdate runs an UPDATE that must change exactly one row.
func sqlUpdate(th *testhelper.TestHelper, query string) {
	th.T.Helper()
	out, err := th.Stack.SQL(th.Ctx, query)
	require.NoError(th.T, err)
	require.Equal(th.T, "UPDATE 1", out, query)
}

package integration

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

type hostileText struct {
	Name  string `json:"name"`
	Text  string `json:"text"`
	Probe string `json:"probe"`
}

func loadHostileText(t *testing.T) []hostileText {
	f, err := os.Open("testdata/hostile/text.jsonl")
	require.NoError(t, err)
	defer f.Close()
	var out []hostileText
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var h hostileText
		require.NoError(t, json.Unmarshal([]byte(line), &h), line)
		require.Contains(t, h.Text, h.Probe, h.Name)
		out = append(out, h)
	}
	require.NoError(t, sc.Err())
	require.NotEmpty(t, out)
	return out
}

// markupFields is one invitation whose every free-text field carries text.
type markupFields struct {
	mail      smtpMessage
	page      string
	addr      string
	nameTaken bool // core kept the text as the inviter's name
	chanTaken bool // ... as the channel's display name
	teamTaken bool // ... as the team's display name
}

// inviteWithText puts text into the inviter's names, a channel's and the
// team's display names and the message, invites a fresh address as the
// inviter (a member), and returns the email and the signup page. Core may
// refuse some of the text for its own fields; that is recorded.
func inviteWithText(th *testhelper.TestHelper, text string) markupFields {
	th.T.Helper()
	var f markupFields
	_, _, err := th.AdminClient.PatchUser(th.Ctx, th.Member.Id, &model.UserPatch{FirstName: model.NewPointer(text), LastName: model.NewPointer(text)})
	if err != nil {
		_, _, err = th.AdminClient.PatchUser(th.Ctx, th.Member.Id, &model.UserPatch{FirstName: model.NewPointer("Ann"), LastName: model.NewPointer("Lee")})
		require.NoError(th.T, err)
	}
	f.nameTaken = err == nil
	display := text
	ch, _, err := th.AdminClient.CreateChannel(th.Ctx, &model.Channel{TeamId: th.Team.Id, Name: "c" + model.NewId()[:12], DisplayName: display, Type: model.ChannelTypeOpen})
	if err != nil {
		ch = th.CreateChannel(th.Team.Id, model.ChannelTypeOpen)
	}
	f.chanTaken = err == nil
	th.AddChannelMember(ch.Id, th.Member.Id)
	_, _, err = th.AdminClient.PatchTeam(th.Ctx, th.Team.Id, &model.TeamPatch{DisplayName: model.NewPointer(text)})
	f.teamTaken = err == nil

	f.addr = newAddress("guest.example.com")
	seq := th.SMTP.LastSeq()
	results := invite(th, th.MemberClient, map[string]any{"emails": []string{f.addr}, "channel_ids": []string{ch.Id}, "message": text})
	require.Len(th.T, results, 1)
	require.Equal(th.T, "sent", results[0].Status, results[0].Message)
	f.mail, err = th.SMTP.WaitFor(th.Ctx, func(m smtpMessage) bool { return m.Seq > seq && m.SentTo(f.addr) })
	require.NoError(th.T, err)
	links := f.mail.LinksWithPrefix(th.URL + apiBase + "/invite/")
	require.NotEmpty(th.T, links)
	code, page, _ := newBrowser().open(th, links[0])
	require.Equal(th.T, http.StatusOK, code)
	f.page = page
	return f
}

// Hostile text in every field that reaches an invitation email or the
// signup page stays text: the email gains no header and no recipient, and
// neither the email's HTML nor the page gains an element, an attribute, a
// script or a non-http URL; the text is shown escaped, not dropped.
func TestSecurityHostileTextInEmailAndSignupPage(t *testing.T) {
	th := testhelper.Setup(t)
	th.SetPluginSettings(map[string]any{"WhoMayInvite": "members", "AllowedDomains": ""})
	texts := loadHostileText(t)

	plain := inviteWithText(th, "Plain Words")
	require.True(t, plain.nameTaken && plain.chanTaken && plain.teamTaken, "core refused plain text")
	baseMail, err := parseMarkup(plain.mail.HTML)
	require.NoError(t, err)
	basePage, err := parseMarkup(plain.page)
	require.NoError(t, err)
	assert.Contains(t, plain.mail.Subject, "Plain Words", "the inviter's name is in the subject")

	taken := map[string]int{}
	for _, h := range texts {
		f := inviteWithText(th, h.Text)
		for what, ok := range map[string]bool{"names": f.nameTaken, "channel": f.chanTaken, "team": f.teamTaken} {
			if ok {
				taken[what]++
			} else {
				t.Logf("%s: core refused it as the %s", h.Name, what)
			}
		}
		taken["message"]++
		assert.Empty(t, mailHeaderProblems(plain.mail, f.mail, f.addr), "%s: email headers", h.Name)
		mail, err := parseMarkup(f.mail.HTML)
		require.NoError(t, err)
		assert.Empty(t, markupProblems(baseMail, mail), "%s: email HTML", h.Name)
		assert.Contains(t, mail.Text, h.Probe, "%s: the text is not shown in the email", h.Name)
		page, err := parseMarkup(f.page)
		require.NoError(t, err)
		assert.Empty(t, markupProblems(basePage, page), "%s: signup page", h.Name)
		assert.Contains(t, page.Text, h.Probe, "%s: the text is not shown on the signup page", h.Name)
		if f.nameTaken && strings.Contains(h.Text, "=?") {
			// An RFC 2047 encoded word in a name is decoded by every mail
			// reader (the sink too): it changes what the subject shows, as any
			// display name can, but adds no header (checked above).
			t.Logf("%s: subject reads %q", h.Name, f.mail.Subject)
		} else if f.nameTaken {
			// The inviter's name is in the subject, on one line.
			assert.Contains(t, strings.Join(strings.Fields(f.mail.Subject), " "), strings.Join(strings.Fields(strings.ReplaceAll(h.Probe, "\u202e", "")), " "), "%s: subject %q", h.Name, f.mail.Subject)
		}
	}
	t.Logf("hostile text: %d strings; taken as message %d, inviter names %d, channel name %d, team name %d; emails and pages checked: %d each",
		len(texts), taken["message"], taken["names"], taken["channel"], taken["team"], len(texts))
}

// The checkers above must be able to fail: injected markup, a new header
// and an extra recipient are all reported.
func TestSecurityCheckersCatchInjection(t *testing.T) {
	page := `<html><body><p>Hi <b>you</b></p><a href="https://x.test/">x</a><script src="/s.js"></script></body></html>`
	base, err := parseMarkup(page)
	require.NoError(t, err)
	assert.Empty(t, markupProblems(base, base))
	for _, bad := range []string{
		`<p>Hi <b>you</b><script>alert(1)</script></p>`,
		`<p>Hi <b onclick="x()">you</b></p>`,
		`<p>Hi <img src=x></p>`,
		`<p><a href="javascript:alert(1)">x</a></p>`,
	} {
		m, err := parseMarkup(strings.Replace(page, `<p>Hi <b>you</b></p>`, bad, 1))
		require.NoError(t, err)
		assert.NotEmpty(t, markupProblems(base, m), bad)
	}
	plain := smtpMessage{EnvelopeTo: []string{"a@x.test"}, To: []string{"a@x.test"}, Header: map[string][]string{"To": {"a@x.test"}, "Subject": {"s"}}}
	assert.Empty(t, mailHeaderProblems(plain, plain, "a@x.test"))
	evil := plain
	evil.Header = map[string][]string{"To": {"a@x.test"}, "Subject": {"s"}, "Bcc": {"e@evil.test"}}
	evil.EnvelopeTo = []string{"a@x.test", "e@evil.test"}
	assert.Equal(t, []string{"envelope recipients [a@x.test e@evil.test]", "header Bcc", "new header Bcc"}, mailHeaderProblems(plain, evil, "a@x.test"))
}

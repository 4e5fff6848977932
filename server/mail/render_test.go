package mail_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/mail"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/mail/mailtest"
)

const inviteLink = "https://chat.example.com/plugins/guest-accounts/api/v1/invite/tok123?a=1&b=2"

var (
	linkExpiry    = time.Date(2030, 1, 2, 15, 4, 0, 0, time.UTC)
	accountExpiry = time.Date(2030, 3, 1, 9, 0, 0, 0, time.UTC)
)

// full returns data with every field set.
func full() mail.Data {
	return mail.Data{
		SiteName:      "Acme Chat",
		SiteURL:       "https://chat.example.com",
		RecipientName: "Gus Guest",
		InviterName:   "Ann Admin",
		GuestName:     "Gus Guest",
		TeamNames:     []string{"Engineering", "Sales"},
		ChannelNames:  []string{"Project X", "Launch"},
		Message:       "Welcome aboard!\nSee you in Project X.",
		Link:          inviteLink,
		LinkExpiresAt: linkExpiry,
		Username:      "gus",
		Password:      "Xy7-random-pw",
		ExpiresAt:     accountExpiry,
		DaysLeft:      3,
	}
}

func render(t *testing.T, kind mail.Kind, d mail.Data) mail.Email {
	t.Helper()
	e, err := mail.Render(kind, mailtest.English(t), d)
	require.NoError(t, err)
	assert.NotContains(t, e.HTML, "<no value>")
	assert.NotContains(t, e.Text, "<no value>")
	return e
}

func TestRenderKinds(t *testing.T) {
	cases := []struct {
		kind    mail.Kind
		subject string
		want    []string // in both the text and the HTML
		notWant []string
	}{
		{mail.Invitation, "[Acme Chat] Ann Admin invited you to join as a guest",
			[]string{"You are invited to Acme Chat", "Hello Gus Guest,", "Ann Admin invited you to join Acme Chat as a guest",
				"Ann Admin wrote:", "Welcome aboard!", "See you in Project X.", "Teams:", "Engineering", "Sales",
				"Channels:", "Project X", "Launch", "Accept the invitation",
				"expires on Wednesday, January 2, 2030 at 15:04 UTC", "Your guest access ends on Friday, March 1, 2030.",
				"If you did not expect this invitation"}, nil},
		{mail.InvitationResent, "[Acme Chat] Reminder: Ann Admin invited you to join as a guest",
			[]string{"Links in earlier invitation emails no longer work", "Accept the invitation", "Project X",
				"expires on Wednesday, January 2, 2030 at 15:04 UTC"}, nil},
		{mail.AddedToChannels, "[Acme Chat] Ann Admin added you to more channels",
			[]string{"New channels in Acme Chat", "Ann Admin gave your guest account access to more channels", "Open Project X", "Launch"},
			[]string{"expires on Wednesday"}},
		{mail.Welcome, "[Acme Chat] Your guest account is ready",
			[]string{"Welcome to Acme Chat", "Ann Admin created a guest account for you", "Username:", "gus",
				"Password:", "Xy7-random-pw", "Sign in", "This password was generated for you", "Your guest access ends on Friday, March 1, 2030."},
			[]string{"Ann Admin wrote:"}},
		{mail.ExpiryReminder, "[Acme Chat] Your guest access ends in 3 days",
			[]string{"Your guest access ends soon", "will be deactivated on Friday, March 1, 2030 (3 days from now)",
				"ask Ann Admin or a system administrator of Acme Chat", "Open Acme Chat"}, nil},
		{mail.ExpiryReminderInviter, "[Acme Chat] Guest access of Gus Guest ends in 3 days",
			[]string{"The guest account of Gus Guest, whom you invited to Acme Chat, will be deactivated on Friday, March 1, 2030",
				"If Gus Guest still needs access"}, nil},
		{mail.Expired, "[Acme Chat] Your guest access has ended",
			[]string{"was deactivated on Friday, March 1, 2030 because its access period ended", "ask Ann Admin"}, nil},
	}
	require.Len(t, cases, len(mail.Kinds()))
	for _, c := range cases {
		t.Run(string(c.kind), func(t *testing.T) {
			e := render(t, c.kind, full())
			assert.Equal(t, c.subject, e.Subject)
			for _, w := range c.want {
				assert.Contains(t, e.Text, w)
				assert.Contains(t, e.HTML, w)
			}
			for _, w := range c.notWant {
				assert.NotContains(t, e.Text, w)
			}
			assert.Contains(t, e.HTML, `<a href="`+strings.ReplaceAll(inviteLink, "&", "&amp;")+`"`)
			assert.Contains(t, e.Text, inviteLink)
			assert.Contains(t, e.HTML, "<title>"+strings.ReplaceAll(c.subject, "&", "&amp;")+"</title>")
			assert.Contains(t, e.Text, "This email was sent by the guest accounts service of Acme Chat.")
			assert.Contains(t, e.HTML, `<a href="https://chat.example.com"`)
		})
	}
}

func TestMinimalData(t *testing.T) {
	base := mail.Data{SiteName: "Acme", InviterName: "Ann", ChannelNames: []string{"Town"}, Link: inviteLink, LinkExpiresAt: linkExpiry}
	e := render(t, mail.Invitation, base)
	assert.Contains(t, e.Text, "Hello,")
	assert.NotContains(t, e.Text, "wrote:")
	assert.NotContains(t, e.Text, "Teams:")
	assert.NotContains(t, e.Text, "Your guest access ends")
	assert.NotContains(t, e.HTML, "<blockquote")

	e = render(t, mail.Welcome, mail.Data{SiteName: "Acme", Username: "gus", Link: "https://chat.example.com/login"})
	assert.Contains(t, e.Text, "A guest account was created for you in Acme.")
	assert.NotContains(t, e.Text, "Password:")
	assert.NotContains(t, e.Text, "generated")

	e = render(t, mail.Welcome, mail.Data{SiteName: "Acme", Username: "gus", Link: "https://chat.example.com/login",
		Password: "pw-123", RequirePasswordChange: true})
	assert.Contains(t, e.Text, "Password: pw-123")
	assert.Contains(t, e.Text, "You will be asked to choose a new password")
	assert.NotContains(t, e.Text, "This password was generated")

	// Reminders without a link have no button; without an inviter they point
	// to the administrators.
	e = render(t, mail.ExpiryReminder, mail.Data{SiteName: "Acme", ExpiresAt: accountExpiry, DaysLeft: 1})
	assert.Equal(t, "[Acme] Your guest access ends in 1 day", e.Subject)
	assert.Contains(t, e.Text, "ask a system administrator of Acme")
	assert.NotContains(t, e.HTML, "<a ")

	e = render(t, mail.ExpiryReminder, mail.Data{SiteName: "Acme", ExpiresAt: accountExpiry, DaysLeft: 0})
	assert.Equal(t, "[Acme] Your guest access ends in less than a day", e.Subject)
	e = render(t, mail.ExpiryReminder, mail.Data{SiteName: "Acme", ExpiresAt: accountExpiry, DaysLeft: -4})
	assert.Equal(t, "[Acme] Your guest access ends in less than a day", e.Subject)
}

func TestRequiredFields(t *testing.T) {
	tr := mailtest.English(t)
	for _, kind := range mail.Kinds() {
		_, err := mail.Render(kind, tr, mail.Data{})
		require.Error(t, err, kind)
		assert.Contains(t, err.Error(), "SiteName is required", kind)
	}
	_, err := mail.Render(mail.Invitation, tr, mail.Data{SiteName: "Acme", InviterName: "Ann", Link: inviteLink, LinkExpiresAt: linkExpiry})
	assert.ErrorContains(t, err, "ChannelNames")
	_, err = mail.Render(mail.Invitation, tr, mail.Data{SiteName: "Acme", InviterName: "Ann", ChannelNames: []string{"x"}, Link: inviteLink})
	assert.ErrorContains(t, err, "LinkExpiresAt")
	_, err = mail.Render(mail.Welcome, tr, mail.Data{SiteName: "Acme", Link: inviteLink})
	assert.ErrorContains(t, err, "Username")
	_, err = mail.Render(mail.ExpiryReminderInviter, tr, mail.Data{SiteName: "Acme", InviterName: "Ann", ExpiresAt: accountExpiry})
	assert.ErrorContains(t, err, "GuestName")
	// A name made only of control characters is empty once cleaned.
	_, err = mail.Render(mail.AddedToChannels, tr, mail.Data{SiteName: "Acme", InviterName: "\r\n\t", ChannelNames: []string{"x"}, Link: inviteLink})
	assert.ErrorContains(t, err, "InviterName")

	_, err = mail.Render("nonsense", tr, full())
	assert.ErrorContains(t, err, "unknown kind")
	_, err = mail.Render(mail.Invitation, nil, full())
	assert.Error(t, err)
}

func TestLinksOnlyHTTP(t *testing.T) {
	bad := []string{
		"javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:x",
		"ftp://example.com/x", "mailto:a@example.com", "//example.com/x", "/relative/path", "example.com/x",
		"https://", "http:///nohost", "https://user:pw@example.com/", "https://example.com@evil.example/",
		"https://exa mple.com/", "https://example.com/\r\nBcc: x@evil", "https://example.com/\u202Egnp.exe", "",
	}
	for _, l := range bad {
		_, err := mail.CheckLink(l)
		assert.Error(t, err, l)
	}
	for _, kind := range mail.Kinds() {
		d := full()
		d.Link = "javascript:alert(document.cookie)"
		_, err := mail.Render(kind, mailtest.English(t), d)
		assert.ErrorContains(t, err, "Link", kind)

		d = full()
		d.SiteURL = "data:text/html,x"
		_, err = mail.Render(kind, mailtest.English(t), d)
		assert.ErrorContains(t, err, "SiteURL", kind)
	}
	for _, l := range []string{"https://example.com", "HTTP://EXAMPLE.COM:8065/a?b=c&d=e#f", "http://127.0.0.1:8065/x", "https://[::1]:8065/"} {
		got, err := mail.CheckLink(l)
		assert.NoError(t, err, l)
		assert.Equal(t, l, got)
	}
}

func TestDateInRecipientZoneAndLayout(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	d := full()
	d.TimeZone = berlin
	e := render(t, mail.Invitation, d)
	assert.Contains(t, e.Text, "expires on Wednesday, January 2, 2030 at 16:04 CET")

	// A translation may choose another layout; an unusable one falls back.
	en := mailtest.English(t)
	layout := func(l string) mail.Translator {
		return func(id string, data map[string]any) string {
			if id == "guest_accounts.mail.common.datetime_layout" {
				return l
			}
			return en(id, data)
		}
	}
	e, err = mail.Render(mail.Invitation, layout("02.01.2006 15:04 MST"), d)
	require.NoError(t, err)
	assert.Contains(t, e.Text, "expires on 02.01.2030 16:04 CET")
	e, err = mail.Render(mail.Invitation, layout("no layout here"), d)
	require.NoError(t, err)
	assert.Contains(t, e.Text, "expires on Wednesday, January 2, 2030 at 16:04 CET")
}

func TestLongListsAreBounded(t *testing.T) {
	d := full()
	d.ChannelNames = nil
	for i := range mail.MaxListItems + 5 {
		d.ChannelNames = append(d.ChannelNames, "chan-"+strings.Repeat("x", i%3)+string(rune('a'+i%26)))
	}
	d.ChannelNames = append(d.ChannelNames, "", " \r\n ")
	e := render(t, mail.Invitation, d)
	assert.Contains(t, e.Text, "and 5 more")
	assert.Equal(t, mail.MaxListItems+1+len(d.TeamNames), strings.Count(e.HTML, "<li>"))
}

func TestMissingTranslationFails(t *testing.T) {
	en := mailtest.English(t)
	drop := func(missing string, answer func(id string) string) mail.Translator {
		return func(id string, data map[string]any) string {
			if id == missing {
				return answer(id)
			}
			return en(id, data)
		}
	}
	for _, answer := range []func(string) string{
		func(string) string { return "" },
		func(id string) string { return id },
	} {
		_, err := mail.Render(mail.Invitation, drop("guest_accounts.mail.invitation.button", answer), full())
		assert.ErrorContains(t, err, "guest_accounts.mail.invitation.button")
	}
	// A translation that uses a value the email does not provide.
	bad := func(id string, data map[string]any) string {
		if id == "guest_accounts.mail.welcome.heading" {
			return "<no value>"
		}
		return en(id, data)
	}
	_, err := mail.Render(mail.Welcome, bad, full())
	assert.ErrorContains(t, err, "guest_accounts.mail.welcome.heading")

	// ...but user text that happens to contain "<no value>" is fine.
	d := full()
	d.InviterName = "<no value>"
	e, err := mail.Render(mail.Invitation, en, d)
	require.NoError(t, err)
	assert.Contains(t, e.Subject, "<no value> invited you")
}

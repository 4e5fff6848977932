// Package mail renders the plugin's emails: invitations, welcome mails and
// expiry notices. It is pure: it calls no Mattermost API. The caller sends the
// result with the plugin API's SendMail(to, subject, htmlBody), which takes
// only an HTML body; the Mattermost server derives the text/plain alternative
// from that HTML itself. So the HTML is written to degrade to readable text
// (every link is also shown as visible text, only simple tags are used), and
// Email.Text is a hand-made rendering for tests, logs and any sender that
// accepts a text part.
//
// Every string comes from a Translator (ids guest_accounts.mail.<kind>.<part>
// in assets/i18n/en.json). Translations are plain text: the HTML template
// escapes them together with the user data they contain.
package mail

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Kind selects which email to render.
type Kind string

// The kinds of email the plugin sends.
const (
	// Invitation invites someone to become a guest (link to the signup page).
	Invitation Kind = "invitation"
	// InvitationResent is a new invitation link after a resend; older links
	// are dead.
	InvitationResent Kind = "invitation_resent"
	// AddedToChannels tells an existing guest they were given more channels;
	// the link leads to the first of them.
	AddedToChannels Kind = "added_to_channels"
	// Welcome greets a guest an admin created directly, with the username, an
	// optional generated password and the login link.
	Welcome Kind = "welcome"
	// ExpiryReminder warns a guest that their access ends soon.
	ExpiryReminder Kind = "expiry_reminder"
	// ExpiryReminderInviter warns the inviter that a guest's access ends soon.
	ExpiryReminderInviter Kind = "expiry_reminder_inviter"
	// Expired tells a guest that their access has ended.
	Expired Kind = "expired"
)

// Kinds lists every Kind, in a stable order.
func Kinds() []Kind {
	return []Kind{Invitation, InvitationResent, AddedToChannels, Welcome, ExpiryReminder, ExpiryReminderInviter, Expired}
}

// Limits applied to user-controlled text before rendering.
const (
	// MaxNameRunes bounds names (people, site, teams, channels, usernames).
	MaxNameRunes = 100
	// MaxMessageRunes bounds the inviter's custom message.
	MaxMessageRunes = 2000
	// MaxListItems bounds the team and channel lists; the rest is summarised.
	MaxListItems = 25
	// MaxSubjectRunes bounds the subject line.
	MaxSubjectRunes = 200
)

// Translator returns the translation of the message id with data substituted
// (go-i18n style, e.g. "{{.SiteName}}"), or "" when it has none. Render fails
// on a missing translation rather than send a mail with holes.
type Translator func(id string, data map[string]any) string

// Data holds everything an email may show. Which fields a kind needs is said
// on each field; Render checks the required ones.
type Data struct {
	// Locale is the recipient's locale ("en", "de", ...), used for the HTML
	// lang attribute; "" means "en". Translations come from the Translator.
	Locale string
	// TimeZone is the recipient's time zone for dates; nil means UTC.
	TimeZone *time.Location

	// SiteName is the Mattermost site name. Required by every kind.
	SiteName string
	// SiteURL is the site's address, shown in the footer when set (http/https).
	SiteURL string
	// RecipientName greets the recipient when set.
	RecipientName string

	// InviterName is the display name of the person who invited the guest or
	// gave them channels. Required by Invitation, InvitationResent,
	// AddedToChannels and ExpiryReminderInviter; optional elsewhere.
	InviterName string
	// GuestName is the guest's display name. Required by ExpiryReminderInviter.
	GuestName string

	// TeamNames and ChannelNames are the display names of what was given.
	// Invitation, InvitationResent and AddedToChannels need a channel.
	TeamNames    []string
	ChannelNames []string
	// Message is the inviter's custom message; may be empty, may have lines.
	Message string

	// Link is the signup link (invitations), the first channel's link
	// (AddedToChannels) or the login link (Welcome); required by those kinds,
	// optional (a link to the site) for the others. Only http and https.
	Link string
	// LinkExpiresAt is when an invitation link dies. Required by invitations.
	LinkExpiresAt time.Time

	// Username is the guest's username. Required by Welcome.
	Username string
	// Password is a generated password to show in the Welcome mail; "" when
	// the admin set one themselves.
	Password string
	// RequirePasswordChange adds a note that a new password will be asked for.
	RequirePasswordChange bool

	// ExpiresAt is when the guest account ends (zero: never). Required by
	// ExpiryReminder, ExpiryReminderInviter and Expired; shown in invitations
	// and Welcome when set.
	ExpiresAt time.Time
	// DaysLeft is the number of whole days until ExpiresAt, for the reminders.
	DaysLeft int
}

// Email is a rendered email.
type Email struct {
	// Subject is a single line: no CR, LF or other control characters.
	Subject string
	// HTML is the body to give to SendMail.
	HTML string
	// Text is the same content as plain text.
	Text string
}

// Render renders an email of the given kind. It fails when the kind is
// unknown, a required field is missing, a link is not http(s), or the
// Translator has no translation for a message the email needs.
func Render(kind Kind, t Translator, data Data) (Email, error) {
	if t == nil {
		return Email{}, fmt.Errorf("mail: no translator")
	}
	d, err := clean(kind, data)
	if err != nil {
		return Email{}, err
	}
	b := &builder{t: t, d: d, kind: kind}
	c, err := b.build()
	if err != nil {
		return Email{}, err
	}
	if len(b.missing) > 0 {
		return Email{}, fmt.Errorf("mail: %s: missing translations: %s", kind, strings.Join(b.missing, ", "))
	}
	return c.render()
}

// clean validates data for kind and returns a copy with every piece of user
// text made safe for its place: single-line fields without control
// characters, bounded lengths, links checked.
func clean(kind Kind, in Data) (Data, error) {
	d := in
	d.Locale = cleanLocale(in.Locale)
	if d.TimeZone == nil {
		d.TimeZone = time.UTC
	}
	d.SiteName = SingleLine(in.SiteName, MaxNameRunes)
	d.RecipientName = SingleLine(in.RecipientName, MaxNameRunes)
	d.InviterName = SingleLine(in.InviterName, MaxNameRunes)
	d.GuestName = SingleLine(in.GuestName, MaxNameRunes)
	d.Username = SingleLine(in.Username, MaxNameRunes)
	d.Password = SingleLine(in.Password, MaxNameRunes)
	d.TeamNames = cleanList(in.TeamNames)
	d.ChannelNames = cleanList(in.ChannelNames)
	d.Message = MultiLine(in.Message, MaxMessageRunes)

	var errs []string
	need := func(ok bool, what string) {
		if !ok {
			errs = append(errs, what+" is required")
		}
	}
	need(d.SiteName != "", "SiteName")
	switch kind {
	case Invitation, InvitationResent:
		need(d.InviterName != "", "InviterName")
		need(len(d.ChannelNames) > 0, "ChannelNames")
		need(in.Link != "", "Link")
		need(!in.LinkExpiresAt.IsZero(), "LinkExpiresAt")
	case AddedToChannels:
		need(d.InviterName != "", "InviterName")
		need(len(d.ChannelNames) > 0, "ChannelNames")
		need(in.Link != "", "Link")
	case Welcome:
		need(d.Username != "", "Username")
		need(in.Link != "", "Link")
	case ExpiryReminder, Expired:
		need(!in.ExpiresAt.IsZero(), "ExpiresAt")
	case ExpiryReminderInviter:
		need(d.InviterName != "", "InviterName")
		need(d.GuestName != "", "GuestName")
		need(!in.ExpiresAt.IsZero(), "ExpiresAt")
	default:
		return Data{}, fmt.Errorf("mail: unknown kind %q", kind)
	}
	if in.Link != "" {
		link, err := CheckLink(in.Link)
		if err != nil {
			errs = append(errs, "Link: "+err.Error())
		}
		d.Link = link
	}
	if in.SiteURL != "" {
		link, err := CheckLink(in.SiteURL)
		if err != nil {
			errs = append(errs, "SiteURL: "+err.Error())
		}
		d.SiteURL = link
	}
	if d.DaysLeft < 0 {
		d.DaysLeft = 0
	}
	if len(errs) > 0 {
		return Data{}, fmt.Errorf("mail: %s: %s", kind, strings.Join(errs, "; "))
	}
	return d, nil
}

// CheckLink accepts an absolute http or https URL with a host, no user info
// and no white space or control characters, and returns it unchanged.
func CheckLink(raw string) (string, error) {
	if raw == "" {
		return "", fmt.Errorf("empty link")
	}
	for _, r := range raw {
		if unicode.IsSpace(r) || unicode.IsControl(r) || isInvisible(r) {
			return "", fmt.Errorf("link contains white space or control characters")
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("link is not a URL: %w", err)
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", fmt.Errorf("link scheme %q is not http or https", u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" {
		return "", fmt.Errorf("link has no host")
	}
	if u.User != nil {
		return "", fmt.Errorf("link must not contain user information")
	}
	return raw, nil
}

// SingleLine makes s safe for a one-line place such as a subject or a name:
// control characters (CR, LF, tab, ...), Unicode line and paragraph
// separators and bidirectional override characters become spaces, runs of
// white space become one space, the ends are trimmed, invalid UTF-8 is
// replaced, and the result is cut to limit runes (with "…").
func SingleLine(s string, limit int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsControl(r) || unicode.IsSpace(r) || isInvisible(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return truncate(b.String(), limit)
}

// MultiLine makes s safe for a multi-line body such as the custom message:
// line breaks are normalised to "\n" (at most one blank line in a row),
// other control and bidirectional override characters become spaces, each
// line is trimmed, invalid UTF-8 is replaced, and the result is cut to limit
// runes (with "…").
func MultiLine(s string, limit int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		if r == '\r' || r == '\u2028' || r == '\u2029' || r == '\u0085' || r == '\v' || r == '\f' {
			return '\n'
		}
		return r
	}, s)
	var lines []string
	blank := 0
	for _, line := range strings.Split(s, "\n") {
		line = SingleLine(line, utf8.RuneCountInString(line)+1)
		if line == "" {
			blank++
			continue
		}
		if blank > 0 && len(lines) > 0 {
			lines = append(lines, "")
		}
		blank = 0
		lines = append(lines, line)
	}
	return truncate(strings.Join(lines, "\n"), limit)
}

// isInvisible reports characters that must not reach a one-line field even
// though Go does not count them as control characters: line and paragraph
// separators, and the bidirectional embedding, override and isolate
// characters that can make text display differently from what it is.
func isInvisible(r rune) bool {
	switch {
	case r == '\u2028' || r == '\u2029' || r == '\u0085':
		return true
	case r >= '\u202A' && r <= '\u202E':
		return true
	case r >= '\u2066' && r <= '\u2069':
		return true
	case r == '\u200E' || r == '\u200F' || r == '\u061C':
		return true
	}
	return false
}

func truncate(s string, limit int) string {
	if limit <= 0 || utf8.RuneCountInString(s) <= limit {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:limit-1])) + "…"
}

func cleanList(in []string) []string {
	var out []string
	for _, s := range in {
		if s = SingleLine(s, MaxNameRunes); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func cleanLocale(s string) string {
	ok := s != "" && len(s) <= 35
	for _, r := range s {
		if !(r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			ok = false
		}
	}
	if !ok {
		return "en"
	}
	return strings.ReplaceAll(s, "_", "-")
}

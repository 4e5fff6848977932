package mail

import (
	"strings"
	"time"
)

// idPrefix starts every message id of this package.
const idPrefix = "guest_accounts.mail."

// Default date layouts, used only if a translation gives one Go cannot use.
const (
	defaultDateTimeLayout = "Monday, January 2, 2006 at 15:04 MST"
	defaultDateLayout     = "Monday, January 2, 2006"
)

// content is what every email is made of, in display order. Each string is
// plain text (already translated, not yet escaped).
type content struct {
	Lang       string
	Subject    string
	Heading    string
	Greeting   string
	Intro      []string
	QuoteLabel string
	Quote      []string // lines of the custom message
	Lists      []list
	Fields     []field
	Button     string
	Link       string
	LinkHint   string
	Notes      []string
	Footer     []string
	SiteURL    string
}

type list struct {
	Label string
	Items []string
}

type field struct {
	Label string
	Value string
}

// builder turns cleaned Data into content for one kind, recording the
// translations that were missing.
type builder struct {
	t       Translator
	d       Data
	kind    Kind
	missing []string
}

// tr translates idPrefix+id; ids without a dot are the kind's own parts.
func (b *builder) tr(id string, data map[string]any) string {
	if !strings.Contains(id, ".") {
		id = string(b.kind) + "." + id
	}
	id = idPrefix + id
	if data == nil {
		data = b.vars()
	}
	s := b.t(id, data)
	if s == "" || s == id {
		b.missing = append(b.missing, id)
		return ""
	}
	if strings.Contains(s, noValue) && !dataContains(data, noValue) {
		// go-i18n prints this for a template field the data lacks.
		b.missing = append(b.missing, id+" (uses a value the email does not provide)")
		return ""
	}
	return s
}

// noValue is what go-i18n (text/template) prints for a field the data lacks.
const noValue = "<no value>"

// dataContains reports whether a string value of data contains sub, so user
// text that happens to contain noValue is not mistaken for a missing field.
func dataContains(data map[string]any, sub string) bool {
	for _, v := range data {
		if s, ok := v.(string); ok && strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// vars are the template values every message may use.
func (b *builder) vars() map[string]any {
	return map[string]any{
		"SiteName": b.d.SiteName,
		"Inviter":  b.d.InviterName,
		"Guest":    b.d.GuestName,
		"Username": b.d.Username,
	}
}

// with returns vars plus extra key/value pairs.
func (b *builder) with(kv ...any) map[string]any {
	m := b.vars()
	for i := 0; i+1 < len(kv); i += 2 {
		if k, ok := kv[i].(string); ok {
			m[k] = kv[i+1]
		}
	}
	return m
}

// formatTime formats t in the recipient's zone with the translated layout.
func (b *builder) formatTime(t time.Time, layoutID, fallback string) string {
	layout := b.tr(layoutID, nil)
	if !strings.Contains(layout, "2006") && !strings.Contains(layout, "06") {
		layout = fallback
	}
	return t.In(b.d.TimeZone).Format(layout)
}

func (b *builder) dateTime(t time.Time) string {
	return b.formatTime(t, "common.datetime_layout", defaultDateTimeLayout)
}

func (b *builder) date(t time.Time) string {
	return b.formatTime(t, "common.date_layout", defaultDateLayout)
}

// days renders the days-left phrase ("3 days", "1 day", "less than a day").
func (b *builder) days() string {
	switch b.d.DaysLeft {
	case 0:
		return b.tr("common.days_zero", nil)
	case 1:
		return b.tr("common.days_one", b.with("Count", 1))
	default:
		return b.tr("common.days_other", b.with("Count", b.d.DaysLeft))
	}
}

// items bounds a list, summarising the rest as "and N more".
func (b *builder) items(in []string) []string {
	if len(in) <= MaxListItems {
		return in
	}
	out := append([]string(nil), in[:MaxListItems]...)
	return append(out, b.tr("common.and_more", b.with("Count", len(in)-MaxListItems)))
}

// lists adds the team and channel lists.
func (b *builder) lists(c *content) {
	if len(b.d.TeamNames) > 0 {
		c.Lists = append(c.Lists, list{Label: b.tr("common.teams_label", nil), Items: b.items(b.d.TeamNames)})
	}
	if len(b.d.ChannelNames) > 0 {
		c.Lists = append(c.Lists, list{Label: b.tr("common.channels_label", nil), Items: b.items(b.d.ChannelNames)})
	}
}

// customMessage adds the inviter's message as a quote.
func (b *builder) customMessage(c *content) {
	if b.d.Message == "" {
		return
	}
	c.QuoteLabel = b.tr("common.message_label", nil)
	c.Quote = strings.Split(b.d.Message, "\n")
}

// button adds the call to action with the visible copy of the link.
func (b *builder) button(c *content, label string) {
	if b.d.Link == "" {
		return
	}
	c.Button = label
	c.Link = b.d.Link
	c.LinkHint = b.tr("common.link_hint", nil)
}

// accountExpiry notes when the guest account ends, if it does.
func (b *builder) accountExpiry(c *content) {
	if !b.d.ExpiresAt.IsZero() {
		c.Notes = append(c.Notes, b.tr("common.account_expiry", b.with("Date", b.date(b.d.ExpiresAt))))
	}
}

// build assembles the content of b.kind.
func (b *builder) build() (*content, error) {
	c := &content{Lang: b.d.Locale, SiteURL: b.d.SiteURL}
	if b.d.RecipientName != "" {
		c.Greeting = b.tr("common.greeting", b.with("Name", b.d.RecipientName))
	} else {
		c.Greeting = b.tr("common.greeting_anonymous", nil)
	}
	switch b.kind {
	case Invitation, InvitationResent:
		c.Subject = b.tr("subject", b.vars())
		c.Heading = b.tr("heading", b.vars())
		c.Intro = []string{b.tr("intro", b.vars())}
		b.customMessage(c)
		b.lists(c)
		b.button(c, b.tr("button", b.vars()))
		c.Notes = append(c.Notes, b.tr("link_expiry", b.with("Date", b.dateTime(b.d.LinkExpiresAt))))
		b.accountExpiry(c)
		c.Footer = append(c.Footer, b.tr("footer", b.vars()))
	case AddedToChannels:
		c.Subject = b.tr("subject", b.vars())
		c.Heading = b.tr("heading", b.vars())
		c.Intro = []string{b.tr("intro", b.vars())}
		b.customMessage(c)
		b.lists(c)
		b.button(c, b.tr("button", b.with("Channel", b.d.ChannelNames[0])))
		b.accountExpiry(c)
	case Welcome:
		c.Subject = b.tr("subject", b.vars())
		c.Heading = b.tr("heading", b.vars())
		if b.d.InviterName != "" {
			c.Intro = []string{b.tr("intro", b.vars())}
		} else {
			c.Intro = []string{b.tr("intro_no_inviter", b.vars())}
		}
		c.Fields = append(c.Fields, field{Label: b.tr("username_label", nil), Value: b.d.Username})
		if b.d.Password != "" {
			c.Fields = append(c.Fields, field{Label: b.tr("password_label", nil), Value: b.d.Password})
		}
		b.lists(c)
		b.button(c, b.tr("button", b.vars()))
		if b.d.RequirePasswordChange {
			c.Notes = append(c.Notes, b.tr("password_change", nil))
		} else if b.d.Password != "" {
			c.Notes = append(c.Notes, b.tr("password_hint", nil))
		}
		b.accountExpiry(c)
	case ExpiryReminder:
		v := b.with("Date", b.date(b.d.ExpiresAt), "Days", b.days())
		c.Subject = b.tr("subject", v)
		c.Heading = b.tr("heading", v)
		c.Intro = []string{b.tr("intro", v), b.contact()}
		b.button(c, b.tr("button", v))
	case ExpiryReminderInviter:
		v := b.with("Date", b.date(b.d.ExpiresAt), "Days", b.days())
		c.Subject = b.tr("subject", v)
		c.Heading = b.tr("heading", v)
		c.Intro = []string{b.tr("intro", v), b.tr("action", v)}
		b.button(c, b.tr("button", v))
	case Expired:
		v := b.with("Date", b.date(b.d.ExpiresAt))
		c.Subject = b.tr("subject", v)
		c.Heading = b.tr("heading", v)
		c.Intro = []string{b.tr("intro", v), b.contact()}
		b.button(c, b.tr("button", v))
	}
	c.Footer = append(c.Footer, b.tr("common.footer", b.vars()))
	c.Subject = SingleLine(c.Subject, MaxSubjectRunes)
	return c, nil
}

// contact tells a guest whom to ask for more time.
func (b *builder) contact() string {
	if b.d.InviterName != "" {
		return b.tr("common.contact_inviter", b.vars())
	}
	return b.tr("common.contact_admin", b.vars())
}

package mail_test

import (
	"bytes"
	"io"
	"net/mail"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	gamail "github.com/guest-accounts/mattermost-plugin-guest-accounts/server/mail"
)

const injection = "\r\nBcc: x@evil.example\r\n\r\n"

func hostile() gamail.Data {
	d := full()
	d.InviterName = `Ann"><script>alert(1)</script>` + injection + "X-Evil: 1"
	d.RecipientName = "<img src=x onerror=alert(1)>"
	d.GuestName = "Gus\nBcc: y@evil.example"
	d.SiteName = "Acme & <Co>\u202Egnp.exe"
	d.TeamNames = []string{"<b>Team</b>", "T\u0000eam\u0007"}
	d.ChannelNames = []string{`"><svg onload=alert(1)>`, "Zoë 🎉 日本語 مرحبا"}
	d.Message = "Hi <script>alert('x')</script>" + injection + "<a href=\"javascript:alert(1)\">click</a>\n{{.SiteName}} &amp; done"
	d.Username = "gus<script>"
	d.Password = "p&<>\"'w"
	return d
}

// TestHostileInputsAreEscaped checks that user text never becomes markup,
// that one-line places never carry a line break, and that a subject built
// from hostile text cannot add a header.
func TestHostileInputsAreEscaped(t *testing.T) {
	for _, kind := range gamail.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			e := render(t, kind, hostile())

			// Hostile text may appear escaped (as text); it must never be
			// markup. checkHTML below also inspects every tag and attribute.
			for _, bad := range []string{"<script", "<img", "<svg", "<b>"} {
				assert.False(t, strings.Contains(strings.ToLower(e.HTML), bad), "HTML contains %s", bad)
			}
			assert.NotContains(t, e.HTML, "\u202E")
			checkSubject(t, e.Subject)
			assert.NotContains(t, e.Subject, "\u202E")

			// Mattermost writes "Subject: " + encoded subject; even written
			// raw, the subject must not start a new header field.
			raw := "From: a@example.com\r\nTo: b@example.com\r\nSubject: " + e.Subject + "\r\n\r\n" + e.Text
			msg, err := mail.ReadMessage(strings.NewReader(raw))
			require.NoError(t, err)
			assert.Empty(t, msg.Header.Get("Bcc"))
			assert.Empty(t, msg.Header.Get("X-Evil"))
			assert.Len(t, msg.Header, 3)

			checkHTML(t, e.HTML)
		})
	}

	e := render(t, gamail.Invitation, hostile())
	assert.Contains(t, e.HTML, "Ann&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt; Bcc: x@evil.example X-Evil: 1")
	assert.Contains(t, e.HTML, "Hi &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;")
	assert.Contains(t, e.HTML, "&lt;a href=&#34;javascript:alert(1)&#34;&gt;click&lt;/a&gt;")
	// The message is text: template syntax and entities in it stay literal.
	assert.Contains(t, e.Text, "{{.SiteName}} &amp; done")
	assert.Contains(t, e.HTML, "{{.SiteName}} &amp;amp; done")
	assert.Contains(t, e.HTML, "Zoë 🎉 日本語 مرحبا")
	assert.Contains(t, e.HTML, "T eam")
	assert.Equal(t, "[Acme & <Co> gnp.exe] Ann\"><script>alert(1)</script> Bcc: x@evil.example X-Evil: 1 invited you to join as a guest", e.Subject)

	w := render(t, gamail.Welcome, hostile())
	assert.Contains(t, w.HTML, "p&amp;&lt;&gt;&#34;&#39;w")
	assert.Contains(t, w.Text, "Password: p&<>\"'w")
}

func TestVeryLongInputsAreBounded(t *testing.T) {
	d := full()
	d.InviterName = strings.Repeat("Ann ", 10000)
	d.Message = strings.Repeat("word ", 20000) + strings.Repeat("x", 50000)
	d.ChannelNames = []string{strings.Repeat("c", 5000)}
	e := render(t, gamail.Invitation, d)
	checkSubject(t, e.Subject)
	assert.LessOrEqual(t, utf8.RuneCountInString(e.Subject), gamail.MaxSubjectRunes)
	assert.Contains(t, e.Subject, "Ann Ann…")
	d.SiteName = strings.Repeat("S", 500)
	e = render(t, gamail.Invitation, d)
	assert.LessOrEqual(t, utf8.RuneCountInString(e.Subject), gamail.MaxSubjectRunes)
	assert.True(t, strings.HasSuffix(e.Subject, "…"), e.Subject)
	assert.Less(t, len(e.HTML), 20000)
	assert.Contains(t, e.Text, strings.Repeat("c", gamail.MaxNameRunes-1)+"…")
	assert.NotContains(t, e.Text, strings.Repeat("c", gamail.MaxNameRunes))
}

func TestSingleLine(t *testing.T) {
	cases := map[string]string{
		"  plain  ":                      "plain",
		"a\r\nBcc: x":                    "a Bcc: x",
		"a\rb\nc\td\u0085e\u2028f\u2029": "a b c d e f",
		"tab\t\tand  spaces":             "tab and spaces",
		"nul\x00and\x1bescape\x7f":       "nul and escape",
		"bidi\u202Eevil\u2066x\u2069":    "bidi evil x",
		"Zoë 🎉 日本語":                      "Zoë 🎉 日本語",
		"bad\xffutf8":                    "bad\uFFFDutf8",
	}
	for in, want := range cases {
		assert.Equal(t, want, gamail.SingleLine(in, 100), "%q", in)
	}
	assert.Equal(t, "abcd…", gamail.SingleLine("abcdefgh", 5))
	assert.Equal(t, "日本…", gamail.SingleLine("日本語日本語", 3))
}

func TestMultiLine(t *testing.T) {
	assert.Equal(t, "one\ntwo\n\nthree", gamail.MultiLine("\r\n one \r\ntwo\r\n\r\n\r\n\r\nthree\r\n\r\n", 100))
	assert.Equal(t, "a\nb\nc", gamail.MultiLine("a\rb\u2028c", 100))
	assert.Equal(t, "x y", gamail.MultiLine("x\x00\x1b y", 100))
	assert.Equal(t, "ab…", gamail.MultiLine("abcdef", 3))
}

// checkSubject fails on any control or line-breaking character.
func checkSubject(t *testing.T, s string) {
	t.Helper()
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == '\u0085' {
			t.Fatalf("subject %q contains %U", s, r)
		}
	}
}

// htmlTags are the only tags the templates may produce: the ones
// Mattermost's HTML-to-text conversion accepts, so a client that shows the
// text part (or a future Mattermost that derives one) keeps every word.
var htmlTags = map[string]bool{
	"html": true, "head": true, "meta": true, "title": true, "body": true, "table": true, "tr": true,
	"td": true, "h1": true, "p": true, "br": true, "a": true, "ul": true, "li": true, "blockquote": true,
}

// checkHTML tokenizes the body: only expected tags, only http(s) links, no
// event-handler attributes.
func checkHTML(t *testing.T, body string) {
	t.Helper()
	z := html.NewTokenizer(bytes.NewReader([]byte(body)))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			require.ErrorIs(t, z.Err(), io.EOF)
			return
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		assert.True(t, htmlTags[tok.Data], "unexpected tag <%s>", tok.Data)
		for _, a := range tok.Attr {
			assert.False(t, strings.HasPrefix(strings.ToLower(a.Key), "on"), "event attribute %s", a.Key)
			if a.Key == "href" {
				_, err := gamail.CheckLink(a.Val)
				assert.NoError(t, err, "href %q", a.Val)
			}
		}
	}
}

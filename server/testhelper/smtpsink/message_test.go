package smtpsink

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func parsed(raw string) Message {
	m := Message{Raw: []byte(strings.ReplaceAll(raw, "\n", "\r\n"))}
	parseMessage(&m)
	return m
}

func TestParseNestedMultipartSkipsAttachments(t *testing.T) {
	m := parsed(`From: a@example.com
To: b@example.com
Cc: C <c@example.com>
Subject: =?ISO-8859-1?Q?caf=E9?=
Content-Type: multipart/mixed; boundary=outer

--outer
Content-Type: multipart/alternative; boundary=inner

--inner
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

caf=E9
--inner
Content-Type: text/html; charset=utf-8

<p>caf&eacute; <a href='http://example.com/a?b=1&amp;c=2'>x</a></p>
--inner--
--outer
Content-Type: text/plain; charset=utf-8
Content-Disposition: attachment; filename="notes.txt"

attachment text https://attachment.example.com
--outer--
`)
	assert.Empty(t, m.ParseError)
	assert.Equal(t, "café", m.Subject)
	assert.Equal(t, "café", m.Text)
	assert.Contains(t, m.HTML, "<p>caf&eacute;")
	assert.Equal(t, []string{"c@example.com"}, m.Cc)
	assert.True(t, m.SentTo("C@EXAMPLE.COM"))
	assert.Equal(t, []string{"http://example.com/a?b=1&c=2"}, m.Links())
}

func TestParseSinglePartHTML(t *testing.T) {
	m := parsed(`From: a@example.com
To: b@example.com
Subject: plain
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: base64

PGEgaHJlZj0iaHR0cHM6Ly9leGFtcGxlLmNvbS94Ij5nbzwvYT4=
`)
	assert.Empty(t, m.ParseError)
	assert.Empty(t, m.Text)
	assert.Equal(t, `<a href="https://example.com/x">go</a>`, m.HTML)
}

func TestParseNoContentType(t *testing.T) {
	m := parsed("From: a@example.com\nTo: b@example.com\nSubject: s\n\nsee https://example.com/p, then (https://example.com/q).\n")
	assert.Empty(t, m.ParseError)
	assert.Equal(t, "see https://example.com/p, then (https://example.com/q).\n", m.Text)
	assert.Equal(t, []string{"https://example.com/p", "https://example.com/q"}, m.Links())
	assert.Equal(t, []string{"https://example.com/q"}, m.LinksWithPrefix("https://example.com/q"))
}

func TestParseErrorsAreRecorded(t *testing.T) {
	m := parsed("From: a@example.com\nTo: b@example.com\nSubject: s\nContent-Type: multipart/alternative\n\nbody\n")
	assert.Contains(t, m.ParseError, "boundary")
	assert.Equal(t, "s", m.Subject)

	m = parsed("not a header line at all")
	assert.NotEmpty(t, m.ParseError)

	m = parsed("Subject: s\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n!!!notbase64\n")
	assert.Contains(t, m.ParseError, "base64")
}

func TestLinksIgnoreOtherSchemes(t *testing.T) {
	m := Message{
		Text: "ftp://example.com/x mailto:a@example.com javascript:alert(1) HTTPS://EXAMPLE.COM/Up",
		HTML: `<a href="javascript:alert(1)">x</a><a href="https://example.com/a">a</a> https://example.com/a`,
	}
	assert.Equal(t, []string{"HTTPS://EXAMPLE.COM/Up", "https://example.com/a"}, m.Links())
}

func TestHeaderLinesUnfold(t *testing.T) {
	lines := headerLines([]byte("A: 1\r\nB: two\r\n  parts\r\n\r\nbody: no\r\n"))
	assert.Equal(t, []string{"A: 1", "B: two parts"}, lines)
}

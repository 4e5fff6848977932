package smtpsink

import (
	"context"
	"errors"
	"fmt"
	"net/smtp"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// waitBound is a generous upper bound for a wait that should succeed; tests
// never assert on timing.
const waitBound = 20 * time.Second

func startSink(t *testing.T) *Sink {
	t.Helper()
	s, err := Start()
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// send delivers raw over plain SMTP the way Mattermost's sender does: EHLO
// with a host name, no STARTTLS, no AUTH.
func send(t *testing.T, s *Sink, from string, to []string, raw string) {
	t.Helper()
	require.NoError(t, sendErr(s, from, to, raw))
}

func sendErr(s *Sink, from string, to []string, raw string) error {
	c, err := smtp.Dial(s.Addr())
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello("mattermost.localhost"); err != nil {
		return err
	}
	if err := c.Mail(from); err != nil {
		return err
	}
	for _, r := range to {
		if err := c.Rcpt(r); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write([]byte(strings.ReplaceAll(raw, "\n", "\r\n"))); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

func simple(to, subject, body string) string {
	return "From: sender@example.com\nTo: " + to + "\nSubject: " + subject +
		"\nContent-Type: text/plain; charset=utf-8\n\n" + body + "\n"
}

// multipartMessage has a quoted-printable text part, a base64 HTML part, an
// encoded subject and two recipients.
const multipartMessage = `From: "Gäst Bot" <bot@example.com>
To: Alice <alice@example.com>, bob@Example.org
Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_=E2=9C=93?= and =?UTF-8?B?w6l0w6k=?=
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="BOUNDARY-1"
Content-Transfer-Encoding: 8bit
Auto-Submitted: auto-generated

--BOUNDARY-1
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: quoted-printable

Hello Zo=C3=AB, a=3Db and a long line that is wrapped by a soft line break =
here. Join: https://mm.example.com/plugins/guest-accounts/api/v1/invite/tok=
en123?x=3D1&y=3D2.
--BOUNDARY-1
Content-Type: text/html; charset=UTF-8
Content-Transfer-Encoding: base64

PHA+SGVsbG8gPGI+Wm/DqzwvYj4sIDxhIGhyZWY9Imh0dHBzOi8vbW0uZXhhbXBsZS5jb20vcGx1
Z2lucy9ndWVzdC1hY2NvdW50cy9hcGkvdjEvaW52aXRlL3Rva2VuMTIzP3g9MSZhbXA7eT0yIj5K
b2luPC9hPjwvcD4=
--BOUNDARY-1--
`

func TestReceiveMultipartAlternative(t *testing.T) {
	s := startSink(t)
	send(t, s, "bounce@example.com", []string{"alice@example.com", "bob@example.org"}, multipartMessage)

	m, err := s.WaitForToWithin(waitBound, "ALICE@example.com")
	require.NoError(t, err)
	assert.Empty(t, m.ParseError)
	assert.Equal(t, 1, m.Seq)
	assert.Equal(t, "bounce@example.com", m.EnvelopeFrom)
	assert.Equal(t, []string{"alice@example.com", "bob@example.org"}, m.EnvelopeTo)
	assert.Equal(t, "bot@example.com", m.From)
	assert.Equal(t, "Gäst Bot", m.FromName)
	assert.Equal(t, []string{"alice@example.com", "bob@Example.org"}, m.To)
	assert.Equal(t, "Grüße ✓ and été", m.Subject)
	assert.Equal(t, "auto-generated", m.Header.Get("Auto-Submitted"))
	assert.Contains(t, m.Text, "Hello Zoë, a=b and a long line that is wrapped by a soft line break here.")
	assert.Contains(t, m.Text, "https://mm.example.com/plugins/guest-accounts/api/v1/invite/token123?x=1&y=2.")
	assert.Equal(t, `<p>Hello <b>Zoë</b>, <a href="https://mm.example.com/plugins/guest-accounts/api/v1/invite/token123?x=1&amp;y=2">Join</a></p>`, m.HTML)
	assert.Equal(t, []string{"https://mm.example.com/plugins/guest-accounts/api/v1/invite/token123?x=1&y=2"}, m.Links())
	assert.Contains(t, string(m.Raw), "Content-Type: multipart/alternative")
	assert.Equal(t, []string{"alice@example.com", "bob@example.org"}, m.Recipients())

	assert.Len(t, s.MessagesTo("Bob@EXAMPLE.org"), 1)
	assert.Empty(t, s.MessagesTo("carol@example.com"))
	assert.Len(t, s.Messages(), 1)
}

// TestMattermostShape sends a message shaped like the one Mattermost's
// sender (gomail) writes: B-encoded subject, 8bit top level, quoted-printable
// parts, mixed case header names.
func TestMattermostShape(t *testing.T) {
	s := startSink(t)
	raw := `Mime-Version: 1.0
Date: Mon, 02 Jan 2006 15:04:05 +0000
From: "Mattermost" <mattermost@guest-accounts.test>
To: guest@partner.example
Subject: =?utf-8?b?W01hdHRlcm1vc3RdIFlvdSdyZSBpbnZpdGVkIOKcqA==?=
Content-Transfer-Encoding: 8bit
Auto-Submitted: auto-generated
Precedence: bulk
X-SMTPAPI: {"category": "NotificationEmail"}
Message-ID: <abc-1@localhost>
Content-Type: multipart/alternative;
 boundary=1f2e3d

--1f2e3d
Content-Transfer-Encoding: quoted-printable
Content-Type: text/plain; charset=UTF-8

You're invited =E2=9C=A8
Open http://localhost:8065/plugins/guest-accounts/api/v1/invite/abc
--1f2e3d
Content-Transfer-Encoding: quoted-printable
Content-Type: text/html; charset=UTF-8

<p>You're invited =E2=9C=A8</p><a href=3D"http://localhost:8065/plugins/gue=
st-accounts/api/v1/invite/abc">Accept</a>
--1f2e3d--
`
	send(t, s, "mattermost@guest-accounts.test", []string{"guest@partner.example"}, raw)
	m, err := s.WaitForToWithin(waitBound, "guest@partner.example")
	require.NoError(t, err)
	assert.Empty(t, m.ParseError)
	assert.Equal(t, "[Mattermost] You're invited ✨", m.Subject)
	assert.Equal(t, "You're invited ✨\nOpen http://localhost:8065/plugins/guest-accounts/api/v1/invite/abc", strings.TrimSpace(m.Text))
	assert.Contains(t, m.HTML, `<a href="http://localhost:8065/plugins/guest-accounts/api/v1/invite/abc">`)
	assert.Equal(t, []string{"http://localhost:8065/plugins/guest-accounts/api/v1/invite/abc"}, m.Links())
	assert.Equal(t, `{"category": "NotificationEmail"}`, m.Header.Get("X-Smtpapi"))
}

func TestWaitForConcurrentSenders(t *testing.T) {
	s := startSink(t)
	const n = 8
	ctx, cancel := context.WithTimeout(context.Background(), waitBound)
	defer cancel()

	var wg sync.WaitGroup
	got := make([]Message, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = s.WaitForTo(ctx, fmt.Sprintf("user%d@example.com", i))
		}()
	}
	sendErrs := make(chan error, n)
	for i := range n {
		go func() {
			addr := fmt.Sprintf("user%d@example.com", i)
			sendErrs <- sendErr(s, "a@example.com", []string{addr}, simple(addr, fmt.Sprintf("msg %d", i), "hi"))
		}()
	}
	for range n {
		require.NoError(t, <-sendErrs)
	}
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i])
		assert.Equal(t, fmt.Sprintf("msg %d", i), got[i].Subject)
	}
	assert.Len(t, s.Messages(), n)
	assert.Equal(t, n, s.LastSeq())
}

func TestWaitForMatchesEarlierAndNewerMessages(t *testing.T) {
	s := startSink(t)
	send(t, s, "a@example.com", []string{"g@example.com"}, simple("g@example.com", "first", "one"))

	m, err := s.WaitForToWithin(waitBound, "g@example.com")
	require.NoError(t, err)
	assert.Equal(t, "first", m.Subject)

	// A second mail to the same address: wait for one newer than LastSeq.
	after := s.LastSeq()
	done := make(chan Message, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitBound)
		defer cancel()
		m, err := s.WaitFor(ctx, func(m Message) bool { return m.Seq > after && m.SentTo("g@example.com") })
		assert.NoError(t, err)
		done <- m
	}()
	send(t, s, "a@example.com", []string{"other@example.com"}, simple("other@example.com", "noise", "x"))
	send(t, s, "a@example.com", []string{"g@example.com"}, simple("g@example.com", "second", "two"))
	assert.Equal(t, "second", (<-done).Subject)
}

func TestWaitForTimesOutWithSummary(t *testing.T) {
	s := startSink(t)
	send(t, s, "a@example.com", []string{"x@example.com"}, simple("x@example.com", "hello", "x"))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := s.WaitForTo(ctx, "nobody@example.com")
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.DeadlineExceeded))
	assert.Contains(t, err.Error(), `"hello"`)
}

func TestCloseWakesWaiters(t *testing.T) {
	s, err := Start()
	require.NoError(t, err)
	errc := make(chan error, 1)
	go func() {
		_, err := s.WaitForTo(context.Background(), "never@example.com")
		errc <- err
	}()
	require.NoError(t, s.Close())
	assert.ErrorIs(t, <-errc, ErrClosed)
	require.NoError(t, s.Close())
	assert.Error(t, sendErr(s, "a@example.com", []string{"b@example.com"}, simple("b@example.com", "s", "b")))
}

func TestReset(t *testing.T) {
	s := startSink(t)
	send(t, s, "a@example.com", []string{"b@example.com"}, simple("b@example.com", "one", "b"))
	_, err := s.WaitForToWithin(waitBound, "b@example.com")
	require.NoError(t, err)
	s.Reset()
	assert.Empty(t, s.Messages())
	send(t, s, "a@example.com", []string{"b@example.com"}, simple("b@example.com", "two", "b"))
	m, err := s.WaitForToWithin(waitBound, "b@example.com")
	require.NoError(t, err)
	assert.Equal(t, "two", m.Subject)
	assert.Equal(t, 2, m.Seq)
}

func TestAddresses(t *testing.T) {
	s := startSink(t)
	assert.Equal(t, "127.0.0.1", s.Host())
	assert.NotZero(t, s.Port())
	assert.Equal(t, fmt.Sprintf("127.0.0.1:%d", s.Port()), s.Addr())

	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "192.0.2.1:0", "example.com:0", "nonsense"} {
		_, err := StartAt(addr)
		assert.Error(t, err, addr)
	}
	l, err := StartAt("localhost:0")
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1", l.Host())
	require.NoError(t, l.Close())
}

func TestStartLogging(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mail.log")
	s, err := StartLogging("127.0.0.1:0", path)
	require.NoError(t, err)
	send(t, s, "bounce@example.com", []string{"alice@example.com", "bob@example.org"}, multipartMessage)
	_, err = s.WaitForToWithin(waitBound, "alice@example.com")
	require.NoError(t, err)
	require.NoError(t, s.Close())

	b, err := os.ReadFile(path)
	require.NoError(t, err)
	log := string(b)
	assert.Contains(t, log, "===== message 1 received")
	assert.Contains(t, log, "Envelope-To: alice@example.com, bob@example.org")
	assert.Contains(t, log, "Content-Type: multipart/alternative; boundary=\"BOUNDARY-1\"")
	assert.Contains(t, log, "Decoded-Subject: Grüße ✓ and été")
	assert.Contains(t, log, "Hello Zoë, a=b")
	assert.Contains(t, log, "Links:\n  https://mm.example.com/plugins/guest-accounts/api/v1/invite/token123?x=1&y=2\n")
}

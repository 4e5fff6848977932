// Package smtpsink is an in-process SMTP server for tests: it accepts every
// message sent to it over plain SMTP on the loopback interface (no TLS, no
// authentication), parses it with the standard library and lets tests query
// the received messages or wait for one to arrive.
//
// It accepts what Mattermost's mail sender sends when EmailSettings has
// ConnectionSecurity "" and EnableSMTPAuth false: EHLO, MAIL FROM, one RCPT TO,
// DATA with a multipart/alternative body (text/plain converted from the HTML,
// and text/html, both quoted-printable) and an RFC 2047 encoded subject.
// Mattermost only sends when EmailSettings.SendEmailNotifications is true.
package smtpsink

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	smtp "github.com/emersion/go-smtp"
)

const (
	// maxMessageBytes bounds one message; larger ones are refused.
	maxMessageBytes = 32 << 20
	// maxRecipients bounds the RCPT TO commands of one message.
	maxRecipients = 1000
	// ioTimeout bounds each read and write on a connection.
	ioTimeout = 2 * time.Minute
)

// ErrClosed is returned by the waiting methods once the sink is closed.
var ErrClosed = errors.New("smtpsink: sink closed")

// Sink is a running SMTP server that keeps what it receives. All methods are
// safe for concurrent use.
type Sink struct {
	server   *smtp.Server
	listener net.Listener
	served   chan struct{}

	mu        sync.Mutex
	messages  []Message
	seq       int
	changed   chan struct{} // closed and replaced whenever messages change
	closed    bool
	onMessage func(Message)
	logFile   *os.File
}

// Start runs a sink on 127.0.0.1 on a free port.
func Start() (*Sink, error) {
	return StartAt("127.0.0.1:0")
}

// StartAt runs a sink on addr ("host:port"). The host must be a loopback
// address or "localhost" (which listens on 127.0.0.1): the sink never listens
// on another interface. Port 0 picks a free port.
func StartAt(addr string) (*Sink, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("smtpsink: address %q: %w", addr, err)
	}
	if host == "localhost" {
		host = "127.0.0.1"
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("smtpsink: %q is not a loopback address; the sink listens on loopback only", host)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(ip.String(), port))
	if err != nil {
		return nil, fmt.Errorf("smtpsink: listen: %w", err)
	}
	s := &Sink{listener: ln, served: make(chan struct{}), changed: make(chan struct{})}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{sink: s}, nil
	}))
	srv.Domain = "smtpsink.localhost"
	srv.MaxMessageBytes = maxMessageBytes
	srv.MaxRecipients = maxRecipients
	srv.ReadTimeout = ioTimeout
	srv.WriteTimeout = ioTimeout
	srv.EnableSMTPUTF8 = true
	srv.ErrorLog = log.New(os.Stderr, "smtpsink: ", log.LstdFlags)
	s.server = srv
	go func() {
		defer close(s.served)
		_ = srv.Serve(ln)
	}()
	return s, nil
}

// StartLogging runs a sink on addr like StartAt and appends every message it
// receives (header fields, then the text part, then its links) to the file
// at logPath, creating it if needed.
func StartLogging(addr, logPath string) (*Sink, error) {
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("smtpsink: log file: %w", err)
	}
	s, err := StartAt(addr)
	if err != nil {
		f.Close()
		return nil, err
	}
	s.mu.Lock()
	s.logFile = f
	s.onMessage = func(m Message) { _, _ = io.WriteString(f, FormatLogEntry(m)) }
	s.mu.Unlock()
	return s, nil
}

// Addr is the "host:port" the sink listens on.
func (s *Sink) Addr() string { return s.listener.Addr().String() }

// Host is the IP address the sink listens on.
func (s *Sink) Host() string {
	host, _, _ := net.SplitHostPort(s.Addr())
	return host
}

// Port is the TCP port the sink listens on.
func (s *Sink) Port() int {
	_, port, _ := net.SplitHostPort(s.Addr())
	n, _ := strconv.Atoi(port)
	return n
}

// Close stops the server, drops open connections and wakes every waiter
// (which then returns ErrClosed). The received messages stay readable.
// Closing twice is harmless.
func (s *Sink) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.changed)
	s.mu.Unlock()

	err := s.server.Close()
	// Serve registers the listener with the server only once its goroutine
	// runs; closing it here too covers a Close that comes first.
	if lerr := s.listener.Close(); lerr != nil && err == nil && !errors.Is(lerr, net.ErrClosed) {
		err = lerr
	}
	<-s.served

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.logFile != nil {
		if cerr := s.logFile.Close(); cerr != nil && err == nil {
			err = cerr
		}
		s.logFile = nil
	}
	return err
}

// Messages returns every message received since the start or the last Reset,
// oldest first.
func (s *Sink) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// MessagesTo returns the messages (see Messages) sent to addr as an envelope
// recipient or a To/Cc address, compared case-insensitively.
func (s *Sink) MessagesTo(addr string) []Message {
	var out []Message
	for _, m := range s.Messages() {
		if m.SentTo(addr) {
			out = append(out, m)
		}
	}
	return out
}

// LastSeq is the Seq of the newest message received so far (0 if none). To
// wait for a mail caused by a later action, note LastSeq before the action and
// match Seq > that value.
func (s *Sink) LastSeq() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seq
}

// Reset forgets the received messages. Seq numbers keep growing.
func (s *Sink) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = nil
	s.notifyLocked()
}

// WaitFor returns the oldest received message for which match is true,
// waiting until one arrives, ctx ends or the sink is closed. Messages that
// arrived before the call count. match is called without locks held.
func (s *Sink) WaitFor(ctx context.Context, match func(Message) bool) (Message, error) {
	checked := 0 // Seq of the newest message already given to match
	for {
		s.mu.Lock()
		pending := make([]Message, 0, len(s.messages))
		for _, m := range s.messages {
			if m.Seq > checked {
				pending = append(pending, m)
			}
		}
		changed, closed := s.changed, s.closed
		s.mu.Unlock()

		for _, m := range pending {
			if match(m) {
				return m, nil
			}
			checked = m.Seq
		}
		if closed {
			return Message{}, ErrClosed
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return Message{}, fmt.Errorf("smtpsink: no matching message (%w); received: %s", ctx.Err(), s.summary())
		}
	}
}

// WaitForTo waits (see WaitFor) for a message sent to addr, compared
// case-insensitively.
func (s *Sink) WaitForTo(ctx context.Context, addr string) (Message, error) {
	return s.WaitFor(ctx, func(m Message) bool { return m.SentTo(addr) })
}

// WaitForToWithin is WaitForTo with a timeout instead of a context.
func (s *Sink) WaitForToWithin(timeout time.Duration, addr string) (Message, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return s.WaitForTo(ctx, addr)
}

// summary lists the received messages for error messages.
func (s *Sink) summary() string {
	msgs := s.Messages()
	if len(msgs) == 0 {
		return "nothing"
	}
	parts := make([]string, 0, len(msgs))
	for _, m := range msgs {
		parts = append(parts, m.String())
	}
	return strings.Join(parts, ", ")
}

// notifyLocked wakes every waiter; s.mu must be held.
func (s *Sink) notifyLocked() {
	if s.closed {
		return
	}
	close(s.changed)
	s.changed = make(chan struct{})
}

// add stores a received message and wakes the waiters.
func (s *Sink) add(m Message) {
	s.mu.Lock()
	s.seq++
	m.Seq = s.seq
	s.messages = append(s.messages, m)
	s.notifyLocked()
	hook := s.onMessage
	if hook != nil {
		// Called under the lock so log entries never interleave.
		hook(m)
	}
	s.mu.Unlock()
}

// FormatLogEntry renders a message as StartLogging writes it: a separator,
// the header fields, a blank line, the text part (the HTML part when there is
// no text part) and the links found in the message.
func FormatLogEntry(m Message) string {
	var b strings.Builder
	fmt.Fprintf(&b, "===== message %d received %s =====\n", m.Seq, m.ReceivedAt.Format(time.RFC3339))
	fmt.Fprintf(&b, "Envelope-From: %s\nEnvelope-To: %s\n", m.EnvelopeFrom, strings.Join(m.EnvelopeTo, ", "))
	for _, line := range headerLines(m.Raw) {
		b.WriteString(line)
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "Decoded-Subject: %s\n\n", m.Subject)
	body := m.Text
	if body == "" {
		body = m.HTML
	}
	b.WriteString(strings.TrimRight(body, "\r\n"))
	b.WriteString("\n")
	if links := m.Links(); len(links) > 0 {
		b.WriteString("\nLinks:\n")
		for _, l := range links {
			b.WriteString("  " + l + "\n")
		}
	}
	if m.ParseError != "" {
		b.WriteString("\nParse error: " + m.ParseError + "\n")
	}
	b.WriteString("\n")
	return b.String()
}

// headerLines returns the header section of raw, one (unfolded) field per
// line, in the order received.
func headerLines(raw []byte) []string {
	text := strings.ReplaceAll(string(raw), "\r\n", "\n")
	if i := strings.Index(text, "\n\n"); i >= 0 {
		text = text[:i]
	}
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if (strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")) && len(out) > 0 {
			out[len(out)-1] += " " + strings.TrimSpace(line)
			continue
		}
		if line != "" {
			out = append(out, line)
		}
	}
	return out
}

// session is one SMTP connection's transaction state.
type session struct {
	sink *Sink
	from string
	to   []string
}

var _ smtp.Session = (*session)(nil)

// Mail records the envelope sender.
func (c *session) Mail(from string, _ *smtp.MailOptions) error {
	c.from, c.to = from, nil
	return nil
}

// Rcpt records an envelope recipient; every address is accepted.
func (c *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	c.to = append(c.to, to)
	return nil
}

// Data reads the message, parses and stores it.
func (c *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m := Message{
		ReceivedAt:   time.Now(),
		EnvelopeFrom: c.from,
		EnvelopeTo:   append([]string(nil), c.to...),
		Raw:          raw,
	}
	parseMessage(&m)
	c.sink.add(m)
	return nil
}

// Reset forgets the current transaction.
func (c *session) Reset() { c.from, c.to = "", nil }

// Logout ends the session.
func (c *session) Logout() error { return nil }

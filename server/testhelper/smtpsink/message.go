package smtpsink

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// maxPartDepth bounds the nesting of multipart bodies the parser follows.
const maxPartDepth = 8

// Message is one mail the sink received, parsed with the standard library.
type Message struct {
	// Seq numbers the messages of a sink from 1 in arrival order; it keeps
	// growing across Reset, so "a message newer than Seq n" is well defined.
	Seq int
	// ReceivedAt is when the DATA command completed.
	ReceivedAt time.Time

	// EnvelopeFrom is the MAIL FROM address.
	EnvelopeFrom string
	// EnvelopeTo holds the RCPT TO addresses, in order.
	EnvelopeTo []string

	// From is the address of the From header ("" when absent or unparsable).
	From string
	// FromName is the display name of the From header, RFC 2047 decoded.
	FromName string
	// To holds the addresses of the To header.
	To []string
	// Cc holds the addresses of the Cc header.
	Cc []string
	// Subject is the Subject header, RFC 2047 decoded.
	Subject string
	// Header holds every header field as received (values not decoded).
	Header mail.Header

	// Text is the decoded body of the first inline text/plain part, with
	// CRLF line breaks turned into LF.
	Text string
	// HTML is the decoded body of the first inline text/html part, with CRLF
	// line breaks turned into LF.
	HTML string
	// Raw is the message exactly as received in the DATA command.
	Raw []byte
	// ParseError describes why the message could not be fully parsed ("" when
	// it could). The message is stored anyway, with whatever was parsed.
	ParseError string
}

// Recipients returns the envelope recipients followed by the To and Cc
// header addresses, without duplicates (compared case-insensitively).
func (m Message) Recipients() []string {
	var out []string
	seen := map[string]bool{}
	for _, list := range [][]string{m.EnvelopeTo, m.To, m.Cc} {
		for _, a := range list {
			k := strings.ToLower(a)
			if !seen[k] {
				seen[k] = true
				out = append(out, a)
			}
		}
	}
	return out
}

// SentTo reports whether addr is an envelope recipient or a To/Cc address of
// the message, compared case-insensitively.
func (m Message) SentTo(addr string) bool {
	addr = strings.TrimSpace(addr)
	for _, a := range m.Recipients() {
		if strings.EqualFold(a, addr) {
			return true
		}
	}
	return false
}

var linkPattern = regexp.MustCompile(`(?i)\bhttps?://[^\s"'<>` + "`" + `]+`)

// Links returns the http and https links found in the text part and in the
// HTML part (after HTML unescaping, so "&amp;" in an href reads "&"), in
// order of appearance, without duplicates and without trailing punctuation.
func (m Message) Links() []string {
	var out []string
	seen := map[string]bool{}
	for _, body := range []string{m.Text, html.UnescapeString(m.HTML)} {
		for _, l := range linkPattern.FindAllString(body, -1) {
			l = strings.TrimRight(l, ".,;:!?)]}")
			if !seen[l] {
				seen[l] = true
				out = append(out, l)
			}
		}
	}
	return out
}

// LinksWithPrefix returns the links (see Links) that start with prefix.
func (m Message) LinksWithPrefix(prefix string) []string {
	var out []string
	for _, l := range m.Links() {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return out
}

// String summarises the message for test failure output.
func (m Message) String() string {
	return fmt.Sprintf("#%d to %v subject %q", m.Seq, m.Recipients(), m.Subject)
}

// parseMessage fills the header and body fields of m from m.Raw. Errors are
// recorded in m.ParseError; whatever could be parsed is kept.
func parseMessage(m *Message) {
	msg, err := mail.ReadMessage(bytes.NewReader(m.Raw))
	if err != nil {
		m.ParseError = "header: " + err.Error()
		return
	}
	m.Header = msg.Header
	dec := new(mime.WordDecoder)
	dec.CharsetReader = charsetReader
	if s, err := dec.DecodeHeader(msg.Header.Get("Subject")); err == nil {
		m.Subject = s
	} else {
		m.Subject = msg.Header.Get("Subject")
	}
	if from, err := parseAddressList(msg.Header, "From"); err == nil && len(from) > 0 {
		m.From, m.FromName = from[0].Address, from[0].Name
	}
	var errs []string
	var perr error
	if m.To, perr = addresses(msg.Header, "To"); perr != nil {
		errs = append(errs, "To: "+perr.Error())
	}
	if m.Cc, perr = addresses(msg.Header, "Cc"); perr != nil {
		errs = append(errs, "Cc: "+perr.Error())
	}
	body, err := io.ReadAll(msg.Body)
	if err != nil {
		errs = append(errs, "body: "+err.Error())
	}
	if err := parseEntity(m, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), "", body, 0); err != nil {
		errs = append(errs, err.Error())
	}
	m.ParseError = strings.Join(errs, "; ")
}

func parseAddressList(h mail.Header, key string) ([]*mail.Address, error) {
	if h.Get(key) == "" {
		return nil, nil
	}
	p := mail.AddressParser{WordDecoder: &mime.WordDecoder{CharsetReader: charsetReader}}
	return p.ParseList(h.Get(key))
}

func addresses(h mail.Header, key string) ([]string, error) {
	list, err := parseAddressList(h, key)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, a := range list {
		out = append(out, a.Address)
	}
	return out, nil
}

// parseEntity decodes one MIME entity (the message itself or a part) and
// keeps the first inline text/plain and text/html bodies it finds.
func parseEntity(m *Message, contentType, encoding, disposition string, body []byte, depth int) error {
	if contentType == "" {
		contentType = "text/plain; charset=us-ascii"
	}
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("content type %q: %w", contentType, err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		if depth >= maxPartDepth {
			return fmt.Errorf("multipart nesting deeper than %d", maxPartDepth)
		}
		return parseMultipart(m, params["boundary"], body, depth)
	}
	if d, _, err := mime.ParseMediaType(disposition); err == nil && d == "attachment" {
		return nil
	}
	if mediaType != "text/plain" && mediaType != "text/html" {
		return nil
	}
	decoded, err := decodeTransfer(encoding, body)
	if err != nil {
		return err
	}
	text, err := decodeCharset(params["charset"], decoded)
	if err != nil {
		return err
	}
	text = strings.ReplaceAll(text, "\r\n", "\n")
	if mediaType == "text/plain" && m.Text == "" {
		m.Text = text
	}
	if mediaType == "text/html" && m.HTML == "" {
		m.HTML = text
	}
	return nil
}

func parseMultipart(m *Message, boundary string, body []byte, depth int) error {
	if boundary == "" {
		return fmt.Errorf("multipart body without a boundary")
	}
	r := multipart.NewReader(bytes.NewReader(body), boundary)
	var errs []string
	for {
		// NextRawPart leaves Content-Transfer-Encoding to us, so every
		// encoding goes through the same decoder.
		p, err := r.NextRawPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			errs = append(errs, "multipart: "+err.Error())
			break
		}
		b, err := io.ReadAll(p)
		if err != nil {
			errs = append(errs, "part: "+err.Error())
			break
		}
		if err := parseEntity(m, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"),
			p.Header.Get("Content-Disposition"), b, depth+1); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

func decodeTransfer(encoding string, body []byte) ([]byte, error) {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		b, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body)))
		if err != nil {
			return nil, fmt.Errorf("quoted-printable: %w", err)
		}
		return b, nil
	case "base64":
		// The standard decoder skips CR and LF; other white space is not
		// valid base64 but some senders fold with it.
		clean := strings.Map(func(r rune) rune {
			if r == ' ' || r == '\t' {
				return -1
			}
			return r
		}, string(body))
		b, err := io.ReadAll(base64.NewDecoder(base64.StdEncoding, strings.NewReader(clean)))
		if err != nil {
			return nil, fmt.Errorf("base64: %w", err)
		}
		return b, nil
	default: // 7bit, 8bit, binary or absent
		return body, nil
	}
}

// decodeCharset turns body into a Go string. UTF-8 and US-ASCII pass through
// (invalid UTF-8 is reported), ISO-8859-1 is converted; other charsets are
// kept byte for byte and reported.
func decodeCharset(charset string, body []byte) (string, error) {
	switch strings.ToLower(charset) {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
		if !utf8.Valid(body) {
			return string(body), fmt.Errorf("body is not valid UTF-8")
		}
		return string(body), nil
	case "iso-8859-1", "latin1", "iso_8859-1":
		return latin1(body), nil
	default:
		return string(body), fmt.Errorf("charset %q not supported by the sink", charset)
	}
}

func latin1(b []byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "utf-8", "us-ascii":
		return input, nil
	case "iso-8859-1", "latin1":
		b, err := io.ReadAll(input)
		if err != nil {
			return nil, err
		}
		return strings.NewReader(latin1(b)), nil
	}
	return nil, fmt.Errorf("charset %q not supported by the sink", charset)
}

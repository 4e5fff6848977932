package policy

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits from RFC 5321 (path and local-part lengths).
const (
	maxAddressLen = 254
	maxLocalLen   = 64
)

// ErrInvalidAddress is wrapped by every error ParseEmail returns.
var ErrInvalidAddress = errors.New("invalid email address")

// Reasons an address is refused; fixed values so refusal does not allocate.
var (
	errAddrEmpty       = fmt.Errorf("%w: empty", ErrInvalidAddress)
	errAddrTooLong     = fmt.Errorf("%w: longer than %d characters", ErrInvalidAddress, maxAddressLen)
	errAddrLocalLong   = fmt.Errorf("%w: the part before @ is longer than %d characters", ErrInvalidAddress, maxLocalLen)
	errAddrEncoding    = fmt.Errorf("%w: not valid UTF-8", ErrInvalidAddress)
	errAddrControl     = fmt.Errorf("%w: contains white space, a control or an invisible formatting character", ErrInvalidAddress)
	errAddrDisplayName = fmt.Errorf("%w: only the bare address is accepted, without a name or <>", ErrInvalidAddress)
	errAddrQuoted      = fmt.Errorf("%w: quoted or escaped characters are not accepted", ErrInvalidAddress)
	errAddrComment     = fmt.Errorf("%w: comments in parentheses are not accepted", ErrInvalidAddress)
	errAddrList        = fmt.Errorf("%w: one address only (no lists or groups)", ErrInvalidAddress)
	errAddrLiteral     = fmt.Errorf("%w: IP address literals are not accepted", ErrInvalidAddress)
	errAddrLookalikeAt = fmt.Errorf("%w: contains a look-alike of @", ErrInvalidAddress)
	errAddrNoAt        = fmt.Errorf("%w: missing @", ErrInvalidAddress)
	errAddrManyAt      = fmt.Errorf("%w: more than one @", ErrInvalidAddress)
	errAddrSyntax      = fmt.Errorf("%w: not a valid address", ErrInvalidAddress)
)

// Address is a parsed, canonical email address.
type Address struct {
	// Local is the part before @, lower-cased (as Mattermost stores emails).
	Local string
	// Domain is the domain in canonical form: lower-case ASCII with IDN
	// labels as punycode A-labels ("bücher.de" → "xn--bcher-kva.de").
	Domain string
}

// String returns the canonical address, Local@Domain. Store, compare and
// send mail to this form, never to the raw input: the domain checked against
// the allowlist is the canonical one.
func (a Address) String() string { return a.Local + "@" + a.Domain }

// ParseEmail parses one bare email address and returns its canonical form.
//
// It is deliberately stricter than RFC 5322 (and uses net/mail.ParseAddress
// as a second opinion, which must agree on the whole input): display names
// ("Bob <a@x.com>", "<a@x.com>"), group and list syntax, comments, quoted
// local parts and backslash escapes (so `"a@example.com"@evil.org` is
// refused), domain literals ("a@[1.2.3.4]"), IPv4-looking domains, domains
// without a dot or with a trailing dot, white space, control and invisible
// formatting characters (CR, LF, NUL, zero-width and bidi controls),
// look-alikes of @ (full-width ＠, small ﹫), invalid UTF-8 and addresses
// longer than 254 bytes (64 for the local part) are all refused with an
// error wrapping ErrInvalidAddress.
//
// The local part is lower-cased with strings.ToLower (as Mattermost's own
// email normalisation does); non-ASCII local parts (RFC 6531) are kept. The
// domain is lower-cased and IDN-normalised with idna's Lookup profile, so
// "a@EXAMPLE.com" gives example.com, "a@bücher.de" and "a@xn--bcher-kva.de"
// both give xn--bcher-kva.de, and a Cyrillic "е" in "exаmple.com" gives a
// punycode domain that never equals example.com. ParseEmail of the
// canonical form returns the same Address.
func ParseEmail(addr string) (Address, error) {
	if err := precheckAddress(addr); err != nil {
		return Address{}, err
	}
	parsed, err := mail.ParseAddress(addr)
	if err != nil {
		return Address{}, fmt.Errorf("%w: %w", errAddrSyntax, err)
	}
	if parsed.Name != "" || parsed.Address != addr {
		return Address{}, errAddrSyntax
	}
	at := strings.IndexByte(addr, '@')
	local, domain := addr[:at], addr[at+1:]
	if len(local) > maxLocalLen {
		return Address{}, errAddrLocalLong
	}
	domain, err = normalizeDomain(domain)
	if err != nil {
		return Address{}, fmt.Errorf("%w: %w", ErrInvalidAddress, err)
	}
	local = strings.ToLower(local)
	if len(local) > maxLocalLen {
		return Address{}, errAddrLocalLong
	}
	if len(local)+1+len(domain) > maxAddressLen {
		return Address{}, errAddrTooLong
	}
	return Address{Local: local, Domain: domain}, nil
}

// precheckAddress refuses, without allocating, everything the net/mail
// grammar would accept but a bare address must not contain, and checks that
// there is exactly one @.
func precheckAddress(addr string) error {
	switch {
	case addr == "":
		return errAddrEmpty
	case len(addr) > maxAddressLen:
		return errAddrTooLong
	case !utf8.ValidString(addr):
		return errAddrEncoding
	}
	// Control and invisible formatting characters (CR, LF, NUL, bidi) are
	// reported at once; structural characters before plain white space, so
	// that "Bob <a@x.com>" is named a display name, not a space problem.
	ats := 0
	var space error
	for _, r := range addr {
		if r < ' ' || r == 0x7f || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return errAddrControl
		}
		switch r {
		case '@':
			ats++
			continue
		case '<', '>':
			return errAddrDisplayName
		case '"', '\\':
			return errAddrQuoted
		case '(', ')':
			return errAddrComment
		case ',', ';', ':':
			return errAddrList
		case '[', ']':
			return errAddrLiteral
		case '\uff20', '\ufe6b': // FULLWIDTH / SMALL COMMERCIAL AT
			return errAddrLookalikeAt
		}
		if unicode.IsSpace(r) {
			space = errAddrControl
		}
	}
	if space != nil {
		return space
	}
	switch ats {
	case 0:
		return errAddrNoAt
	case 1:
		return nil
	default:
		return errAddrManyAt
	}
}

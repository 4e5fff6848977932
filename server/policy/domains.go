package policy

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// Limits from RFC 1035 / RFC 5321.
const (
	maxDomainLen = 253
	maxLabelLen  = 63
)

// ErrInvalidDomain is wrapped by every error about a malformed domain, in an
// email address or in an allowlist entry.
var ErrInvalidDomain = errors.New("invalid domain")

// Reasons a domain is refused. They are fixed values so the refusal path
// does not allocate; each wraps ErrInvalidDomain.
var (
	errDomainEmpty       = fmt.Errorf("%w: empty", ErrInvalidDomain)
	errDomainTooLong     = fmt.Errorf("%w: longer than %d characters", ErrInvalidDomain, maxDomainLen)
	errDomainTrailingDot = fmt.Errorf("%w: ends with a dot", ErrInvalidDomain)
	errDomainLeadingDot  = fmt.Errorf("%w: starts with a dot", ErrInvalidDomain)
	errDomainNoDot       = fmt.Errorf("%w: has no dot (a full domain such as example.com is needed)", ErrInvalidDomain)
	errDomainEmptyLabel  = fmt.Errorf("%w: two dots in a row", ErrInvalidDomain)
	errDomainLabelLong   = fmt.Errorf("%w: a part between dots is longer than %d characters", ErrInvalidDomain, maxLabelLen)
	errDomainChar        = fmt.Errorf("%w: only letters, digits, hyphens and dots are allowed", ErrInvalidDomain)
	errDomainHyphen      = fmt.Errorf("%w: a part between dots starts or ends with a hyphen, or has two in third and fourth place", ErrInvalidDomain)
	errDomainNumericTLD  = fmt.Errorf("%w: ends in a number (IP addresses are not accepted)", ErrInvalidDomain)
	errDomainEncoding    = fmt.Errorf("%w: not valid UTF-8", ErrInvalidDomain)
	errDomainInvisible   = fmt.Errorf("%w: contains white space, a control or an invisible formatting character", ErrInvalidDomain)
	errDomainPunycode    = fmt.Errorf("%w: a punycode (xn--) part does not decode to itself", ErrInvalidDomain)
)

// domainForm says how much work a domain needs before it can be compared.
type domainForm uint8

const (
	formInvalid   domainForm = iota // refused as is
	formCanonical                   // lower-case ASCII, valid, no xn-- label
	formNeedsIDNA                   // upper case, non-ASCII or an xn-- label
)

// classifyDomain decides, without allocating, whether d is already
// canonical. A domain that only needs IDNA processing is never reported
// invalid here; normalizeDomain decides after processing.
func classifyDomain(d string) (domainForm, error) {
	for i := 0; i < len(d); i++ {
		c := d[i]
		if c >= utf8.RuneSelf || ('A' <= c && c <= 'Z') {
			return formNeedsIDNA, nil
		}
	}
	if hasPunycodeLabel(d) {
		return formNeedsIDNA, nil
	}
	if err := validateASCIIDomain(d); err != nil {
		return formInvalid, err
	}
	return formCanonical, nil
}

// hasPunycodeLabel reports whether a (lower-case ASCII) domain has a label
// starting with the ACE prefix "xn--".
func hasPunycodeLabel(d string) bool {
	for start := 0; start < len(d); {
		if strings.HasPrefix(d[start:], "xn--") {
			return true
		}
		next := strings.IndexByte(d[start:], '.')
		if next < 0 {
			return false
		}
		start += next + 1
	}
	return false
}

// validateASCIIDomain checks a lower-case ASCII domain: LDH labels of 1..63
// characters, no hyphen at either end of a label nor in third and fourth
// place unless the label is an xn-- label, at least two labels, at most 253
// characters, no trailing dot and a top-level label that is not all digits
// (so IPv4 addresses are refused).
func validateASCIIDomain(d string) error {
	switch {
	case d == "":
		return errDomainEmpty
	case len(d) > maxDomainLen:
		return errDomainTooLong
	case d[len(d)-1] == '.':
		return errDomainTrailingDot
	case d[0] == '.':
		return errDomainLeadingDot
	}
	labels := 0
	for start := 0; start <= len(d); {
		end := strings.IndexByte(d[start:], '.')
		if end < 0 {
			end = len(d)
		} else {
			end += start
		}
		if err := validateLabel(d[start:end]); err != nil {
			return err
		}
		labels++
		if end == len(d) {
			if allDigits(d[start:end]) {
				return errDomainNumericTLD
			}
			break
		}
		start = end + 1
	}
	if labels < 2 {
		return errDomainNoDot
	}
	return nil
}

func validateLabel(l string) error {
	if l == "" {
		return errDomainEmptyLabel
	}
	if len(l) > maxLabelLen {
		return errDomainLabelLong
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return errDomainChar
		}
	}
	if l[0] == '-' || l[len(l)-1] == '-' {
		return errDomainHyphen
	}
	if len(l) >= 4 && l[2] == '-' && l[3] == '-' && !strings.HasPrefix(l, "xn--") {
		return errDomainHyphen
	}
	return nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// normalizeDomain returns the canonical form of a domain: lower case, IDN
// labels converted to punycode A-labels with idna's Lookup profile (UTS #46
// mapping, so full-width letters and ideographic full stops map to their
// ASCII forms), then checked by validateASCIIDomain. ASCII labels must come
// out unchanged apart from case: an xn-- label that decodes to plain ASCII
// (xn--example-) or to nothing is refused rather than silently rewritten.
// The result is a fixed point: normalizing it again returns it unchanged.
// The canonical path does not allocate.
func normalizeDomain(d string) (string, error) {
	form, err := classifyDomain(d)
	switch form {
	case formCanonical:
		return d, nil
	case formInvalid:
		return "", err
	}
	if len(d) > 4*maxDomainLen {
		return "", errDomainTooLong
	}
	if !utf8.ValidString(d) {
		return "", errDomainEncoding
	}
	for _, r := range d {
		if unicode.IsControl(r) || unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) {
			return "", errDomainInvisible
		}
	}
	out, err := idna.Lookup.ToASCII(d)
	if err != nil {
		return "", fmt.Errorf("%w: %q is not a valid internationalised domain: %w", ErrInvalidDomain, d, err)
	}
	if err := validateASCIIDomain(out); err != nil {
		return "", err
	}
	if !asciiLabelsPreserved(d, out) {
		return "", errDomainPunycode
	}
	// The canonical form must be a fixed point, so that storing it and
	// parsing it again gives the same domain (idna maps some input, such as
	// U+FFFD, to punycode it then refuses to decode).
	if hasPunycodeLabel(out) {
		if again, err := idna.Lookup.ToASCII(out); err != nil || again != out {
			return "", errDomainPunycode
		}
	}
	return out, nil
}

// isIDNADot reports whether r is one of the full stops UTS #46 maps to '.'.
func isIDNADot(r rune) bool {
	return r == '.' || r == '\u3002' || r == '\uff0e' || r == '\uff61'
}

// asciiLabelsPreserved reports whether in and out (its IDNA conversion) have
// the same number of labels and every pure-ASCII label of in equals, ignoring
// ASCII case, the label at the same place in out.
func asciiLabelsPreserved(in, out string) bool {
	for {
		inLabel, inRest, inMore := cutIDNADot(in)
		outLabel, outRest, outMore := strings.Cut(out, ".")
		if isASCII(inLabel) && !strings.EqualFold(inLabel, outLabel) {
			return false
		}
		if inMore != outMore {
			return false
		}
		if !inMore {
			return true
		}
		in, out = inRest, outRest
	}
}

// cutIDNADot is strings.Cut on the first IDNA full stop.
func cutIDNADot(s string) (before, after string, found bool) {
	for i, r := range s {
		if isIDNADot(r) {
			return s[:i], s[i+utf8.RuneLen(r):], true
		}
	}
	return s, "", false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// AllowList is a parsed "Allowed guest email domains" setting. The zero
// value is the empty list, which allows every valid domain. An AllowList is
// immutable after ParseAllowList and safe for concurrent use.
//
// Entries are exact domains ("example.com" allows exactly example.com) or
// sub-domain wildcards ("*.example.com" allows a.example.com and
// a.b.example.com but NOT example.com itself: list both to allow both).
type AllowList struct {
	exact    map[string]struct{}
	wildcard map[string]struct{} // the base domain of each "*.base" entry
	entries  []string            // canonical entries in input order, no duplicates
}

// EntryError is one refused allowlist entry.
type EntryError struct {
	Entry string // the entry as the admin typed it
	Err   error  // why it was refused
}

// Error names the entry and the reason.
func (e *EntryError) Error() string { return fmt.Sprintf("%q: %v", e.Entry, e.Err) }

// Unwrap returns the reason.
func (e *EntryError) Unwrap() error { return e.Err }

// AllowListError lists every refused entry of an allowlist, so the System
// Console can show them all at once.
type AllowListError struct {
	Entries []*EntryError
}

// Error names every refused entry and its reason.
func (e *AllowListError) Error() string {
	var b strings.Builder
	b.WriteString("invalid entries: ")
	for i, entry := range e.Entries {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(entry.Error())
	}
	return b.String()
}

// Unwrap returns the per-entry errors (for errors.Is / errors.As).
func (e *AllowListError) Unwrap() []error {
	out := make([]error, len(e.Entries))
	for i, entry := range e.Entries {
		out[i] = entry
	}
	return out
}

// Reasons an entry is refused before domain validation.
var (
	errEntryAt         = errors.New("write only the domain, without a user name or @")
	errEntryBareStar   = errors.New(`"*" alone is not accepted: leave the setting empty to allow every domain`)
	errEntryWildcard   = errors.New(`a wildcard must be the whole first part, as in *.example.com`)
	errEntryWildcardTL = errors.New(`a wildcard needs a domain with at least one dot, as in *.example.com`)
)

// isSeparator splits allowlist entries: commas and any Unicode white space
// (spaces, tabs, CR, LF, ...).
func isSeparator(r rune) bool { return r == ',' || unicode.IsSpace(r) }

// ParseAllowList parses the "Allowed guest email domains" setting: entries
// separated by commas, white space or new lines. Each entry is an exact
// domain or "*." followed by a domain (sub-domains only, never the apex).
// Entries are lower-cased and IDN-normalised to punycode A-labels with
// idna's Lookup profile, so "Bücher.DE" and "xn--bcher-kva.de" are the same
// entry. Duplicates are dropped. Any invalid entry makes the whole list
// invalid; the *AllowListError names every invalid entry and why.
func ParseAllowList(raw string) (AllowList, error) {
	fields := strings.FieldsFunc(raw, isSeparator)
	if len(fields) == 0 {
		return AllowList{}, nil
	}
	var l AllowList
	var bad []*EntryError
	for _, f := range fields {
		canonical, wildcard, err := parseEntry(f)
		if err != nil {
			bad = append(bad, &EntryError{Entry: f, Err: err})
			continue
		}
		l.add(canonical, wildcard)
	}
	if bad != nil {
		return AllowList{}, &AllowListError{Entries: bad}
	}
	return l, nil
}

// parseEntry returns the canonical domain of one entry and whether it was a
// "*." wildcard.
func parseEntry(entry string) (string, bool, error) {
	if strings.ContainsRune(entry, '@') {
		return "", false, errEntryAt
	}
	if entry == "*" || entry == "*." {
		return "", false, errEntryBareStar
	}
	base, wildcard := strings.CutPrefix(entry, "*.")
	if strings.ContainsRune(base, '*') {
		return "", false, errEntryWildcard
	}
	d, err := normalizeDomain(base)
	if err != nil {
		if wildcard && errors.Is(err, errDomainNoDot) {
			return "", false, errEntryWildcardTL
		}
		return "", false, err
	}
	return d, wildcard, nil
}

func (l *AllowList) add(domain string, wildcard bool) {
	set, entry := &l.exact, domain
	if wildcard {
		set, entry = &l.wildcard, "*."+domain
	}
	if *set == nil {
		*set = make(map[string]struct{})
	}
	if _, dup := (*set)[domain]; dup {
		return
	}
	(*set)[domain] = struct{}{}
	l.entries = append(l.entries, entry)
}

// Empty reports whether the list has no entries (every domain is allowed).
func (l AllowList) Empty() bool { return len(l.entries) == 0 }

// Entries returns the canonical entries ("example.com", "*.partner.org") in
// the order they were given, without duplicates. The slice is a copy.
func (l AllowList) Entries() []string {
	out := make([]string, len(l.entries))
	copy(out, l.entries)
	return out
}

// String returns the canonical entries joined by ", ".
func (l AllowList) String() string { return strings.Join(l.entries, ", ") }

// Equal reports whether two lists allow exactly the same entries.
func (l AllowList) Equal(o AllowList) bool {
	if len(l.exact) != len(o.exact) || len(l.wildcard) != len(o.wildcard) {
		return false
	}
	for d := range l.exact {
		if _, ok := o.exact[d]; !ok {
			return false
		}
	}
	for d := range l.wildcard {
		if _, ok := o.wildcard[d]; !ok {
			return false
		}
	}
	return true
}

// Allows reports whether guests may come from domain. An invalid domain is
// never allowed, even by the empty list. Any form is accepted and
// normalised the way ParseEmail does. It does not allocate for a
// lower-case ASCII domain (as in Address.Domain) unless the domain has a
// punycode (xn--) label and is not itself an entry: such a label is then
// validated with idna before a wildcard or the empty list may allow it.
func (l AllowList) Allows(domain string) bool {
	form, _ := classifyDomain(domain)
	switch form {
	case formInvalid:
		return false
	case formCanonical:
		return l.allowsCanonical(domain)
	}
	if validateASCIIDomain(domain) == nil {
		// Lower-case ASCII with xn-- labels: equal to an entry means
		// canonical, since entries are.
		if _, ok := l.exact[domain]; ok {
			return true
		}
	}
	d, err := normalizeDomain(domain)
	if err != nil {
		return false
	}
	return l.allowsCanonical(d)
}

// allowsCanonical matches a canonical domain: an exact entry, or a wildcard
// entry whose base is a proper parent of the domain.
func (l AllowList) allowsCanonical(domain string) bool {
	if len(l.entries) == 0 {
		return true
	}
	if _, ok := l.exact[domain]; ok {
		return true
	}
	if len(l.wildcard) == 0 {
		return false
	}
	for parent := domain; ; {
		dot := strings.IndexByte(parent, '.')
		if dot < 0 {
			return false
		}
		parent = parent[dot+1:]
		if _, ok := l.wildcard[parent]; ok {
			return true
		}
	}
}

// AllowsEmail parses addr with ParseEmail and reports whether its domain is
// allowed. A malformed address returns the parse error (wrapping
// ErrInvalidAddress) and false; callers tell "invalid address" from "domain
// not allowed" by the error.
func (l AllowList) AllowsEmail(addr string) (bool, Address, error) {
	a, err := ParseEmail(addr)
	if err != nil {
		return false, Address{}, err
	}
	return l.allowsCanonical(a.Domain), a, nil
}

package policy

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseEmail: ParseEmail never panics; an accepted address has a
// non-empty local part, a valid lower-case ASCII domain, fits in 254 bytes,
// and its canonical form parses to the same Address; every refusal wraps
// ErrInvalidAddress.
func FuzzParseEmail(f *testing.F) {
	for _, tc := range emailCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		a, err := ParseEmail(in)
		if err != nil {
			if !errors.Is(err, ErrInvalidAddress) {
				t.Fatalf("ParseEmail(%q): error %v does not wrap ErrInvalidAddress", in, err)
			}
			if a != (Address{}) {
				t.Fatalf("ParseEmail(%q): refused but returned %#v", in, a)
			}
			return
		}
		if a.Local == "" || !utf8.ValidString(a.Local) || strings.ContainsAny(a.Local, "@\"\\ <>()[],;:") {
			t.Fatalf("ParseEmail(%q): bad local part %q", in, a.Local)
		}
		for i := 0; i < len(a.Domain); i++ {
			if c := a.Domain[i]; c >= utf8.RuneSelf || ('A' <= c && c <= 'Z') {
				t.Fatalf("ParseEmail(%q): domain %q is not lower-case ASCII", in, a.Domain)
			}
		}
		if err := validateASCIIDomain(a.Domain); err != nil {
			t.Fatalf("ParseEmail(%q): domain %q: %v", in, a.Domain, err)
		}
		canonical := a.String()
		if len(canonical) > maxAddressLen {
			t.Fatalf("ParseEmail(%q): canonical %q longer than %d", in, canonical, maxAddressLen)
		}
		again, err := ParseEmail(canonical)
		if err != nil {
			t.Fatalf("ParseEmail(%q) = %q, which does not re-parse: %v", in, canonical, err)
		}
		if again != a {
			t.Fatalf("ParseEmail(%q) = %#v, re-parsed %#v", in, a, again)
		}
		// The empty list allows every accepted address; Allows agrees.
		var empty AllowList
		if ok, _, err := empty.AllowsEmail(in); !ok || err != nil {
			t.Fatalf("empty list refused %q: %v", in, err)
		}
		if !empty.Allows(a.Domain) {
			t.Fatalf("empty list refused canonical domain %q", a.Domain)
		}
	})
}

// referenceAllows is the obvious, slow matcher the fast one must agree
// with.
func referenceAllows(entries []string, domain string) bool {
	if len(entries) == 0 {
		return true
	}
	for _, e := range entries {
		if base, ok := strings.CutPrefix(e, "*."); ok {
			if strings.HasSuffix(domain, "."+base) {
				return true
			}
		} else if e == domain {
			return true
		}
	}
	return false
}

// FuzzAllowList: ParseAllowList never panics; refusals are an
// *AllowListError naming at least one entry; an accepted list re-parses
// from its canonical String to an equal list; Allows agrees with the
// reference matcher on the normalised domain and refuses domains that do
// not normalise.
func FuzzAllowList(f *testing.F) {
	seeds := []struct{ list, domain string }{
		{"example.com", "example.com"},
		{"example.com", "EXAMPLE.com"},
		{"example.com", "example.com.evil.org"},
		{"example.com", "evil-example.com"},
		{"example.com", "exаmple.com"},
		{"*.partner.org", "a.b.partner.org"},
		{"*.partner.org", "partner.org"},
		{"bücher.de, *.xn--mller-kva.ch", "xn--bcher-kva.de"},
		{"xn--bcher-kva.de", "BÜCHER.de"},
		{"*.müller.ch", "a.xn--mller-kva.ch"},
		{"*.müller.ch", "xn--zz.xn--mller-kva.ch"},
		{"", "xn--example-.com"},
		{"ｅｘａｍｐｌｅ.com", "example。com"},
		{"*, localhost", "localhost"},
		{"a.*.com\n*.com", "x.com"},
		{"example.com.", "example.com."},
	}
	for _, s := range seeds {
		f.Add(s.list, s.domain)
	}
	f.Fuzz(func(t *testing.T, raw, domain string) {
		l, err := ParseAllowList(raw)
		if err != nil {
			var le *AllowListError
			if !errors.As(err, &le) || len(le.Entries) == 0 {
				t.Fatalf("ParseAllowList(%q): unexpected error %v", raw, err)
			}
			if !l.Empty() {
				t.Fatalf("ParseAllowList(%q): refused but not empty", raw)
			}
			return
		}
		entries := l.Entries()
		for _, e := range entries {
			if err := validateASCIIDomain(strings.TrimPrefix(e, "*.")); err != nil {
				t.Fatalf("ParseAllowList(%q): entry %q: %v", raw, e, err)
			}
		}
		again, err := ParseAllowList(l.String())
		if err != nil || !again.Equal(l) || again.String() != l.String() {
			t.Fatalf("ParseAllowList(%q) = %q, which re-parses to %q, %v", raw, l.String(), again.String(), err)
		}
		got := l.Allows(domain)
		d, err := normalizeDomain(domain)
		if err != nil {
			if got {
				t.Fatalf("list %q allows invalid domain %q (%v)", l.String(), domain, err)
			}
			return
		}
		if want := referenceAllows(entries, d); got != want {
			t.Fatalf("list %q, domain %q (%q): Allows = %v, reference = %v", l.String(), domain, d, got, want)
		}
		if l.Allows(d) != got {
			t.Fatalf("list %q: Allows(%q) != Allows(%q)", l.String(), domain, d)
		}
	})
}

// FuzzParseToken: ParseToken never panics, and accepts exactly the strings
// NewToken can produce: strict base64url without padding of 32 bytes.
func FuzzParseToken(f *testing.F) {
	for _, s := range tokenSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		hash, err := ParseToken(s)
		b, decErr := base64.RawURLEncoding.Strict().DecodeString(s)
		canonical := decErr == nil && len(b) == tokenBytes && base64.RawURLEncoding.EncodeToString(b) == s
		if err != nil {
			if !errors.Is(err, ErrInvalidToken) || hash != "" {
				t.Fatalf("ParseToken(%q) = %q, %v", s, hash, err)
			}
			if canonical {
				t.Fatalf("ParseToken(%q) refused a token NewToken can produce: %v", s, err)
			}
			return
		}
		if !canonical {
			t.Fatalf("ParseToken(%q) accepted a token NewToken cannot produce", s)
		}
		if hash != HashToken(s) || len(hash) != TokenHashLen {
			t.Fatalf("ParseToken(%q) = %q, want %q", s, hash, HashToken(s))
		}
	})
}

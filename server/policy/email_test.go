package policy

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// emailCases are shared by the table test and the fuzz seed corpus.
var emailCases = []struct {
	name   string
	in     string
	local  string // expected canonical local part; "" = refused
	domain string
	errIs  error // for refusals: a more specific reason than ErrInvalidAddress
}{
	// Accepted.
	{name: "plain", in: "a@example.com", local: "a", domain: "example.com"},
	{name: "upper case domain", in: "a@EXAMPLE.com", local: "a", domain: "example.com"},
	{name: "upper case everywhere", in: "John.Doe@Example.COM", local: "john.doe", domain: "example.com"},
	{name: "plus tag and sub-domain", in: "a+tag@mail.example.co.uk", local: "a+tag", domain: "mail.example.co.uk"},
	{name: "atext specials", in: "o'brien_x-y!#$%&*=?^`{|}~@example.com", local: "o'brien_x-y!#$%&*=?^`{|}~", domain: "example.com"},
	{name: "IDN domain", in: "a@bücher.de", local: "a", domain: "xn--bcher-kva.de"},
	{name: "IDN domain upper case", in: "a@BÜCHER.DE", local: "a", domain: "xn--bcher-kva.de"},
	{name: "punycode given directly", in: "a@xn--bcher-kva.de", local: "a", domain: "xn--bcher-kva.de"},
	{name: "punycode upper case", in: "a@XN--BCHER-KVA.DE", local: "a", domain: "xn--bcher-kva.de"},
	{name: "full-width letters map to ASCII (UTS 46)", in: "a@ｅｘａｍｐｌｅ．ｃｏｍ", local: "a", domain: "example.com"},
	{name: "ideographic full stop", in: "a@example。com", local: "a", domain: "example.com"},
	{name: "Cyrillic e is a different domain", in: "a@exаmple.com", local: "a", domain: "xn--exmple-4nf.com"},
	{name: "Cyrillic e whole word", in: "a@ехample.com", local: "a", domain: "xn--ample-ywe6i.com"},
	{name: "sharp s is not folded to ss", in: "a@straße.de", local: "a", domain: "xn--strae-oqa.de"},
	{name: "unicode local part lower-cased", in: "Ärger@example.com", local: "ärger", domain: "example.com"},
	{name: "digits in labels", in: "a@123.example4.com", local: "a", domain: "123.example4.com"},
	{name: "lookalike domain stays itself", in: "a@example.com.evil.org", local: "a", domain: "example.com.evil.org"},

	// Refused: shape.
	{name: "empty", in: "", errIs: errAddrEmpty},
	{name: "no at", in: "example.com", errIs: errAddrNoAt},
	{name: "two ats", in: "a@b@example.com", errIs: errAddrManyAt},
	{name: "double at", in: "a@@example.com", errIs: errAddrManyAt},
	{name: "empty local", in: "@example.com", errIs: errAddrSyntax},
	{name: "empty domain", in: "a@", errIs: errAddrSyntax},
	{name: "leading dot local", in: ".a@example.com", errIs: errAddrSyntax},
	{name: "trailing dot local", in: "a.@example.com", errIs: errAddrSyntax},
	{name: "double dot local", in: "a..b@example.com", errIs: errAddrSyntax},
	{name: "too long", in: strings.Repeat("a", 64) + "@" + strings.Repeat("b", 180) + ".example.com", errIs: errAddrTooLong},
	{name: "local too long", in: strings.Repeat("a", 65) + "@example.com", errIs: errAddrLocalLong},
	{name: "invalid UTF-8", in: "a@ex\xffample.com", errIs: errAddrEncoding},

	// Refused: display names, groups, comments, quoting.
	{name: "display name", in: "Bob <a@example.com>", errIs: errAddrDisplayName},
	{name: "display name no space", in: "Bob<a@example.com>", errIs: errAddrDisplayName},
	{name: "bare angle addr", in: "<a@example.com>", errIs: errAddrDisplayName},
	{name: "display name that is an address", in: "a@example.com<a@evil.org>", errIs: errAddrDisplayName},
	{name: "encoded word display name", in: "=?utf-8?q?a@example.com?=<b@evil.org>", errIs: errAddrDisplayName},
	{name: "quoted local part hiding an address", in: `"a@example.com"@evil.org`, errIs: errAddrQuoted},
	{name: "quoted local part", in: `"a"@example.com`, errIs: errAddrQuoted},
	{name: "escaped at", in: `a\@example.com@evil.org`, errIs: errAddrQuoted},
	{name: "trailing comment", in: "a@example.com(Bob)", errIs: errAddrComment},
	{name: "comment in local part", in: "a(x)@example.com", errIs: errAddrComment},
	{name: "list", in: "a@example.com,b@evil.org", errIs: errAddrList},
	{name: "group", in: "g:a@example.com;", errIs: errAddrList},
	{name: "domain literal", in: "a@[1.2.3.4]", errIs: errAddrLiteral},
	{name: "IPv6 literal", in: "a@[IPv6:::1]", errIs: errAddrLiteral},
	{name: "full-width at", in: "a＠example.com@evil.org", errIs: errAddrLookalikeAt},
	{name: "small at", in: "a﹫example.com@evil.org", errIs: errAddrLookalikeAt},

	// Refused: control characters and white space.
	{name: "CRLF header injection", in: "a@example.com\r\nBcc: b@evil.org", errIs: errAddrControl},
	{name: "trailing LF", in: "a@example.com\n", errIs: errAddrControl},
	{name: "CR", in: "a@exa\rmple.com", errIs: errAddrControl},
	{name: "NUL", in: "a@example.com\x00.evil.org", errIs: errAddrControl},
	{name: "tab", in: "a\t@example.com", errIs: errAddrControl},
	{name: "leading space", in: " a@example.com", errIs: errAddrControl},
	{name: "trailing space", in: "a@example.com ", errIs: errAddrControl},
	{name: "no-break space", in: "a\u00a0@example.com", errIs: errAddrControl},
	{name: "ideographic space", in: "a@example.com\u3000", errIs: errAddrControl},
	{name: "DEL", in: "a\x7f@example.com", errIs: errAddrControl},
	{name: "C1 control", in: "a\u0085@example.com", errIs: errAddrControl},
	{name: "zero-width space", in: "a@exam\u200bple.com", errIs: errAddrControl},
	{name: "zero-width joiner", in: "a@exam\u200dple.com", errIs: errAddrControl},
	{name: "bidi override", in: "a@\u202emoc.elpmaxe", errIs: errAddrControl},
	{name: "BOM", in: "\ufeffa@example.com", errIs: errAddrControl},
	{name: "soft hyphen", in: "a@exam\u00adple.com", errIs: errAddrControl},

	// Refused: domain.
	{name: "no dot", in: "a@localhost", errIs: errDomainNoDot},
	{name: "trailing dot", in: "a@example.com.", errIs: errAddrSyntax},
	{name: "leading dot", in: "a@.example.com", errIs: errAddrSyntax},
	{name: "empty label", in: "a@example..com", errIs: errAddrSyntax},
	{name: "IPv4 address", in: "a@1.2.3.4", errIs: errDomainNumericTLD},
	{name: "numeric TLD", in: "a@example.123", errIs: errDomainNumericTLD},
	{name: "underscore", in: "a@exa_mple.com", errIs: ErrInvalidDomain},
	{name: "leading hyphen", in: "a@-example.com", errIs: ErrInvalidDomain},
	{name: "trailing hyphen", in: "a@example-.com", errIs: ErrInvalidDomain},
	{name: "hyphens in 3rd and 4th place", in: "a@ab--cd.com", errIs: errDomainHyphen},
	{name: "label too long", in: "a@" + strings.Repeat("b", 64) + ".com", errIs: errDomainLabelLong},
	{name: "punycode of plain ASCII", in: "a@xn--example-.com", errIs: errDomainPunycode},
	{name: "empty punycode", in: "a@xn--.com", errIs: ErrInvalidDomain},
	{name: "invalid punycode", in: "a@xn--a-ecp.ru.xn--zz", errIs: ErrInvalidDomain},
	{name: "full-width dot trailing", in: "a@example.com．", errIs: ErrInvalidDomain},
	{name: "symbol allowed by UTS 46", in: "a@exa☃mple.com", local: "a", domain: "xn--example-cz6d.com"},
	{name: "replacement character", in: "a@\ufffd.com", errIs: ErrInvalidDomain},
	{name: "circled digit", in: "a@example.co⒈m", errIs: ErrInvalidDomain},
}

func TestParseEmail(t *testing.T) {
	for _, tc := range emailCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseEmail(tc.in)
			if tc.local == "" {
				require.Error(t, err, "accepted as %q", got.String())
				assert.ErrorIs(t, err, ErrInvalidAddress)
				if tc.errIs != nil {
					assert.ErrorIs(t, err, tc.errIs)
				}
				assert.Equal(t, Address{}, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, Address{Local: tc.local, Domain: tc.domain}, got)
			assert.Equal(t, tc.local+"@"+tc.domain, got.String())
			again, err := ParseEmail(got.String())
			require.NoError(t, err)
			assert.Equal(t, got, again, "canonical form re-parses to itself")
		})
	}
}

func TestParseEmailLengthBoundaries(t *testing.T) {
	local := strings.Repeat("a", 64)
	domain := strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 57) + ".com"
	addr := local + "@" + domain
	require.Len(t, addr, 254)
	_, err := ParseEmail(addr)
	require.NoError(t, err)

	// One more byte: refused.
	_, err = ParseEmail("a" + addr)
	require.ErrorIs(t, err, errAddrTooLong)

	// Short enough raw, too long once the IDN domain is converted.
	idn := "a@" + strings.Repeat("ü.", 80) + "de"
	require.LessOrEqual(t, len(idn), 254)
	_, err = ParseEmail(idn)
	require.ErrorIs(t, err, errDomainTooLong)
	idn = strings.Repeat("a", 64) + "@" + strings.Repeat("ü.", 25) + "de"
	require.LessOrEqual(t, len(idn), 254)
	_, err = ParseEmail(idn)
	require.ErrorIs(t, err, errAddrTooLong)

	// A local part that grows when lower-cased (Ⱥ is 2 bytes, ⱥ 3).
	_, err = ParseEmail(strings.Repeat("Ⱥ", 32) + "@example.com")
	require.ErrorIs(t, err, errAddrLocalLong)
}

func TestParseEmailErrorsNameTheReason(t *testing.T) {
	_, err := ParseEmail(`"a@example.com"@evil.org`)
	require.EqualError(t, err, "invalid email address: quoted or escaped characters are not accepted")
	_, err = ParseEmail("a@localhost")
	require.EqualError(t, err, "invalid email address: invalid domain: has no dot (a full domain such as example.com is needed)")
	_, err = ParseEmail("a@bü_cher.de")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"bü_cher.de" is not a valid internationalised domain`)
	assert.True(t, errors.Is(err, ErrInvalidDomain))
}

func BenchmarkParseEmail(b *testing.B) {
	b.Run("ascii", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = ParseEmail("john.doe@mail.example.com")
		}
	})
	b.Run("idn", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = ParseEmail("john.doe@bücher.de")
		}
	})
	b.Run("refused", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = ParseEmail("Bob <john.doe@example.com>")
		}
	})
}

package policy

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustAllowList(t testing.TB, raw string) AllowList {
	t.Helper()
	l, err := ParseAllowList(raw)
	require.NoError(t, err)
	return l
}

func TestParseAllowList(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		entries []string
	}{
		{"empty", "", []string{}},
		{"only separators", " ,\n\t, ", []string{}},
		{"one", "example.com", []string{"example.com"}},
		{"commas and spaces", "example.com, *.partner.org,other.net", []string{"example.com", "*.partner.org", "other.net"}},
		{"new lines and CRLF", "example.com\r\n*.partner.org\n\nother.net", []string{"example.com", "*.partner.org", "other.net"}},
		{"lower-cased", "EXAMPLE.Com, *.Partner.ORG", []string{"example.com", "*.partner.org"}},
		{"IDN to punycode", "bücher.de, *.BÜCHER.de", []string{"xn--bcher-kva.de", "*.xn--bcher-kva.de"}},
		{"punycode kept", "xn--bcher-kva.de", []string{"xn--bcher-kva.de"}},
		{"duplicates dropped", "example.com, EXAMPLE.COM, xn--bcher-kva.de, bücher.de", []string{"example.com", "xn--bcher-kva.de"}},
		{"wildcard and apex are distinct", "*.example.com, example.com", []string{"*.example.com", "example.com"}},
		{"full-width entry", "ｅｘａｍｐｌｅ.com", []string{"example.com"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := mustAllowList(t, tc.raw)
			assert.Equal(t, tc.entries, l.Entries())
			assert.Equal(t, len(tc.entries) == 0, l.Empty())
			assert.Equal(t, strings.Join(tc.entries, ", "), l.String())
			again := mustAllowList(t, l.String())
			assert.True(t, l.Equal(again), "the canonical form parses to the same list")
		})
	}
}

func TestParseAllowListInvalid(t *testing.T) {
	tests := []struct {
		raw   string
		entry string
		errIs error
	}{
		{"*", "*", errEntryBareStar},
		{"*.", "*.", errEntryBareStar},
		{"*.com", "*.com", errEntryWildcardTL},
		{"a.*.com", "a.*.com", errEntryWildcard},
		{"*example.com", "*example.com", errEntryWildcard},
		{"*.*.example.com", "*.*.example.com", errEntryWildcard},
		{"@example.com", "@example.com", errEntryAt},
		{"bob@example.com", "bob@example.com", errEntryAt},
		{"example.com.", "example.com.", errDomainTrailingDot},
		{"localhost", "localhost", errDomainNoDot},
		{"1.2.3.4", "1.2.3.4", errDomainNumericTLD},
		{"exa_mple.com", "exa_mple.com", errDomainChar},
		{"-example.com", "-example.com", errDomainHyphen},
		{"xn--example-.com", "xn--example-.com", errDomainPunycode},
		{"example..com", "example..com", errDomainEmptyLabel},
		{"\xd1.A", "\xd1.A", errDomainEncoding}, // fuzz: invalid UTF-8 became U+FFFD
		{"\ufffd.a.com", "\ufffd.a.com", ErrInvalidDomain},
		{"good.com; bad.com", "good.com;", ErrInvalidDomain},
		{"exa\u200bmple.com", "exa\u200bmple.com", errDomainInvisible},
		{"soft\u00adhyphen.com", "soft\u00adhyphen.com", errDomainInvisible},
	}
	for _, tc := range tests {
		t.Run(tc.raw, func(t *testing.T) {
			l, err := ParseAllowList(tc.raw)
			require.Error(t, err)
			assert.True(t, l.Empty(), "an invalid list is returned empty")
			var le *AllowListError
			require.ErrorAs(t, err, &le)
			require.NotEmpty(t, le.Entries)
			assert.Equal(t, tc.entry, le.Entries[0].Entry)
			assert.ErrorIs(t, err, tc.errIs)
			assert.Contains(t, err.Error(), strconv.Quote(tc.entry), "the message names the entry (invisible characters escaped)")
		})
	}
}

func TestParseAllowListReportsEveryInvalidEntry(t *testing.T) {
	_, err := ParseAllowList("example.com, *, good.org, localhost")
	var le *AllowListError
	require.ErrorAs(t, err, &le)
	require.Len(t, le.Entries, 2)
	assert.Equal(t, "*", le.Entries[0].Entry)
	assert.Equal(t, "localhost", le.Entries[1].Entry)
	assert.Equal(t, `invalid entries: "*": "*" alone is not accepted: leave the setting empty to allow every domain; `+
		`"localhost": invalid domain: has no dot (a full domain such as example.com is needed)`, err.Error())
	var ee *EntryError
	require.True(t, errors.As(err, &ee))
}

func TestAllowsEmail(t *testing.T) {
	l := mustAllowList(t, "example.com, *.partner.org, bücher.de, xn--mller-kva.ch")
	tests := []struct {
		name    string
		addr    string
		allowed bool
		invalid bool
	}{
		{"exact", "a@example.com", true, false},
		{"upper case", "A@EXAMPLE.COM", true, false},
		{"mixed case", "a@ExAmPlE.cOm", true, false},
		{"suffix trick", "a@example.com.evil.org", false, false},
		{"prefix trick", "a@evil-example.com", false, false},
		{"glued prefix", "a@evilexample.com", false, false},
		{"sub-domain of exact entry", "a@mail.example.com", false, false},
		{"quoted local part", `"a@example.com"@evil.org`, false, true},
		{"display name", "Bob <a@example.com>", false, true},
		{"display name for another address", "a@example.com <b@evil.org>", false, true},
		{"bare angle address", "<a@example.com>", false, true},
		{"comment", "a@evil.org(a@example.com)", false, true},
		{"CRLF", "a@example.com\r\n", false, true},
		{"LF then second address", "a@example.com\nb@evil.org", false, true},
		{"NUL", "a@example.com\x00", false, true},
		{"NUL inside domain", "a@example.com\x00.evil.org", false, true},
		{"Cyrillic e look-alike", "a@exаmple.com", false, false},
		{"Greek omicron look-alike", "a@examplο.com", false, false},
		{"full-width letters map to the ASCII domain", "a@ｅｘａｍｐｌｅ.com", true, false},
		{"full-width dot", "a@example．com", true, false},
		{"full-width at", "a＠example.com", false, true},
		{"IDN entry, unicode address", "a@bücher.de", true, false},
		{"IDN entry, punycode address", "a@xn--bcher-kva.de", true, false},
		{"IDN entry, upper-case unicode address", "a@BÜCHER.DE", true, false},
		{"punycode entry, unicode address", "a@müller.ch", true, false},
		{"IDN look-alike of IDN entry", "a@bucher.de", false, false},
		{"wildcard sub-domain", "a@x.partner.org", true, false},
		{"wildcard deeper sub-domain", "a@x.y.partner.org", true, false},
		{"wildcard upper case", "a@X.PARTNER.ORG", true, false},
		{"wildcard excludes apex", "a@partner.org", false, false},
		{"wildcard glued prefix", "a@xpartner.org", false, false},
		{"wildcard suffix trick", "a@x.partner.org.evil.org", false, false},
		{"trailing dot", "a@example.com.", false, true},
		{"IP literal", "a@[127.0.0.1]", false, true},
		{"IP address", "a@127.0.0.1", false, true},
		{"no dot", "a@com", false, true},
		{"unrelated", "a@evil.org", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ok, addr, err := l.AllowsEmail(tc.addr)
			assert.Equal(t, tc.allowed, ok)
			if tc.invalid {
				require.ErrorIs(t, err, ErrInvalidAddress)
				assert.Equal(t, Address{}, addr)
				return
			}
			require.NoError(t, err)
			assert.NotEmpty(t, addr.Domain)
			assert.Equal(t, tc.allowed, l.Allows(addr.Domain), "Allows agrees on the canonical domain")
		})
	}
}

func TestEmptyAllowListAllowsEveryValidAddress(t *testing.T) {
	var l AllowList
	assert.True(t, l.Empty())
	ok, addr, err := l.AllowsEmail("a@anything.example")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "anything.example", addr.Domain)

	ok, _, err = l.AllowsEmail("Bob <a@anything.example>")
	require.Error(t, err)
	assert.False(t, ok, "an invalid address is refused even by the empty list")
	assert.False(t, l.Allows("localhost"))
	assert.False(t, l.Allows(""))
}

func TestAllowsDomain(t *testing.T) {
	l := mustAllowList(t, "example.com, *.partner.org, bücher.de")
	tests := []struct {
		domain string
		want   bool
	}{
		{"example.com", true},
		{"EXAMPLE.COM", true},
		{"bücher.de", true},
		{"xn--bcher-kva.de", true},
		{"a.partner.org", true},
		{"partner.org", false},
		{"exаmple.com", false},
		{"example.com.", false},
		{".example.com", false},
		{"*.partner.org", false},
		{"", false},
		{"example.com\x00", false},
		{"com", false},
		{strings.Repeat("a.", 200) + "partner.org", false}, // too long
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, l.Allows(tc.domain), "%q", tc.domain)
	}
}

func TestAllowListEqual(t *testing.T) {
	a := mustAllowList(t, "example.com, *.partner.org")
	assert.True(t, a.Equal(mustAllowList(t, "*.PARTNER.org example.com example.com")))
	assert.False(t, a.Equal(mustAllowList(t, "example.com, partner.org")))
	assert.False(t, a.Equal(mustAllowList(t, "example.com")))
	assert.True(t, AllowList{}.Equal(mustAllowList(t, " , ")))
}

func TestEntriesIsACopy(t *testing.T) {
	l := mustAllowList(t, "example.com")
	e := l.Entries()
	e[0] = "evil.org"
	assert.Equal(t, []string{"example.com"}, l.Entries())
}

func TestAllowsDoesNotAllocate(t *testing.T) {
	l := mustAllowList(t, "example.com, *.partner.org, bücher.de, other.net, *.x.y.z.org")
	for _, d := range []string{"example.com", "a.b.partner.org", "evil.org", "deep.a.b.c.d.e.f.example.net", "xn--bcher-kva.de", "localhost"} {
		allocs := testing.AllocsPerRun(100, func() { _ = l.Allows(d) })
		assert.Zero(t, allocs, "Allows(%q)", d)
	}
	var empty AllowList
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = empty.Allows("example.com") }))
}

func benchList(b *testing.B) AllowList {
	b.Helper()
	l, err := ParseAllowList("example.com, *.partner.org, bücher.de, other.net, a.com, b.com, c.com, *.d.com, e.com, f.com")
	if err != nil {
		b.Fatal(err)
	}
	return l
}

func BenchmarkAllows(b *testing.B) {
	l := benchList(b)
	for _, d := range []string{"example.com", "a.b.partner.org", "mail.evil.org"} {
		b.Run(d, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = l.Allows(d)
			}
		})
	}
}

func BenchmarkAllowsEmail(b *testing.B) {
	l := benchList(b)
	for _, addr := range []string{"john.doe@example.com", "john.doe@a.b.partner.org", "John.Doe@BÜCHER.de", "Bob <a@example.com>"} {
		b.Run(addr, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _, _ = l.AllowsEmail(addr)
			}
		})
	}
}

func BenchmarkParseAllowList(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_, _ = ParseAllowList("example.com, *.partner.org, bücher.de, other.net")
	}
}

package policy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func rulesSettings(t *testing.T, members, methods string) Settings {
	t.Helper()
	raw := DefaultRawSettings()
	raw.MemberEmailDomains, raw.GuestSignInMethods = members, methods
	s, err := ParseSettings(raw)
	require.NoError(t, err)
	return s
}

func TestMatchGuestRule(t *testing.T) {
	cases := []struct {
		name, members, methods, email, auth string
		want                                GuestRule
	}{
		{"rules off", "", "", "a@outside.org", "", RuleNone},
		{"member domain", "example.com", "", "a@example.com", "", RuleNone},
		{"member domain, case and IDN canonical", "example.com", "", "A@EXAMPLE.COM", "", RuleNone},
		{"outside domain", "example.com", "", "a@outside.org", "", RuleMemberDomains},
		{"look-alike suffix is outside", "example.com", "", "a@evilexample.com", "", RuleMemberDomains},
		{"sub-domain without wildcard is outside", "example.com", "", "a@eu.example.com", "", RuleMemberDomains},
		{"wildcard sub-domain", "example.com, *.example.com", "", "a@eu.example.com", "", RuleNone},
		{"cyrillic homoglyph is outside", "example.com", "", "a@ex\u0430mple.com", "", RuleMemberDomains},
		{"unparseable address fails closed", "example.com", "", "not-an-address", "", RuleMemberDomains},
		{"listed method", "", "gitlab, openid", "a@example.com", "gitlab", RuleSignInMethod},
		{"unlisted method", "", "gitlab", "a@example.com", "openid", RuleNone},
		{"email method means password accounts", "", "email", "a@example.com", "", RuleSignInMethod},
		{"method wins over member domain", "example.com", "openid", "a@example.com", "openid", RuleSignInMethod},
		{"both rules, neither matches", "example.com", "gitlab", "a@example.com", "", RuleNone},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := rulesSettings(t, c.members, c.methods)
			assert.Equal(t, c.want, MatchGuestRule(s, c.email, c.auth))
			assert.Equal(t, c.members != "" || c.methods != "", s.RulesEnabled())
		})
	}
}

func TestSignInMethod(t *testing.T) {
	assert.Equal(t, "email", SignInMethod(""))
	assert.Equal(t, "saml", SignInMethod("saml"))
}

func BenchmarkMatchGuestRule(b *testing.B) {
	raw := DefaultRawSettings()
	raw.MemberEmailDomains, raw.GuestSignInMethods = "example.com, *.example.org", "gitlab"
	s, err := ParseSettings(raw)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if MatchGuestRule(s, "someone@sub.example.org", "") != RuleNone {
			b.Fatal("matched")
		}
	}
}

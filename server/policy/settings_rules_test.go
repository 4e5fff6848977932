package policy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseSettingsGuestRulesAndMFATeams(t *testing.T) {
	raw := DefaultRawSettings()
	raw.RequireMFATeams = " Sales, support,sales "
	raw.MemberEmailDomains = "example.com, *.example.org"
	raw.GuestSignInMethods = "GitLab openid"
	s, err := ParseSettings(raw)
	require.NoError(t, err)
	assert.Equal(t, []string{"sales", "support"}, s.RequireMFATeams)
	assert.True(t, s.MemberDomains.Allows("example.com"))
	assert.True(t, s.MemberDomains.Allows("a.example.org"))
	assert.Equal(t, []string{"gitlab", "openid"}, s.GuestSignInMethods)

	for name, change := range map[string]func(*RawSettings){
		"bad team":   func(r *RawSettings) { r.RequireMFATeams = "sales, Bad Team!" },
		"bad domain": func(r *RawSettings) { r.MemberEmailDomains = "exa..mple.com" },
		"bad method": func(r *RawSettings) { r.GuestSignInMethods = "email, carrier-pigeon" },
	} {
		r := DefaultRawSettings()
		change(&r)
		_, err := ParseSettings(r)
		assert.Error(t, err, name)
	}
	s, err = ParseSettings(DefaultRawSettings())
	require.NoError(t, err)
	assert.Empty(t, s.RequireMFATeams)
	assert.True(t, s.MemberDomains.Empty(), "the member-domain rule is off by default")
	assert.Empty(t, s.GuestSignInMethods)
}

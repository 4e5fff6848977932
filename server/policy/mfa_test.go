package policy

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestGuestNeedsMFA(t *testing.T) {
	on, off := true, false
	teams := []string{"sales", "support"}
	for _, c := range []struct {
		name       string
		override   *bool
		requireAll bool
		required   []string
		member     []string
		rule       MFARule
		want       bool
	}{
		{"nothing configured", nil, false, nil, []string{"sales"}, MFANotRequired, false},
		{"required for all guests", nil, true, nil, nil, MFARequired, true},
		{"override on, settings off", &on, false, nil, nil, MFARequired, true},
		{"override off beats require all", &off, true, teams, []string{"sales"}, MFANotRequired, false},
		{"override on beats no team", &on, false, teams, []string{"other"}, MFARequired, true},
		{"in a required team", nil, false, teams, []string{"other", "support"}, MFAIfInTeam, true},
		{"team name case ignored", nil, false, teams, []string{"Sales"}, MFAIfInTeam, true},
		{"in no required team", nil, false, teams, []string{"other"}, MFAIfInTeam, false},
		{"in no team at all", nil, false, teams, nil, MFAIfInTeam, false},
		{"require all and teams", nil, true, teams, nil, MFARequired, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.rule, GuestMFARule(c.override, c.requireAll, c.required))
			assert.Equal(t, c.want, GuestNeedsMFA(c.override, c.requireAll, c.required, c.member))
		})
	}
}

func TestMFAConfigured(t *testing.T) {
	assert.False(t, MFAConfigured(Settings{}))
	assert.True(t, MFAConfigured(Settings{RequireMFA: true}))
	assert.True(t, MFAConfigured(Settings{RequireMFATeams: []string{"sales"}}))
}

func TestGuestNeedsMFANoAllocs(t *testing.T) {
	teams := []string{"sales", "support"}
	member := []string{"a", "b", "Support"}
	allocs := testing.AllocsPerRun(100, func() {
		_ = GuestNeedsMFA(nil, false, teams, member)
	})
	assert.Zero(t, allocs)
}

func BenchmarkGuestNeedsMFA(b *testing.B) {
	teams := []string{"sales", "support", "partners"}
	member := []string{"engineering", "marketing", "partners"}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if !GuestNeedsMFA(nil, false, teams, member) {
			b.Fatal("expected MFA to be required")
		}
	}
}

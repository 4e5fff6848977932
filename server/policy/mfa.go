package policy

import "strings"

// MFARule is what the settings and a guest's own override say about the
// guest's need for multi-factor authentication, before their teams are
// known.
type MFARule uint8

// The outcomes of GuestMFARule.
const (
	MFANotRequired MFARule = iota
	MFARequired
	// MFAIfInTeam: required only if the guest is a member of one of the
	// teams in Settings.RequireMFATeams (look the teams up, then InMFATeam).
	MFAIfInTeam
)

// GuestMFARule decides whether a guest needs MFA from their override (nil
// follows the settings), then "Require MFA for guests", then the team list.
// It does not allocate, so the caller can skip the team lookup when the
// answer is already known.
func GuestMFARule(override *bool, requireAll bool, requiredTeams []string) MFARule {
	switch {
	case override != nil && *override:
		return MFARequired
	case override != nil:
		return MFANotRequired
	case requireAll:
		return MFARequired
	case len(requiredTeams) > 0:
		return MFAIfInTeam
	}
	return MFANotRequired
}

// InMFATeam reports whether a team name is in the required list (names are
// compared without regard to case; the settings keep them lower-case).
func InMFATeam(requiredTeams []string, teamName string) bool {
	for _, t := range requiredTeams {
		if strings.EqualFold(t, teamName) {
			return true
		}
	}
	return false
}

// GuestNeedsMFA is the whole decision for a guest who is a member of the
// teams named teamNames.
func GuestNeedsMFA(override *bool, requireAll bool, requiredTeams, teamNames []string) bool {
	switch GuestMFARule(override, requireAll, requiredTeams) {
	case MFARequired:
		return true
	case MFAIfInTeam:
		for _, n := range teamNames {
			if InMFATeam(requiredTeams, n) {
				return true
			}
		}
	}
	return false
}

// MFAConfigured reports whether any MFA requirement is set in the settings
// (per-guest overrides are not part of Settings).
func MFAConfigured(s Settings) bool {
	return s.RequireMFA || len(s.RequireMFATeams) > 0
}

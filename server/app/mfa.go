package app

import (
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// NeedsMFA decides whether the guest must have MFA: their override, else
// "Require MFA for guests", else membership of a team in the MFA team list
// (the only case that costs a lookup).
func (k *Kit) NeedsMFA(g *store.Guest) (bool, error) {
	s := k.settings()
	switch policy.GuestMFARule(g.RequireMFA, s.RequireMFA, s.RequireMFATeams) {
	case policy.MFARequired:
		return true, nil
	case policy.MFANotRequired:
		return false, nil
	}
	teams, appErr := k.api.GetTeamsForUser(g.UserID)
	if appErr != nil {
		return false, appErr
	}
	for _, t := range teams {
		if t.DeleteAt == 0 && policy.InMFATeam(s.RequireMFATeams, t.Name) {
			return true, nil
		}
	}
	return false, nil
}

// ServerMFAEnabled reports the server's
// ServiceSettings.EnableMultifactorAuthentication.
func (k *Kit) ServerMFAEnabled() bool {
	cfg := k.api.GetConfig()
	return cfg != nil && cfg.ServiceSettings.EnableMultifactorAuthentication != nil && *cfg.ServiceSettings.EnableMultifactorAuthentication
}

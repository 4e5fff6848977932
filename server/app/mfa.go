package app

import (
	"bytes"
	"encoding/json"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// OptionalBool is a JSON field that tells absent (Set false: unchanged)
// from null (Set, Value nil: follow the settings) and true/false.
type OptionalBool struct {
	Set   bool
	Value *bool
}

// UnmarshalJSON records that the field was present; encoding/json calls it
// for null too.
func (o *OptionalBool) UnmarshalJSON(b []byte) error {
	o.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		o.Value = nil
		return nil
	}
	var v bool
	if err := json.Unmarshal(b, &v); err != nil {
		return errBadRequest("invalid_require_mfa", "require_mfa", "require_mfa: true, false, or null to follow the settings.")
	}
	o.Value = &v
	return nil
}

// MarshalJSON writes the value (null when unset or following the settings).
func (o OptionalBool) MarshalJSON() ([]byte, error) {
	return json.Marshal(o.Value)
}

// needsMFA decides whether the guest must have MFA: their override, else
// "Require MFA for guests", else membership of a team in the MFA team list
// (the only case that costs a lookup).
func (a *App) needsMFA(g *store.Guest) (bool, error) {
	s := a.settings()
	switch policy.GuestMFARule(g.RequireMFA, s.RequireMFA, s.RequireMFATeams) {
	case policy.MFARequired:
		return true, nil
	case policy.MFANotRequired:
		return false, nil
	}
	teams, appErr := a.api.GetTeamsForUser(g.UserID)
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

// guestNeedsMFA is needsMFA for the API view; a failed team lookup shows
// the requirement (enforcement fails closed too).
func (a *App) guestNeedsMFA(g *store.Guest) bool {
	need, err := a.needsMFA(g)
	return need || err != nil
}

// checkGuestMFA refuses a guest who needs MFA and has not set it up; ""
// allows. Login is never refused, so they can reach the setup page.
func (a *App) checkGuestMFA(g *store.Guest) string {
	need, err := a.needsMFA(g)
	if err != nil {
		return a.say(g.UserID, msgCheckFailed)
	}
	if !need {
		return ""
	}
	u, appErr := a.api.GetUser(g.UserID)
	if appErr != nil {
		return a.say(g.UserID, msgCheckFailed)
	}
	if u.MfaActive {
		return ""
	}
	locale := u.Locale
	if locale == "" {
		locale = a.DefaultLocale()
	}
	setup := a.siteURL() + "/mfa/setup"
	if !a.serverMFAEnabled() {
		return a.Tr(locale, "guest_accounts.notice.mfa_required_server_off", "Your account needs multi-factor authentication (MFA) before you can post or upload files. Set it up at %s (multi-factor authentication is currently turned off on this server: please ask a system admin to turn it on).", setup)
	}
	return a.Tr(locale, "guest_accounts.notice.mfa_required", "Your account needs multi-factor authentication (MFA) before you can post or upload files. Set it up at %s.", setup)
}

// serverMFAEnabled reports the server's
// ServiceSettings.EnableMultifactorAuthentication.
func (a *App) serverMFAEnabled() bool {
	cfg := a.api.GetConfig()
	return cfg != nil && cfg.ServiceSettings.EnableMultifactorAuthentication != nil && *cfg.ServiceSettings.EnableMultifactorAuthentication
}

// mfaWarning is the System Console warning: MFA is required of guests
// (settings, or anyGuestOverride) but the server has MFA turned off, so
// those guests cannot set it up and cannot post.
func (a *App) mfaWarning(anyGuestOverride bool) string {
	if !policy.MFAConfigured(a.settings()) && !anyGuestOverride {
		return ""
	}
	if a.serverMFAEnabled() {
		return ""
	}
	return a.Tr("", "guest_accounts.stats.mfa_warning", "Guests are required to use multi-factor authentication, but it is turned off on this server: those guests cannot set it up and cannot post or upload. Turn it on in System Console > Authentication > MFA.")
}

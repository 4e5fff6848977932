package enforce

import (
	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// CheckLogin decides whether a user may log in; "" allows it. Non-guests
// cost one registry read.
func (s *Service) CheckLogin(u *model.User) string {
	g, err := s.cache.GetGuest(u.Id)
	if err != nil {
		return "" // not a guest (or the registry is unreadable: core's checks still apply)
	}
	settings := s.kit.Settings()
	if !settings.EnableGuestAccounts {
		return s.kit.TrUser(u.Id, "guest_accounts.login.switched_off", "Guest accounts are switched off on this server. Contact the person who invited you.")
	}
	if ok, _ := s.kit.DomainAllowed(u.Email); !ok {
		return s.kit.TrUser(u.Id, "guest_accounts.login.domain", "Guest accounts from your email domain are no longer allowed on this server. Contact the person who invited you.")
	}
	if g.Deactivated != store.ReasonNone {
		// Core let the login through, so its copy of the user is active: an
		// admin reactivated the guest outside the plugin (System Console),
		// or, on a second server without clustering, that copy is a stale
		// cache entry (deactivated through another node). Only the database
		// tells them apart; in doubt, refuse.
		if active, err := s.core.UserActive(u.Id); err != nil || !active {
			return s.kit.TrUser(u.Id, "guest_accounts.login.deactivated", "Your guest account is deactivated. Contact the person who invited you.")
		}
		// Reactivated outside the plugin: the cap and the rules still apply.
		if _, err := s.reactivator.Activate(app.SystemActor, u.Id, ""); err != nil {
			return s.kit.TrUser(u.Id, "guest_accounts.login.not_active", "Your guest account is not active: %s", s.kit.LocalizedFor(u.Id, err))
		}
	}
	s.NoteActivity(u.Id)
	return ""
}

package enforce

import (
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// CheckLogin decides whether a user may log in; "" allows it. Non-guests
// cost one registry read (two for an account made in the last two
// minutes: see loginRefusal).
func (s *Service) CheckLogin(u *model.User) string {
	g, err := s.cache.GetGuest(u.Id)
	if err != nil {
		// Not a guest (or the registry is unreadable: core's checks still
		// apply), unless the plugin is creating it as one right now.
		return s.loginRefusal(u, false)
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
	if reason := s.loginRefusal(u, true); reason != "" {
		return reason
	}
	s.watchNewSession(u.Id)
	s.NoteActivity(u.Id)
	return ""
}

// creatingWindow is how old an account may be and still be one the plugin
// is creating (its creation mark lapses after two minutes).
const creatingWindow = 2 * time.Minute

// loginRefusal refuses a login core is about to turn into a session with
// a role the account should not have. Core makes the session with the
// roles of the copy of the user it read before asking the plugin (u), so
// the check is on that copy: an account the plugin is creating as a guest
// (it is system_user for a moment; the mark is in the store, for every
// node), or a registered guest whose copy does not hold the guest's role
// (read just before the plugin gave it the role, or a guest not yet moved
// onto the dedicated role, which is done now). The next attempt reads the
// account afresh and passes. System admins are left alone (the plugin
// never takes their role).
func (s *Service) loginRefusal(u *model.User, registered bool) string {
	refuse := func() string {
		return s.kit.TrUser(u.Id, "guest_accounts.login.being_created", "Your guest account is still being set up. Try again in a moment.")
	}
	if !registered {
		if model.GetMillis()-u.CreateAt > creatingWindow.Milliseconds() {
			return ""
		}
		if creating, err := s.cache.IsCreating(u.Email); err != nil || creating {
			return refuse() // unreadable: fail closed for a fresh account
		}
		return ""
	}
	if u.IsSystemAdmin() || s.members.HoldsGuestRole(u.Roles) {
		return ""
	}
	if _, err := s.members.RepairRole(u.Id); err != nil {
		s.api.LogError("Guest Accounts: could not give a guest signing in the guest role", "user_id", u.Id, "error", err.Error())
	}
	return refuse()
}

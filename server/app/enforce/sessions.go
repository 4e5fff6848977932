package enforce

import (
	"fmt"
	"slices"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// Guests' sessions, as core sees them: core marks a session as a guest's
// (is_guest) only for system_guest users, and refuses such a session team
// joins through invite links and sends its websocket no profile or
// new-account events about people it cannot see (measured on 11.4:
// docs/measured-facts.md, "Escapes from a guest account"). A guest holding
// the dedicated role is not system_guest to core, so the plugin marks its
// guests' sessions itself.

// SessionRevoker ends a user's sessions (the guests use cases).
type SessionRevoker interface {
	RevokeSessions(userID string) (int, error)
}

// MarkGuestSessions gives the guests' sessions core's guest marker. Each
// changed session is put back into core's session cache from the database
// at once (ExtendSessionExpiry to its own expiry: the plugin API call that
// re-reads a session into the cache); then the guest's role is set again,
// unchanged, which makes core drop the session copies open websockets
// hold.
func (s *Service) MarkGuestSessions(userIDs ...string) {
	s.refreshUsersCaches(s.markSessions(userIDs))
}

// refreshUsersCaches runs refreshSessionCaches for each user.
func (s *Service) refreshUsersCaches(userIDs []string) {
	for _, id := range userIDs {
		s.refreshSessionCaches(id)
	}
}

// markSessions marks the users' sessions in the database, re-reads each
// changed one into core's cache, and returns the users whose sessions
// changed.
func (s *Service) markSessions(userIDs []string) []string {
	if len(userIDs) == 0 {
		return nil
	}
	changed, err := s.core.SetSessionsGuest(userIDs, true)
	return s.refreshMarked(changed, err)
}

// refreshMarked re-reads each session just marked into core's cache and
// returns the users whose sessions changed.
func (s *Service) refreshMarked(changed []store.CoreSession, err error) []string {
	if err != nil {
		s.api.LogError("Guest Accounts: could not mark guests' sessions as guest sessions", "error", err.Error())
		return nil
	}
	var users []string
	for _, cs := range changed {
		if appErr := s.api.ExtendSessionExpiry(cs.ID, cs.ExpiresAt); appErr != nil {
			s.api.LogWarn("Guest Accounts: could not refresh a guest's session", "user_id", cs.UserID, "error", appErr.Error())
		}
		if !slices.Contains(users, cs.UserID) {
			users = append(users, cs.UserID)
		}
	}
	return users
}

// refreshSessionCaches sets the user's role again, unchanged, under the
// user lock: the plugin API call that makes core drop the user's cached
// sessions and the copies their open websockets hold, on every node.
func (s *Service) refreshSessionCaches(userID string) {
	err := s.members.WithUserLock(userID, func() error {
		u, appErr := s.api.GetUser(userID)
		if appErr != nil {
			return appErr
		}
		if !s.kit.Licensed() && slices.Contains(u.GetRoles(), model.SystemGuestRoleId) {
			// A role window left open (a crash): never write its role back;
			// the repair that closes it clears the caches as well.
			return nil
		}
		if _, appErr = s.api.UpdateUserRoles(userID, u.Roles); appErr != nil {
			return appErr
		}
		return nil
	})
	if err != nil {
		s.api.LogWarn("Guest Accounts: could not refresh a guest's cached sessions", "user_id", userID, "error", err.Error())
	}
}

// watchNewSession marks the session core is about to create for a guest
// whose login the plugin just allowed (UserWillLogIn runs right before core
// creates it), polling the sessions table every millisecond for up to two
// seconds. Core tells plugins about the login only afterwards, and
// asynchronously (UserHasLoggedIn), so either may mark it first; neither
// is sure to do so before the login answers (docs/security.md: the window
// right after sign-in, measured).
func (s *Service) watchNewSession(userID string) {
	go func() {
		deadline := time.Now().Add(2 * time.Second)
		for time.Now().Before(deadline) {
			if len(s.markSessions([]string{userID})) > 0 {
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
}

// GuestLoggedIn runs when core reports a guest's login: their sessions are
// marked (if watchNewSession has not done so), and core's cached copies of
// them are refreshed in any case: core caches a new session as it creates
// it, which can land after watchNewSession refreshed it.
func (s *Service) GuestLoggedIn(userID string) {
	s.markSessions([]string{userID})
	s.refreshSessionCaches(userID)
}

// activeGuests lists the registry's active guests.
func (s *Service) activeGuests() ([]string, error) {
	return store.GuestIDs(s.cache, store.StatusActive, nil)
}

// MarkAllGuestSessions marks the sessions of every active guest
// (activation, the end of a move onto the guest role, and the periodic job
// for sessions core creates without a login hook, such as a personal
// access token's first use).
//
// Guests hold a system role of their own (the dedicated role, or
// system_guest on a licensed server), so one statement marks the sessions
// of the active users holding it, or system_guest (a guest inside a role
// window): the registry is not read (activation took 0.15-0.16 s from
// 1,000 to 100,000 guests: docs/performance.md, "Activation"). Only when
// guests fall back to system_user (the dedicated role unusable) are the
// registry's active guests listed, a thousand users per statement.
// Marking a session as a guest's only narrows what core lets it do.
func (s *Service) MarkAllGuestSessions() {
	if role := s.members.GuestSystemRole(); role != model.SystemUserRoleId {
		roles := []string{role}
		if role != model.SystemGuestRoleId {
			roles = append(roles, model.SystemGuestRoleId)
		}
		changed, err := s.core.MarkRoleSessionsGuest(roles)
		s.refreshUsersCaches(s.refreshMarked(changed, err))
		return
	}
	ids, err := s.activeGuests()
	if err != nil {
		s.api.LogError("Guest Accounts: could not list guests to mark their sessions", "error", err.Error())
		return
	}
	for batch := range slices.Chunk(ids, 1000) {
		s.MarkGuestSessions(batch...)
	}
}

// msgEmailDomain refuses a guest whose own address left the allowed
// domains.
var msgEmailDomain = app.Msg{ID: "guest_accounts.notice.email_domain", Format: "Your email address is not in a domain allowed for guests here, so you cannot post or upload files, and you have been signed out. Contact the person who invited you."}

// checkGuestEmail refuses a guest whose email address is not in "Allowed
// guest email domains". Core lets users change their own address
// (`PUT /users/{id}/patch`, measured 200 on 11.4 for a guest holding the
// dedicated role: core checks guest domains only for system_guest) and
// tells no plugin; logins are refused from then on (CheckLogin), and the
// sessions the guest still holds end at their first post or upload here,
// or at the periodic job's next run (SignOutGuestsOutsideDomains). One user
// read per guest post (core's user cache answers it).
func (s *Service) checkGuestEmail(u *model.User) string {
	if ok, _ := s.kit.DomainAllowed(u.Email); ok {
		return ""
	}
	s.signOutOutsideDomains(u.Id)
	return s.kit.Say(u.Id, msgEmailDomain)
}

// signOutOutsideDomains ends the sessions of a guest whose address is not
// in the allowed domains, audited when there were any.
func (s *Service) signOutOutsideDomains(userID string) {
	if s.sessions == nil {
		s.api.LogError("Guest Accounts: cannot sign out a guest outside the allowed domains (no session revoker)", "user_id", userID)
		return
	}
	n, err := s.sessions.RevokeSessions(userID)
	if n > 0 || err != nil {
		s.kit.Audit(userID, "guest_email_refused", userID, app.Result(err), fmt.Sprintf("address outside the allowed domains: %d sessions ended", n))
	}
}

// SignOutGuestsOutsideDomains ends the sessions of every active guest
// whose address is not in "Allowed guest email domains" (changed by the
// guest, or a list an admin tightened). Run by the periodic job, so a
// guest who only reads is signed out within one interval; a post or an
// upload signs them out at once (checkGuestEmail). Users are read a
// hundred at a time.
func (s *Service) SignOutGuestsOutsideDomains() {
	if s.kit.Settings().AllowedDomains.Empty() {
		return
	}
	ids, err := s.activeGuests()
	if err != nil {
		s.api.LogError("Guest Accounts: could not list guests to check their addresses", "error", err.Error())
		return
	}
	for batch := range slices.Chunk(ids, 100) {
		users, appErr := s.api.GetUsersByIds(batch)
		if appErr != nil {
			s.api.LogError("Guest Accounts: could not read guests to check their addresses", "error", appErr.Error())
			continue
		}
		for _, u := range users {
			if ok, _ := s.kit.DomainAllowed(u.Email); !ok {
				s.signOutOutsideDomains(u.Id)
			}
		}
	}
}

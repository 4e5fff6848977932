package app

import (
	"slices"
	"time"

	"github.com/pkg/errors"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// RevokeSessions logs the user out everywhere at once, without
// deactivating them (demote: the new restrictions apply from the next
// login). The plugin API can revoke a session by id but not list them, so
// the ids come from the database.
func (a *App) RevokeSessions(userID string) error {
	_, err := a.revokeSessions(userID)
	return err
}

// revokeSessions is RevokeSessions, saying how many sessions it ended.
func (a *App) revokeSessions(userID string) (int, error) {
	if a.client == nil {
		return 0, errors.New("no database access to list sessions")
	}
	db, err := a.client.Store.GetMasterDB()
	if err != nil {
		return 0, errors.Wrap(err, "opening the database")
	}
	rows, err := db.Query("SELECT Id FROM Sessions WHERE UserId = $1", userID)
	if err != nil {
		return 0, errors.Wrap(err, "listing the user's sessions")
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, errors.Wrap(err, "reading a session id")
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, errors.Wrap(err, "listing the user's sessions")
	}
	for i, id := range ids {
		if appErr := a.api.RevokeSession(id); appErr != nil {
			return i, errors.Wrap(appErr, "revoking a session")
		}
	}
	return len(ids), nil
}

// MarkGuestSessions gives the guests' sessions core's is_guest marker,
// which core itself sets only for system_guest users (a guest holding the
// dedicated role is not one to core). Measured on 11.4, with the marker
// core refuses the session a team join through an invite link
// (`POST /teams/members/invite?invite_id=`) before the fact, and sends its
// websocket no profile updates or new-user events about people the guest
// cannot see. Each changed session is put back into core's session cache
// from the database at once (ExtendSessionExpiry to its own expiry: the
// plugin API call that re-reads a session into the cache); then the role
// is set again, unchanged, under the user lock, which makes core drop the
// copies open websockets hold.
func (a *App) MarkGuestSessions(userIDs ...string) {
	for _, id := range a.markSessions(userIDs) {
		a.refreshSessionCaches(id)
	}
}

// markSessions marks the users' sessions in the database, re-reads each
// changed one into core's cache, and returns the users whose sessions
// changed.
func (a *App) markSessions(userIDs []string) []string {
	if a.core == nil || len(userIDs) == 0 {
		return nil
	}
	changed, err := a.core.SetSessionsGuest(userIDs, true)
	if err != nil {
		a.api.LogError("Guest Accounts: could not mark guests' sessions as guest sessions", "error", err.Error())
		return nil
	}
	var users []string
	for _, cs := range changed {
		if appErr := a.api.ExtendSessionExpiry(cs.ID, cs.ExpiresAt); appErr != nil {
			a.api.LogWarn("Guest Accounts: could not refresh a guest's session", "user_id", cs.UserID, "error", appErr.Error())
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
func (a *App) refreshSessionCaches(userID string) {
	err := a.members.WithUserLock(userID, func() error {
		u, appErr := a.api.GetUser(userID)
		if appErr != nil {
			return appErr
		}
		if _, appErr = a.api.UpdateUserRoles(userID, u.Roles); appErr != nil {
			return appErr
		}
		return nil
	})
	if err != nil {
		a.api.LogWarn("Guest Accounts: could not refresh a guest's cached sessions", "user_id", userID, "error", err.Error())
	}
}

// watchNewSession marks the session core is about to create for a guest
// whose login the plugin just allowed (UserWillLogIn runs right before core
// creates it), polling the sessions table every millisecond for up to two
// seconds. Core tells plugins about the login only afterwards, and
// asynchronously (UserHasLoggedIn), so either may mark it first; neither
// is sure to do so before the login answers (docs/security.md: the
// window right after sign-in, measured).
func (a *App) watchNewSession(userID string) {
	if a.core == nil {
		return
	}
	a.background.Add(1)
	go func() {
		defer a.background.Done()
		deadline := time.Now().Add(2 * time.Second)
		for time.Now().Before(deadline) {
			if len(a.markSessions([]string{userID})) > 0 {
				return
			}
			select {
			case <-a.stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
}

// GuestLoggedIn runs when core reports a guest's login: their sessions are
// marked (if watchNewSession has not done so), and core's cached copies of
// them are refreshed in any case: core caches a new session as it creates
// it, which can land after watchNewSession refreshed it.
func (a *App) GuestLoggedIn(userID string) {
	a.markSessions([]string{userID})
	a.refreshSessionCaches(userID)
}

// unmarkGuestSessions takes the marker away (promotion); the caller sets
// the user's role next, which clears core's caches.
func (a *App) unmarkGuestSessions(userID string) {
	if a.core == nil {
		return
	}
	if _, err := a.core.SetSessionsGuest([]string{userID}, false); err != nil {
		a.api.LogWarn("Guest Accounts: could not unmark a promoted member's sessions", "user_id", userID, "error", err.Error())
	}
}

// MarkAllGuestSessions marks the sessions of every active guest
// (activation, and the periodic job for sessions core creates without a
// login hook, such as a personal access token's first use).
func (a *App) MarkAllGuestSessions() {
	var ids []string
	if err := a.store.ForEachGuest(func(g *store.Guest) error {
		if g.Deactivated == store.ReasonNone {
			ids = append(ids, g.UserID)
		}
		return nil
	}); err != nil {
		a.api.LogError("Guest Accounts: could not list guests to mark their sessions", "error", err.Error())
		return
	}
	for len(ids) > 0 { // a thousand users per statement
		n := min(len(ids), 1000)
		a.MarkGuestSessions(ids[:n]...)
		ids = ids[n:]
	}
}

package app

import (
	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// CheckLogin decides whether a user may log in; "" allows it. Non-guests
// cost one registry read.
func (a *App) CheckLogin(u *model.User) string {
	g, err := a.store.GetGuest(u.Id)
	if err != nil {
		return "" // not a guest (or the registry is unreadable: core's checks still apply)
	}
	s := a.settings()
	if !s.EnableGuestAccounts {
		return a.TrUser(u.Id, "guest_accounts.login.switched_off", "Guest accounts are switched off on this server. Contact the person who invited you.")
	}
	if ok, _ := a.domainAllowed(u.Email); !ok {
		return a.TrUser(u.Id, "guest_accounts.login.domain", "Guest accounts from your email domain are no longer allowed on this server. Contact the person who invited you.")
	}
	if g.Deactivated != store.ReasonNone {
		// Core let the login through, so its copy of the user is active: an
		// admin reactivated the guest outside the plugin (System Console),
		// or, on a second server without clustering, that copy is a stale
		// cache entry (deactivated through another node). Only the database
		// tells them apart; in doubt, refuse.
		if active, err := a.userActiveInDB(u.Id); err != nil || !active {
			return a.TrUser(u.Id, "guest_accounts.login.deactivated", "Your guest account is deactivated. Contact the person who invited you.")
		}
		// Reactivated outside the plugin: the cap and the rules still apply.
		if _, err := a.Activate(systemActor, u.Id, ""); err != nil {
			return a.TrUser(u.Id, "guest_accounts.login.not_active", "Your guest account is not active: %s", localized(err, a.TranslatorFor(a.UserLocale(u.Id))))
		}
	}
	a.noteActivity(u.Id)
	return ""
}

// UserDeactivated records a deactivation done outside the plugin. Core
// delivers the hook asynchronously: by the time it runs the plugin may have
// reactivated the guest (the master switch turned off and on at once), so
// only a user still deactivated counts.
func (a *App) UserDeactivated(userID string) {
	var channels []string
	defer func() { a.publishChannelGuestsChanged(channels...) }()
	_ = a.members.WithUserLock(userID, func() error {
		g, err := a.store.GetGuest(userID)
		if err != nil || g.Deactivated != store.ReasonNone {
			return nil // not a guest, or the plugin did it itself
		}
		if u, appErr := a.api.GetUser(userID); appErr == nil && u.DeleteAt == 0 {
			return nil // reactivated since: a stale event
		}
		channels = g.ChannelIDs // no longer counted as their guest
		g.Deactivated = store.ReasonAdmin
		if err := a.store.SaveGuest(g); err != nil {
			return err
		}
		a.Audit("", "deactivated_outside_plugin", userID, "success", "")
		return a.store.Add(activeCounter, -1)
	})
}

// userActiveInDB reads the user's DeleteAt from the database, past core's
// user cache (which another node cannot invalidate without clustering).
func (a *App) userActiveInDB(userID string) (bool, error) {
	if a.client == nil {
		return false, errors.New("no database access")
	}
	db, err := a.client.Store.GetMasterDB()
	if err != nil {
		return false, errors.Wrap(err, "opening the database")
	}
	var deleteAt int64
	if err := db.QueryRow("SELECT DeleteAt FROM Users WHERE Id = $1", userID).Scan(&deleteAt); err != nil {
		return false, errors.Wrap(err, "reading the user")
	}
	return deleteAt == 0, nil
}

package app

import (
	"errors"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// CheckPost decides whether a post may be created; "" allows it, anything
// else is the reason shown to the poster. Non-guests cost one registry read.
func (a *App) CheckPost(post *model.Post) string {
	// Core's own join/leave messages are posted as the user; users cannot
	// create system_* posts themselves (core refuses them), so they pass.
	if post.UserId == "" || post.UserId == a.botID || post.IsSystemMessage() {
		return ""
	}
	g, err := a.store.GetGuest(post.UserId)
	if errors.Is(err, store.ErrNotFound) {
		return ""
	}
	if err != nil {
		// Fail closed for guests: an unreadable registry must not let a
		// guest through, and a member's post is not worth a guess either.
		return "Your message could not be checked; try again in a moment."
	}
	return a.checkGuestPost(g, post)
}

func (a *App) checkGuestPost(g *store.Guest, _ *model.Post) string {
	if g.MustChangePassword {
		u, appErr := a.api.GetUser(g.UserID)
		if appErr != nil {
			return "Your message could not be checked; try again in a moment."
		}
		if u.LastPasswordUpdate <= g.PasswordSetAt {
			return "Please change the password you were given before posting: Profile > Security > Password."
		}
		a.clearMustChangePassword(g.UserID)
	}
	return ""
}

func (a *App) clearMustChangePassword(userID string) {
	_ = a.members.WithUserLock(userID, func() error {
		g, err := a.store.GetGuest(userID)
		if err != nil || !g.MustChangePassword {
			return err
		}
		g.MustChangePassword = false
		return a.store.SaveGuest(g)
	})
}

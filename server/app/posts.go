package app

import (
	"errors"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// msgDeactivated refuses a guest the registry says is deactivated whose
// session still works: on a second server without clustering (unlicensed)
// a session revoked through another node stays in this node's session
// cache for up to SessionCacheInMinutes (measured: 10 by default).
var msgDeactivated = msg{"guest_accounts.notice.deactivated", "Your guest access has ended. Contact the person who invited you."}

// CheckPost decides whether a post (or an edit: the new version) may be
// saved; "" allows it, anything else is the reason shown to the poster. A
// non-guest in an open or private channel costs two in-process cache
// lookups (guestcache.go); only in a DM/GM are the other participants read.
func (a *App) CheckPost(post *model.Post) string {
	// Core's own join/leave messages are posted as the user; users cannot
	// create system_* posts themselves (core refuses them), so they pass,
	// and tell the DM rule's cache what changed.
	if post.IsSystemMessage() {
		a.MembershipNotice(post)
		return ""
	}
	if post.UserId == "" || post.UserId == a.botID {
		return ""
	}
	g, err := a.guests.Cached(post.UserId)
	if errors.Is(err, store.ErrNotFound) {
		return a.checkMemberSend(post.UserId, post.ChannelId)
	}
	if err != nil {
		// Fail closed for guests: an unreadable registry must not let a
		// guest through, and a member's post is not worth a guess either.
		return a.say(post.UserId, msgCheckFailed)
	}
	return a.checkGuestPost(g, post)
}

// CheckUpload decides whether a file may be uploaded into a channel: the
// guest's upload restriction and the DM rule.
func (a *App) CheckUpload(userID, channelID string) string {
	if userID == "" || userID == a.botID {
		return ""
	}
	g, err := a.guests.Cached(userID)
	if errors.Is(err, store.ErrNotFound) {
		return a.checkMemberSend(userID, channelID)
	}
	if err != nil {
		return a.say(userID, msgCheckFailed)
	}
	if g.Deactivated != store.ReasonNone {
		return a.say(userID, msgDeactivated)
	}
	if !policy.Effective(a.settings().DefaultRestrictions, g.Restrictions).UploadFiles {
		return a.TrUser(userID, "guest_accounts.notice.no_upload", "Guests here may not upload files.")
	}
	if reason := a.checkGuestMFA(g); reason != "" {
		return reason
	}
	return a.checkGuestSend(g, channelID)
}

// checkMemberSend applies the DM rule to a non-guest: only a DM/GM with a
// guest can be refused.
func (a *App) checkMemberSend(userID, channelID string) string {
	if channelID == "" {
		return ""
	}
	ch, appErr := a.channelForSend(channelID)
	if appErr != nil || (ch.Type != model.ChannelTypeDirect && ch.Type != model.ChannelTypeGroup) {
		return "" // core refuses posts in channels that do not exist
	}
	return a.checkDirectSend(userID, nil, ch)
}

// checkGuestSend applies the isolation rules to a guest sending into a
// channel: the DM rule in a DM/GM, and elsewhere only through a guest
// membership (an ordinary one is a membership the join hooks have not yet
// converted or removed). A guest membership seen recently is not asked
// again (guestcache.go).
func (a *App) checkGuestSend(g *store.Guest, channelID string) string {
	ch, appErr := a.channelForSend(channelID)
	if appErr != nil {
		return "" // core refuses posts in channels that do not exist
	}
	if ch.Type == model.ChannelTypeDirect || ch.Type == model.ChannelTypeGroup {
		return a.checkDirectSend(g.UserID, g, ch)
	}
	if a.guests.guestMembershipSeen(g.UserID, channelID) {
		return ""
	}
	gen := a.guests.generation()
	cm, appErr := a.api.GetChannelMember(channelID, g.UserID)
	if appErr == nil && !cm.SchemeGuest {
		return a.TrUser(g.UserID, "guest_accounts.notice.guest_membership_only", "As a guest, you can post only in the channels you were given.")
	}
	if appErr == nil {
		a.guests.rememberGuestMembership(g.UserID, channelID, gen)
	}
	return ""
}

func (a *App) checkGuestPost(g *store.Guest, post *model.Post) string {
	if g.Deactivated != store.ReasonNone {
		return a.say(post.UserId, msgDeactivated)
	}
	a.noteActivity(g.UserID)
	if reason := a.checkGuestMFA(g); reason != "" {
		return reason
	}
	if g.MustChangePassword {
		u, appErr := a.api.GetUser(g.UserID)
		if appErr != nil {
			return a.say(g.UserID, msgCheckFailed)
		}
		if u.LastPasswordUpdate <= g.PasswordSetAt {
			return a.TrUser(g.UserID, "guest_accounts.notice.change_password", "Please change the password you were given before posting: Profile > Security > Password.")
		}
		a.clearMustChangePassword(g.UserID)
	}
	return a.checkGuestSend(g, post.ChannelId)
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

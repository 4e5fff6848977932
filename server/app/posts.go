package app

import (
	"errors"
	"fmt"

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
	// create system_* posts themselves (core refuses them), so they pass.
	// A header change in a DM/GM is the changer's free text reaching the
	// others: the DM rule applies to it (checkChannelChangePost).
	if post.UserId == "" || post.UserId == a.botID {
		return ""
	}
	if post.IsSystemMessage() {
		return a.checkChannelChangePost(post)
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
	u, appErr := a.api.GetUser(userID)
	if appErr != nil {
		return a.say(userID, msgCheckFailed)
	}
	if reason := a.checkGuestEmail(u); reason != "" {
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
	if reason := a.checkGuestMFA(g); reason != "" {
		return reason
	}
	u, appErr := a.api.GetUser(g.UserID)
	if appErr != nil {
		return a.say(g.UserID, msgCheckFailed)
	}
	if reason := a.checkGuestEmail(u); reason != "" {
		return reason
	}
	if g.MustChangePassword {
		if u.LastPasswordUpdate <= g.PasswordSetAt {
			return a.TrUser(g.UserID, "guest_accounts.notice.change_password", "Please change the password you were given before posting: Profile > Security > Password.")
		}
		a.clearMustChangePassword(g.UserID)
	}
	return a.checkGuestSend(g, post.ChannelId)
}

// msgEmailDomain refuses a guest whose own address left the allowed
// domains.
var msgEmailDomain = msg{"guest_accounts.notice.email_domain", "Your email address is not in a domain allowed for guests here, so you cannot post or upload files, and you have been signed out. Contact the person who invited you."}

// checkGuestEmail refuses a guest whose email address is not in "Allowed
// guest email domains". Core lets users change their own address
// (`PUT /users/{id}/patch`, measured 200 on 11.4 for a guest holding the
// dedicated role: core checks guest domains only for system_guest) and
// tells no plugin; logins are refused from then on (CheckLogin), and the
// sessions the guest still holds end at their first post or upload here,
// or at the periodic job's next run (SignOutGuestsOutsideDomains). One user
// read per guest post (core's user cache answers it).
func (a *App) checkGuestEmail(u *model.User) string {
	if ok, _ := a.domainAllowed(u.Email); ok {
		return ""
	}
	a.signOutOutsideDomains(u.Id)
	return a.say(u.Id, msgEmailDomain)
}

// signOutOutsideDomains ends the sessions of a guest whose address is not
// in the allowed domains, audited when there were any.
func (a *App) signOutOutsideDomains(userID string) {
	n, err := a.revokeSessions(userID)
	if n > 0 || err != nil {
		a.Audit(userID, "guest_email_refused", userID, result(err), fmt.Sprintf("address outside the allowed domains: %d sessions ended", n))
	}
}

// SignOutGuestsOutsideDomains ends the sessions of every active guest
// whose address is not in "Allowed guest email domains" (changed by the
// guest, or a list an admin tightened). Run by the periodic job, so a
// guest who only reads is signed out within one interval; a post or an
// upload signs them out at once (checkGuestEmail). Users are read a
// hundred at a time.
func (a *App) SignOutGuestsOutsideDomains() {
	if a.settings().AllowedDomains.Empty() {
		return
	}
	var ids []string
	if err := a.store.ForEachGuest(func(g *store.Guest) error {
		if g.Deactivated == store.ReasonNone {
			ids = append(ids, g.UserID)
		}
		return nil
	}); err != nil {
		a.api.LogError("Guest Accounts: could not list guests to check their addresses", "error", err.Error())
		return
	}
	for len(ids) > 0 {
		n := min(len(ids), 100)
		users, appErr := a.api.GetUsersByIds(ids[:n])
		ids = ids[n:]
		if appErr != nil {
			a.api.LogError("Guest Accounts: could not read guests to check their addresses", "error", appErr.Error())
			continue
		}
		for _, u := range users {
			if ok, _ := a.domainAllowed(u.Email); !ok {
				a.signOutOutsideDomains(u.Id)
			}
		}
	}
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

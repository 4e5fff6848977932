package enforce

import (
	"errors"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// msgDeactivated refuses a guest the registry says is deactivated whose
// session still works: without clustering, another node's revoked session
// stays cached here for a while (docs/measured-facts.md, "Two nodes").
var msgDeactivated = app.Msg{ID: "guest_accounts.notice.deactivated", Format: "Your guest access has ended. Contact the person who invited you."}

// CheckPost decides whether a post (or an edit: the new version) may be
// saved; "" allows it, anything else is the reason shown to the poster. A
// non-guest in an open or private channel costs two in-process cache
// lookups (store/guestcache); only in a DM/GM are the other participants read.
func (s *Service) CheckPost(post *model.Post) string {
	// Core's own join/leave messages are posted as the user; users cannot
	// create system_* posts themselves (core refuses them), so they pass,
	// and tell the DM rule's cache what changed. A header change in a DM/GM
	// is the changer's free text reaching the others: the DM rule applies
	// to it (checkChannelChangePost).
	if post.IsSystemMessage() {
		s.MembershipNotice(post)
		if post.UserId == "" || post.UserId == s.kit.BotID() {
			return ""
		}
		return s.checkChannelChangePost(post)
	}
	if post.UserId == "" || post.UserId == s.kit.BotID() {
		return ""
	}
	g, err := s.cache.Cached(post.UserId)
	if errors.Is(err, store.ErrNotFound) {
		return s.checkMemberSend(post.UserId, post.ChannelId)
	}
	if err != nil {
		// Fail closed for guests: an unreadable registry must not let a
		// guest through, and a member's post is not worth a guess either.
		return s.kit.Say(post.UserId, msgCheckFailed)
	}
	return s.checkGuestPost(g, post)
}

// CheckUpload decides whether a file may be uploaded into a channel: the
// guest's upload restriction and the DM rule.
func (s *Service) CheckUpload(userID, channelID string) string {
	if userID == "" || userID == s.kit.BotID() {
		return ""
	}
	g, err := s.cache.Cached(userID)
	if errors.Is(err, store.ErrNotFound) {
		return s.checkMemberSend(userID, channelID)
	}
	if err != nil {
		return s.kit.Say(userID, msgCheckFailed)
	}
	if g.Deactivated != store.ReasonNone {
		return s.kit.Say(userID, msgDeactivated)
	}
	if !policy.Effective(s.kit.Settings().DefaultRestrictions, g.Restrictions)[policy.UploadFiles] {
		return s.kit.TrUser(userID, "guest_accounts.notice.no_upload", "Guests here may not upload files.")
	}
	if reason := s.checkGuestMFA(g); reason != "" {
		return reason
	}
	if reason := s.checkGuestUser(g, false); reason != "" {
		return reason
	}
	return s.checkGuestSend(g, channelID)
}

// checkMemberSend applies the DM rule to a non-guest: only a DM/GM with a
// guest can be refused.
func (s *Service) checkMemberSend(userID, channelID string) string {
	if channelID == "" {
		return ""
	}
	ch, appErr := s.channelForSend(channelID)
	if appErr != nil || (ch.Type != model.ChannelTypeDirect && ch.Type != model.ChannelTypeGroup) {
		return "" // core refuses posts in channels that do not exist
	}
	return s.checkDirectSend(userID, nil, ch)
}

// checkGuestSend applies the isolation rules to a guest sending into a
// channel: the DM rule in a DM/GM, and elsewhere only through a guest
// membership (an ordinary one is a membership the join hooks have not yet
// converted or removed). A guest membership seen recently is not asked
// again (store/guestcache).
func (s *Service) checkGuestSend(g *store.Guest, channelID string) string {
	ch, appErr := s.channelForSend(channelID)
	if appErr != nil {
		return "" // core refuses posts in channels that do not exist
	}
	if ch.Type == model.ChannelTypeDirect || ch.Type == model.ChannelTypeGroup {
		return s.checkDirectSend(g.UserID, g, ch)
	}
	if s.cache.MembershipSeen(g.UserID, channelID) {
		return ""
	}
	gen := s.cache.Generation()
	cm, appErr := s.api.GetChannelMember(channelID, g.UserID)
	if appErr == nil && !cm.SchemeGuest {
		return s.kit.TrUser(g.UserID, "guest_accounts.notice.guest_membership_only", "As a guest, you can post only in the channels you were given.")
	}
	if appErr == nil {
		s.cache.RememberMembership(g.UserID, channelID, gen)
	}
	return ""
}

func (s *Service) checkGuestPost(g *store.Guest, post *model.Post) string {
	if g.Deactivated != store.ReasonNone {
		return s.kit.Say(post.UserId, msgDeactivated)
	}
	s.NoteActivity(g.UserID)
	if reason := s.checkGuestMFA(g); reason != "" {
		return reason
	}
	if reason := s.checkGuestUser(g, true); reason != "" {
		return reason
	}
	return s.checkGuestSend(g, post.ChannelId)
}

// checkGuestUser applies the checks that need the guest's user record,
// read afresh (no cache: an address changed a moment ago must stop the
// very next post): the address must be in "Allowed guest email domains",
// and, for a post (password), a password change the admin asked for must
// have happened. With no allowed domains set and no change due there is
// nothing to check, and nothing is read (the read is most of what a
// guest's post costs the plugin: docs/measured-facts.md).
func (s *Service) checkGuestUser(g *store.Guest, password bool) string {
	domains := !s.kit.Settings().AllowedDomains.Empty()
	password = password && g.MustChangePassword
	if !domains && !password {
		return ""
	}
	u, appErr := s.api.GetUser(g.UserID)
	if appErr != nil {
		return s.kit.Say(g.UserID, msgCheckFailed)
	}
	if domains {
		if reason := s.checkGuestEmail(u); reason != "" {
			return reason
		}
	}
	if password {
		if u.LastPasswordUpdate <= g.PasswordSetAt {
			return s.kit.TrUser(g.UserID, "guest_accounts.notice.change_password", "Please change the password you were given before posting: Profile > Security > Password.")
		}
		s.clearMustChangePassword(g.UserID)
	}
	return ""
}

func (s *Service) clearMustChangePassword(userID string) {
	_ = s.members.WithUserLock(userID, func() error {
		g, err := s.cache.GetGuest(userID)
		if err != nil || !g.MustChangePassword {
			return err
		}
		g.MustChangePassword = false
		return s.cache.SaveGuest(g)
	})
}

// checkGuestMFA refuses a guest who needs MFA and has not set it up; ""
// allows. Login is never refused, so they can reach the setup page.
func (s *Service) checkGuestMFA(g *store.Guest) string {
	need, err := s.kit.NeedsMFA(g)
	if err != nil {
		return s.kit.Say(g.UserID, msgCheckFailed)
	}
	if !need {
		return ""
	}
	u, appErr := s.api.GetUser(g.UserID)
	if appErr != nil {
		return s.kit.Say(g.UserID, msgCheckFailed)
	}
	if u.MfaActive {
		return ""
	}
	locale := u.Locale
	if locale == "" {
		locale = s.kit.DefaultLocale()
	}
	setup := s.kit.SiteURL() + "/mfa/setup"
	if !s.kit.ServerMFAEnabled() {
		return s.kit.Tr(locale, "guest_accounts.notice.mfa_required_server_off", "Your account needs multi-factor authentication (MFA) before you can post or upload files. Set it up at %s (multi-factor authentication is currently turned off on this server: please ask a system admin to turn it on).", setup)
	}
	return s.kit.Tr(locale, "guest_accounts.notice.mfa_required", "Your account needs multi-factor authentication (MFA) before you can post or upload files. Set it up at %s.", setup)
}

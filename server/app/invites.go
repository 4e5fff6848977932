package app

import (
	"crypto/rand"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// Invitation limits.
const (
	maxInviteEmails     = 50
	maxInviteMessage    = 1000
	inviteRetentionDays = 7 // expired invitations stay visible this long
)

// Per-address results of POST /invites.
const (
	ResultSent             = "sent"
	ResultInvalidAddress   = "invalid_address"
	ResultDomainNotAllowed = "domain_not_allowed"
	ResultAlreadyMember    = "already_member"
	ResultAddedToChannels  = "added_to_channels"
	ResultCapReached       = "cap_reached"
	ResultError            = "error"
)

// InviteRequest is POST /invites.
type InviteRequest struct {
	Emails         []string `json:"emails"`
	ChannelIDs     []string `json:"channel_ids"`
	Message        string   `json:"message"`
	ExpiresInHours int      `json:"expires_in_hours"`
	GuestExpiresAt int64    `json:"guest_expires_at"`
	SingleChannel  bool     `json:"single_channel"`
}

// InviteResult is one address's outcome.
type InviteResult struct {
	Email    string `json:"email"`
	Status   string `json:"status"`
	InviteID string `json:"invite_id,omitempty"`
	Message  string `json:"message,omitempty"`
}

// InviteView is the API view of an invitation (no token, no hash).
type InviteView struct {
	ID             string   `json:"id"`
	Email          string   `json:"email"`
	ChannelIDs     []string `json:"channel_ids"`
	TeamIDs        []string `json:"team_ids"`
	InviterID      string   `json:"inviter_id"`
	Message        string   `json:"message"`
	CreatedAt      int64    `json:"created_at"`
	ExpiresAt      int64    `json:"expires_at"`
	GuestExpiresAt int64    `json:"guest_expires_at"`
	SingleChannel  bool     `json:"single_channel"`
	Status         string   `json:"status"`
}

func (a *App) inviteView(inv *store.Invite) *InviteView {
	return &InviteView{
		ID: inv.ID, Email: inv.Email, ChannelIDs: inv.ChannelIDs, TeamIDs: inv.TeamIDs, InviterID: inv.InviterID,
		Message: inv.Message, CreatedAt: inv.CreatedAt, ExpiresAt: inv.ExpiresAt, GuestExpiresAt: inv.GuestExpiresAt,
		SingleChannel: inv.SingleChannel, Status: a.inviteStatus(inv),
	}
}

// inviteStatus derives "expired" for a pending invitation past its time.
func (a *App) inviteStatus(inv *store.Invite) string {
	if (inv.Status == store.InvitePending || inv.Status == store.InviteAccepting) && inv.ExpiresAt <= a.Now().UnixMilli() {
		return store.InviteExpired
	}
	return inv.Status
}

// retention is how long an invitation record lives in the store, in
// seconds from now.
func (a *App) retention(inv *store.Invite) int64 {
	left := (inv.ExpiresAt - a.Now().UnixMilli()) / 1000
	if left < 0 {
		left = 0
	}
	return left + inviteRetentionDays*24*3600
}

// MayInvite says whether the user may invite guests into the team.
func (a *App) MayInvite(userID, teamID string) bool {
	isGuest, err := a.IsGuest(userID)
	if err != nil || isGuest {
		return false
	}
	u, appErr := a.api.GetUser(userID)
	if appErr != nil || u.IsBot || u.DeleteAt != 0 {
		return false
	}
	actor := policy.Actor{IsSystemAdmin: a.IsSystemAdmin(userID), IsBot: u.IsBot}
	if tm, appErr := a.api.GetTeamMember(teamID, userID); appErr == nil && tm.DeleteAt == 0 {
		actor.IsTeamAdmin = tm.SchemeAdmin
	}
	return policy.MayInvite(actor, a.settings())
}

// CreateInvites invites each address into the channels.
func (a *App) CreateInvites(actorID string, req InviteRequest) ([]InviteResult, error) {
	s := a.settings()
	if !s.EnableGuestAccounts {
		return nil, errDisabled
	}
	if len(req.Emails) == 0 || len(req.Emails) > maxInviteEmails {
		return nil, errBadRequest("invalid_emails", "emails", "emails: give 1 to %d addresses.", maxInviteEmails)
	}
	if len(req.ChannelIDs) == 0 {
		return nil, errBadRequest("channels_required", "channel_ids", "channel_ids: choose at least one channel.")
	}
	if req.SingleChannel && len(req.ChannelIDs) != 1 {
		return nil, errBadRequest("single_channel_invite", "channel_ids", "channel_ids: a single-channel guest is invited to exactly one channel.")
	}
	if !utf8.ValidString(req.Message) || utf8.RuneCountInString(req.Message) > maxInviteMessage || strings.ContainsRune(req.Message, 0) {
		return nil, errBadRequest("invalid_message", "message", "message: at most %d characters of text.", maxInviteMessage)
	}
	lifetime := s.InvitationLifetime
	if req.ExpiresInHours != 0 {
		if req.ExpiresInHours < 1 || req.ExpiresInHours > 720 {
			return nil, errBadRequest("invalid_expires_in_hours", "expires_in_hours", "expires_in_hours: 1 to 720.")
		}
		lifetime = hours(req.ExpiresInHours)
	}
	if req.GuestExpiresAt < 0 || (req.GuestExpiresAt != 0 && req.GuestExpiresAt <= a.Now().UnixMilli()) {
		return nil, errBadRequest("invalid_guest_expires_at", "guest_expires_at", "guest_expires_at: must be in the future (Unix milliseconds), or 0.")
	}
	if err := a.checkChannelsExist(req.ChannelIDs); err != nil {
		return nil, err
	}
	teamIDs, err := a.checkInviterChannels(actorID, req.ChannelIDs)
	if err != nil {
		return nil, err
	}
	inviter, appErr := a.api.GetUser(actorID)
	if appErr != nil {
		return nil, appErr
	}
	// Through the gate: a graceful stop (or a disable) waits for the batch
	// instead of cutting it between two addresses' records and emails.
	release, gateErr := a.enter()
	if gateErr != nil {
		return nil, gateErr
	}
	defer release()
	results := make([]InviteResult, 0, len(req.Emails))
	seen := map[string]bool{}
	// The open invitations are counted once per batch, then kept up to
	// date as this batch adds to them.
	pending := -1
	for _, raw := range req.Emails {
		res := a.inviteOne(inviter, raw, req, teamIDs, lifetime, seen, &pending)
		a.Audit(actorID, "invite", res.Email, res.Status, res.InviteID)
		results = append(results, res)
	}
	return results, nil
}

// checkInviterChannels makes sure the inviter may invite into each
// channel's team and is a member of every channel (nobody invites into a
// channel they cannot see). It returns the teams, in order.
func (a *App) checkInviterChannels(actorID string, channelIDs []string) ([]string, error) {
	var teamIDs []string
	for _, id := range channelIDs {
		ch, appErr := a.api.GetChannel(id)
		if appErr != nil {
			return nil, errBadRequest("unknown_channel", "channel_ids", "channel_ids: channel %s does not exist.", id)
		}
		if !a.MayInvite(actorID, ch.TeamId) {
			return nil, errForbidden("may_not_invite", "You may not invite guests into this team; ask a system admin (see \"Who may invite guests\").")
		}
		if _, appErr := a.api.GetChannelMember(id, actorID); appErr != nil {
			return nil, errForbidden("not_channel_member", "You can only invite guests into channels you are a member of (channel %s).", ch.DisplayName)
		}
		if !contains(teamIDs, ch.TeamId) {
			teamIDs = append(teamIDs, ch.TeamId)
		}
	}
	return teamIDs, nil
}

func (a *App) inviteOne(inviter *model.User, raw string, req InviteRequest, teamIDs []string, lifetime timeDuration, seen map[string]bool, pending *int) InviteResult {
	s := a.settings()
	res := InviteResult{Email: raw}
	ok, addr, err := s.AllowedDomains.AllowsEmail(strings.TrimSpace(raw))
	if err != nil {
		res.Status, res.Message = ResultInvalidAddress, a.TrUser(inviter.Id, "guest_accounts.invite_result.invalid_address", "Not a valid email address.")
		return res
	}
	email := addr.String()
	res.Email = email
	if seen[email] {
		res.Status, res.Message = ResultInvalidAddress, a.TrUser(inviter.Id, "guest_accounts.invite_result.listed_twice", "Listed twice.")
		return res
	}
	seen[email] = true
	existing, appErr := a.api.GetUserByEmail(email)
	if appErr == nil {
		if _, err := a.store.GetGuest(existing.Id); errors.Is(err, store.ErrNotFound) {
			res.Status, res.Message = ResultAlreadyMember, a.say(inviter.Id, msgAlreadyMember)
			return res
		}
	}
	if !ok {
		res.Status, res.Message = ResultDomainNotAllowed, a.TrUser(inviter.Id, "guest_accounts.invite_result.domain_not_allowed", "This email domain is not in the allowed guest domains.")
		return res
	}
	if appErr == nil {
		return a.inviteExisting(inviter, existing, req, res)
	}
	if s.MaxActiveGuests != 0 {
		active, _ := a.store.Get(activeCounter)
		if *pending < 0 {
			*pending = a.countPending()
		}
		if !policy.CapAllows(active, *pending, s.MaxActiveGuests) {
			res.Status, res.Message = ResultCapReached, errCapReached(s.MaxActiveGuests).Localize(a.TranslatorFor(a.UserLocale(inviter.Id)))
			return res
		}
	}
	rawToken, hash, err := policy.NewToken(rand.Reader)
	if err != nil {
		res.Status, res.Message = ResultError, a.TrUser(inviter.Id, "guest_accounts.invite_result.create_failed", "Could not create the invitation.")
		return res
	}
	now := a.Now()
	inv := &store.Invite{
		ID: model.NewId(), TokenHash: hash, Email: email, ChannelIDs: req.ChannelIDs, TeamIDs: teamIDs,
		InviterID: inviter.Id, Message: req.Message, CreatedAt: now.UnixMilli(), ExpiresAt: now.Add(lifetime).UnixMilli(),
		GuestExpiresAt: req.GuestExpiresAt, SingleChannel: req.SingleChannel, Status: store.InvitePending,
	}
	if err := a.store.CreateInvite(inv, a.retention(inv)); err != nil {
		res.Status, res.Message = ResultError, a.TrUser(inviter.Id, "guest_accounts.invite_result.save_failed", "Could not save the invitation.")
		return res
	}
	if *pending >= 0 {
		*pending++
	}
	if err := a.sendInvitation(inviter, inv, rawToken, false); err != nil {
		a.api.LogError("Guest Accounts: the invitation email could not be sent", "invite_id", inv.ID, "error", err.Error())
		res.Status, res.Message, res.InviteID = ResultError, a.TrUser(inviter.Id, "guest_accounts.invite_result.email_failed", "The invitation was saved but its email could not be sent; resend it."), inv.ID
		return res
	}
	res.Status, res.InviteID = ResultSent, inv.ID
	return res
}

// inviteExisting handles an address that already has an account: a full
// member needs no invitation; an existing guest just gains the channels.
func (a *App) inviteExisting(inviter *model.User, u *model.User, req InviteRequest, res InviteResult) InviteResult {
	g, err := a.store.GetGuest(u.Id)
	if errors.Is(err, store.ErrNotFound) {
		res.Status, res.Message = ResultAlreadyMember, a.say(inviter.Id, msgAlreadyMember)
		return res
	}
	if err != nil || g.Deactivated != store.ReasonNone || u.DeleteAt != 0 {
		res.Status, res.Message = ResultError, a.TrUser(inviter.Id, "guest_accounts.invite_result.deactivated", "This guest's account is deactivated; reactivate it first.")
		return res
	}
	channels := append([]string{}, g.ChannelIDs...)
	for _, id := range req.ChannelIDs {
		if !contains(channels, id) {
			channels = append(channels, id)
		}
	}
	if capErr := a.channelCapError(g, len(channels)); capErr != nil {
		res.Status, res.Message = ResultError, capErr.Localize(a.TranslatorFor(a.UserLocale(inviter.Id)))
		return res
	}
	added, err := a.addGuestChannels(u, req.ChannelIDs)
	if err != nil {
		res.Status, res.Message = ResultError, a.TrUser(inviter.Id, "guest_accounts.invite_result.add_failed", "Could not add the guest to the channels.")
		return res
	}
	if err := a.sendAddedToChannels(inviter, u, added); err != nil {
		a.api.LogWarn("Guest Accounts: the added-to-channels email could not be sent", "user_id", u.Id, "error", err.Error())
	}
	res.Status = ResultAddedToChannels
	return res
}

// msgAlreadyMember answers an invitation of someone with a full account.
var msgAlreadyMember = msg{"guest_accounts.invite_result.already_member", "This person already has a full account."}

// channelCapError explains why a guest may not have n channels (nil = may).
func (a *App) channelCapError(g *store.Guest, n int) *Error {
	if g.SingleChannel && n > 1 {
		return errConflict("channel_cap_single", "This is a single-channel guest: they can be in one channel only.")
	}
	if max := a.settings().MaxChannelsPerGuest; max > 0 && n > max {
		return errConflict("channel_cap", "A guest may be in at most %d channels (\"Maximum channels per guest\").", max)
	}
	return nil
}

// addGuestChannels adds channels to an existing guest and records them.
func (a *App) addGuestChannels(u *model.User, channelIDs []string) ([]string, error) {
	g, err := a.store.GetGuest(u.Id)
	if err != nil {
		return nil, err
	}
	added, err := a.members.AddChannels(u.Id, channelIDs, g.ChannelIDs)
	if err != nil {
		return nil, err
	}
	err = a.members.WithUserLock(u.Id, func() error {
		g, err := a.store.GetGuest(u.Id)
		if err != nil {
			return err
		}
		for _, id := range added {
			if !contains(g.ChannelIDs, id) {
				g.ChannelIDs = append(g.ChannelIDs, id)
			}
		}
		return a.store.SaveGuest(g)
	})
	if err == nil {
		a.postSystemMessage(added, a.Tr("", "guest_accounts.notice.was_added_as_guest", "%s was added as a guest.", noticeName(u)))
		a.publishChannelGuestsChanged(added...)
	}
	return added, err
}

// countPending counts invitations still open: the index's counter, or
// (until the indexes are built) every invitation read.
func (a *App) countPending() int {
	if n, ok := a.pendingFromIndex(); ok {
		return n
	}
	n := 0
	_ = a.store.ForEachInvite(func(inv *store.Invite) error {
		if st := a.inviteStatus(inv); st == store.InvitePending || st == store.InviteAccepting {
			n++
		}
		return nil
	})
	return n
}

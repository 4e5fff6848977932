package invites

import (
	"crypto/rand"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/mail"
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

func (s *Service) inviteView(inv *store.Invite) *InviteView {
	return &InviteView{
		ID: inv.ID, Email: inv.Email, ChannelIDs: inv.ChannelIDs, TeamIDs: inv.TeamIDs, InviterID: inv.InviterID,
		Message: inv.Message, CreatedAt: inv.CreatedAt, ExpiresAt: inv.ExpiresAt, GuestExpiresAt: inv.GuestExpiresAt,
		SingleChannel: inv.SingleChannel, Status: s.inviteStatus(inv),
	}
}

// inviteStatus derives "expired" for a pending invitation past its time.
func (s *Service) inviteStatus(inv *store.Invite) string {
	return inv.StatusAt(s.kit.Now().UnixMilli())
}

// retention is how long an invitation record lives in the store, in
// seconds from now.
func (s *Service) retention(inv *store.Invite) int64 {
	left := (inv.ExpiresAt - s.kit.Now().UnixMilli()) / 1000
	if left < 0 {
		left = 0
	}
	return left + inviteRetentionDays*24*3600
}

// MayInvite says whether the user may invite guests into the team.
func (s *Service) MayInvite(userID, teamID string) bool {
	actor, active := s.kit.Actor(userID, teamID)
	return active && !actor.IsBot && policy.MayInvite(actor, s.kit.Settings())
}

// CreateInvites invites each address into the channels.
func (s *Service) CreateInvites(actorID string, req InviteRequest) ([]InviteResult, error) {
	settings := s.kit.Settings()
	if !settings.EnableGuestAccounts {
		return nil, app.ErrDisabled
	}
	if len(req.Emails) == 0 || len(req.Emails) > maxInviteEmails {
		return nil, app.ErrBadRequest("invalid_emails", "emails", "emails: give 1 to %d addresses.", maxInviteEmails)
	}
	if len(req.ChannelIDs) == 0 {
		return nil, app.ErrBadRequest("channels_required", "channel_ids", "channel_ids: choose at least one channel.")
	}
	if req.SingleChannel && len(req.ChannelIDs) != 1 {
		return nil, app.ErrBadRequest("single_channel_invite", "channel_ids", "channel_ids: a single-channel guest is invited to exactly one channel.")
	}
	if !utf8.ValidString(req.Message) || utf8.RuneCountInString(req.Message) > maxInviteMessage || strings.ContainsRune(req.Message, 0) {
		return nil, app.ErrBadRequest("invalid_message", "message", "message: at most %d characters of text.", maxInviteMessage)
	}
	lifetime := settings.InvitationLifetime
	if req.ExpiresInHours != 0 {
		if req.ExpiresInHours < 1 || req.ExpiresInHours > 720 {
			return nil, app.ErrBadRequest("invalid_expires_in_hours", "expires_in_hours", "expires_in_hours: 1 to 720.")
		}
		lifetime = time.Duration(req.ExpiresInHours) * time.Hour
	}
	if req.GuestExpiresAt < 0 || (req.GuestExpiresAt != 0 && req.GuestExpiresAt <= s.kit.Now().UnixMilli()) {
		return nil, app.ErrBadRequest("invalid_guest_expires_at", "guest_expires_at", "guest_expires_at: must be in the future (Unix milliseconds), or 0.")
	}
	if err := s.guests.CheckChannels(req.ChannelIDs); err != nil {
		return nil, err
	}
	teamIDs, err := s.checkInviterChannels(actorID, req.ChannelIDs)
	if err != nil {
		return nil, err
	}
	inviter, appErr := s.api.GetUser(actorID)
	if appErr != nil {
		return nil, appErr
	}
	// Through the gate: a graceful stop (or a disable) waits for the batch
	// instead of cutting it between two addresses' records and emails.
	release, gateErr := s.kit.Enter()
	if gateErr != nil {
		return nil, gateErr
	}
	defer release()
	results := make([]InviteResult, 0, len(req.Emails))
	seen := map[string]bool{}
	// The open invitations are counted once per batch (the index's
	// counter), then kept up to date as this batch adds to them.
	pending := -1
	for _, raw := range req.Emails {
		res := s.inviteOne(inviter, raw, req, teamIDs, lifetime, seen, &pending)
		s.kit.Audit(actorID, "invite", res.Email, res.Status, res.InviteID)
		results = append(results, res)
	}
	return results, nil
}

// checkInviterChannels makes sure the inviter may invite into each
// channel's team and is a member of every channel (nobody invites into a
// channel they cannot see). It returns the teams, in order.
func (s *Service) checkInviterChannels(actorID string, channelIDs []string) ([]string, error) {
	var teamIDs []string
	for _, id := range channelIDs {
		ch, appErr := s.api.GetChannel(id)
		if appErr != nil {
			return nil, app.ErrBadRequest("unknown_channel", "channel_ids", "channel_ids: channel %s does not exist.", id)
		}
		if !s.MayInvite(actorID, ch.TeamId) {
			return nil, app.ErrForbidden("may_not_invite", "You may not invite guests into this team; ask a system admin (see \"Who may invite guests\").")
		}
		if _, appErr := s.api.GetChannelMember(id, actorID); appErr != nil {
			return nil, app.ErrForbidden("not_channel_member", "You can only invite guests into channels you are a member of (channel %s).", ch.DisplayName)
		}
		if !slices.Contains(teamIDs, ch.TeamId) {
			teamIDs = append(teamIDs, ch.TeamId)
		}
	}
	return teamIDs, nil
}

func (s *Service) inviteOne(inviter *model.User, raw string, req InviteRequest, teamIDs []string, lifetime time.Duration, seen map[string]bool, pending *int) InviteResult {
	settings := s.kit.Settings()
	res := InviteResult{Email: raw}
	ok, addr, err := settings.AllowedDomains.AllowsEmail(strings.TrimSpace(raw))
	if err != nil {
		res.Status, res.Message = ResultInvalidAddress, s.kit.TrUser(inviter.Id, "guest_accounts.invite_result.invalid_address", "Not a valid email address.")
		return res
	}
	email := addr.String()
	res.Email = email
	if seen[email] {
		res.Status, res.Message = ResultInvalidAddress, s.kit.TrUser(inviter.Id, "guest_accounts.invite_result.listed_twice", "Listed twice.")
		return res
	}
	seen[email] = true
	existing, appErr := s.api.GetUserByEmail(email)
	if appErr == nil {
		if _, err := s.store.GetGuest(existing.Id); errors.Is(err, store.ErrNotFound) {
			res.Status, res.Message = ResultAlreadyMember, s.kit.Say(inviter.Id, msgAlreadyMember)
			return res
		}
	}
	if !ok {
		res.Status, res.Message = ResultDomainNotAllowed, s.kit.TrUser(inviter.Id, "guest_accounts.invite_result.domain_not_allowed", "This email domain is not in the allowed guest domains.")
		return res
	}
	if appErr == nil {
		return s.inviteExisting(inviter, existing, req, res)
	}
	if settings.MaxActiveGuests != 0 {
		active, _ := s.store.Get(store.ActiveGuests)
		if *pending < 0 {
			*pending = store.OpenInvites(s.store, s.kit.Now().UnixMilli())
		}
		if !policy.CapAllows(active, *pending, settings.MaxActiveGuests) {
			res.Status, res.Message = ResultCapReached, s.kit.LocalizedFor(inviter.Id, app.ErrCapReached(settings.MaxActiveGuests))
			return res
		}
	}
	rawToken, hash, err := policy.NewToken(rand.Reader)
	if err != nil {
		res.Status, res.Message = ResultError, s.kit.TrUser(inviter.Id, "guest_accounts.invite_result.create_failed", "Could not create the invitation.")
		return res
	}
	now := s.kit.Now()
	inv := &store.Invite{
		ID: model.NewId(), TokenHash: hash, Email: email, ChannelIDs: req.ChannelIDs, TeamIDs: teamIDs,
		InviterID: inviter.Id, Message: req.Message, CreatedAt: now.UnixMilli(), ExpiresAt: now.Add(lifetime).UnixMilli(),
		GuestExpiresAt: req.GuestExpiresAt, SingleChannel: req.SingleChannel, Status: store.InvitePending,
	}
	if err := s.store.CreateInvite(inv, s.retention(inv)); err != nil {
		res.Status, res.Message = ResultError, s.kit.TrUser(inviter.Id, "guest_accounts.invite_result.save_failed", "Could not save the invitation.")
		return res
	}
	if *pending >= 0 {
		*pending++
	}
	if err := s.sendInvitation(inviter, inv, rawToken, false); err != nil {
		s.api.LogError("Guest Accounts: the invitation email could not be sent", "invite_id", inv.ID, "error", err.Error())
		res.Status, res.Message, res.InviteID = ResultError, s.kit.TrUser(inviter.Id, "guest_accounts.invite_result.email_failed", "The invitation was saved but its email could not be sent; resend it."), inv.ID
		return res
	}
	res.Status, res.InviteID = ResultSent, inv.ID
	return res
}

// inviteExisting handles an address that already has an account: a full
// member needs no invitation; an existing guest just gains the channels.
func (s *Service) inviteExisting(inviter *model.User, u *model.User, req InviteRequest, res InviteResult) InviteResult {
	g, err := s.store.GetGuest(u.Id)
	if errors.Is(err, store.ErrNotFound) {
		res.Status, res.Message = ResultAlreadyMember, s.kit.Say(inviter.Id, msgAlreadyMember)
		return res
	}
	if err != nil || g.Deactivated != store.ReasonNone || u.DeleteAt != 0 {
		res.Status, res.Message = ResultError, s.kit.TrUser(inviter.Id, "guest_accounts.invite_result.deactivated", "This guest's account is deactivated; reactivate it first.")
		return res
	}
	added, err := s.addToGuest(g, u, req.ChannelIDs)
	var capErr *app.Error
	switch {
	case errors.As(err, &capErr):
		res.Status, res.Message = ResultError, s.kit.LocalizedFor(inviter.Id, err)
		return res
	case err != nil:
		res.Status, res.Message = ResultError, s.kit.TrUser(inviter.Id, "guest_accounts.invite_result.add_failed", "Could not add the guest to the channels.")
		return res
	}
	if err := s.sendAddedToChannels(inviter, u, added); err != nil {
		s.api.LogWarn("Guest Accounts: the added-to-channels email could not be sent", "user_id", u.Id, "error", err.Error())
	}
	res.Status = ResultAddedToChannels
	return res
}

// addToGuest gives an existing guest (record g) more channels, unless they
// would have more than they may (an *app.Error says why).
func (s *Service) addToGuest(g *store.Guest, u *model.User, channelIDs []string) ([]string, error) {
	if capErr := s.guests.ChannelCapError(g, len(app.Union(g.ChannelIDs, channelIDs))); capErr != nil {
		return nil, capErr
	}
	return s.guests.AddChannels(u, channelIDs)
}

// msgAlreadyMember answers an invitation of someone with a full account.
var msgAlreadyMember = app.Msg{ID: "guest_accounts.invite_result.already_member", Format: "This person already has a full account."}

// sendInvitation emails the signup link. The raw token exists only here
// and in the email.
func (s *Service) sendInvitation(inviter *model.User, inv *store.Invite, rawToken string, resent bool) error {
	teams, channels := s.kit.Names(inv.TeamIDs, inv.ChannelIDs)
	kind := mail.Invitation
	if resent {
		kind = mail.InvitationResent
	}
	return s.kit.SendMail(inv.Email, kind, s.kit.ServerLocale(), mail.Data{
		InviterName:   app.DisplayName(inviter),
		TeamNames:     teams,
		ChannelNames:  channels,
		Message:       inv.Message,
		Link:          s.kit.SiteURL() + "/plugins/guest-accounts/api/v1/invite/" + rawToken,
		LinkExpiresAt: app.MsTime(inv.ExpiresAt),
		ExpiresAt:     app.MsTime(inv.GuestExpiresAt),
	})
}

// sendAddedToChannels tells an existing guest about new channels.
func (s *Service) sendAddedToChannels(inviter, u *model.User, added []string) error {
	if len(added) == 0 {
		return nil
	}
	_, channels := s.kit.Names(nil, added)
	return s.kit.SendMail(u.Email, mail.AddedToChannels, u.Locale, mail.Data{
		TimeZone:      app.UserZone(u),
		RecipientName: app.DisplayName(u),
		InviterName:   app.DisplayName(inviter),
		ChannelNames:  channels,
		Link:          s.kit.SiteURL() + s.channelURL(added),
	})
}

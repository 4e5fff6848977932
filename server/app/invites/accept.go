package invites

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// claimTimeout is how long an acceptance may hold an invitation; a claim
// older than this was left by a crash and may be taken again.
const claimTimeout = 2 * time.Minute

// InviteInfo is what the signup page shows about a valid invitation.
type InviteInfo struct {
	Invite       *store.Invite
	InviterName  string
	TeamNames    []string
	ChannelNames []string
	SiteName     string
}

// errInviteGone is a dead link: unknown, used, revoked, superseded, expired
// or no longer allowed. The status says which page to show.
func errInviteGone(status int, id, format string, args ...any) *app.Error {
	return app.NewError(status, "guest_accounts.invite."+id, "", format, args...)
}

// LookupInvite checks a raw token and returns the invitation it opens.
func (s *Service) LookupInvite(token string) (*InviteInfo, error) {
	inv, err := s.validInvite(token)
	if err != nil {
		return nil, err
	}
	info := &InviteInfo{Invite: inv, SiteName: s.kit.SiteName()}
	if u, appErr := s.api.GetUser(inv.InviterID); appErr == nil {
		info.InviterName = app.DisplayName(u)
	}
	info.TeamNames, info.ChannelNames = s.kit.Names(inv.TeamIDs, inv.ChannelIDs)
	return info, nil
}

// validInvite returns the pending invitation a token opens, or why not.
func (s *Service) validInvite(token string) (*store.Invite, error) {
	hash, err := policy.ParseToken(token)
	if err != nil {
		return nil, errInviteGone(http.StatusNotFound, "unknown", "This invitation link is not valid. Check that you copied the whole link.")
	}
	inv, err := s.store.GetInviteByHash(hash)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errInviteGone(http.StatusNotFound, "cleaned_up", "This invitation link is not valid or has been cleaned up. Ask the person who invited you for a new one.")
	}
	if err != nil {
		return nil, err
	}
	now := s.kit.Now().UnixMilli()
	switch {
	case inv.Status == store.InviteAccepted:
		return nil, errInviteGone(http.StatusGone, "used", "This invitation has already been used. Sign in with the account you created.")
	case inv.Status == store.InviteRevoked:
		return nil, errInviteGone(http.StatusGone, "revoked", "This invitation was withdrawn. Ask the person who invited you if you still need access.")
	case inv.Status == store.InviteSuperseded:
		return nil, errInviteGone(http.StatusGone, "superseded", "A newer invitation was sent to you; use the link in the most recent email.")
	case inv.ExpiresAt <= now:
		return nil, errInviteGone(http.StatusGone, "expired", "This invitation has expired. Ask the person who invited you to send it again.")
	case !s.kit.Settings().EnableGuestAccounts:
		return nil, errInviteGone(http.StatusGone, "disabled", "Guest accounts are switched off on this server.")
	}
	if ok, _ := s.kit.DomainAllowed(inv.Email); !ok {
		return nil, errInviteGone(http.StatusGone, "domain", "Guest accounts from your email domain are no longer allowed here.")
	}
	return inv, nil
}

// AcceptRequest is the signup form.
type AcceptRequest struct {
	Username  string `json:"username"`
	Password  string `json:"password"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
}

// AcceptResult tells the page where to go.
type AcceptResult struct {
	UserID   string `json:"user_id"`
	Username string `json:"username"`
	Redirect string `json:"redirect"`
}

// AcceptInvite consumes an invitation: a new guest account (sessionUserID
// empty) or an existing guest's (signed in) gains the channels. The claim
// is a compare-and-set, so two simultaneous acceptances make one account;
// a failure before the account exists gives the invitation back.
func (s *Service) AcceptInvite(token, sessionUserID string, req AcceptRequest) (*AcceptResult, error) {
	release, gateErr := s.kit.Enter()
	if gateErr != nil {
		return nil, gateErr
	}
	defer release()
	inv, err := s.validInvite(token)
	if err != nil {
		return nil, err
	}
	var existing *model.User
	if sessionUserID != "" {
		if existing, err = s.checkExistingAcceptor(inv, sessionUserID); err != nil {
			return nil, err
		}
	} else if err := validateSignup(&req); err != nil {
		return nil, err
	}
	claimed, err := s.claimInvite(inv)
	if err != nil {
		return nil, err
	}
	var res *AcceptResult
	if existing != nil {
		res, err = s.acceptExisting(claimed, existing)
	} else {
		res, err = s.acceptNew(claimed, req)
	}
	if err != nil {
		s.releaseClaim(claimed)
		s.kit.Audit("", "accept_invite", inv.ID, app.Result(err), inv.Email)
		return nil, err
	}
	done := *claimed
	done.Status = store.InviteAccepted
	done.AcceptedBy = res.UserID
	if ok, uerr := s.store.UpdateInvite(claimed, &done, s.retention(&done)); uerr != nil || !ok {
		// The account exists; the claim stays "accepting" and can no longer
		// be taken by anyone else until it times out, but a retaken claim
		// finds the email already in use. Log it loudly.
		s.api.LogError("Guest Accounts: an accepted invitation could not be marked used", "invite_id", inv.ID)
	}
	s.kit.Audit(res.UserID, "accept_invite", inv.ID, "success", inv.Email)
	// Signing up is the guest's first activity (the guest list's order by
	// last activity).
	if err := s.store.TouchGuest(res.UserID, s.kit.Now().UnixMilli()); err != nil {
		s.api.LogWarn("Guest Accounts: could not record a guest's activity", "user_id", res.UserID, "error", err.Error())
	}
	s.kit.PublishGuestsChanged(res.UserID)
	return res, nil
}

func (s *Service) claimInvite(inv *store.Invite) (*store.Invite, error) {
	now := s.kit.Now().UnixMilli()
	if inv.Status == store.InviteAccepting && now-inv.ClaimedAt < claimTimeout.Milliseconds() {
		return nil, errInviteGone(http.StatusConflict, "in_progress", "This invitation is being accepted right now.")
	}
	next := *inv
	next.Status = store.InviteAccepting
	next.ClaimedAt = now
	ok, err := s.store.UpdateInvite(inv, &next, s.retention(&next))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errInviteGone(http.StatusConflict, "claim_lost", "This invitation was just used or changed; reload the page.")
	}
	return &next, nil
}

func (s *Service) releaseClaim(claimed *store.Invite) {
	back := *claimed
	back.Status = store.InvitePending
	back.ClaimedAt = 0
	if ok, err := s.store.UpdateInvite(claimed, &back, s.retention(&back)); err != nil || !ok {
		s.api.LogWarn("Guest Accounts: could not release an invitation claim; it frees itself after two minutes", "invite_id", claimed.ID)
	}
}

func validateSignup(r *AcceptRequest) error {
	r.Username = strings.ToLower(strings.TrimSpace(r.Username))
	if !model.IsValidUsername(r.Username) {
		return app.ErrBadRequest("invalid_signup_username", "username", "username: 3 to 22 characters, starting with a letter, using a-z, 0-9, '.', '-' and '_'.")
	}
	for field, v := range map[string]string{"first_name": r.FirstName, "last_name": r.LastName} {
		if len([]rune(v)) > 64 || strings.ContainsAny(v, "\r\n\x00<>") {
			return app.ErrBadRequest("invalid_signup_name", field, "%s: at most 64 characters, no line breaks or angle brackets.", field)
		}
	}
	if r.Password == "" {
		return app.ErrBadRequest("password_required", "password", "password: choose a password.")
	}
	return nil
}

// checkExistingAcceptor allows a signed-in user to accept only if they are
// a guest with the invited address.
func (s *Service) checkExistingAcceptor(inv *store.Invite, userID string) (*model.User, error) {
	u, appErr := s.api.GetUser(userID)
	if appErr != nil {
		return nil, appErr
	}
	if !strings.EqualFold(u.Email, inv.Email) {
		return nil, app.ErrForbidden("wrong_account", "This invitation was sent to another email address. Sign out and open the link again, or sign in with the invited account.")
	}
	if _, err := s.store.GetGuest(userID); err != nil {
		return nil, app.ErrConflict("already_member", "You already have a full account here; you don't need a guest invitation.")
	}
	return u, nil
}

func (s *Service) acceptExisting(inv *store.Invite, u *model.User) (*AcceptResult, error) {
	g, err := s.store.GetGuest(u.Id)
	if err != nil {
		return nil, err
	}
	if _, err := s.addToGuest(g, u, inv.ChannelIDs); err != nil {
		return nil, err
	}
	return &AcceptResult{UserID: u.Id, Username: u.Username, Redirect: s.channelURL(inv.ChannelIDs)}, nil
}

func (s *Service) acceptNew(inv *store.Invite, req AcceptRequest) (*AcceptResult, error) {
	u, err := s.guests.CreateAccount(&model.User{
		Email: inv.Email, Username: req.Username, Password: req.Password,
		FirstName: strings.TrimSpace(req.FirstName), LastName: strings.TrimSpace(req.LastName),
		EmailVerified: true, Roles: model.SystemUserRoleId,
	}, &store.Guest{InvitedBy: inv.InviterID, ExpiresAt: inv.GuestExpiresAt, SingleChannel: inv.SingleChannel, TeamIDs: inv.TeamIDs})
	if err != nil {
		return nil, err
	}
	// From here the account exists: the invitation is used even if adding a
	// channel fails (the admin can add it); never two accounts for one link.
	if _, err := s.guests.AddChannels(u, inv.ChannelIDs); err != nil {
		s.api.LogError("Guest Accounts: a new guest could not be added to every channel", "user_id", u.Id, "error", err.Error())
	}
	return &AcceptResult{UserID: u.Id, Username: u.Username, Redirect: s.channelURL(inv.ChannelIDs)}, nil
}

// channelURL is the client path of the first channel.
func (s *Service) channelURL(channelIDs []string) string {
	if len(channelIDs) == 0 {
		return "/"
	}
	ch, appErr := s.api.GetChannel(channelIDs[0])
	if appErr != nil {
		return "/"
	}
	t, appErr := s.api.GetTeam(ch.TeamId)
	if appErr != nil {
		return "/"
	}
	return "/" + t.Name + "/channels/" + ch.Name
}

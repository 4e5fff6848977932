package app

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

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
func errInviteGone(status int, id, format string, args ...any) *Error {
	return newErr(status, "guest_accounts.invite."+id, "", format, args...)
}

// LookupInvite checks a raw token and returns the invitation it opens.
func (a *App) LookupInvite(token string) (*InviteInfo, error) {
	inv, err := a.validInvite(token)
	if err != nil {
		return nil, err
	}
	info := &InviteInfo{Invite: inv, SiteName: "Mattermost"}
	if cfg := a.api.GetConfig(); cfg != nil && cfg.TeamSettings.SiteName != nil {
		info.SiteName = *cfg.TeamSettings.SiteName
	}
	if u, appErr := a.api.GetUser(inv.InviterID); appErr == nil {
		info.InviterName = displayName(u)
	}
	for _, id := range inv.TeamIDs {
		if t, appErr := a.api.GetTeam(id); appErr == nil {
			info.TeamNames = append(info.TeamNames, t.DisplayName)
		}
	}
	for _, id := range inv.ChannelIDs {
		if c, appErr := a.api.GetChannel(id); appErr == nil {
			info.ChannelNames = append(info.ChannelNames, c.DisplayName)
		}
	}
	return info, nil
}

func displayName(u *model.User) string {
	if n := strings.TrimSpace(u.FirstName + " " + u.LastName); n != "" {
		return n
	}
	return "@" + u.Username
}

// validInvite returns the pending invitation a token opens, or why not.
func (a *App) validInvite(token string) (*store.Invite, error) {
	hash, err := policy.ParseToken(token)
	if err != nil {
		return nil, errInviteGone(http.StatusNotFound, "unknown", "This invitation link is not valid. Check that you copied the whole link.")
	}
	inv, err := a.store.GetInviteByHash(hash)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errInviteGone(http.StatusNotFound, "cleaned_up", "This invitation link is not valid or has been cleaned up. Ask the person who invited you for a new one.")
	}
	if err != nil {
		return nil, err
	}
	now := a.Now().UnixMilli()
	switch {
	case inv.Status == store.InviteAccepted:
		return nil, errInviteGone(http.StatusGone, "used", "This invitation has already been used. Sign in with the account you created.")
	case inv.Status == store.InviteRevoked:
		return nil, errInviteGone(http.StatusGone, "revoked", "This invitation was withdrawn. Ask the person who invited you if you still need access.")
	case inv.Status == store.InviteSuperseded:
		return nil, errInviteGone(http.StatusGone, "superseded", "A newer invitation was sent to you; use the link in the most recent email.")
	case inv.ExpiresAt <= now:
		return nil, errInviteGone(http.StatusGone, "expired", "This invitation has expired. Ask the person who invited you to send it again.")
	case !a.settings().EnableGuestAccounts:
		return nil, errInviteGone(http.StatusGone, "disabled", "Guest accounts are switched off on this server.")
	}
	if ok, _ := a.domainAllowed(inv.Email); !ok {
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
func (a *App) AcceptInvite(token, sessionUserID string, req AcceptRequest) (*AcceptResult, error) {
	release, gateErr := a.enter()
	if gateErr != nil {
		return nil, gateErr
	}
	defer release()
	inv, err := a.validInvite(token)
	if err != nil {
		return nil, err
	}
	var existing *model.User
	if sessionUserID != "" {
		if existing, err = a.checkExistingAcceptor(inv, sessionUserID); err != nil {
			return nil, err
		}
	} else if err := validateSignup(&req); err != nil {
		return nil, err
	}
	claimed, err := a.claimInvite(inv)
	if err != nil {
		return nil, err
	}
	var res *AcceptResult
	if existing != nil {
		res, err = a.acceptExisting(claimed, existing)
	} else {
		res, err = a.acceptNew(claimed, req)
	}
	if err != nil {
		a.releaseClaim(claimed)
		a.Audit("", "accept_invite", inv.ID, result(err), inv.Email)
		return nil, err
	}
	done := *claimed
	done.Status = store.InviteAccepted
	done.AcceptedBy = res.UserID
	if ok, uerr := a.store.UpdateInvite(claimed, &done, a.retention(&done)); uerr != nil || !ok {
		// The account exists; the claim stays "accepting" and can no longer
		// be taken by anyone else until it times out, but a retaken claim
		// finds the email already in use. Log it loudly.
		a.api.LogError("Guest Accounts: an accepted invitation could not be marked used", "invite_id", inv.ID)
	}
	a.Audit(res.UserID, "accept_invite", inv.ID, "success", inv.Email)
	a.noteActivity(res.UserID) // signing up is the guest's first activity
	a.publishGuestsChanged(res.UserID)
	return res, nil
}

func (a *App) claimInvite(inv *store.Invite) (*store.Invite, error) {
	now := a.Now().UnixMilli()
	if inv.Status == store.InviteAccepting && now-inv.ClaimedAt < claimTimeout.Milliseconds() {
		return nil, errInviteGone(http.StatusConflict, "in_progress", "This invitation is being accepted right now.")
	}
	next := *inv
	next.Status = store.InviteAccepting
	next.ClaimedAt = now
	ok, err := a.store.UpdateInvite(inv, &next, a.retention(&next))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errInviteGone(http.StatusConflict, "claim_lost", "This invitation was just used or changed; reload the page.")
	}
	return &next, nil
}

func (a *App) releaseClaim(claimed *store.Invite) {
	back := *claimed
	back.Status = store.InvitePending
	back.ClaimedAt = 0
	if ok, err := a.store.UpdateInvite(claimed, &back, a.retention(&back)); err != nil || !ok {
		a.api.LogWarn("Guest Accounts: could not release an invitation claim; it frees itself after two minutes", "invite_id", claimed.ID)
	}
}

func validateSignup(r *AcceptRequest) error {
	r.Username = strings.ToLower(strings.TrimSpace(r.Username))
	if !model.IsValidUsername(r.Username) {
		return errBadRequest("invalid_signup_username", "username", "username: 3 to 22 characters, starting with a letter, using a-z, 0-9, '.', '-' and '_'.")
	}
	for field, v := range map[string]string{"first_name": r.FirstName, "last_name": r.LastName} {
		if len([]rune(v)) > 64 || strings.ContainsAny(v, "\r\n\x00<>") {
			return errBadRequest("invalid_signup_name", field, "%s: at most 64 characters, no line breaks or angle brackets.", field)
		}
	}
	if r.Password == "" {
		return errBadRequest("password_required", "password", "password: choose a password.")
	}
	return nil
}

// checkExistingAcceptor allows a signed-in user to accept only if they are
// a guest with the invited address.
func (a *App) checkExistingAcceptor(inv *store.Invite, userID string) (*model.User, error) {
	u, appErr := a.api.GetUser(userID)
	if appErr != nil {
		return nil, appErr
	}
	if !strings.EqualFold(u.Email, inv.Email) {
		return nil, errForbidden("wrong_account", "This invitation was sent to another email address. Sign out and open the link again, or sign in with the invited account.")
	}
	if _, err := a.store.GetGuest(userID); err != nil {
		return nil, errConflict("already_member", "You already have a full account here; you don't need a guest invitation.")
	}
	return u, nil
}

func (a *App) acceptExisting(inv *store.Invite, u *model.User) (*AcceptResult, error) {
	g, err := a.store.GetGuest(u.Id)
	if err != nil {
		return nil, err
	}
	channels := append([]string{}, g.ChannelIDs...)
	for _, id := range inv.ChannelIDs {
		if !contains(channels, id) {
			channels = append(channels, id)
		}
	}
	if capErr := a.channelCapError(g, len(channels)); capErr != nil {
		return nil, capErr
	}
	if _, err := a.addGuestChannels(u, inv.ChannelIDs); err != nil {
		return nil, err
	}
	return &AcceptResult{UserID: u.Id, Username: u.Username, Redirect: a.channelURL(inv.ChannelIDs)}, nil
}

func (a *App) acceptNew(inv *store.Invite, req AcceptRequest) (*AcceptResult, error) {
	s := a.settings()
	ok, err := a.store.Reserve(activeCounter, s.MaxActiveGuests)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errCapReached(s.MaxActiveGuests)
	}
	defer a.markCreating(inv.Email)()
	u, appErr := a.api.CreateUser(&model.User{
		Email: inv.Email, Username: req.Username, Password: req.Password,
		FirstName: strings.TrimSpace(req.FirstName), LastName: strings.TrimSpace(req.LastName),
		EmailVerified: true, Roles: model.SystemUserRoleId,
	})
	if appErr != nil {
		_ = a.store.Add(activeCounter, -1)
		return nil, userCreateError(appErr)
	}
	expires := inv.GuestExpiresAt
	if expires == 0 {
		expires = a.defaultExpiry()
	}
	g := &store.Guest{UserID: u.Id, InvitedBy: inv.InviterID, CreatedAt: a.Now().UnixMilli(), ExpiresAt: expires,
		SingleChannel: inv.SingleChannel, TeamIDs: inv.TeamIDs}
	if err := a.store.SaveGuest(g); err != nil {
		_ = a.api.UpdateUserActive(u.Id, false)
		_ = a.store.Add(activeCounter, -1)
		return nil, err
	}
	// From here the account exists: the invitation is used even if adding a
	// channel fails (the admin can add it); never two accounts for one link.
	if _, err := a.addGuestChannels(u, inv.ChannelIDs); err != nil {
		a.api.LogError("Guest Accounts: a new guest could not be added to every channel", "user_id", u.Id, "error", err.Error())
	}
	return &AcceptResult{UserID: u.Id, Username: u.Username, Redirect: a.channelURL(inv.ChannelIDs)}, nil
}

// channelURL is the client path of the first channel.
func (a *App) channelURL(channelIDs []string) string {
	if len(channelIDs) == 0 {
		return "/"
	}
	ch, appErr := a.api.GetChannel(channelIDs[0])
	if appErr != nil {
		return "/"
	}
	t, appErr := a.api.GetTeam(ch.TeamId)
	if appErr != nil {
		return "/"
	}
	return "/" + t.Name + "/channels/" + ch.Name
}

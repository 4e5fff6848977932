package app

import (
	"crypto/rand"
	"encoding/base64"
	"strings"
	"unicode/utf8"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// CreateGuestRequest is an admin's "create guest" form (Rocket.Chat's
// fields).
type CreateGuestRequest struct {
	Email                 string   `json:"email"`
	Username              string   `json:"username"`
	FirstName             string   `json:"first_name"`
	LastName              string   `json:"last_name"`
	Nickname              string   `json:"nickname"`
	Position              string   `json:"position"`
	StatusMessage         string   `json:"status_message"`
	Password              string   `json:"password"`
	RandomPassword        bool     `json:"random_password"`
	RequirePasswordChange bool     `json:"require_password_change"`
	ChannelIDs            []string `json:"channel_ids"`
	SendWelcomeEmail      bool     `json:"send_welcome_email"`
	ExpiresAt             int64    `json:"expires_at"`
	SingleChannel         bool     `json:"single_channel"`
}

func (r *CreateGuestRequest) validate(a *App) error {
	r.Email = strings.TrimSpace(r.Email)
	r.Username = strings.ToLower(strings.TrimSpace(r.Username))
	if r.Email == "" {
		return errBadRequest("email_required", "email", "email is required.")
	}
	ok, _, err := a.settings().AllowedDomains.AllowsEmail(r.Email)
	if err != nil {
		return errBadRequest("invalid_email", "email", "email: %q is not a valid email address.", r.Email)
	}
	if !ok {
		return errForbidden("domain_not_allowed", "email: the domain of %s is not in \"Allowed guest email domains\".", r.Email)
	}
	if !model.IsValidUsername(r.Username) {
		return errBadRequest("invalid_username", "username", "username: %q is not valid: 3-22 characters, starting with a letter, of a-z, 0-9, '.', '-' and '_'.", r.Username)
	}
	for field, v := range map[string]string{"first_name": r.FirstName, "last_name": r.LastName, "nickname": r.Nickname, "position": r.Position} {
		if utf8.RuneCountInString(v) > 64 || !utf8.ValidString(v) || strings.ContainsAny(v, "\r\n\x00") {
			return errBadRequest("invalid_text_field", field, "%s: at most 64 characters on one line.", field)
		}
	}
	if utf8.RuneCountInString(r.StatusMessage) > model.CustomStatusTextMaxRunes {
		return errBadRequest("invalid_status_message", "status_message", "status_message: at most %d characters.", model.CustomStatusTextMaxRunes)
	}
	if r.RandomPassword == (r.Password != "") {
		return errBadRequest("password_choice", "password", "password: give a password, or set random_password (which emails one), not both.")
	}
	if r.RandomPassword && !r.SendWelcomeEmail {
		return errBadRequest("random_password_needs_email", "send_welcome_email", "send_welcome_email: a random password must be emailed to the guest.")
	}
	if r.ExpiresAt < 0 || (r.ExpiresAt != 0 && r.ExpiresAt <= a.Now().UnixMilli()) {
		return errBadRequest("invalid_expires_at", "expires_at", "expires_at: must be in the future (Unix milliseconds), or 0 for never.")
	}
	if r.SingleChannel && len(r.ChannelIDs) > 1 {
		return errBadRequest("single_channel_create", "channel_ids", "channel_ids: a single-channel guest gets exactly one channel.")
	}
	return a.checkChannelsExist(r.ChannelIDs)
}

// checkChannelsExist validates ids of team channels a guest may be given.
func (a *App) checkChannelsExist(ids []string) error {
	s := a.settings()
	if s.MaxChannelsPerGuest > 0 && len(ids) > s.MaxChannelsPerGuest {
		return errBadRequest("too_many_channels", "channel_ids", "channel_ids: a guest may be in at most %d channels.", s.MaxChannelsPerGuest)
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if !policy.PlainID(id) {
			return errBadRequest("invalid_channel_id", "channel_ids", "channel_ids: %q is not a valid channel id.", id)
		}
		if seen[id] {
			return errBadRequest("duplicate_channel_id", "channel_ids", "channel_ids: %s is listed twice.", id)
		}
		seen[id] = true
		ch, appErr := a.api.GetChannel(id)
		if appErr != nil {
			return errBadRequest("unknown_channel", "channel_ids", "channel_ids: channel %s does not exist.", id)
		}
		if ch.DeleteAt != 0 || (ch.Type != model.ChannelTypeOpen && ch.Type != model.ChannelTypePrivate) {
			return errBadRequest("channel_not_allowed", "channel_ids", "channel_ids: %s is archived or a direct message.", id)
		}
	}
	return nil
}

// CreateGuest creates a guest account directly (admin).
func (a *App) CreateGuest(actorID string, req CreateGuestRequest) (*Guest, error) {
	release, gateErr := a.enter()
	if gateErr != nil {
		return nil, gateErr
	}
	defer release()
	s := a.settings()
	var out *Guest
	err := func() error {
		if !s.EnableGuestAccounts {
			return errDisabled
		}
		if err := req.validate(a); err != nil {
			return err
		}
		password := req.Password
		if req.RandomPassword {
			password = randomPassword()
		}
		ok, err := a.store.Reserve(activeCounter, s.MaxActiveGuests)
		if err != nil {
			return err
		}
		if !ok {
			return errCapReached(s.MaxActiveGuests)
		}
		defer a.markCreatingGuest(req.Email)()
		u, appErr := a.api.CreateUser(&model.User{
			Email: req.Email, Username: req.Username, Password: password,
			FirstName: req.FirstName, LastName: req.LastName, Nickname: req.Nickname, Position: req.Position,
			EmailVerified: true, Roles: model.SystemUserRoleId, Locale: "",
		})
		if appErr != nil {
			_ = a.store.Add(activeCounter, -1)
			return userCreateError(appErr)
		}
		if err := a.restrictNewAccount(u.Id); err != nil {
			return err
		}
		expires := req.ExpiresAt
		if expires == 0 {
			expires = a.defaultExpiry()
		}
		g := &store.Guest{
			UserID: u.Id, InvitedBy: actorID, CreatedAt: a.Now().UnixMilli(), ExpiresAt: expires,
			SingleChannel: req.SingleChannel, MustChangePassword: req.RequirePasswordChange,
			PasswordSetAt: u.LastPasswordUpdate,
		}
		if err := a.store.SaveGuest(g); err != nil {
			// Not yet a guest anywhere: deactivate the bare account rather than
			// leave a user the registry does not know.
			_ = a.api.UpdateUserActive(u.Id, false)
			_ = a.store.Add(activeCounter, -1)
			return err
		}
		if len(req.ChannelIDs) > 0 {
			added, err := a.members.AddChannels(u.Id, req.ChannelIDs, nil)
			g.ChannelIDs = added
			if serr := a.store.SaveGuest(g); serr != nil && err == nil {
				err = serr
			}
			if err != nil {
				return err
			}
			a.postSystemMessage(added, a.Tr("", "guest_accounts.notice.joined_as_guest", "%s joined as a guest.", noticeName(u)))
			a.publishChannelGuestsChanged(added...)
		}
		if req.StatusMessage != "" {
			_ = a.api.UpdateUserCustomStatus(u.Id, &model.CustomStatus{Text: req.StatusMessage})
		}
		if req.SendWelcomeEmail {
			if err := a.sendWelcome(actorID, u, password, req.RandomPassword, req.RequirePasswordChange); err != nil {
				a.api.LogWarn("Guest Accounts: the welcome email could not be sent", "user_id", u.Id, "error", err.Error())
			}
		}
		out = a.guestView(g, u)
		return nil
	}()
	target := req.Email
	if out != nil {
		target = out.UserID
	}
	a.Audit(actorID, "create_guest", target, result(err), "")
	if err == nil {
		a.publishGuestsChanged(out.UserID)
	}
	return out, err
}

// userCreateError turns core's refusal into a field error.
func userCreateError(appErr *model.AppError) error {
	field := "user"
	switch {
	case strings.Contains(appErr.Id, "password"):
		field = "password"
	case strings.Contains(appErr.Id, "email"):
		field = "email"
	case strings.Contains(appErr.Id, "username"):
		field = "username"
	}
	msg := appErr.Message
	if appErr.DetailedError != "" && strings.Contains(appErr.Id, "password") {
		msg = appErr.Message
	}
	return errBadRequest("create_user", field, "%s: %s", field, msg)
}

// randomPassword satisfies any password policy: 24 random characters plus
// one of each class.
func randomPassword() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b) + "aA1!"
}

// restrictNewAccount gives an account the plugin has just created as a
// guest the guest's system role, before anything else (core creates every
// account as system_user; on an unlicensed server that role lets a user
// create teams). Logins are refused until the creation is over (see
// CheckLogin), so no session sees the account as system_user. On failure
// the bare account is deactivated and its cap slot given back.
func (a *App) restrictNewAccount(userID string) error {
	if err := a.members.AssignGuestRole(userID); err != nil {
		_ = a.api.UpdateUserActive(userID, false)
		_ = a.store.Add(activeCounter, -1)
		return err
	}
	return nil
}

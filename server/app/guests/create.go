package guests

import (
	"crypto/rand"
	"encoding/base64"
	"strings"
	"unicode/utf8"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/mail"
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

func (r *CreateGuestRequest) validate(s *Service) error {
	r.Email = strings.TrimSpace(r.Email)
	r.Username = strings.ToLower(strings.TrimSpace(r.Username))
	if r.Email == "" {
		return app.ErrBadRequest("email_required", "email", "email is required.")
	}
	ok, _, err := s.kit.Settings().AllowedDomains.AllowsEmail(r.Email)
	if err != nil {
		return app.ErrBadRequest("invalid_email", "email", "email: %q is not a valid email address.", r.Email)
	}
	if !ok {
		return app.ErrForbidden("domain_not_allowed", "email: the domain of %s is not in \"Allowed guest email domains\".", r.Email)
	}
	if !model.IsValidUsername(r.Username) {
		return app.ErrBadRequest("invalid_username", "username", "username: %q is not valid: 3-22 characters, starting with a letter, of a-z, 0-9, '.', '-' and '_'.", r.Username)
	}
	for field, v := range map[string]string{"first_name": r.FirstName, "last_name": r.LastName, "nickname": r.Nickname, "position": r.Position} {
		if utf8.RuneCountInString(v) > 64 || !utf8.ValidString(v) || strings.ContainsAny(v, "\r\n\x00") {
			return app.ErrBadRequest("invalid_text_field", field, "%s: at most 64 characters on one line.", field)
		}
	}
	if utf8.RuneCountInString(r.StatusMessage) > model.CustomStatusTextMaxRunes {
		return app.ErrBadRequest("invalid_status_message", "status_message", "status_message: at most %d characters.", model.CustomStatusTextMaxRunes)
	}
	if r.RandomPassword == (r.Password != "") {
		return app.ErrBadRequest("password_choice", "password", "password: give a password, or set random_password (which emails one), not both.")
	}
	if r.RandomPassword && !r.SendWelcomeEmail {
		return app.ErrBadRequest("random_password_needs_email", "send_welcome_email", "send_welcome_email: a random password must be emailed to the guest.")
	}
	if r.ExpiresAt < 0 || (r.ExpiresAt != 0 && r.ExpiresAt <= s.kit.Now().UnixMilli()) {
		return app.ErrBadRequest("invalid_expires_at", "expires_at", "expires_at: must be in the future (Unix milliseconds), or 0 for never.")
	}
	if r.SingleChannel && len(r.ChannelIDs) > 1 {
		return app.ErrBadRequest("single_channel_create", "channel_ids", "channel_ids: a single-channel guest gets exactly one channel.")
	}
	return s.CheckChannels(r.ChannelIDs)
}

// CheckChannels validates ids of team channels a guest may be given.
func (s *Service) CheckChannels(ids []string) error {
	settings := s.kit.Settings()
	if settings.MaxChannelsPerGuest > 0 && len(ids) > settings.MaxChannelsPerGuest {
		return app.ErrBadRequest("too_many_channels", "channel_ids", "channel_ids: a guest may be in at most %d channels.", settings.MaxChannelsPerGuest)
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if !policy.PlainID(id) {
			return app.ErrBadRequest("invalid_channel_id", "channel_ids", "channel_ids: %q is not a valid channel id.", id)
		}
		if seen[id] {
			return app.ErrBadRequest("duplicate_channel_id", "channel_ids", "channel_ids: %s is listed twice.", id)
		}
		seen[id] = true
		ch, appErr := s.api.GetChannel(id)
		if appErr != nil {
			return app.ErrBadRequest("unknown_channel", "channel_ids", "channel_ids: channel %s does not exist.", id)
		}
		if ch.DeleteAt != 0 || (ch.Type != model.ChannelTypeOpen && ch.Type != model.ChannelTypePrivate) {
			return app.ErrBadRequest("channel_not_allowed", "channel_ids", "channel_ids: %s is archived or a direct message.", id)
		}
	}
	return nil
}

// CreateGuest creates a guest account directly (admin).
func (s *Service) CreateGuest(actorID string, req CreateGuestRequest) (*Guest, error) {
	release, gateErr := s.kit.Enter()
	if gateErr != nil {
		return nil, gateErr
	}
	defer release()
	settings := s.kit.Settings()
	var out *Guest
	err := func() error {
		if !settings.EnableGuestAccounts {
			return app.ErrDisabled
		}
		if err := req.validate(s); err != nil {
			return err
		}
		password := req.Password
		if req.RandomPassword {
			password = randomPassword()
		}
		g := &store.Guest{InvitedBy: actorID, ExpiresAt: req.ExpiresAt, SingleChannel: req.SingleChannel, MustChangePassword: req.RequirePasswordChange}
		u, err := s.CreateAccount(&model.User{
			Email: req.Email, Username: req.Username, Password: password,
			FirstName: req.FirstName, LastName: req.LastName, Nickname: req.Nickname, Position: req.Position,
			EmailVerified: true, Roles: model.SystemUserRoleId, Locale: "",
		}, g)
		if err != nil {
			return err
		}
		if len(req.ChannelIDs) > 0 {
			added, err := s.members.AddChannels(u.Id, req.ChannelIDs, nil)
			g.ChannelIDs = added
			if serr := s.store.SaveGuest(g); serr != nil && err == nil {
				err = serr
			}
			if err != nil {
				return err
			}
			s.kit.PostSystemMessage(added, s.kit.Tr("", "guest_accounts.notice.joined_as_guest", "%s joined as a guest.", app.NoticeName(u)))
			s.kit.PublishChannelGuestsChanged(added...)
		}
		if req.StatusMessage != "" {
			_ = s.api.UpdateUserCustomStatus(u.Id, &model.CustomStatus{Text: req.StatusMessage})
		}
		if req.SendWelcomeEmail {
			if err := s.sendWelcome(actorID, u, g, password, req.RandomPassword); err != nil {
				s.api.LogWarn("Guest Accounts: the welcome email could not be sent", "user_id", u.Id, "error", err.Error())
			}
		}
		out = s.View(g, u)
		return nil
	}()
	target := req.Email
	if out != nil {
		target = out.UserID
	}
	s.kit.Audit(actorID, "create_guest", target, app.Result(err), "")
	if err == nil {
		s.kit.PublishGuestsChanged(out.UserID)
	}
	return out, err
}

// CreateAccount creates the account of a new guest and its registry record
// g (whose user id, creation time, default expiry and password time it
// fills in). A place under "Maximum active guests" is reserved first and
// given back if either fails; an account whose record cannot be saved is
// deactivated, never left a member the registry does not know. The
// account is marked as being created until its record exists, so the
// automatic guest rules leave it alone.
func (s *Service) CreateAccount(u *model.User, g *store.Guest) (*model.User, error) {
	if err := s.reserve(s.kit.Settings().MaxActiveGuests); err != nil {
		return nil, err
	}
	defer s.markCreating(u.Email)()
	created, appErr := s.api.CreateUser(u)
	if appErr != nil {
		_ = s.store.Add(store.ActiveGuests, -1)
		return nil, userCreateError(appErr)
	}
	g.UserID, g.CreatedAt = created.Id, s.kit.Now().UnixMilli()
	if g.ExpiresAt == 0 {
		g.ExpiresAt = s.kit.DefaultExpiry()
	}
	if g.MustChangePassword {
		g.PasswordSetAt = created.LastPasswordUpdate
	}
	if err := s.store.SaveGuest(g); err != nil {
		_ = s.api.UpdateUserActive(created.Id, false)
		_ = s.store.Add(store.ActiveGuests, -1)
		return nil, err
	}
	return created, nil
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
	return app.ErrBadRequest("create_user", field, "%s: %s", field, appErr.Message)
}

// randomPassword satisfies any password policy: 24 random characters plus
// one of each class.
func randomPassword() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b) + "aA1!"
}

// markCreating tells the UserHasBeenCreated hook that the plugin itself is
// creating this account as a guest (core calls the hook asynchronously, so
// it may arrive before the registry record is written). The returned func
// clears the mark.
func (s *Service) markCreating(email string) func() {
	key := strings.ToLower(strings.TrimSpace(email))
	s.creating.Store(key, struct{}{})
	return func() { s.creating.Delete(key) }
}

// Creating reports whether the plugin is creating an account with this
// email as a guest right now (the automatic rules leave it alone).
func (s *Service) Creating(email string) bool {
	_, ok := s.creating.Load(strings.ToLower(strings.TrimSpace(email)))
	return ok
}

// sendWelcome greets a guest an admin created, with the generated password
// when there is one.
func (s *Service) sendWelcome(actorID string, u *model.User, g *store.Guest, password string, random bool) error {
	d := mail.Data{
		TimeZone:              app.UserZone(u),
		RecipientName:         app.DisplayName(u),
		Username:              u.Username,
		Link:                  s.kit.SiteURL() + "/login",
		RequirePasswordChange: g.MustChangePassword,
		ExpiresAt:             app.MsTime(g.ExpiresAt),
	}
	if inviter, appErr := s.api.GetUser(actorID); appErr == nil {
		d.InviterName = app.DisplayName(inviter)
	}
	if random {
		d.Password = password
	}
	return s.kit.SendMail(u.Email, mail.Welcome, u.Locale, d)
}

package app

import (
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/mail"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// siteURL is the server's public address.
func (a *App) siteURL() string {
	if cfg := a.api.GetConfig(); cfg != nil && cfg.ServiceSettings.SiteURL != nil {
		return *cfg.ServiceSettings.SiteURL
	}
	return ""
}

// TrustedProxyHeaders are the headers core trusts for the client address.
func (a *App) TrustedProxyHeaders() []string {
	if cfg := a.api.GetConfig(); cfg != nil {
		return cfg.ServiceSettings.TrustedProxyIPHeader
	}
	return nil
}

func (a *App) siteName() string {
	if cfg := a.api.GetConfig(); cfg != nil && cfg.TeamSettings.SiteName != nil && *cfg.TeamSettings.SiteName != "" {
		return *cfg.TeamSettings.SiteName
	}
	return "Mattermost"
}

// serverLocale is the locale for people who have no account yet.
func (a *App) serverLocale() string {
	if cfg := a.api.GetConfig(); cfg != nil && cfg.LocalizationSettings.DefaultServerLocale != nil {
		return *cfg.LocalizationSettings.DefaultServerLocale
	}
	return "en"
}

// sendMail renders and sends one email through the server's SMTP settings.
func (a *App) sendMail(to string, kind mail.Kind, locale string, d mail.Data) error {
	if a.translate == nil {
		return errors.New("no translations loaded")
	}
	d.Locale = locale
	d.SiteName = a.siteName()
	d.SiteURL = a.siteURL()
	e, err := mail.Render(kind, func(id string, data map[string]any) string { return a.translate(locale, id, data) }, d)
	if err != nil {
		return errors.Wrapf(err, "rendering the %s email", kind)
	}
	if appErr := a.api.SendMail(to, e.Subject, e.HTML); appErr != nil {
		return errors.Wrapf(appErr, "sending the %s email", kind)
	}
	return nil
}

func (a *App) names(teamIDs, channelIDs []string) (teams, channels []string) {
	for _, id := range teamIDs {
		if t, appErr := a.api.GetTeam(id); appErr == nil {
			teams = append(teams, t.DisplayName)
		}
	}
	for _, id := range channelIDs {
		if c, appErr := a.api.GetChannel(id); appErr == nil {
			channels = append(channels, c.DisplayName)
		}
	}
	return teams, channels
}

// userZone is the user's preferred time zone for dates in emails (UTC when
// unknown).
func userZone(u *model.User) *time.Location {
	if name := u.GetPreferredTimezone(); name != "" {
		if loc, err := time.LoadLocation(name); err == nil {
			return loc
		}
	}
	return time.UTC
}

func msTime(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

// sendInvitation emails the signup link. The raw token exists only here
// and in the email.
func (a *App) sendInvitation(inviter *model.User, inv *store.Invite, rawToken string, resent bool) error {
	teams, channels := a.names(inv.TeamIDs, inv.ChannelIDs)
	kind := mail.Invitation
	if resent {
		kind = mail.InvitationResent
	}
	return a.sendMail(inv.Email, kind, a.serverLocale(), mail.Data{
		InviterName:   displayName(inviter),
		TeamNames:     teams,
		ChannelNames:  channels,
		Message:       inv.Message,
		Link:          a.siteURL() + "/plugins/guest-accounts/api/v1/invite/" + rawToken,
		LinkExpiresAt: msTime(inv.ExpiresAt),
		ExpiresAt:     msTime(inv.GuestExpiresAt),
	})
}

// sendAddedToChannels tells an existing guest about new channels.
func (a *App) sendAddedToChannels(inviter, u *model.User, added []string) error {
	if len(added) == 0 {
		return nil
	}
	_, channels := a.names(nil, added)
	return a.sendMail(u.Email, mail.AddedToChannels, u.Locale, mail.Data{
		TimeZone:      userZone(u),
		RecipientName: displayName(u),
		InviterName:   displayName(inviter),
		ChannelNames:  channels,
		Link:          a.siteURL() + a.channelURL(added),
	})
}

// sendWelcome greets a guest an admin created, with the generated password
// when there is one.
func (a *App) sendWelcome(actorID string, u *model.User, password string, random, mustChange bool) error {
	d := mail.Data{
		TimeZone:              userZone(u),
		RecipientName:         displayName(u),
		Username:              u.Username,
		Link:                  a.siteURL() + "/login",
		RequirePasswordChange: mustChange,
	}
	if inviter, appErr := a.api.GetUser(actorID); appErr == nil {
		d.InviterName = displayName(inviter)
	}
	if random {
		d.Password = password
	}
	if g, err := a.store.GetGuest(u.Id); err == nil {
		d.ExpiresAt = msTime(g.ExpiresAt)
	}
	return a.sendMail(u.Email, mail.Welcome, u.Locale, d)
}

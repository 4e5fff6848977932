package app

import (
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/mail"
)

// SiteURL is the server's public address.
func (k *Kit) SiteURL() string {
	if cfg := k.api.GetConfig(); cfg != nil && cfg.ServiceSettings.SiteURL != nil {
		return *cfg.ServiceSettings.SiteURL
	}
	return ""
}

// SiteLink is the site's address for the emails' button, or "" when the
// Site URL is not set (the email then has no button).
func (k *Kit) SiteLink() string {
	if _, err := mail.CheckLink(k.SiteURL()); err != nil {
		return ""
	}
	return k.SiteURL()
}

// SiteName is the server's name (System Console > Site name).
func (k *Kit) SiteName() string {
	if cfg := k.api.GetConfig(); cfg != nil && cfg.TeamSettings.SiteName != nil && *cfg.TeamSettings.SiteName != "" {
		return *cfg.TeamSettings.SiteName
	}
	return "Mattermost"
}

// TrustedProxyHeaders are the headers core trusts for the client address.
func (k *Kit) TrustedProxyHeaders() []string {
	if cfg := k.api.GetConfig(); cfg != nil {
		return cfg.ServiceSettings.TrustedProxyIPHeader
	}
	return nil
}

// ServerLocale is the locale for people who have no account yet.
func (k *Kit) ServerLocale() string {
	if cfg := k.api.GetConfig(); cfg != nil && cfg.LocalizationSettings.DefaultServerLocale != nil {
		return *cfg.LocalizationSettings.DefaultServerLocale
	}
	return "en"
}

// SendMail renders and sends one email through the server's SMTP settings.
func (k *Kit) SendMail(to string, kind mail.Kind, locale string, d mail.Data) error {
	if k.translate == nil {
		return errors.New("no translations loaded")
	}
	d.Locale = locale
	d.SiteName = k.SiteName()
	d.SiteURL = k.SiteURL()
	e, err := mail.Render(kind, func(id string, data map[string]any) string { return k.translate(locale, id, data) }, d)
	if err != nil {
		return errors.Wrapf(err, "rendering the %s email", kind)
	}
	if appErr := k.api.SendMail(to, e.Subject, e.HTML); appErr != nil {
		return errors.Wrapf(appErr, "sending the %s email", kind)
	}
	return nil
}

// Names are the display names of the teams and channels that can be read.
func (k *Kit) Names(teamIDs, channelIDs []string) (teams, channels []string) {
	for _, id := range teamIDs {
		if t, appErr := k.api.GetTeam(id); appErr == nil {
			teams = append(teams, t.DisplayName)
		}
	}
	for _, id := range channelIDs {
		if c, appErr := k.api.GetChannel(id); appErr == nil {
			channels = append(channels, c.DisplayName)
		}
	}
	return teams, channels
}

// UserZone is the user's preferred time zone for dates in emails (UTC when
// unknown).
func UserZone(u *model.User) *time.Location {
	if name := u.GetPreferredTimezone(); name != "" {
		if loc, err := time.LoadLocation(name); err == nil {
			return loc
		}
	}
	return time.UTC
}

// MsTime is a Unix-millisecond time (0: the zero time).
func MsTime(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

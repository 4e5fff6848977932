package background

import (
	"context"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/jobs"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/mail"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// expiryRunLock serialises runs of the expiry job body across the cluster:
// the scheduled run and one started by an admin (POST /jobs/expiry/run) do
// not overlap. Every per-guest step is also checked again under the user
// lock, so an overlap would still be safe; the lock only avoids double work.
const expiryRunLock = "expiry-run"

// ExpiryReport is what one run of the expiry job did.
type ExpiryReport struct {
	// Checked is the number of registry records looked at.
	Checked int `json:"checked"`
	// Expired is the number of guests deactivated because they expired.
	Expired int `json:"expired"`
	// Reminded is the number of guests who were sent the expiry reminder.
	Reminded int `json:"reminded"`
	// Errors is the number of guests a step failed for (details in the
	// server log); the next run tries them again.
	Errors int `json:"errors"`
	// Skipped is true when guest accounts are switched off: nothing is done.
	Skipped bool `json:"skipped,omitempty"`
}

// RunJob is the periodic job's body: RunExpiry; then sessions core made
// without a login (a personal access token's first use) get core's guest
// marker, and guests whose address left the allowed domains are signed
// out (Sessions, the enforcement side).
func (s *Service) RunJob(ctx context.Context) (*ExpiryReport, error) {
	report, err := s.RunExpiry(ctx)
	if s.sessions != nil {
		s.sessions.MarkAllGuestSessions()
		s.sessions.SignOutGuestsOutsideDomains()
	}
	return report, err
}

// StartExpiryJob schedules RunJob every interval, once across the
// cluster. The job stops with Close.
func (s *Service) StartExpiryJob(interval time.Duration) error {
	return s.schedule(jobs.ExpiryKey, interval, func() {
		if _, err := s.RunJob(context.Background()); err != nil {
			s.api.LogError("Guest Accounts: the expiry job failed", "error", err.Error())
		}
	})
}

// schedule runs fn every interval, once across the cluster, until the
// service stops.
func (s *Service) schedule(key string, interval time.Duration, fn func()) error {
	job, err := jobs.Schedule(s.api, key, interval, fn)
	if err != nil {
		return err
	}
	s.Go(func() {
		<-s.stop
		_ = job.Close()
	})
	return nil
}

// RunExpiry is the body of the expiry job: it pages through the registry
// and, for every active guest with an expiry date, deactivates the guest
// once the date has passed (sessions revoked, audit "expire", email to the
// guest) or sends the reminder to the guest and the inviter once the
// reminder window ("Expiry reminder (days before)") has begun.
func (s *Service) RunExpiry(ctx context.Context) (*ExpiryReport, error) {
	report := &ExpiryReport{}
	settings := s.kit.Settings()
	if !settings.EnableGuestAccounts {
		// Every guest is deactivated by the switch; nothing to do.
		report.Skipped = true
		return report, nil
	}
	var err error
	if lockErr := s.members.WithLock(ctx, expiryRunLock, func() error {
		err = s.expireEach(ctx, settings, report)
		return nil
	}); lockErr != nil {
		return nil, lockErr
	}
	if report.Expired > 0 || report.Reminded > 0 || report.Errors > 0 {
		s.api.LogInfo("Guest Accounts: expiry job ran", "checked", report.Checked, "expired", report.Expired, "reminded", report.Reminded, "errors", report.Errors)
	}
	if err != nil {
		return report, errors.Wrap(err, "going through the guest registry")
	}
	return report, nil
}

// expireEach is RunExpiry's walk (the run lock held): the guests whose
// date, or reminder, is due by now, from the expiry index (every record
// until the indexes are built).
func (s *Service) expireEach(ctx context.Context, settings policy.Settings, report *ExpiryReport) error {
	return s.forEachGuestDueBy(s.kit.Now().Add(settings.ExpiryReminder).UnixMilli(), func(g *store.Guest) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		report.Checked++
		if g.ExpiresAt <= 0 {
			return nil
		}
		now := s.kit.Now().UnixMilli()
		switch policy.ExpiryStateMillis(now, g.ExpiresAt, settings.ExpiryReminder) {
		case policy.ExpiryExpired:
			switch g.Deactivated {
			case store.ReasonNone:
				expired, err := s.expireGuest(g.UserID)
				if err != nil {
					report.Errors++
					s.api.LogError("Guest Accounts: could not deactivate an expired guest", "user_id", g.UserID, "error", err.Error())
				} else if expired {
					report.Expired++
				}
			case store.ReasonSwitch, store.ReasonPluginDisabled:
				// Deactivated automatically and expired meanwhile: the switch
				// can no longer bring them back, a new date can.
				if err := s.markExpired(g.UserID); err != nil {
					report.Errors++
					s.api.LogError("Guest Accounts: could not mark a guest expired", "user_id", g.UserID, "error", err.Error())
				}
			case store.ReasonExpired:
				// Recorded as expired but still active in core: an expiry
				// interrupted between the two (database outage, crash), or
				// an admin reactivating the account outside the plugin.
				if err := s.finishExpiry(g.UserID); err != nil {
					report.Errors++
					s.api.LogError("Guest Accounts: could not deactivate an expired guest", "user_id", g.UserID, "error", err.Error())
				}
			}
		case policy.ExpiryReminderDue:
			if g.Deactivated != store.ReasonNone || !reminderDue(g, now, settings.ExpiryReminder) {
				return nil
			}
			sent, err := s.sendReminder(g.UserID, settings.ExpiryReminder)
			if err != nil {
				report.Errors++
				s.api.LogError("Guest Accounts: could not send an expiry reminder", "user_id", g.UserID, "error", err.Error())
			} else if sent {
				report.Reminded++
			}
		}
		return nil
	})
}

// reminderDue says whether the reminder for the guest's current expiry date
// has still to be sent: none was sent, or the one sent was for an earlier
// date (sent before this date's reminder window began). Changing the date
// through the plugin also resets ReminderSentAt.
func reminderDue(g *store.Guest, now int64, window time.Duration) bool {
	if policy.ExpiryStateMillis(now, g.ExpiresAt, window) != policy.ExpiryReminderDue {
		return false
	}
	return g.ReminderSentAt == 0 || g.ReminderSentAt < g.ExpiresAt-window.Milliseconds()
}

// expireGuest deactivates a guest whose date has passed, deciding under
// the user lock it deactivates in (the date may just have been extended;
// another run may just have expired the guest: only one of two overlapping
// runs finds the guest due). The deactivation saves ExpiryNoticeDue with
// it; completeExpiry then audits the expiry and tells the guest. It
// reports whether the guest was deactivated.
func (s *Service) expireGuest(userID string) (bool, error) {
	var expiresAt int64
	_, due, channels, err := s.guests.DeactivateIf(app.SystemActor, userID, store.ReasonExpired, func(g *store.Guest) bool {
		expiresAt = g.ExpiresAt
		if g.Deactivated != store.ReasonNone || policy.ExpiryStateMillis(s.kit.Now().UnixMilli(), g.ExpiresAt, 0) != policy.ExpiryExpired {
			return false
		}
		g.ExpiryNoticeDue = true
		return true
	})
	if !due {
		return false, err
	}
	s.kit.PublishChannelGuestsChanged(channels...)
	if err != nil {
		s.kit.Audit(app.SystemActor, "expire", userID, app.Result(err), policy.FormatMillis(expiresAt))
		return false, err
	}
	if err := s.completeExpiry(userID); err != nil {
		return false, err
	}
	return true, nil
}

// completeExpiry audits a guest's expiry and sends the expiry notice, once:
// the notice's data is read first, then ExpiryNoticeDue is cleared under
// the user lock (of two runs only one clears it), then the entry is
// written and the email sent. If reading or clearing fails (the database
// is away) the flag stays set and the next run finishes the expiry; a
// failure after the flag is cleared loses the entry or the email (logged)
// rather than sending the notice twice.
func (s *Service) completeExpiry(userID string) error {
	g, err := s.store.GetGuest(userID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !g.ExpiryNoticeDue) {
		return nil
	}
	if err != nil {
		return err
	}
	notice, err := s.expiredNotice(userID, g)
	if err != nil {
		return err
	}
	claimed := false
	if err := s.withGuest(userID, func(rec *store.Guest) error {
		if !rec.ExpiryNoticeDue {
			return nil // another run finished it
		}
		rec.ExpiryNoticeDue = false
		if err := s.store.SaveGuest(rec); err != nil {
			return err
		}
		g, claimed = rec, true
		return nil
	}); err != nil || !claimed {
		return err
	}
	s.kit.Audit(app.SystemActor, "expire", userID, "success", policy.FormatMillis(g.ExpiresAt))

	// An admin may have extended the date as soon as the guest was
	// deactivated: the extension reactivates the guest (if it could not,
	// this tries again); either way the guest is not told their access
	// ended.
	if !expiredAt(g, s.kit.Now().UnixMilli()) {
		if g.Deactivated == store.ReasonExpired {
			if _, err := s.guests.Activate(app.SystemActor, userID, store.ReasonExpired); err != nil {
				s.api.LogWarn("Guest Accounts: a guest whose date was extended during the expiry job stays deactivated", "user_id", userID, "error", err.Error())
			}
		}
		return nil
	}
	if g.Deactivated != store.ReasonExpired {
		return nil // reactivated meanwhile
	}
	if err := s.kit.SendMail(notice.to, mail.Expired, notice.locale, notice.data); err != nil {
		s.api.LogWarn("Guest Accounts: could not send the expiry notice", "user_id", userID, "error", err.Error())
	}
	return nil
}

// finishExpiry finishes an expiry the registry already records (the
// registry and the counter already count the guest out): it deactivates
// the account in core if it is still active there (an interrupted expiry,
// or an admin reactivating it outside the plugin), checking again under
// the user lock (the date may just have been extended and the guest
// reactivated), and completes an expiry that was interrupted before the
// guest was told.
func (s *Service) finishExpiry(userID string) error {
	changed, noticeDue := false, false
	var channels []string
	err := s.withGuest(userID, func(g *store.Guest) error {
		if g.Deactivated != store.ReasonExpired || !expiredAt(g, s.kit.Now().UnixMilli()) {
			return nil
		}
		noticeDue = g.ExpiryNoticeDue
		u, appErr := s.api.GetUser(userID)
		if appErr != nil {
			return appErr
		}
		if u.DeleteAt != 0 {
			return nil
		}
		changed = true
		if appErr := s.api.UpdateUserActive(userID, false); appErr != nil {
			return appErr
		}
		channels = g.ChannelIDs
		return nil
	})
	if changed {
		s.kit.Audit(app.SystemActor, "deactivate", userID, app.Result(err), store.ReasonExpired)
	}
	s.kit.PublishChannelGuestsChanged(channels...)
	if err != nil || !noticeDue {
		return err
	}
	return s.completeExpiry(userID)
}

// markExpired turns an automatic deactivation (master switch, plugin
// disabled) of a guest whose date has passed into an expiry.
func (s *Service) markExpired(userID string) error {
	changed := false
	err := s.withGuest(userID, func(g *store.Guest) error {
		if (g.Deactivated != store.ReasonSwitch && g.Deactivated != store.ReasonPluginDisabled) || !expiredAt(g, s.kit.Now().UnixMilli()) {
			return nil
		}
		g.Deactivated = store.ReasonExpired
		changed = true
		return s.store.SaveGuest(g)
	})
	if changed {
		s.kit.Audit(app.SystemActor, "expire", userID, app.Result(err), "already deactivated")
	}
	return err
}

// withGuest runs fn under the user's lock with their record as it is
// then; a record that is gone (the guest was promoted meanwhile) leaves
// nothing to do.
func (s *Service) withGuest(userID string, fn func(g *store.Guest) error) error {
	return s.members.WithUserLock(userID, func() error {
		g, err := s.store.GetGuest(userID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return fn(g)
	})
}

func expiredAt(g *store.Guest, now int64) bool {
	return policy.ExpiryStateMillis(now, g.ExpiresAt, 0) == policy.ExpiryExpired
}

// sendReminder claims the reminder under the user lock (so it goes out once
// even if two runs overlap), then emails the guest and the inviter. If the
// guest's email cannot be sent the claim is undone so the next run retries.
func (s *Service) sendReminder(userID string, window time.Duration) (bool, error) {
	now := s.kit.Now().UnixMilli()
	var g *store.Guest
	if err := s.withGuest(userID, func(rec *store.Guest) error {
		if rec.Deactivated != store.ReasonNone || !reminderDue(rec, now, window) {
			return nil
		}
		rec.ReminderSentAt = now
		if err := s.store.SaveGuest(rec); err != nil {
			return err
		}
		g = rec
		return nil
	}); err != nil || g == nil {
		return false, err
	}

	u, appErr := s.api.GetUser(userID)
	if appErr != nil {
		s.unclaimReminder(userID, now)
		return false, appErr
	}
	expires := app.MsTime(g.ExpiresAt)
	days := daysLeft(expires.Sub(s.kit.Now()))
	var inviter *model.User
	if g.InvitedBy != "" && policy.PlainID(g.InvitedBy) {
		if iu, appErr := s.api.GetUser(g.InvitedBy); appErr == nil && iu.DeleteAt == 0 && !iu.IsBot && iu.Email != "" {
			inviter = iu
		}
	}
	d := mail.Data{
		TimeZone:      app.UserZone(u),
		RecipientName: app.DisplayName(u),
		ExpiresAt:     expires,
		DaysLeft:      days,
		Link:          s.kit.SiteLink(),
	}
	if inviter != nil {
		d.InviterName = app.DisplayName(inviter)
	}
	if err := s.kit.SendMail(u.Email, mail.ExpiryReminder, u.Locale, d); err != nil {
		s.unclaimReminder(userID, now)
		s.kit.Audit(app.SystemActor, "expiry_reminder", userID, app.Result(err), policy.FormatMillis(g.ExpiresAt))
		return false, err
	}
	s.kit.Audit(app.SystemActor, "expiry_reminder", userID, "success", policy.FormatMillis(g.ExpiresAt))
	if inviter != nil {
		if err := s.kit.SendMail(inviter.Email, mail.ExpiryReminderInviter, inviter.Locale, mail.Data{
			TimeZone:      app.UserZone(inviter),
			RecipientName: app.DisplayName(inviter),
			InviterName:   app.DisplayName(inviter),
			GuestName:     app.DisplayName(u) + " (@" + u.Username + ")",
			ExpiresAt:     expires,
			DaysLeft:      days,
			Link:          s.kit.SiteLink(),
		}); err != nil {
			// The guest was told; the inviter's copy is not retried.
			s.api.LogWarn("Guest Accounts: could not send the expiry reminder to the inviter", "user_id", userID, "inviter_id", inviter.Id, "error", err.Error())
		}
	}
	return true, nil
}

// unclaimReminder undoes a reminder claim whose email failed.
func (s *Service) unclaimReminder(userID string, claimedAt int64) {
	_ = s.members.WithUserLock(userID, func() error {
		g, err := s.store.GetGuest(userID)
		if err != nil || g.ReminderSentAt != claimedAt {
			return nil
		}
		g.ReminderSentAt = 0
		return s.store.SaveGuest(g)
	})
}

// expiryNotice is the expiry notice's recipient and contents.
type expiryNotice struct {
	to, locale string
	data       mail.Data
}

// expiredNotice reads what the expiry notice to a guest says.
func (s *Service) expiredNotice(userID string, g *store.Guest) (*expiryNotice, error) {
	u, appErr := s.api.GetUser(userID)
	if appErr != nil {
		return nil, appErr
	}
	d := mail.Data{
		TimeZone:      app.UserZone(u),
		RecipientName: app.DisplayName(u),
		ExpiresAt:     app.MsTime(g.ExpiresAt),
		Link:          s.kit.SiteLink(),
	}
	if g.InvitedBy != "" && policy.PlainID(g.InvitedBy) {
		if iu, appErr := s.api.GetUser(g.InvitedBy); appErr == nil && !iu.IsBot {
			d.InviterName = app.DisplayName(iu)
		}
	}
	return &expiryNotice{to: u.Email, locale: u.Locale, data: d}, nil
}

// daysLeft is the whole number of days in d for the reminder text, with an
// hour of slack so that "3 days minus a few seconds" reads "3 days".
func daysLeft(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return int((d + time.Hour) / (24 * time.Hour))
}

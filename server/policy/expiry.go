package policy

import (
	"fmt"
	"time"
)

// Expiry is the state of a guest account with respect to its expiry date.
type Expiry uint8

// Expiry states.
const (
	// ExpiryActive: no expiry date, or not yet within the reminder window.
	ExpiryActive Expiry = iota
	// ExpiryReminderDue: within the reminder window before the expiry date;
	// the reminder email is due (the caller records that it was sent).
	ExpiryReminderDue
	// ExpiryExpired: the expiry date has passed; deactivate the guest.
	ExpiryExpired
)

// String returns "active", "reminder_due" or "expired".
func (e Expiry) String() string {
	switch e {
	case ExpiryActive:
		return "active"
	case ExpiryReminderDue:
		return "reminder_due"
	case ExpiryExpired:
		return "expired"
	}
	return "unknown"
}

// ExpiryState classifies a guest at now. A zero expiresAt means the account
// never expires. The account is expired from expiresAt on (inclusive); the
// reminder is due from expiresAt-reminder (inclusive) until then. A reminder
// of 0 or less never makes a reminder due. It does not allocate.
func ExpiryState(now, expiresAt time.Time, reminder time.Duration) Expiry {
	switch {
	case expiresAt.IsZero():
		return ExpiryActive
	case !now.Before(expiresAt):
		return ExpiryExpired
	case reminder > 0 && !now.Before(expiresAt.Add(-reminder)):
		return ExpiryReminderDue
	}
	return ExpiryActive
}

// ExpiryStateMillis is ExpiryState on Unix milliseconds, the unit of the
// REST API and the KV records, where 0 (or less) for expiresAtMillis means
// "never".
func ExpiryStateMillis(nowMillis, expiresAtMillis int64, reminder time.Duration) Expiry {
	if expiresAtMillis <= 0 {
		return ExpiryActive
	}
	return ExpiryState(time.UnixMilli(nowMillis), time.UnixMilli(expiresAtMillis), reminder)
}

// DefaultExpiry returns the expiry date of a guest created at now under the
// "Default guest account lifetime" (Settings.DefaultAccountLifetime): now +
// lifetime, or the zero time (never) when lifetime is 0 or less.
func DefaultExpiry(now time.Time, lifetime time.Duration) time.Time {
	if lifetime <= 0 {
		return time.Time{}
	}
	return now.Add(lifetime)
}

// DefaultExpiryMillis is DefaultExpiry in Unix milliseconds; 0 means never.
func DefaultExpiryMillis(nowMillis int64, lifetime time.Duration) int64 {
	if lifetime <= 0 {
		return 0
	}
	return nowMillis + lifetime.Milliseconds()
}

// InvitationLifetime returns how long a new invitation stays valid: the
// settings' lifetime when requestedHours is 0 (not given), else
// requestedHours, which must be within the "Invitation lifetime (hours)"
// range, 1 to 720.
func InvitationLifetime(requestedHours int, s Settings) (time.Duration, error) {
	if requestedHours == 0 {
		return s.InvitationLifetime, nil
	}
	if requestedHours < MinInvitationLifetimeHours || requestedHours > MaxInvitationLifetimeHours {
		return 0, fmt.Errorf("invitation lifetime of %d hours: must be from %d to %d hours",
			requestedHours, MinInvitationLifetimeHours, MaxInvitationLifetimeHours)
	}
	return time.Duration(requestedHours) * time.Hour, nil
}

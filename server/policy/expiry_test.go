package policy

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExpiryState(t *testing.T) {
	exp := time.Date(2030, 6, 15, 12, 0, 0, 0, time.UTC)
	week := 7 * 24 * time.Hour
	tests := []struct {
		name     string
		now      time.Time
		expires  time.Time
		reminder time.Duration
		want     Expiry
	}{
		{"never expires", exp, time.Time{}, week, ExpiryActive},
		{"long before", exp.Add(-30 * 24 * time.Hour), exp, week, ExpiryActive},
		{"just before the window", exp.Add(-week - time.Nanosecond), exp, week, ExpiryActive},
		{"window opens", exp.Add(-week), exp, week, ExpiryReminderDue},
		{"inside the window", exp.Add(-time.Hour), exp, week, ExpiryReminderDue},
		{"at expiry", exp, exp, week, ExpiryExpired},
		{"after expiry", exp.Add(time.Hour), exp, week, ExpiryExpired},
		{"no reminder", exp.Add(-time.Hour), exp, 0, ExpiryActive},
		{"negative reminder", exp.Add(-time.Hour), exp, -week, ExpiryActive},
		{"no reminder, expired", exp, exp, 0, ExpiryExpired},
		{"other time zone", exp.In(time.FixedZone("x", 5*3600)), exp, week, ExpiryExpired},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, ExpiryState(tc.now, tc.expires, tc.reminder))
			var expMs int64
			if !tc.expires.IsZero() {
				expMs = tc.expires.UnixMilli()
			}
			assert.Equal(t, tc.want, ExpiryStateMillis(tc.now.UnixMilli(), expMs, tc.reminder))
		})
	}
	assert.Equal(t, ExpiryActive, ExpiryStateMillis(exp.UnixMilli(), -1, week))
	assert.Equal(t, "reminder_due", ExpiryReminderDue.String())
	assert.Equal(t, "unknown", Expiry(9).String())
}

func TestDefaultExpiry(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	assert.True(t, DefaultExpiry(now, 0).IsZero())
	assert.True(t, DefaultExpiry(now, -time.Hour).IsZero())
	assert.Equal(t, now.Add(90*24*time.Hour), DefaultExpiry(now, 90*24*time.Hour))
	assert.Zero(t, DefaultExpiryMillis(now.UnixMilli(), 0))
	assert.Equal(t, now.Add(24*time.Hour).UnixMilli(), DefaultExpiryMillis(now.UnixMilli(), 24*time.Hour))

	s, err := ParseSettings(RawSettings{
		EnableGuestAccounts: true, InvitationLifetimeHours: 1, DefaultAccountLifetimeDays: "30",
	})
	require.NoError(t, err)
	assert.Equal(t, now.AddDate(0, 0, 30), DefaultExpiry(now, s.DefaultAccountLifetime))
}

func TestInvitationLifetime(t *testing.T) {
	s := Settings{InvitationLifetime: 48 * time.Hour}
	tests := []struct {
		hours int
		want  time.Duration
		ok    bool
	}{
		{0, 48 * time.Hour, true},
		{1, time.Hour, true},
		{720, 720 * time.Hour, true},
		{721, 0, false},
		{-1, 0, false},
	}
	for _, tc := range tests {
		got, err := InvitationLifetime(tc.hours, s)
		if !tc.ok {
			assert.ErrorContains(t, err, "must be from 1 to 720 hours")
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, tc.want, got)
	}
}

func TestExpiryStateDoesNotAllocate(t *testing.T) {
	now, exp := time.Now(), time.Now().Add(time.Hour)
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = ExpiryState(now, exp, 24*time.Hour) }))
}

func BenchmarkExpiryState(b *testing.B) {
	now := time.Now()
	exp := now.Add(72 * time.Hour)
	b.ReportAllocs()
	for b.Loop() {
		_ = ExpiryState(now, exp, 7*24*time.Hour)
	}
}

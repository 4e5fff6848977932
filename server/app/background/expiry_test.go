package background

import (
	"testing"
	"time"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

func TestReminderDue(t *testing.T) {
	const day = int64(24 * time.Hour / time.Millisecond)
	window := 7 * 24 * time.Hour
	now := int64(1_000_000 * day)
	cases := []struct {
		name      string
		expiresAt int64
		sentAt    int64
		want      bool
	}{
		{"no expiry", 0, 0, false},
		{"far off", now + 30*day, 0, false},
		{"in the window, not sent", now + 3*day, 0, true},
		{"window starts now", now + 7*day, 0, true},
		{"sent in this window", now + 3*day, now - day, false},
		{"sent for an earlier date", now + 3*day, now - 10*day, true},
		{"expired", now, 0, false},
	}
	for _, c := range cases {
		g := &store.Guest{ExpiresAt: c.expiresAt, ReminderSentAt: c.sentAt}
		if got := reminderDue(g, now, window); got != c.want {
			t.Errorf("%s: reminderDue = %v, want %v", c.name, got, c.want)
		}
	}
	if reminderDue(&store.Guest{ExpiresAt: now + day}, now, 0) {
		t.Error("a reminder window of 0 must never make a reminder due")
	}
}

func TestDaysLeft(t *testing.T) {
	cases := map[time.Duration]int{
		-time.Hour:                    0,
		0:                             0,
		22 * time.Hour:                0,
		24 * time.Hour:                1,
		3*24*time.Hour - time.Second:  3,
		3*24*time.Hour + 20*time.Hour: 3,
		7 * 24 * time.Hour:            7,
	}
	for d, want := range cases {
		if got := daysLeft(d); got != want {
			t.Errorf("daysLeft(%v) = %d, want %d", d, got, want)
		}
	}
}

package policy

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestUndoGuestChannel(t *testing.T) {
	def := DefaultRestrictions() // private channels off
	allowed := Effective(def, Overrides{CreatePrivateChannels: ptr(true)})
	tests := []struct {
		name          string
		private       bool
		who           RegistryAnswer
		guestTeamRole bool
		r             Restrictions
		want          bool
	}{
		{"member's public channel", false, NotAGuest, false, def, false},
		{"member's private channel", true, NotAGuest, false, def, false},
		{"guest's public channel through an ordinary team membership", false, AGuest, false, allowed, true},
		{"guest's private channel through an ordinary team membership, even if allowed", true, AGuest, false, allowed, true},
		{"guest's public channel through a guest team membership", false, AGuest, true, def, false},
		{"guest's private channel through a guest team membership, not allowed", true, AGuest, true, def, true},
		{"guest's private channel through a guest team membership, allowed", true, AGuest, true, allowed, false},
		{"unreadable registry, private channel", true, RegistryUnreadable, false, allowed, true},
		{"unreadable registry, public channel", false, RegistryUnreadable, false, def, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, UndoGuestChannel(tc.private, tc.who, tc.guestTeamRole, tc.r))
		})
	}
}

func TestIsChannelChangePost(t *testing.T) {
	for typ, want := range map[string]bool{
		"system_header_change":      true,
		"system_purpose_change":     true,
		"system_displayname_change": true,
		"system_join_channel":       false,
		"system_leave_channel":      false,
		"system_add_to_channel":     false,
		"":                          false,
		"custom_header_change":      false,
		"SYSTEM_HEADER_CHANGE":      false,
	} {
		assert.Equal(t, want, IsChannelChangePost(typ), typ)
	}
}

func TestEscapeDecisionsDoNotAllocate(t *testing.T) {
	r := DefaultRestrictions()
	assert.Zero(t, testing.AllocsPerRun(100, func() {
		_ = UndoGuestChannel(true, AGuest, false, r)
		_ = IsChannelChangePost("system_header_change")
	}))
}

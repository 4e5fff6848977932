package policy

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestGuestJoinDecision(t *testing.T) {
	admin := GuestJoin{ActorAllowed: true}
	with := func(base GuestJoin, f func(*GuestJoin)) GuestJoin { f(&base); return base }
	tests := []struct {
		name    string
		join    GuestJoin
		outcome JoinOutcome
		reason  JoinReason
	}{
		{"guest membership from the window", GuestJoin{GuestMembership: true}, JoinKeep, JoinNoReason},
		{"guest membership even when self-service", GuestJoin{GuestMembership: true, SelfService: true}, JoinKeep, JoinNoReason},
		{"guest team membership", GuestJoin{Team: true, GuestMembership: true}, JoinKeep, JoinNoReason},
		{"DM membership", GuestJoin{DirectOrGroup: true, SelfService: true}, JoinKeep, JoinNoReason},
		{"self-join of a public channel", GuestJoin{SelfService: true}, JoinRefuse, JoinSelfService},
		{"self-join of an open team", GuestJoin{Team: true, SelfService: true}, JoinRefuse, JoinSelfService},
		{"self-join of a team is not a DM", GuestJoin{Team: true, SelfService: true, DirectOrGroup: true}, JoinRefuse, JoinSelfService},
		{"given channel re-added by anyone", GuestJoin{Given: true, SelfService: true}, JoinConvert, JoinNoReason},
		{"given channel at the cap", GuestJoin{Given: true, ChannelCount: 3, MaxChannels: 3}, JoinConvert, JoinNoReason},
		{"member not allowed adds to channel", GuestJoin{}, JoinRefuse, JoinActorNotAllowed},
		{"member not allowed adds to team", GuestJoin{Team: true}, JoinRefuse, JoinActorNotAllowed},
		{"admin adds to team", GuestJoin{Team: true, ActorAllowed: true}, JoinConvert, JoinNoReason},
		{"admin adds to team of a single-channel guest", GuestJoin{Team: true, ActorAllowed: true, SingleChannel: true, ChannelCount: 1}, JoinConvert, JoinNoReason},
		{"admin adds to channel, no cap", with(admin, func(j *GuestJoin) { j.ChannelCount = 40 }), JoinConvert, JoinNoReason},
		{"admin adds under the cap", with(admin, func(j *GuestJoin) { j.ChannelCount = 1; j.MaxChannels = 2 }), JoinConvert, JoinNoReason},
		{"admin adds at the cap", with(admin, func(j *GuestJoin) { j.ChannelCount = 2; j.MaxChannels = 2 }), JoinRefuse, JoinChannelCap},
		{"DMs not counted", with(admin, func(j *GuestJoin) { j.ChannelCount = 1; j.MaxChannels = 2; j.DMCount = 5 }), JoinConvert, JoinNoReason},
		{"DMs counted", with(admin, func(j *GuestJoin) { j.ChannelCount = 1; j.MaxChannels = 2; j.DMCount = 1; j.CountDM = true }), JoinRefuse, JoinChannelCap},
		{"single-channel guest's first channel", with(admin, func(j *GuestJoin) { j.SingleChannel = true }), JoinConvert, JoinNoReason},
		{"single-channel guest's second channel", with(admin, func(j *GuestJoin) { j.SingleChannel = true; j.ChannelCount = 1 }), JoinRefuse, JoinSingleChannel},
		{"single-channel checked before the cap", with(admin, func(j *GuestJoin) { j.SingleChannel = true; j.ChannelCount = 1; j.MaxChannels = 1 }), JoinRefuse, JoinSingleChannel},
		{"negative count fails closed on a negative cap", with(admin, func(j *GuestJoin) { j.ChannelCount = -3; j.MaxChannels = -1 }), JoinRefuse, JoinChannelCap},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			outcome, reason := GuestJoinDecision(tc.join)
			assert.Equal(t, tc.outcome, outcome)
			assert.Equal(t, tc.reason, reason, "got %s", reason)
			assert.Equal(t, tc.outcome == JoinRefuse, reason != JoinNoReason, "a refusal has a reason, and only a refusal")
		})
	}
}

func TestJoinReasonString(t *testing.T) {
	seen := map[string]bool{}
	for r := JoinNoReason; r <= JoinChannelCap; r++ {
		s := r.String()
		assert.NotEqual(t, "unknown", s)
		assert.False(t, seen[s], "duplicate %s", s)
		seen[s] = true
	}
	assert.Equal(t, "unknown", JoinReason(200).String())
}

func TestGuestJoinDecisionDoesNotAllocate(t *testing.T) {
	j := GuestJoin{ActorAllowed: true, ChannelCount: 3, MaxChannels: 5, CountDM: true, DMCount: 1}
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = GuestJoinDecision(j) }))
}

func BenchmarkGuestJoinDecision(b *testing.B) {
	b.ReportAllocs()
	j := GuestJoin{ActorAllowed: true, ChannelCount: 3, MaxChannels: 5, CountDM: true, DMCount: 1}
	for b.Loop() {
		_, _ = GuestJoinDecision(j)
	}
}

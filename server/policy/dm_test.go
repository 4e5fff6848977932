package policy

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDMAllowed(t *testing.T) {
	var (
		member    = DMParty{}
		guest     = DMParty{IsGuest: true, DirectMessages: true}
		mutedGst  = DMParty{IsGuest: true, DirectMessages: false}
		pluginBot = DMParty{Exempt: true}
	)
	tests := []struct {
		name    string
		sender  DMParty
		others  []DMParty
		shares  []bool // sharesChannel per other; nil func when nil
		allowM  bool
		want    DMReason
		maxCall int // upper bound on sharesChannel calls
	}{
		{"member to member", member, []DMParty{member}, []bool{false}, false, DMOK, 0},
		{"member to members GM", member, []DMParty{member, member}, []bool{false, false}, false, DMOK, 0},
		{"self DM of a guest", guest, nil, nil, false, DMOK, 0},
		{"self DM of a DM-restricted guest", mutedGst, nil, nil, false, DMOK, 0},
		{"guest to member sharing a channel", guest, []DMParty{member}, []bool{true}, false, DMOK, 1},
		{"guest to member sharing none", guest, []DMParty{member}, []bool{false}, false, DMGuestNoSharedChannel, 1},
		{"guest to member sharing none, members allowed", guest, []DMParty{member}, []bool{false}, true, DMGuestNoSharedChannel, 1},
		{"guest to guest sharing", guest, []DMParty{guest}, []bool{true}, false, DMOK, 1},
		{"guest to guest sharing none", guest, []DMParty{guest}, []bool{false}, true, DMGuestNoSharedChannel, 1},
		{"guest GM one outsider", guest, []DMParty{member, member, member}, []bool{true, false, true}, false, DMGuestNoSharedChannel, 2},
		{"guest GM all shared", guest, []DMParty{member, guest, member}, []bool{true, true, true}, false, DMOK, 3},
		{"member to guest sharing", member, []DMParty{guest}, []bool{true}, false, DMOK, 1},
		{"member to guest sharing none", member, []DMParty{guest}, []bool{false}, false, DMMemberNoSharedChannel, 1},
		{"member to guest sharing none, allowed", member, []DMParty{guest}, []bool{false}, true, DMOK, 0},
		{"member GM with outside guest", member, []DMParty{member, guest}, []bool{false, false}, false, DMMemberNoSharedChannel, 1},
		{"member GM only checks guests", member, []DMParty{member, guest}, []bool{false, true}, false, DMOK, 1},
		{"restricted guest sends", mutedGst, []DMParty{member}, []bool{true}, true, DMSenderRestricted, 0},
		{"member to restricted guest", member, []DMParty{mutedGst}, []bool{true}, true, DMRecipientRestricted, 0},
		{"guest to restricted guest", guest, []DMParty{mutedGst}, []bool{true}, false, DMRecipientRestricted, 0},
		{"GM including a restricted guest", member, []DMParty{member, mutedGst}, []bool{true, true}, true, DMRecipientRestricted, 0},
		{"plugin bot to restricted guest", pluginBot, []DMParty{mutedGst}, []bool{false}, false, DMOK, 0},
		{"guest replies to plugin bot", guest, []DMParty{pluginBot}, []bool{false}, false, DMOK, 0},
		{"restricted guest replies to plugin bot", mutedGst, []DMParty{pluginBot}, []bool{false}, false, DMSenderRestricted, 0},
		{"nil sharesChannel fails closed", guest, []DMParty{member}, nil, false, DMGuestNoSharedChannel, 0},
		{"nil sharesChannel, member to member", member, []DMParty{member}, nil, false, DMOK, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			var shares func(int) bool
			if tc.shares != nil {
				shares = func(i int) bool { calls++; return tc.shares[i] }
			}
			got := DMAllowed(tc.sender, tc.others, shares, tc.allowM)
			assert.Equal(t, tc.want, got, "got %s", got)
			assert.Equal(t, tc.want == DMOK, got.Allowed())
			assert.LessOrEqual(t, calls, tc.maxCall, "sharesChannel is called lazily")
		})
	}
}

func TestDMReasonString(t *testing.T) {
	seen := map[string]bool{}
	for r := DMOK; r <= DMMemberNoSharedChannel; r++ {
		s := r.String()
		assert.NotEqual(t, "unknown", s)
		assert.False(t, seen[s], "distinct: %s", s)
		seen[s] = true
	}
	assert.Equal(t, "unknown", DMReason(200).String())
}

func TestDMAllowedDoesNotAllocate(t *testing.T) {
	others := []DMParty{{}, {IsGuest: true, DirectMessages: true}, {}}
	shared := []bool{true, true, true}
	sender := DMParty{IsGuest: true, DirectMessages: true}
	allocs := testing.AllocsPerRun(100, func() {
		_ = DMAllowed(sender, others, func(i int) bool { return shared[i] }, false)
	})
	assert.Zero(t, allocs)
}

func BenchmarkDMAllowed(b *testing.B) {
	sender := DMParty{IsGuest: true, DirectMessages: true}
	others := []DMParty{{}, {IsGuest: true, DirectMessages: true}, {}}
	shared := []bool{true, true, true}
	b.Run("guest GM", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = DMAllowed(sender, others, func(i int) bool { return shared[i] }, false)
		}
	})
	b.Run("member DM", func(b *testing.B) {
		b.ReportAllocs()
		one := []DMParty{{}}
		for b.Loop() {
			_ = DMAllowed(DMParty{}, one, func(int) bool { return false }, false)
		}
	})
}

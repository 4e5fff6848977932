package policy

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCapAllows(t *testing.T) {
	tests := []struct {
		active, pending, limit int
		want                   bool
	}{
		{0, 0, 0, true},
		{1_000_000, 1_000_000, 0, true}, // unlimited
		{0, 0, 1, true},
		{1, 0, 1, false},
		{0, 1, 1, false}, // a pending invitation holds the place
		{4, 5, 10, true},
		{5, 5, 10, false},
		{9, 0, 10, true},
		{10, 0, 10, false},
		{11, 0, 10, false}, // over the cap after the cap was lowered
		{-3, 0, 1, true},   // corrupt negative counter reads as 0
		{-3, 1, 1, false},
		{0, 0, -1, false}, // a negative cap allows nothing
		{math.MaxInt, math.MaxInt, 10, false},
		{math.MaxInt - 1, 1, math.MaxInt, false}, // no overflow
		{math.MaxInt - 2, 1, math.MaxInt, true},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, CapAllows(tc.active, tc.pending, tc.limit), "CapAllows(%d, %d, %d)", tc.active, tc.pending, tc.limit)
	}
}

func TestInviteCapDecision(t *testing.T) {
	tests := []struct {
		active, pending, requested, limit, want int
	}{
		{0, 0, 5, 0, 5},
		{100, 100, 50, 0, 50},
		{0, 0, 5, 10, 5},
		{3, 4, 5, 10, 3},
		{5, 5, 1, 10, 0},
		{12, 0, 3, 10, 0},
		{0, 0, 0, 10, 0},
		{0, 0, -2, 10, 0},
		{0, 0, 5, -1, 0},
		{math.MaxInt, 1, 5, 10, 0},
		{1, 1, math.MaxInt, math.MaxInt, math.MaxInt - 2},
	}
	for _, tc := range tests {
		got := InviteCapDecision(tc.active, tc.pending, tc.requested, tc.limit)
		assert.Equal(t, tc.want, got, "InviteCapDecision(%d, %d, %d, %d)", tc.active, tc.pending, tc.requested, tc.limit)
		if tc.limit > 0 && got > 0 {
			assert.LessOrEqual(t, tc.active+tc.pending+got, tc.limit, "never exceeds the cap")
		}
	}
}

func TestChannelCap(t *testing.T) {
	tests := []struct {
		channels, limit int
		countDM         bool
		dms             int
		room            int
	}{
		{0, 0, false, 0, Unlimited},
		{500, 0, true, 500, Unlimited},
		{0, 3, false, 0, 3},
		{2, 3, false, 10, 1},
		{2, 3, true, 0, 1},
		{2, 3, true, 1, 0},
		{3, 3, false, 0, 0},
		{4, 3, false, 0, 0},
		{1, 3, true, -5, 2},
		{0, -1, false, 0, 0},
		{math.MaxInt, 3, true, math.MaxInt, 0},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.room, ChannelRoom(tc.channels, tc.limit, tc.countDM, tc.dms), "ChannelRoom%v", tc)
		assert.Equal(t, tc.room > 0, ChannelCapAllows(tc.channels, tc.limit, tc.countDM, tc.dms), "ChannelCapAllows%v", tc)
	}
}

func TestSingleChannelAllows(t *testing.T) {
	tests := []struct {
		single           bool
		channels, adding int
		want             bool
	}{
		{false, 5, 5, true},
		{true, 0, 1, true},
		{true, 0, 2, false},
		{true, 1, 1, false},
		{true, 1, 0, true},
		{true, 2, 0, false},
		{true, 0, 0, true},
		{true, -1, 1, true},
		{true, 0, math.MaxInt, false},
		{true, math.MaxInt, 1, false},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, SingleChannelAllows(tc.single, tc.channels, tc.adding), "%+v", tc)
	}
}

func TestCapsDoNotAllocate(t *testing.T) {
	assert.Zero(t, testing.AllocsPerRun(100, func() {
		_ = CapAllows(3, 4, 10)
		_ = InviteCapDecision(3, 4, 5, 10)
		_ = ChannelCapAllows(2, 3, true, 1)
		_ = SingleChannelAllows(true, 0, 1)
	}))
}

func BenchmarkCapAllows(b *testing.B) {
	b.ReportAllocs()
	active, pending := 40, 9
	for b.Loop() {
		_ = CapAllows(active, pending, 50)
	}
}

func BenchmarkChannelCapAllows(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = ChannelCapAllows(7, 10, true, 2)
	}
}

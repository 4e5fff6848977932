package policy

import (
	"testing"
	"time"
)

// Benchmarks of the decisions the server hooks take, one per hook path,
// next to the ones beside each rule (BenchmarkDMAllowed, BenchmarkAllows,
// BenchmarkGuestJoinDecision, ...). `make bench` prints them all; the
// hot-path ones (a non-guest posting, joining, logging in) must stay under
// 1 µs with 0 allocations. Nothing here asserts on time.

var (
	sinkBool   bool
	sinkInt    int
	sinkInt64  int64
	sinkString string
)

// MessageWillBePosted / FileWillBeUploaded, member in a DM or GM with no
// guest: the DM rule answers without asking who shares a channel.
func BenchmarkHookPostMemberDMNoGuest(b *testing.B) {
	others := []DMParty{{}, {}}
	shares := func(int) bool { b.Fatal("asked about shared channels"); return false }
	b.ReportAllocs()
	for b.Loop() {
		if DMAllowed(DMParty{}, others, shares, false) != DMOK {
			b.Fatal("refused")
		}
	}
}

// MessageWillBePosted, guest in a DM with a member they share a channel with.
func BenchmarkHookPostGuestDM(b *testing.B) {
	sender := DMParty{IsGuest: true, DirectMessages: true}
	others := []DMParty{{}}
	shares := func(int) bool { return true }
	d := DefaultRestrictions()
	o := Overrides{}
	b.ReportAllocs()
	for b.Loop() {
		sender.DirectMessages = Effective(d, o)[DirectMessages]
		if DMAllowed(sender, others, shares, false) != DMOK {
			b.Fatal("refused")
		}
	}
}

// MessageWillBePosted / FileWillBeUploaded for a guest: the MFA rule (no
// MFA settings: decided without a lookup).
func BenchmarkHookPostGuestMFARule(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if GuestMFARule(nil, false, nil) != MFANotRequired {
			b.Fatal("MFA")
		}
	}
}

// The MFA team list check, when MFA is required for some teams.
func BenchmarkHookPostGuestInMFATeam(b *testing.B) {
	teams := []string{"sales", "support", "partners", "legal"}
	b.ReportAllocs()
	for b.Loop() {
		sinkBool = InMFATeam(teams, "partners")
	}
}

// FileWillBeUploaded / FileWillBeDownloaded / MessageWillBeUpdated /
// ReactionHasBeenAdded / ChannelHasBeenCreated for a guest: the effective
// restrictions.
func BenchmarkHookRestrictionsGuest(b *testing.B) {
	no := false
	o := Overrides{UploadFiles: &no}
	d := DefaultRestrictions()
	b.ReportAllocs()
	for b.Loop() {
		r := Effective(d, o)
		sinkBool = r[UploadFiles] || r[EditOwnPosts] || r[React]
	}
}

// UserHasJoinedChannel / ChannelMemberWillBeAdded: the plugin's own window
// addition (a guest membership) is recognised first.
func BenchmarkHookJoinGuestMembership(b *testing.B) {
	j := GuestJoin{GuestMembership: true}
	b.ReportAllocs()
	for b.Loop() {
		if o, _ := GuestJoinDecision(j); o != JoinKeep {
			b.Fatal("not kept")
		}
	}
}

// UserHasJoinedChannel / ChannelMemberWillBeAdded: a guest's self-join is
// refused.
func BenchmarkHookJoinGuestSelfService(b *testing.B) {
	j := GuestJoin{SelfService: true, MaxChannels: 10}
	b.ReportAllocs()
	for b.Loop() {
		if o, _ := GuestJoinDecision(j); o != JoinRefuse {
			b.Fatal("not refused")
		}
	}
}

// Channel cap on a join by an admin: the guest is at the cap.
func BenchmarkHookJoinChannelCap(b *testing.B) {
	j := GuestJoin{ActorAllowed: true, ChannelCount: 10, MaxChannels: 10, CountDM: true, DMCount: 3}
	b.ReportAllocs()
	for b.Loop() {
		if o, r := GuestJoinDecision(j); o != JoinRefuse || r != JoinChannelCap {
			b.Fatal("not refused by the cap")
		}
	}
}

// Channel room and the single-channel rule (invite, add channels).
func BenchmarkHookChannelRoom(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sinkInt = ChannelRoom(7, 10, true, 2)
		sinkBool = SingleChannelAllows(true, 1, 1)
	}
}

// The active-guest cap when sending invitations (POST /invites).
func BenchmarkHookInviteCap(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sinkInt = InviteCapDecision(99_990, 5, 10, 100_000)
	}
}

// Who may invite: the join hooks ask it when an admin adds a guest.
func BenchmarkHookMayInvite(b *testing.B) {
	s := Settings{EnableGuestAccounts: true, WhoMayInvite: InviteMembers}
	b.ReportAllocs()
	for b.Loop() {
		sinkBool = MayInvite(Actor{IsTeamAdmin: true}, s)
	}
}

// UserWillLogIn for a guest: the allowed-domains check of their address.
func BenchmarkHookLoginGuestDomain(b *testing.B) {
	l := benchList(b)
	b.ReportAllocs()
	for b.Loop() {
		ok, _, _ := l.AllowsEmail("jane@sub.partner.org")
		sinkBool = ok
	}
}

// The expiry job's per-guest decision (millisecond form, as stored).
func BenchmarkHookExpiryStateMillis(b *testing.B) {
	now := time.Now().UnixMilli()
	exp := now + (72 * time.Hour).Milliseconds()
	b.ReportAllocs()
	for b.Loop() {
		sinkBool = ExpiryStateMillis(now, exp, 7*24*time.Hour) == ExpiryReminderDue
	}
}

// A new guest's default expiry date (invite, create).
func BenchmarkHookDefaultExpiry(b *testing.B) {
	now := time.Now().UnixMilli()
	b.ReportAllocs()
	for b.Loop() {
		sinkInt64 = DefaultExpiryMillis(now, 90*24*time.Hour)
	}
}

// The invitation link's token hash (accept page, one per request).
func BenchmarkHookHashToken(b *testing.B) {
	raw, _, err := NewToken(nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		sinkString = HashToken(raw)
	}
}

package policy

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMayInvite(t *testing.T) {
	var (
		member    = Actor{}
		teamAdmin = Actor{IsTeamAdmin: true}
		sysAdmin  = Actor{IsSystemAdmin: true}
		guest     = Actor{IsGuest: true}
		adminGst  = Actor{IsGuest: true, IsSystemAdmin: true, IsTeamAdmin: true}
		bot       = Actor{IsBot: true}
		teamBot   = Actor{IsBot: true, IsTeamAdmin: true}
		adminBot  = Actor{IsBot: true, IsSystemAdmin: true}
	)
	tests := []struct {
		name    string
		who     Inviters
		enabled bool
		actor   Actor
		want    bool
	}{
		{"sysadmin, admins only", InviteSystemAdmins, true, sysAdmin, true},
		{"team admin, admins only", InviteSystemAdmins, true, teamAdmin, false},
		{"member, admins only", InviteSystemAdmins, true, member, false},
		{"team admin, team admins", InviteTeamAdmins, true, teamAdmin, true},
		{"member, team admins", InviteTeamAdmins, true, member, false},
		{"sysadmin, team admins", InviteTeamAdmins, true, sysAdmin, true},
		{"member, members", InviteMembers, true, member, true},
		{"team admin, members", InviteMembers, true, teamAdmin, true},
		{"guest, members", InviteMembers, true, guest, false},
		{"guest flagged admin, members", InviteMembers, true, adminGst, false},
		{"guest flagged admin, admins only", InviteSystemAdmins, true, adminGst, false},
		{"bot, members", InviteMembers, true, bot, false},
		{"team-admin bot, team admins", InviteTeamAdmins, true, teamBot, false},
		{"sysadmin bot, admins only", InviteSystemAdmins, true, adminBot, true},
		{"sysadmin, switched off", InviteMembers, false, sysAdmin, false},
		{"member, switched off", InviteMembers, false, member, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := Settings{EnableGuestAccounts: tc.enabled, WhoMayInvite: tc.who}
			assert.Equal(t, tc.want, MayInvite(tc.actor, s))
		})
	}
}

func TestMayInviteToChannel(t *testing.T) {
	members := Settings{EnableGuestAccounts: true, WhoMayInvite: InviteMembers}
	adminsOnly := Settings{EnableGuestAccounts: true, WhoMayInvite: InviteSystemAdmins}
	in := ChannelTarget{ActorIsMember: true}
	out := ChannelTarget{}
	tests := []struct {
		name  string
		actor Actor
		s     Settings
		ch    ChannelTarget
		want  bool
	}{
		{"member in channel", Actor{}, members, in, true},
		{"member not in channel", Actor{}, members, out, false},
		{"team admin not in channel", Actor{IsTeamAdmin: true}, members, out, false},
		{"sysadmin not in channel", Actor{IsSystemAdmin: true}, adminsOnly, out, true},
		{"member in channel, admins only", Actor{}, adminsOnly, in, false},
		{"guest in channel", Actor{IsGuest: true}, members, in, false},
		{"DM channel", Actor{IsSystemAdmin: true}, members, ChannelTarget{ActorIsMember: true, IsDirect: true}, false},
		{"archived channel", Actor{IsSystemAdmin: true}, members, ChannelTarget{ActorIsMember: true, IsArchived: true}, false},
		{"switched off", Actor{IsSystemAdmin: true}, Settings{WhoMayInvite: InviteMembers}, in, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, MayInviteToChannel(tc.actor, tc.s, tc.ch))
		})
	}
}

func TestMayInviteDoesNotAllocate(t *testing.T) {
	s := Settings{EnableGuestAccounts: true, WhoMayInvite: InviteMembers}
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = MayInviteToChannel(Actor{}, s, ChannelTarget{ActorIsMember: true}) }))
}

func BenchmarkMayInviteToChannel(b *testing.B) {
	s := Settings{EnableGuestAccounts: true, WhoMayInvite: InviteTeamAdmins}
	a := Actor{IsTeamAdmin: true}
	ch := ChannelTarget{ActorIsMember: true}
	b.ReportAllocs()
	for b.Loop() {
		_ = MayInviteToChannel(a, s, ch)
	}
}

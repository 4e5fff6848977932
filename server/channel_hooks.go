package main

import (
	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"
)

// UserHasJoinedChannel is called by core, asynchronously, after a channel
// membership is committed (every server version). actor is who added the
// user: nil for memberships a plugin made, the user for self-joins. A
// guest's ordinary membership is converted or removed.
func (p *Plugin) UserHasJoinedChannel(c *plugin.Context, member *model.ChannelMember, actor *model.User) {
	if p.app == nil || member == nil || !p.app.enforce.MayBeGuest(member.UserId) {
		return
	}
	p.app.enforce.GuestMembershipsChanged(member.UserId)
	p.app.enforce.GuestJoinedChannel(member, p.actorID(c, actor))
}

// UserHasLeftChannel is called by core, asynchronously, after a channel
// membership is removed (every server version): the user left, was
// removed (core's /kick and /remove, the member list) or the plugin
// removed them. actor is who removed them, nil when core names nobody.
// Anyone's leave drops the DM rule's cached answers about them (one map
// write); non-guests then cost one cache lookup (MayBeGuest).
func (p *Plugin) UserHasLeftChannel(c *plugin.Context, member *model.ChannelMember, actor *model.User) {
	if p.app == nil || member == nil {
		return
	}
	// Anyone leaving may end what a guest shares with them (the DM rule).
	p.app.enforce.MembershipLeft(member.UserId)
	if !p.app.enforce.MayBeGuest(member.UserId) {
		return
	}
	p.app.enforce.GuestMembershipsChanged(member.UserId)
	p.app.enforce.GuestLeftChannel(member, p.actorID(c, actor))
}

// ChannelMemberWillBeAdded is called by core before a channel membership is
// saved (11.7 and later; older servers never call it). A non-empty reason
// refuses the membership. Non-guests cost one cache lookup (MayBeGuest)
// in both join hooks, before the session is read.
func (p *Plugin) ChannelMemberWillBeAdded(c *plugin.Context, member *model.ChannelMember) (*model.ChannelMember, string) {
	if p.app == nil || member == nil || !p.app.enforce.MayBeGuest(member.UserId) {
		return nil, ""
	}
	p.app.enforce.GuestMembershipsChanged(member.UserId)
	return nil, p.app.enforce.CheckChannelMemberAdd(member, p.app.enforce.SessionUserID(sessionID(c)))
}

// ChannelHasBeenCreated is called by core after any channel is created,
// including direct and group message channels: guests (and members
// messaging guests) the DM rule refuses are told at once, and a channel a
// guest created is undone.
func (p *Plugin) ChannelHasBeenCreated(_ *plugin.Context, channel *model.Channel) {
	if p.app == nil || channel == nil {
		return
	}
	p.app.enforce.DirectChannelCreated(channel)
	p.app.enforce.GuestChannelCreated(channel)
}

// ChannelWillBeUpdated is called by core before a channel change is saved
// (11.8 and later; older servers never call it): a header or purpose
// change of a direct or group message the DM rule refuses is vetoed.
func (p *Plugin) ChannelWillBeUpdated(c *plugin.Context, newChannel, oldChannel *model.Channel) (*model.Channel, string) {
	if p.app == nil {
		return nil, ""
	}
	return nil, p.app.enforce.CheckChannelUpdate(newChannel, oldChannel, sessionID(c))
}

// actorID is who made a membership: the actor core names, else the user
// of the request's session (core often names none: docs/measured-facts.md,
// "Hooks and memberships"). Plugin-made memberships have neither ("").
func (p *Plugin) actorID(c *plugin.Context, actor *model.User) string {
	if actor != nil {
		return actor.Id
	}
	return p.app.enforce.SessionUserID(sessionID(c))
}

func sessionID(c *plugin.Context) string {
	if c == nil {
		return ""
	}
	return c.SessionId
}

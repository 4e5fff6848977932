package main

import (
	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"
)

// UserHasJoinedTeam is called by core, asynchronously, after a team
// membership is committed (every server version); actor is nil for
// self-joins and plugin-made memberships. A guest's ordinary team
// membership is converted or removed.
func (p *Plugin) UserHasJoinedTeam(c *plugin.Context, member *model.TeamMember, actor *model.User) {
	if p.app == nil || member == nil || !p.app.enforce.MayBeGuest(member.UserId) {
		return
	}
	p.app.enforce.GuestJoinedTeam(member, p.actorID(c, actor))
}

// TeamMemberWillBeAdded is called by core before a team membership is
// saved (11.7 and later). A non-empty reason refuses it.
func (p *Plugin) TeamMemberWillBeAdded(c *plugin.Context, member *model.TeamMember) (*model.TeamMember, string) {
	if p.app == nil || member == nil || !p.app.enforce.MayBeGuest(member.UserId) {
		return nil, ""
	}
	return nil, p.app.enforce.CheckTeamMemberAdd(member, p.app.enforce.SessionUserID(sessionID(c)))
}

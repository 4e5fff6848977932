package app

import (
	"errors"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// Guest isolation: every team and channel membership of a guest is a guest
// membership. Core reports memberships made any other way after the fact
// (UserHasJoinedChannel / UserHasJoinedTeam, every server) or asks before
// the fact (ChannelMemberWillBeAdded / TeamMemberWillBeAdded, 11.7+). Both
// paths ask policy.GuestJoinDecision the same question.
//
// The plugin's own window additions fire these hooks too: their membership
// is a guest one, which is recognised before anything else is read, and no
// lock is taken for them (the window holds the user lock; core runs the
// after-the-fact hooks asynchronously, and the veto hooks never wait for
// the lock).

// GuestJoinedChannel handles a channel membership core has committed.
// actorID is who added the user ("" for self-joins and plugin additions).
func (a *App) GuestJoinedChannel(member *model.ChannelMember, actorID string) {
	if pluginMade(member.SchemeGuest, actorID) {
		return
	}
	if _, err := a.guests.Cached(member.UserId); err != nil {
		a.logRegistryError(err, member.UserId)
		return
	}
	ch, appErr := a.api.GetChannel(member.ChannelId)
	if appErr != nil {
		a.api.LogWarn("Guest Accounts: a guest joined a channel that cannot be read", "channel_id", member.ChannelId, "error", appErr.Error())
		return
	}
	var (
		outcome policy.JoinOutcome
		reason  policy.JoinReason
		changed bool
	)
	err := a.members.WithUserLock(member.UserId, func() error {
		g, err := a.store.GetGuest(member.UserId)
		if err != nil {
			return err // promoted meanwhile: nothing to guard
		}
		outcome, reason = policy.GuestJoinDecision(a.channelJoin(g, ch, false, actorID))
		if outcome == policy.JoinRefuse && member.SchemeGuest {
			// Made by someone else while a role window was open (or by
			// core's own guest role): a guest membership, removed all the same.
			return a.members.LeaveChannelLocked(g.UserID, ch.Id)
		}
		switch outcome {
		case policy.JoinConvert:
			if err := a.members.ConvertChannelLocked(g.UserID, ch.Id, g.ChannelIDs); err != nil {
				return err
			}
			if !contains(g.ChannelIDs, ch.Id) {
				g.ChannelIDs = append(g.ChannelIDs, ch.Id)
				changed = true
			}
			if !contains(g.TeamIDs, ch.TeamId) {
				g.TeamIDs = append(g.TeamIDs, ch.TeamId)
			}
			return a.store.SaveGuest(g)
		case policy.JoinRefuse:
			_, err := a.members.LeaveOrdinaryChannelLocked(g.UserID, ch.Id)
			return err
		}
		return nil
	})
	if errors.Is(err, store.ErrNotFound) || (outcome == policy.JoinKeep && err == nil) {
		return // promoted meanwhile, or nothing to do
	}
	a.Audit(actorID, "guest_channel_join", member.UserId, joinResult(outcome, reason, err), ch.Id)
	if err != nil {
		a.api.LogError("Guest Accounts: could not enforce a guest's channel membership", "user_id", member.UserId, "channel_id", ch.Id, "error", err.Error())
		return
	}
	a.notifyChannelJoin(member.UserId, actorID, ch, outcome, reason, changed)
}

// GuestJoinedTeam handles a team membership core has committed.
func (a *App) GuestJoinedTeam(member *model.TeamMember, actorID string) {
	if pluginMade(member.SchemeGuest, actorID) {
		return
	}
	if _, err := a.guests.Cached(member.UserId); err != nil {
		a.logRegistryError(err, member.UserId)
		return
	}
	var (
		outcome policy.JoinOutcome
		reason  policy.JoinReason
	)
	err := a.members.WithUserLock(member.UserId, func() error {
		g, err := a.store.GetGuest(member.UserId)
		if err != nil {
			return err
		}
		outcome, reason = policy.GuestJoinDecision(a.teamJoin(g, member.TeamId, false, actorID))
		switch outcome {
		case policy.JoinConvert:
			if err := a.members.ConvertTeamLocked(g.UserID, member.TeamId, g.ChannelIDs); err != nil {
				return err
			}
			if !contains(g.TeamIDs, member.TeamId) {
				g.TeamIDs = append(g.TeamIDs, member.TeamId)
				return a.store.SaveGuest(g)
			}
		case policy.JoinRefuse:
			_, err := a.members.LeaveTeamLocked(g.UserID, member.TeamId, !member.SchemeGuest)
			return err
		}
		return nil
	})
	if errors.Is(err, store.ErrNotFound) || (outcome == policy.JoinKeep && err == nil) {
		return // promoted meanwhile, or nothing to do
	}
	a.Audit(actorID, "guest_team_join", member.UserId, joinResult(outcome, reason, err), member.TeamId)
	if err != nil {
		a.api.LogError("Guest Accounts: could not enforce a guest's team membership", "user_id", member.UserId, "team_id", member.TeamId, "error", err.Error())
		return
	}
	a.notifyTeamJoin(member.UserId, actorID, member.TeamId, outcome, reason)
}

// CheckChannelMemberAdd is the veto path (11.7+): "" lets core add the
// member; a refusal is the reason core shows. Conversions are allowed here
// and done by GuestJoinedChannel once the membership exists. It takes no
// lock: the plugin's own windows call into core, which calls this hook
// while the window holds the user lock.
func (a *App) CheckChannelMemberAdd(member *model.ChannelMember, actorID string) string {
	g, ok := a.vetoGuest(member.UserId, member.SchemeGuest, actorID)
	if !ok {
		return ""
	}
	ch, appErr := a.api.GetChannel(member.ChannelId)
	if appErr != nil {
		return a.TrUser(actorID, "guest_accounts.notice.channel_unreadable", "Guest Accounts could not check this channel; try again in a moment.")
	}
	outcome, reason := policy.GuestJoinDecision(a.channelJoin(g, ch, false, actorID))
	if outcome != policy.JoinRefuse {
		return ""
	}
	a.Audit(actorID, "guest_channel_join", member.UserId, joinResult(outcome, reason, nil), ch.Id)
	return a.joinRefusalText(a.UserLocale(actorID), reason, a.username(member.UserId), "~"+ch.Name)
}

// CheckTeamMemberAdd is CheckChannelMemberAdd for teams.
func (a *App) CheckTeamMemberAdd(member *model.TeamMember, actorID string) string {
	g, ok := a.vetoGuest(member.UserId, member.SchemeGuest, actorID)
	if !ok {
		return ""
	}
	outcome, reason := policy.GuestJoinDecision(a.teamJoin(g, member.TeamId, false, actorID))
	if outcome != policy.JoinRefuse {
		return ""
	}
	a.Audit(actorID, "guest_team_join", member.UserId, joinResult(outcome, reason, nil), member.TeamId)
	locale := a.UserLocale(actorID)
	return a.joinRefusalText(locale, reason, a.username(member.UserId), a.Tr(locale, "guest_accounts.notice.team_name", "team %s", a.teamName(member.TeamId)))
}

// vetoGuest returns the registry record when a membership about to be
// added must be checked: a guest's, not made by the plugin's window (a
// guest membership, or a user whose role is system_guest right now, with
// no person behind the request).
func (a *App) vetoGuest(userID string, guestMembership bool, actorID string) (*store.Guest, bool) {
	if pluginMade(guestMembership, actorID) {
		return nil, false
	}
	g, err := a.store.GetGuest(userID)
	if err != nil {
		a.logRegistryError(err, userID)
		return nil, false
	}
	if actorID == "" {
		if u, appErr := a.api.GetUser(userID); appErr == nil && u.IsGuest() {
			return nil, false
		}
	}
	return g, true
}

// pluginMade reports whether a membership came from the plugin's role
// window: a guest membership that no person made. A guest membership an
// admin made (core's "add members" while a window happened to be open, or
// on a licensed server where guests hold system_guest) is checked like any
// other, and so is one that a guest made for themselves.
func pluginMade(guestMembership bool, actorID string) bool {
	return guestMembership && actorID == ""
}

// SessionUserID is the user behind a plugin context's session ("" when
// there is none: a plugin or a job).
func (a *App) SessionUserID(sessionID string) string {
	if sessionID == "" {
		return ""
	}
	s, appErr := a.api.GetSession(sessionID)
	if appErr != nil {
		return ""
	}
	return s.UserId
}

// channelJoin gathers the facts of a guest's channel membership.
func (a *App) channelJoin(g *store.Guest, ch *model.Channel, guestMembership bool, actorID string) policy.GuestJoin {
	s := a.settings()
	j := policy.GuestJoin{
		GuestMembership: guestMembership,
		DirectOrGroup:   ch.Type == model.ChannelTypeDirect || ch.Type == model.ChannelTypeGroup,
		Given:           contains(g.ChannelIDs, ch.Id),
		SelfService:     actorID == "" || actorID == g.UserID,
		SingleChannel:   g.SingleChannel,
		MaxChannels:     s.MaxChannelsPerGuest,
		CountDM:         s.CountDirectMessages,
	}
	if j.GuestMembership || j.DirectOrGroup || j.Given || j.SelfService {
		return j
	}
	actor := a.actorFor(actorID, ch.TeamId)
	_, appErr := a.api.GetChannelMember(ch.Id, actorID)
	j.ActorAllowed = policy.MayInviteToChannel(actor, s, policy.ChannelTarget{
		ActorIsMember: appErr == nil,
		IsArchived:    ch.DeleteAt != 0,
	})
	j.ChannelCount = len(without(g.ChannelIDs, []string{ch.Id}))
	if s.CountDirectMessages && s.MaxChannelsPerGuest > 0 {
		j.DMCount = a.countDirectChannels(g.UserID)
	}
	return j
}

// teamJoin gathers the facts of a guest's team membership.
func (a *App) teamJoin(g *store.Guest, teamID string, guestMembership bool, actorID string) policy.GuestJoin {
	j := policy.GuestJoin{
		Team:            true,
		GuestMembership: guestMembership,
		SelfService:     actorID == "" || actorID == g.UserID,
	}
	if !j.GuestMembership && !j.SelfService {
		j.ActorAllowed = policy.MayInvite(a.actorFor(actorID, teamID), a.settings())
	}
	return j
}

// actorFor describes the person adding a guest, for the invite rule.
func (a *App) actorFor(userID, teamID string) policy.Actor {
	actor := policy.Actor{IsSystemAdmin: a.IsSystemAdmin(userID)}
	if isGuest, err := a.IsGuest(userID); err != nil || isGuest {
		actor.IsGuest = true // fail closed
	}
	if u, appErr := a.api.GetUser(userID); appErr == nil {
		actor.IsBot = u.IsBot
	}
	if tm, appErr := a.api.GetTeamMember(teamID, userID); appErr == nil && tm.DeleteAt == 0 {
		actor.IsTeamAdmin = tm.SchemeAdmin
	}
	return actor
}

// countDirectChannels counts the user's direct and group message channels,
// not the one with the plugin's bot (its notices are not the guest's
// choice).
func (a *App) countDirectChannels(userID string) int {
	channels, appErr := a.api.GetChannelsForTeamForUser("", userID, false)
	if appErr != nil {
		return 0
	}
	n := 0
	botDM := model.GetDMNameFromIds(userID, a.botID)
	for _, ch := range channels {
		if (ch.Type == model.ChannelTypeDirect && ch.Name != botDM) || ch.Type == model.ChannelTypeGroup {
			n++
		}
	}
	return n
}

func (a *App) logRegistryError(err error, userID string) {
	if !errors.Is(err, store.ErrNotFound) {
		a.api.LogError("Guest Accounts: the guest registry could not be read", "user_id", userID, "error", err.Error())
	}
}

func joinResult(outcome policy.JoinOutcome, reason policy.JoinReason, err error) string {
	switch {
	case err != nil:
		return "failed: " + err.Error()
	case outcome == policy.JoinConvert:
		return "converted to a guest membership"
	case outcome == policy.JoinRefuse:
		return "refused: " + reason.String()
	}
	return "kept"
}

// joinRefusalText explains a refusal in locale; who and where name the
// guest and the team or channel.
func (a *App) joinRefusalText(locale string, reason policy.JoinReason, who, where string) string {
	s := a.settings()
	switch reason {
	case policy.JoinSelfService:
		return a.Tr(locale, "guest_accounts.notice.join_self_service", "@%s is a guest: guests cannot join %s by themselves. Ask the person who invited you to add you to the channels you need.", who, where)
	case policy.JoinActorNotAllowed:
		return a.Tr(locale, "guest_accounts.notice.join_actor_not_allowed", "@%s is a guest and was not added to %s: you may not give guests access (see \"Who may invite guests\"), or you are not a member of that channel.", who, where)
	case policy.JoinSingleChannel:
		return a.Tr(locale, "guest_accounts.notice.join_single_channel", "@%s is a single-channel guest and already has their channel, so they were not added to %s.", who, where)
	case policy.JoinChannelCap:
		return a.Tr(locale, "guest_accounts.notice.join_channel_cap", "@%s is a guest and already has the maximum of %d channels, so they were not added to %s. Remove a channel first, or raise \"Maximum channels per guest\" in System Console > Plugins > Guest Accounts.", who, s.MaxChannelsPerGuest, where)
	}
	return a.Tr(locale, "guest_accounts.notice.join_refused", "@%s is a guest and cannot be added to %s.", who, where)
}

func (a *App) notifyChannelJoin(guestID, actorID string, ch *model.Channel, outcome policy.JoinOutcome, reason policy.JoinReason, newlyGiven bool) {
	who := a.username(guestID)
	where := "~" + ch.Name
	actorLocale, guestLocale := a.UserLocale(actorID), a.UserLocale(guestID)
	switch outcome {
	case policy.JoinConvert:
		if newlyGiven {
			a.postSystemMessage([]string{ch.Id}, a.Tr("", "guest_accounts.notice.added_as_guest", "@%s was added as a guest.", who))
		}
		a.publishChannelGuestsChanged(ch.Id)
		if actorID != "" && actorID != guestID {
			a.tell(actorID, ch.Id, a.Tr(actorLocale, "guest_accounts.notice.actor_added_guest", "@%s is a guest: they were added to %s as a guest and see only the channels they are given.", who, where))
		}
		a.tell(guestID, ch.Id, a.Tr(guestLocale, "guest_accounts.notice.you_were_added", "You were added to %s as a guest.", where))
	case policy.JoinRefuse:
		if actorID != "" && actorID != guestID {
			a.tell(actorID, ch.Id, a.joinRefusalText(actorLocale, reason, who, where))
		}
		a.tell(guestID, "", a.Tr(guestLocale, "guest_accounts.notice.you_were_removed", "You were removed from %s. %s", where, a.joinRefusalText(guestLocale, reason, who, where)))
	}
}

func (a *App) notifyTeamJoin(guestID, actorID, teamID string, outcome policy.JoinOutcome, reason policy.JoinReason) {
	who := a.username(guestID)
	where := a.teamName(teamID)
	actorLocale, guestLocale := a.UserLocale(actorID), a.UserLocale(guestID)
	switch outcome {
	case policy.JoinConvert:
		if actorID != "" && actorID != guestID {
			a.tell(actorID, "", a.Tr(actorLocale, "guest_accounts.notice.actor_added_guest_team", "@%s is a guest: they joined team %s as a guest, without its default channels. Add them to the channels they need.", who, where))
		}
	case policy.JoinRefuse:
		if actorID != "" && actorID != guestID {
			a.tell(actorID, "", a.joinRefusalText(actorLocale, reason, who, a.Tr(actorLocale, "guest_accounts.notice.team_name", "team %s", where)))
		}
		a.tell(guestID, "", a.Tr(guestLocale, "guest_accounts.notice.you_were_removed_team", "You were removed from team %s. %s", where,
			a.joinRefusalText(guestLocale, reason, who, a.Tr(guestLocale, "guest_accounts.notice.team_name", "team %s", where))))
	}
}

// tell shows a notice to one user: an ephemeral post in the channel when
// they are a member of it, else a direct message from the plugin's bot.
func (a *App) tell(userID, channelID, message string) {
	if channelID != "" {
		if _, appErr := a.api.GetChannelMember(channelID, userID); appErr == nil {
			a.Ephemeral(userID, channelID, message)
			return
		}
	}
	dm, appErr := a.api.GetDirectChannel(a.botID, userID)
	if appErr != nil {
		a.api.LogWarn("Guest Accounts: could not open a direct message to explain a refusal", "user_id", userID, "error", appErr.Error())
		return
	}
	post := &model.Post{UserId: a.botID, ChannelId: dm.Id, Message: message}
	post.AddProp("from_guest_accounts", true)
	if _, appErr := a.api.CreatePost(post); appErr != nil {
		a.api.LogWarn("Guest Accounts: could not send a notice", "user_id", userID, "error", appErr.Error())
	}
}

func (a *App) username(userID string) string {
	if u, appErr := a.api.GetUser(userID); appErr == nil {
		return u.Username
	}
	return userID
}

func (a *App) teamName(teamID string) string {
	if t, appErr := a.api.GetTeam(teamID); appErr == nil {
		return t.DisplayName
	}
	return teamID
}

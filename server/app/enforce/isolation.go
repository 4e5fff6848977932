package enforce

import (
	"errors"
	"slices"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
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
func (s *Service) GuestJoinedChannel(member *model.ChannelMember, actorID string) {
	if !s.joinToCheck(member.UserId, member.SchemeGuest, actorID) {
		return
	}
	ch, appErr := s.api.GetChannel(member.ChannelId)
	if appErr != nil {
		s.api.LogWarn("Guest Accounts: a guest joined a channel that cannot be read", "channel_id", member.ChannelId, "error", appErr.Error())
		return
	}
	changed := false
	outcome, reason, ok := s.enforceJoin(member.UserId, actorID, "guest_channel_join", ch.Id, func(g *store.Guest) (policy.JoinOutcome, policy.JoinReason, error) {
		outcome, reason := policy.GuestJoinDecision(s.channelJoin(g, ch, false, actorID))
		if outcome == policy.JoinRefuse && member.SchemeGuest {
			// Made by someone else while a role window was open (or by
			// core's own guest role): a guest membership, removed all the same.
			return outcome, reason, s.members.LeaveChannelLocked(g.UserID, ch.Id)
		}
		switch outcome {
		case policy.JoinConvert:
			if err := s.members.ConvertChannelLocked(g.UserID, ch.Id, g.ChannelIDs); err != nil {
				return outcome, reason, err
			}
			changed = !slices.Contains(g.ChannelIDs, ch.Id)
			g.ChannelIDs = app.Union(g.ChannelIDs, []string{ch.Id})
			g.TeamIDs = app.Union(g.TeamIDs, []string{ch.TeamId})
			return outcome, reason, s.cache.SaveGuest(g)
		case policy.JoinRefuse:
			_, err := s.members.LeaveOrdinaryChannelLocked(g.UserID, ch.Id)
			return outcome, reason, err
		}
		return outcome, reason, nil
	})
	if ok {
		s.notifyChannelJoin(member.UserId, actorID, ch, outcome, reason, changed)
	}
}

// GuestJoinedTeam handles a team membership core has committed.
func (s *Service) GuestJoinedTeam(member *model.TeamMember, actorID string) {
	if !s.joinToCheck(member.UserId, member.SchemeGuest, actorID) {
		return
	}
	outcome, reason, ok := s.enforceJoin(member.UserId, actorID, "guest_team_join", member.TeamId, func(g *store.Guest) (policy.JoinOutcome, policy.JoinReason, error) {
		outcome, reason := policy.GuestJoinDecision(s.teamJoin(g, member.TeamId, false, actorID))
		switch outcome {
		case policy.JoinConvert:
			if err := s.members.ConvertTeamLocked(g.UserID, member.TeamId, g.ChannelIDs); err != nil {
				return outcome, reason, err
			}
			if !slices.Contains(g.TeamIDs, member.TeamId) {
				g.TeamIDs = append(g.TeamIDs, member.TeamId)
				return outcome, reason, s.cache.SaveGuest(g)
			}
		case policy.JoinRefuse:
			_, err := s.members.LeaveTeamLocked(g.UserID, member.TeamId, !member.SchemeGuest)
			return outcome, reason, err
		}
		return outcome, reason, nil
	})
	if ok {
		s.notifyTeamJoin(member.UserId, actorID, member.TeamId, outcome, reason)
	}
}

// joinToCheck reports whether a committed membership is a guest's that
// the plugin did not make itself.
func (s *Service) joinToCheck(userID string, guestMembership bool, actorID string) bool {
	if pluginMade(guestMembership, actorID) {
		return false
	}
	if _, err := s.cache.Cached(userID); err != nil {
		s.logRegistryError(err, userID)
		return false
	}
	return true
}

// enforceJoin decides and acts on a committed membership under the user
// lock, with the guest's record as it is then (decide returns the
// decision and what acting on it failed with), and audits the outcome
// (action, target: the team or channel). It reports whether something was
// done that the people involved are to be told about.
func (s *Service) enforceJoin(userID, actorID, action, target string, decide func(*store.Guest) (policy.JoinOutcome, policy.JoinReason, error)) (policy.JoinOutcome, policy.JoinReason, bool) {
	var (
		outcome policy.JoinOutcome
		reason  policy.JoinReason
	)
	err := s.members.WithUserLock(userID, func() error {
		g, err := s.cache.GetGuest(userID)
		if err != nil {
			return err // promoted meanwhile: nothing to guard
		}
		var acted error
		outcome, reason, acted = decide(g)
		return acted
	})
	if errors.Is(err, store.ErrNotFound) || (outcome == policy.JoinKeep && err == nil) {
		return outcome, reason, false // promoted meanwhile, or nothing to do
	}
	s.kit.Audit(actorID, action, userID, joinResult(outcome, reason, err), target)
	if err != nil {
		s.api.LogError("Guest Accounts: could not enforce a guest's membership", "action", action, "user_id", userID, "target", target, "error", err.Error())
		return outcome, reason, false
	}
	return outcome, reason, true
}

// CheckChannelMemberAdd is the veto path (11.7+): "" lets core add the
// member; a refusal is the reason core shows. Conversions are allowed here
// and done by GuestJoinedChannel once the membership exists. It takes no
// lock: the plugin's own windows call into core, which calls this hook
// while the window holds the user lock.
func (s *Service) CheckChannelMemberAdd(member *model.ChannelMember, actorID string) string {
	g, ok := s.vetoGuest(member.UserId, member.SchemeGuest, actorID)
	if !ok {
		return ""
	}
	ch, appErr := s.api.GetChannel(member.ChannelId)
	if appErr != nil {
		return s.kit.TrUser(actorID, "guest_accounts.notice.channel_unreadable", "Guest Accounts could not check this channel; try again in a moment.")
	}
	outcome, reason := policy.GuestJoinDecision(s.channelJoin(g, ch, false, actorID))
	if outcome != policy.JoinRefuse {
		return ""
	}
	s.kit.Audit(actorID, "guest_channel_join", member.UserId, joinResult(outcome, reason, nil), ch.Id)
	return s.joinRefusalText(s.kit.UserLocale(actorID), reason, s.kit.Username(member.UserId), "~"+ch.Name)
}

// CheckTeamMemberAdd is CheckChannelMemberAdd for teams.
func (s *Service) CheckTeamMemberAdd(member *model.TeamMember, actorID string) string {
	g, ok := s.vetoGuest(member.UserId, member.SchemeGuest, actorID)
	if !ok {
		return ""
	}
	outcome, reason := policy.GuestJoinDecision(s.teamJoin(g, member.TeamId, false, actorID))
	if outcome != policy.JoinRefuse {
		return ""
	}
	s.kit.Audit(actorID, "guest_team_join", member.UserId, joinResult(outcome, reason, nil), member.TeamId)
	locale := s.kit.UserLocale(actorID)
	return s.joinRefusalText(locale, reason, s.kit.Username(member.UserId), s.kit.Tr(locale, "guest_accounts.notice.team_name", "team %s", s.kit.TeamName(member.TeamId)))
}

// vetoGuest returns the registry record when a membership about to be
// added must be checked: a guest's, not made by the plugin's window (a
// guest membership, or a user whose role is system_guest right now, with
// no person behind the request).
func (s *Service) vetoGuest(userID string, guestMembership bool, actorID string) (*store.Guest, bool) {
	if pluginMade(guestMembership, actorID) {
		return nil, false
	}
	g, err := s.cache.GetGuest(userID)
	if err != nil {
		s.logRegistryError(err, userID)
		return nil, false
	}
	if actorID == "" {
		if u, appErr := s.api.GetUser(userID); appErr == nil && u.IsGuest() {
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

// channelJoin gathers the facts of a guest's channel membership.
func (s *Service) channelJoin(g *store.Guest, ch *model.Channel, guestMembership bool, actorID string) policy.GuestJoin {
	settings := s.kit.Settings()
	j := policy.GuestJoin{
		GuestMembership: guestMembership,
		DirectOrGroup:   ch.Type == model.ChannelTypeDirect || ch.Type == model.ChannelTypeGroup,
		Given:           slices.Contains(g.ChannelIDs, ch.Id),
		SelfService:     actorID == "" || actorID == g.UserID,
		SingleChannel:   g.SingleChannel,
		MaxChannels:     settings.MaxChannelsPerGuest,
		CountDM:         settings.CountDirectMessages,
	}
	if j.GuestMembership || j.DirectOrGroup || j.Given || j.SelfService {
		return j
	}
	actor, _ := s.kit.Actor(actorID, ch.TeamId)
	_, appErr := s.api.GetChannelMember(ch.Id, actorID)
	j.ActorAllowed = policy.MayInviteToChannel(actor, settings, policy.ChannelTarget{
		ActorIsMember: appErr == nil,
		IsArchived:    ch.DeleteAt != 0,
	})
	j.ChannelCount = len(app.Without(g.ChannelIDs, []string{ch.Id}))
	if settings.CountDirectMessages && settings.MaxChannelsPerGuest > 0 {
		j.DMCount = s.countDirectChannels(g.UserID)
	}
	return j
}

// teamJoin gathers the facts of a guest's team membership.
func (s *Service) teamJoin(g *store.Guest, teamID string, guestMembership bool, actorID string) policy.GuestJoin {
	j := policy.GuestJoin{
		Team:            true,
		GuestMembership: guestMembership,
		SelfService:     actorID == "" || actorID == g.UserID,
	}
	if !j.GuestMembership && !j.SelfService {
		actor, _ := s.kit.Actor(actorID, teamID)
		j.ActorAllowed = policy.MayInvite(actor, s.kit.Settings())
	}
	return j
}

// countDirectChannels counts the user's direct and group message channels,
// not the one with the plugin's bot (its notices are not the guest's
// choice).
func (s *Service) countDirectChannels(userID string) int {
	channels, appErr := s.api.GetChannelsForTeamForUser("", userID, false)
	if appErr != nil {
		return 0
	}
	n := 0
	botDM := model.GetDMNameFromIds(userID, s.kit.BotID())
	for _, ch := range channels {
		if (ch.Type == model.ChannelTypeDirect && ch.Name != botDM) || ch.Type == model.ChannelTypeGroup {
			n++
		}
	}
	return n
}

func (s *Service) logRegistryError(err error, userID string) {
	if !errors.Is(err, store.ErrNotFound) {
		s.api.LogError("Guest Accounts: the guest registry could not be read", "user_id", userID, "error", err.Error())
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
func (s *Service) joinRefusalText(locale string, reason policy.JoinReason, who, where string) string {
	settings := s.kit.Settings()
	switch reason {
	case policy.JoinSelfService:
		return s.kit.Tr(locale, "guest_accounts.notice.join_self_service", "@%s is a guest: guests cannot join %s by themselves. Ask the person who invited you to add you to the channels you need.", who, where)
	case policy.JoinActorNotAllowed:
		return s.kit.Tr(locale, "guest_accounts.notice.join_actor_not_allowed", "@%s is a guest and was not added to %s: you may not give guests access (see \"Who may invite guests\"), or you are not a member of that channel.", who, where)
	case policy.JoinSingleChannel:
		return s.kit.Tr(locale, "guest_accounts.notice.join_single_channel", "@%s is a single-channel guest and already has their channel, so they were not added to %s.", who, where)
	case policy.JoinChannelCap:
		return s.kit.Tr(locale, "guest_accounts.notice.join_channel_cap", "@%s is a guest and already has the maximum of %d channels, so they were not added to %s. Remove a channel first, or raise \"Maximum channels per guest\" in System Console > Plugins > Guest Accounts.", who, settings.MaxChannelsPerGuest, where)
	}
	return s.kit.Tr(locale, "guest_accounts.notice.join_refused", "@%s is a guest and cannot be added to %s.", who, where)
}

func (s *Service) notifyChannelJoin(guestID, actorID string, ch *model.Channel, outcome policy.JoinOutcome, reason policy.JoinReason, newlyGiven bool) {
	who := s.kit.Username(guestID)
	where := "~" + ch.Name
	actorLocale, guestLocale := s.kit.UserLocale(actorID), s.kit.UserLocale(guestID)
	switch outcome {
	case policy.JoinConvert:
		if newlyGiven {
			s.kit.PostSystemMessage([]string{ch.Id}, s.kit.Tr("", "guest_accounts.notice.added_as_guest", "@%s was added as a guest.", who))
		}
		s.kit.PublishChannelGuestsChanged(ch.Id)
		if actorID != "" && actorID != guestID {
			s.kit.Tell(actorID, ch.Id, s.kit.Tr(actorLocale, "guest_accounts.notice.actor_added_guest", "@%s is a guest: they were added to %s as a guest and see only the channels they are given.", who, where))
		}
		s.kit.Tell(guestID, ch.Id, s.kit.Tr(guestLocale, "guest_accounts.notice.you_were_added", "You were added to %s as a guest.", where))
	case policy.JoinRefuse:
		if actorID != "" && actorID != guestID {
			s.kit.Tell(actorID, ch.Id, s.joinRefusalText(actorLocale, reason, who, where))
		}
		s.kit.Tell(guestID, "", s.kit.Tr(guestLocale, "guest_accounts.notice.you_were_removed", "You were removed from %s. %s", where, s.joinRefusalText(guestLocale, reason, who, where)))
	}
}

func (s *Service) notifyTeamJoin(guestID, actorID, teamID string, outcome policy.JoinOutcome, reason policy.JoinReason) {
	who := s.kit.Username(guestID)
	where := s.kit.TeamName(teamID)
	actorLocale, guestLocale := s.kit.UserLocale(actorID), s.kit.UserLocale(guestID)
	switch outcome {
	case policy.JoinConvert:
		if actorID != "" && actorID != guestID {
			s.kit.Tell(actorID, "", s.kit.Tr(actorLocale, "guest_accounts.notice.actor_added_guest_team", "@%s is a guest: they joined team %s as a guest, without its default channels. Add them to the channels they need.", who, where))
		}
	case policy.JoinRefuse:
		if actorID != "" && actorID != guestID {
			s.kit.Tell(actorID, "", s.joinRefusalText(actorLocale, reason, who, s.kit.Tr(actorLocale, "guest_accounts.notice.team_name", "team %s", where)))
		}
		s.kit.Tell(guestID, "", s.kit.Tr(guestLocale, "guest_accounts.notice.you_were_removed_team", "You were removed from team %s. %s", where,
			s.joinRefusalText(guestLocale, reason, who, s.kit.Tr(guestLocale, "guest_accounts.notice.team_name", "team %s", where))))
	}
}

package memberships

import (
	"net/http"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"
)

// Channels lists the ids of the user's team channels (public and private,
// not DMs/GMs) across all their teams, with the teams.
func (m *Manager) Channels(userID string) (teamIDs, channelIDs []string, err error) {
	members, appErr := m.api.GetTeamMembersForUser(userID, 0, 1000)
	if appErr != nil {
		return nil, nil, errors.Wrap(appErr, "listing the user's teams")
	}
	for _, tm := range members {
		if tm.DeleteAt != 0 {
			continue
		}
		teamIDs = append(teamIDs, tm.TeamId)
		channels, appErr := m.api.GetChannelsForTeamForUser(tm.TeamId, userID, false)
		if appErr != nil && appErr.StatusCode != http.StatusNotFound { // 404: a team without channels
			return nil, nil, errors.Wrap(appErr, "listing the user's channels")
		}
		for _, ch := range channels {
			if ch.TeamId == tm.TeamId && (ch.Type == model.ChannelTypeOpen || ch.Type == model.ChannelTypePrivate) {
				channelIDs = append(channelIDs, ch.Id)
			}
		}
	}
	return teamIDs, channelIDs, nil
}

// MakeGuest converts a member into a guest (demote): the memberships of the
// channels in keep (and their teams) become guest memberships; every other
// channel and every team without a kept channel is left. The user gets the
// guest's system role first (GuestSystemRole), so core restricts them from
// the start.
func (m *Manager) MakeGuest(userID string, keep []string) ([]string, error) {
	var kept []string
	err := m.WithUserLock(userID, func() error {
		teamIDs, _, err := m.Channels(userID)
		if err != nil {
			return err
		}
		if err := m.setGuestRoleLocked(userID); err != nil {
			return err
		}
		kept, err = m.addChannelsLocked(userID, keep, keep)
		if err != nil {
			return err
		}
		keptTeams := map[string]bool{}
		for _, id := range kept {
			if ch, appErr := m.api.GetChannel(id); appErr == nil {
				keptTeams[ch.TeamId] = true
			}
		}
		return m.window(userID, func() error {
			for _, teamID := range teamIDs {
				if keptTeams[teamID] {
					continue
				}
				if appErr := m.api.DeleteTeamMember(teamID, userID, ""); appErr != nil {
					return errors.Wrapf(appErr, "removing the guest from team %s", teamID)
				}
			}
			return nil
		})
	})
	return kept, err
}

// MakeMember converts a guest into a member (promote): every guest team and
// channel membership is re-created as an ordinary one, and core adds the
// default channels of each team as for a new member.
func (m *Manager) MakeMember(userID string) error {
	return m.WithUserLock(userID, func() error {
		teamIDs, channelIDs, err := m.Channels(userID)
		if err != nil {
			return err
		}
		if _, appErr := m.api.UpdateUserRoles(userID, model.SystemUserRoleId); appErr != nil {
			return errors.Wrap(appErr, "setting the system_user role")
		}
		channelsByTeam := map[string][]string{}
		for _, id := range channelIDs {
			if ch, appErr := m.api.GetChannel(id); appErr == nil {
				channelsByTeam[ch.TeamId] = append(channelsByTeam[ch.TeamId], id)
			}
		}
		for _, teamID := range teamIDs {
			tm, appErr := m.api.GetTeamMember(teamID, userID)
			if appErr == nil && tm.SchemeGuest {
				if appErr := m.api.DeleteTeamMember(teamID, userID, ""); appErr != nil {
					return errors.Wrapf(appErr, "removing the guest team membership in %s", teamID)
				}
				if _, appErr := m.api.CreateTeamMember(teamID, userID); appErr != nil {
					return errors.Wrapf(appErr, "re-adding the member to team %s", teamID)
				}
			}
			for _, id := range channelsByTeam[teamID] {
				cm, appErr := m.api.GetChannelMember(id, userID)
				if appErr == nil && !cm.SchemeGuest {
					continue
				}
				if appErr == nil {
					if appErr := m.api.DeleteChannelMember(id, userID); appErr != nil {
						return errors.Wrapf(appErr, "removing the guest channel membership in %s", id)
					}
				}
				if _, appErr := m.api.AddChannelMember(id, userID); appErr != nil {
					return errors.Wrapf(appErr, "re-adding the member to channel %s", id)
				}
			}
		}
		return nil
	})
}

// RemoveChannelsLocked removes the guest from the channels (inside a
// window, so default channels can be left too). The caller holds the user
// lock.
func (m *Manager) RemoveChannelsLocked(userID string, channelIDs []string) error {
	return m.window(userID, func() error {
		for _, id := range channelIDs {
			if _, appErr := m.api.GetChannelMember(id, userID); appErr != nil {
				continue // not a member
			}
			if appErr := m.api.DeleteChannelMember(id, userID); appErr != nil {
				return errors.Wrapf(appErr, "removing the guest from channel %s", id)
			}
		}
		return nil
	})
}

// RepairRole puts a guest's system role right (GuestSystemRole) after a
// crash inside a window, a licence change, or for a guest made before the
// dedicated role. It reports whether anything changed.
func (m *Manager) RepairRole(userID string) (bool, error) {
	changed := false
	err := m.WithUserLock(userID, func() error {
		var err error
		changed, err = m.RepairRoleLocked(userID)
		return err
	})
	return changed, err
}

// RepairRoleLocked is RepairRole for a caller that holds the user lock
// (the cluster mutex is not re-entrant).
func (m *Manager) RepairRoleLocked(userID string) (bool, error) {
	u, appErr := m.api.GetUser(userID)
	if appErr != nil {
		return false, errors.Wrap(appErr, "reading the guest")
	}
	if m.HoldsGuestRole(u.Roles) {
		return false, nil
	}
	if err := m.setGuestRoleLocked(userID); err != nil {
		return false, errors.Wrap(err, "repairing the guest's role")
	}
	return true, nil
}

package memberships

import (
	"net/http"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"
)

// The *Locked methods below serve the isolation hooks, which decide and act
// under one WithUserLock (the mutex is not re-entrant). Each acts on the
// membership as it is now, not as the hook saw it: another window may have
// converted or removed it meanwhile.

// ConvertChannelLocked makes the guest's membership of a channel a guest
// one (creating the team's guest membership first if needed). given is
// every channel the guest may keep; ordinary memberships of the team that
// are not given (default channels core added with an ordinary team
// membership) are left. Guest memberships are never left here: only the
// window makes them, so they are legitimate even if not yet recorded.
func (m *Manager) ConvertChannelLocked(userID, channelID string, given []string) error {
	ch, appErr := m.api.GetChannel(channelID)
	if appErr != nil {
		return errors.Wrapf(appErr, "reading channel %s", channelID)
	}
	if ch.TeamId == "" || ch.DeleteAt != 0 {
		return errors.Errorf("channel %s cannot be given to a guest (archived, or a direct message)", channelID)
	}
	return m.window(userID, func() error {
		if err := m.ensureGuestTeamMember(userID, ch.TeamId); err != nil {
			return err
		}
		if err := m.convertChannelMember(userID, ch.TeamId, channelID); err != nil {
			return err
		}
		return m.restoreAndLeaveLocked(userID, ch.TeamId, append(append([]string{}, given...), channelID))
	})
}

// convertChannelMember is ensureGuestChannelMember for a channel that may
// be the guest's only one in its team. Measured on 11.4: when a user whose
// role is system_guest (inside the window) leaves their last channel of a
// team, core removes them from the team as well, so the team membership is
// ensured again before the guest membership is added. Called inside a
// window.
func (m *Manager) convertChannelMember(userID, teamID, channelID string) error {
	cm, appErr := m.api.GetChannelMember(channelID, userID)
	if appErr == nil && cm.SchemeGuest {
		return nil
	}
	if appErr == nil {
		if appErr := m.api.DeleteChannelMember(channelID, userID); appErr != nil {
			return errors.Wrap(appErr, "removing an ordinary channel membership to convert it")
		}
	}
	if err := m.ensureGuestTeamMember(userID, teamID); err != nil {
		return err
	}
	return m.ensureGuestChannelMember(userID, channelID)
}

// ConvertTeamLocked makes the guest's team membership a guest one; the
// given channels of that team are kept (re-added as guest memberships when
// the conversion dropped them), every other ordinary channel membership of
// the team is left.
func (m *Manager) ConvertTeamLocked(userID, teamID string, given []string) error {
	return m.window(userID, func() error {
		if err := m.ensureGuestTeamMember(userID, teamID); err != nil {
			return err
		}
		return m.restoreAndLeaveLocked(userID, teamID, given)
	})
}

// restoreAndLeaveLocked re-adds the given channels of the team as guest
// memberships and leaves the ordinary memberships of the team not given.
// Called inside a window.
func (m *Manager) restoreAndLeaveLocked(userID, teamID string, given []string) error {
	keep := make(map[string]bool, len(given))
	for _, id := range given {
		keep[id] = true
		ch, appErr := m.api.GetChannel(id)
		if appErr != nil || ch.TeamId != teamID || ch.DeleteAt != 0 {
			continue
		}
		if err := m.ensureGuestChannelMember(userID, id); err != nil {
			return err
		}
	}
	channels, appErr := m.api.GetChannelsForTeamForUser(teamID, userID, false)
	if appErr != nil && appErr.StatusCode != http.StatusNotFound { // 404: no channels at all
		return errors.Wrap(appErr, "listing the guest's channels")
	}
	for _, ch := range channels {
		if ch.TeamId != teamID || keep[ch.Id] || (ch.Type != model.ChannelTypeOpen && ch.Type != model.ChannelTypePrivate) {
			continue
		}
		cm, appErr := m.api.GetChannelMember(ch.Id, userID)
		if appErr != nil || cm.SchemeGuest {
			continue
		}
		if appErr := m.api.DeleteChannelMember(ch.Id, userID); appErr != nil {
			return errors.Wrapf(appErr, "removing the guest from channel %s", ch.Id)
		}
	}
	return nil
}

// LeaveOrdinaryChannelLocked removes the user's membership of the channel
// if it is still an ordinary one (inside a window, so default channels can
// be left too). It reports whether it removed anything.
func (m *Manager) LeaveOrdinaryChannelLocked(userID, channelID string) (bool, error) {
	cm, appErr := m.api.GetChannelMember(channelID, userID)
	if appErr != nil || cm.SchemeGuest {
		return false, nil
	}
	err := m.window(userID, func() error {
		if appErr := m.api.DeleteChannelMember(channelID, userID); appErr != nil {
			return errors.Wrapf(appErr, "removing the guest from channel %s", channelID)
		}
		return nil
	})
	return err == nil, err
}

// LeaveChannelLocked removes the user's membership of the channel, guest
// or not (inside a window).
func (m *Manager) LeaveChannelLocked(userID, channelID string) error {
	if _, appErr := m.api.GetChannelMember(channelID, userID); appErr != nil {
		return nil
	}
	return m.window(userID, func() error {
		if appErr := m.api.DeleteChannelMember(channelID, userID); appErr != nil {
			return errors.Wrapf(appErr, "removing the guest from channel %s", channelID)
		}
		return nil
	})
}

// LeaveTeamLocked removes the user's team membership (core then leaves
// every channel of the team); onlyOrdinary keeps a guest membership. A
// join racing another (measured: invite-link joins sent together) can add
// the team's default channels after core left them with the membership
// another join's hook removed; that join's own hook comes here later and
// finds the membership already gone, so the ordinary channel memberships
// left in the team are removed either way. It reports whether it removed
// anything.
func (m *Manager) LeaveTeamLocked(userID, teamID string, onlyOrdinary bool) (bool, error) {
	tm, appErr := m.api.GetTeamMember(teamID, userID)
	if appErr == nil && tm.DeleteAt == 0 && onlyOrdinary && tm.SchemeGuest {
		return false, nil
	}
	removed := false
	if appErr == nil && tm.DeleteAt == 0 {
		if appErr := m.api.DeleteTeamMember(teamID, userID, ""); appErr != nil {
			return false, errors.Wrapf(appErr, "removing the guest from team %s", teamID)
		}
		removed = true
	}
	left, err := m.leaveOrdinaryChannelsLocked(userID, teamID)
	return removed || left, err
}

// leaveOrdinaryChannelsLocked leaves the user's ordinary memberships of
// the team's open and private channels, inside a window (core refuses to
// take a non-guest out of town-square).
func (m *Manager) leaveOrdinaryChannelsLocked(userID, teamID string) (bool, error) {
	channels, appErr := m.api.GetChannelsForTeamForUser(teamID, userID, false)
	if appErr != nil {
		if appErr.StatusCode == http.StatusNotFound { // no channels at all
			return false, nil
		}
		return false, errors.Wrap(appErr, "listing the guest's channels")
	}
	var ordinary []string
	for _, ch := range channels {
		if ch.TeamId != teamID || (ch.Type != model.ChannelTypeOpen && ch.Type != model.ChannelTypePrivate) {
			continue
		}
		if cm, appErr := m.api.GetChannelMember(ch.Id, userID); appErr == nil && !cm.SchemeGuest {
			ordinary = append(ordinary, ch.Id)
		}
	}
	if len(ordinary) == 0 {
		return false, nil
	}
	return true, m.window(userID, func() error {
		for _, id := range ordinary {
			if appErr := m.api.DeleteChannelMember(id, userID); appErr != nil {
				return errors.Wrapf(appErr, "removing the guest from channel %s", id)
			}
		}
		return nil
	})
}

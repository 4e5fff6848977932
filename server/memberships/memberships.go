// Package memberships is the one way a guest gains a team or channel
// membership. On an unlicensed server core refuses password logins of
// system_guest users, so guests keep system_user, and every membership is
// created inside a "role window": under a per-user cluster mutex the user
// is switched to system_guest, the memberships are added (core then makes
// them team_guest/channel_guest and applies its guest permissions to them),
// and the role is switched back. On a licensed server guests hold
// system_guest permanently and no window is needed.
package memberships

import (
	"context"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"
)

// API is the part of the plugin API the manager uses.
type API interface {
	GetUser(userID string) (*model.User, *model.AppError)
	UpdateUserRoles(userID, newRoles string) (*model.User, *model.AppError)
	GetTeamMember(teamID, userID string) (*model.TeamMember, *model.AppError)
	GetTeamMembersForUser(userID string, page int, perPage int) ([]*model.TeamMember, *model.AppError)
	CreateTeamMember(teamID, userID string) (*model.TeamMember, *model.AppError)
	DeleteTeamMember(teamID, userID, requestorID string) *model.AppError
	GetChannel(channelID string) (*model.Channel, *model.AppError)
	GetChannelMember(channelID, userID string) (*model.ChannelMember, *model.AppError)
	GetChannelsForTeamForUser(teamID, userID string, includeDeleted bool) ([]*model.Channel, *model.AppError)
	AddChannelMember(channelID, userID string) (*model.ChannelMember, *model.AppError)
	DeleteChannelMember(channelID, userID string) *model.AppError
	GetConfig() *model.Config
	LogWarn(msg string, keyValuePairs ...any)
}

// Locker returns a cluster-wide lock for a key.
type Locker func(key string) (Lock, error)

// Lock is a held or holdable cluster mutex.
type Lock interface {
	LockWithContext(ctx context.Context) error
	Unlock()
}

// Manager creates and converts guest memberships.
type Manager struct {
	api      API
	lock     Locker
	licensed func() bool
}

// New returns a Manager. licensed reports whether guests hold core's
// system_guest role permanently (licensed server with guest accounts on).
func New(api API, lock Locker, licensed func() bool) *Manager {
	return &Manager{api: api, lock: lock, licensed: licensed}
}

// WithUserLock runs fn holding the user's cluster mutex; every change to a
// guest's role or memberships takes it, so windows never overlap.
func (m *Manager) WithUserLock(userID string, fn func() error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	return m.WithLock(ctx, "ga-user-"+userID, fn)
}

// WithLock runs fn holding the cluster mutex named key, waiting for it
// until ctx ends (the master switch and the expiry run take theirs here).
func (m *Manager) WithLock(ctx context.Context, key string, fn func() error) error {
	l, err := m.lock(key)
	if err != nil {
		return errors.Wrapf(err, "creating the lock %s", key)
	}
	if err := l.LockWithContext(ctx); err != nil {
		return errors.Wrapf(err, "waiting for the lock %s", key)
	}
	defer l.Unlock()
	return fn()
}

// window runs fn with the user's system role set to system_guest, and sets
// it back afterwards even when fn fails. Callers hold the user lock. On a
// licensed server the user is already system_guest and fn just runs.
func (m *Manager) window(userID string, fn func() error) (err error) {
	if m.licensed() {
		return fn()
	}
	if _, appErr := m.api.UpdateUserRoles(userID, model.SystemGuestRoleId); appErr != nil {
		return errors.Wrap(appErr, "opening the role window")
	}
	defer func() {
		if _, appErr := m.api.UpdateUserRoles(userID, model.SystemUserRoleId); appErr != nil {
			// Activation repairs this from the registry if it ever happens.
			err = errors.Wrap(appErr, "closing the role window")
		}
	}()
	return fn()
}

// GuestSystemRole is the system role a guest holds outside windows.
func (m *Manager) GuestSystemRole() string {
	if m.licensed() {
		return model.SystemGuestRoleId
	}
	return model.SystemUserRoleId
}

// AddChannels gives a guest the channels (and their teams) as guest
// memberships. Existing ordinary memberships in those teams and channels
// are converted. keep is every channel the guest may be in (those given
// before and the new ones): anything else in the teams touched, such as a
// default channel, is left. It returns the channels added.
func (m *Manager) AddChannels(userID string, channelIDs, keep []string) ([]string, error) {
	var added []string
	err := m.WithUserLock(userID, func() error {
		var err error
		added, err = m.AddChannelsLocked(userID, channelIDs, keep)
		return err
	})
	return added, err
}

// AddChannelsLocked is AddChannels for a caller that holds the user lock
// (the cluster mutex is not re-entrant).
func (m *Manager) AddChannelsLocked(userID string, channelIDs, keep []string) ([]string, error) {
	return m.addChannelsLocked(userID, channelIDs, append(append([]string{}, keep...), channelIDs...))
}

// addChannelsLocked adds channelIDs; given is every channel the guest may
// keep in the teams touched (default channels core adds are removed). All
// changes happen in one role window.
func (m *Manager) addChannelsLocked(userID string, channelIDs, given []string) ([]string, error) {
	byTeam := map[string][]string{}
	var order []string
	for _, id := range channelIDs {
		ch, appErr := m.api.GetChannel(id)
		if appErr != nil {
			return nil, errors.Wrapf(appErr, "reading channel %s", id)
		}
		if ch.TeamId == "" || ch.DeleteAt != 0 {
			return nil, errors.Errorf("channel %s cannot be given to a guest (archived, or a direct message)", id)
		}
		if _, ok := byTeam[ch.TeamId]; !ok {
			order = append(order, ch.TeamId)
		}
		byTeam[ch.TeamId] = append(byTeam[ch.TeamId], ch.Id)
	}
	var added []string
	err := m.window(userID, func() error {
		for _, teamID := range order {
			if err := m.ensureGuestTeamMember(userID, teamID); err != nil {
				return err
			}
			for _, id := range byTeam[teamID] {
				if err := m.ensureGuestChannelMember(userID, id); err != nil {
					return err
				}
				added = append(added, id)
			}
			if err := m.leaveChannelsNotGiven(userID, teamID, given); err != nil {
				return err
			}
		}
		return nil
	})
	return added, err
}

// ensureGuestTeamMember makes the team membership a guest one: created, or
// an ordinary one removed and re-created. Called inside a window.
func (m *Manager) ensureGuestTeamMember(userID, teamID string) error {
	tm, appErr := m.api.GetTeamMember(teamID, userID)
	if appErr == nil && tm.DeleteAt == 0 && tm.SchemeGuest {
		return nil
	}
	if appErr == nil && tm.DeleteAt == 0 {
		if appErr := m.api.DeleteTeamMember(teamID, userID, ""); appErr != nil {
			return errors.Wrap(appErr, "removing an ordinary team membership to convert it")
		}
	}
	tm, appErr = m.api.CreateTeamMember(teamID, userID)
	if appErr != nil {
		return errors.Wrapf(appErr, "adding the guest to team %s", teamID)
	}
	if !tm.SchemeGuest {
		return errors.Errorf("core created an ordinary membership in team %s for a guest", teamID)
	}
	return nil
}

// ensureGuestChannelMember is ensureGuestTeamMember for a channel.
func (m *Manager) ensureGuestChannelMember(userID, channelID string) error {
	cm, appErr := m.api.GetChannelMember(channelID, userID)
	if appErr == nil && cm.SchemeGuest {
		return nil
	}
	if appErr == nil {
		if appErr := m.api.DeleteChannelMember(channelID, userID); appErr != nil {
			return errors.Wrap(appErr, "removing an ordinary channel membership to convert it")
		}
	}
	cm, appErr = m.api.AddChannelMember(channelID, userID)
	if appErr != nil {
		return errors.Wrapf(appErr, "adding the guest to channel %s", channelID)
	}
	if !cm.SchemeGuest {
		return errors.Errorf("core created an ordinary membership in channel %s for a guest", channelID)
	}
	return nil
}

// leaveChannelsNotGiven removes the guest from every channel of the team
// they were not given (default channels, channels of a member being
// demoted). Called inside a window: core refuses to remove a non-guest
// from town-square.
func (m *Manager) leaveChannelsNotGiven(userID, teamID string, given []string) error {
	keep := make(map[string]bool, len(given))
	for _, id := range given {
		keep[id] = true
	}
	channels, appErr := m.api.GetChannelsForTeamForUser(teamID, userID, false)
	if appErr != nil {
		return errors.Wrap(appErr, "listing the guest's channels")
	}
	for _, ch := range channels {
		if ch.TeamId != teamID || keep[ch.Id] || (ch.Type != model.ChannelTypeOpen && ch.Type != model.ChannelTypePrivate) {
			continue
		}
		if appErr := m.api.DeleteChannelMember(ch.Id, userID); appErr != nil {
			return errors.Wrapf(appErr, "removing the guest from channel %s", ch.Id)
		}
	}
	return nil
}

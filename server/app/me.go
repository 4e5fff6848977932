package app

import (
	"errors"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// Me is what the webapp needs to know about the current user.
type Me struct {
	UserID                  string   `json:"user_id"`
	IsGuest                 bool     `json:"is_guest"`
	IsAdmin                 bool     `json:"is_admin"`
	CanInvite               bool     `json:"can_invite"`
	AllowedDomains          []string `json:"allowed_domains"`
	InvitationLifetimeHours int      `json:"invitation_lifetime_hours"`
	GuestAccountsEnabled    bool     `json:"guest_accounts_enabled"`
	HasChannels             bool     `json:"has_channels"`
	// InvitedBy is the guest's inviter, whom the no-channels screen names;
	// empty for guests made by an automatic rule.
	InvitedBy string `json:"invited_by,omitempty"`
}

// IsGuest reports whether the user is a guest: in the plugin's registry, or
// core's own system_guest role.
func (a *App) IsGuest(userID string) (bool, error) {
	_, err := a.store.GetGuest(userID)
	if err == nil {
		return true, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return false, err
	}
	user, appErr := a.api.GetUser(userID)
	if appErr != nil {
		return false, appErr
	}
	return user.IsGuest(), nil
}

// Me describes the user for the webapp.
func (a *App) Me(userID string) (*Me, error) {
	s := a.settings()
	isGuest, err := a.IsGuest(userID)
	if err != nil {
		return nil, err
	}
	isAdmin := a.IsSystemAdmin(userID)
	me := &Me{
		UserID:                  userID,
		IsGuest:                 isGuest,
		IsAdmin:                 isAdmin,
		CanInvite:               !isGuest && s.EnableGuestAccounts && a.mayInviteAnywhere(userID, isAdmin),
		AllowedDomains:          s.AllowedDomains.Entries(),
		InvitationLifetimeHours: int(s.InvitationLifetime.Hours()),
		GuestAccountsEnabled:    s.EnableGuestAccounts,
		HasChannels:             true,
	}
	if isGuest {
		me.HasChannels = a.hasChannels(userID)
		if g, err := a.store.GetGuest(userID); err == nil {
			me.InvitedBy = g.InvitedBy
		}
	}
	return me, nil
}

// mayInviteAnywhere says whether the invite entry points should show: the
// per-team check happens again when inviting.
func (a *App) mayInviteAnywhere(userID string, isAdmin bool) bool {
	switch a.settings().WhoMayInvite {
	case policy.InviteMembers:
		return true
	case policy.InviteTeamAdmins:
		if isAdmin {
			return true
		}
		members, appErr := a.api.GetTeamMembersForUser(userID, 0, 200)
		if appErr != nil {
			return false
		}
		for _, m := range members {
			if m.DeleteAt == 0 && m.SchemeAdmin {
				return true
			}
		}
		return false
	default:
		return isAdmin
	}
}

func (a *App) hasChannels(userID string) bool {
	teams, appErr := a.api.GetTeamsForUser(userID)
	if appErr != nil {
		return true // unknown: do not show the empty-state screen
	}
	for _, t := range teams {
		channels, appErr := a.api.GetChannelsForTeamForUser(t.Id, userID, false)
		if appErr != nil {
			return true
		}
		for _, c := range channels {
			if c.Type == model.ChannelTypeOpen || c.Type == model.ChannelTypePrivate {
				return true
			}
		}
	}
	return false
}

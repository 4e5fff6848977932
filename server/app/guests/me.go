package guests

import (
	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
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

// Me describes the user for the webapp.
func (s *Service) Me(userID string) (*Me, error) {
	settings := s.kit.Settings()
	isGuest, err := s.kit.IsGuest(userID)
	if err != nil {
		return nil, err
	}
	isAdmin := s.kit.IsSystemAdmin(userID)
	me := &Me{
		UserID:                  userID,
		IsGuest:                 isGuest,
		IsAdmin:                 isAdmin,
		CanInvite:               !isGuest && settings.EnableGuestAccounts && s.mayInviteAnywhere(userID, isAdmin),
		AllowedDomains:          settings.AllowedDomains.Entries(),
		InvitationLifetimeHours: int(settings.InvitationLifetime.Hours()),
		GuestAccountsEnabled:    settings.EnableGuestAccounts,
		HasChannels:             true,
	}
	if isGuest {
		me.HasChannels = s.hasChannels(userID)
		if g, err := s.store.GetGuest(userID); err == nil {
			me.InvitedBy = g.InvitedBy
		}
	}
	return me, nil
}

// mayInviteAnywhere says whether the invite entry points should show: the
// per-team check happens again when inviting.
func (s *Service) mayInviteAnywhere(userID string, isAdmin bool) bool {
	switch s.kit.Settings().WhoMayInvite {
	case policy.InviteMembers:
		return true
	case policy.InviteTeamAdmins:
		if isAdmin {
			return true
		}
		members, appErr := s.api.GetTeamMembersForUser(userID, 0, 200)
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

func (s *Service) hasChannels(userID string) bool {
	teams, appErr := s.api.GetTeamsForUser(userID)
	if appErr != nil {
		return true // unknown: do not show the empty-state screen
	}
	for _, t := range teams {
		channels, appErr := s.api.GetChannelsForTeamForUser(t.Id, userID, false)
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

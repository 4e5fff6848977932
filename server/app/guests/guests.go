// Package guests holds the guest lifecycle and the admin use cases: create,
// edit, promote, demote, deactivate and reactivate guests, list and show
// them, the dashboard's stats and audit log, and what the webapp asks about
// the current user (GET /me) and about guests in channels.
//
// It owns the registry records' changes outside the hot path and the
// active-guest counter's reservations. It may call the Kit, the store, the
// memberships manager, store.Core (to list sessions), policy and the
// plugin API through API. It calls no other use-case package; invites,
// rules, background and enforce call it through their own narrow
// interfaces.
package guests

import (
	"errors"
	"sync"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/memberships"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// API is the part of the plugin API the guest use cases use.
type API interface {
	GetUser(userID string) (*model.User, *model.AppError)
	GetUsersByIds(userIDs []string) ([]*model.User, *model.AppError)
	GetUserStatusesByIds(userIDs []string) ([]*model.Status, *model.AppError)
	CreateUser(user *model.User) (*model.User, *model.AppError)
	UpdateUserActive(userID string, active bool) *model.AppError
	UpdateUserCustomStatus(userID string, customStatus *model.CustomStatus) *model.AppError
	RevokeSession(sessionID string) *model.AppError
	GetChannel(channelID string) (*model.Channel, *model.AppError)
	GetChannelMember(channelID, userID string) (*model.ChannelMember, *model.AppError)
	GetChannelsForTeamForUser(teamID, userID string, includeDeleted bool) ([]*model.Channel, *model.AppError)
	GetTeamsForUser(userID string) ([]*model.Team, *model.AppError)
	GetTeamMembersForUser(userID string, page int, perPage int) ([]*model.TeamMember, *model.AppError)
	GetConfig() *model.Config
	LogWarn(msg string, keyValuePairs ...any)
	LogError(msg string, keyValuePairs ...any)
}

// Deps are what the Service needs.
type Deps struct {
	Kit     *app.Kit
	API     API
	Store   store.Store
	Members *memberships.Manager
	Core    store.Core
}

// Service runs the guest use cases.
type Service struct {
	kit     *app.Kit
	api     API
	store   store.Store
	members *memberships.Manager
	core    store.Core
	// creating holds the lower-case emails of accounts the plugin is
	// creating as guests right now (see markCreating).
	creating sync.Map
}

// New returns a Service.
func New(d Deps) *Service {
	return &Service{kit: d.Kit, api: d.API, store: d.Store, members: d.Members, core: d.Core}
}

// Guest is the API view of a guest (docs/api.md).
type Guest struct {
	UserID               string              `json:"user_id"`
	Username             string              `json:"username"`
	Email                string              `json:"email"`
	FirstName            string              `json:"first_name"`
	LastName             string              `json:"last_name"`
	Nickname             string              `json:"nickname"`
	Position             string              `json:"position"`
	Status               string              `json:"status"`
	DeactivatedReason    string              `json:"deactivated_reason"`
	InvitedBy            string              `json:"invited_by"`
	CreatedAt            int64               `json:"created_at"`
	ExpiresAt            int64               `json:"expires_at"`
	LastActivityAt       int64               `json:"last_activity_at"`
	SingleChannel        bool                `json:"single_channel"`
	ChannelIDs           []string            `json:"channel_ids"`
	Restrictions         policy.Restrictions `json:"restrictions"`
	RestrictionOverrides policy.Overrides    `json:"restriction_overrides"`
	// RequireMFA is whether the guest needs MFA (override, settings, teams);
	// RequireMFAOverride is the guest's own value (null follows the settings).
	RequireMFA         bool  `json:"require_mfa"`
	RequireMFAOverride *bool `json:"require_mfa_override"`
	MFAActive          bool  `json:"mfa_active"`
	// Rule is the automatic guest rule that made the account a guest.
	Rule string `json:"rule"`
	// ReminderSentAt is when the expiry reminder went out (0: not yet).
	ReminderSentAt int64 `json:"reminder_sent_at"`
}

// View joins the registry record with the Mattermost user.
func (s *Service) View(g *store.Guest, u *model.User) *Guest {
	v := &Guest{
		UserID:               g.UserID,
		InvitedBy:            g.InvitedBy,
		CreatedAt:            g.CreatedAt,
		ExpiresAt:            g.ExpiresAt,
		SingleChannel:        g.SingleChannel,
		ChannelIDs:           g.ChannelIDs,
		DeactivatedReason:    g.Deactivated,
		Status:               "active",
		Restrictions:         policy.Effective(s.kit.Settings().DefaultRestrictions, g.Restrictions),
		RestrictionOverrides: g.Restrictions,
		RequireMFAOverride:   g.RequireMFA,
		Rule:                 g.Rule,
		ReminderSentAt:       g.ReminderSentAt,
	}
	if v.ChannelIDs == nil {
		v.ChannelIDs = []string{}
	}
	if g.Deactivated != store.ReasonNone {
		v.Status = "deactivated"
	}
	if u != nil {
		v.Username, v.Email = u.Username, u.Email
		v.FirstName, v.LastName, v.Nickname, v.Position = u.FirstName, u.LastName, u.Nickname, u.Position
		v.LastActivityAt = u.LastActivityAt
		v.MFAActive = u.MfaActive
		if u.DeleteAt != 0 {
			v.Status = "deactivated"
			if v.DeactivatedReason == "" {
				v.DeactivatedReason = store.ReasonAdmin
			}
		}
	}
	// A failed team lookup shows the requirement (enforcement fails closed
	// too).
	need, err := s.kit.NeedsMFA(g)
	v.RequireMFA = need || err != nil
	return v
}

// getGuest returns the record, or a 404 naming the user.
func (s *Service) getGuest(userID string) (*store.Guest, error) {
	g, err := s.store.GetGuest(userID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, app.ErrNotFound("guest_not_found", "User %s is not a guest.", userID)
	}
	return g, err
}

// GetGuest returns the API view of one guest.
func (s *Service) GetGuest(userID string) (*Guest, error) {
	if !policy.PlainID(userID) {
		return nil, app.ErrBadRequest("invalid_user_id", "user_id", "%q is not a valid user id.", userID)
	}
	g, err := s.getGuest(userID)
	if err != nil {
		return nil, err
	}
	u, appErr := s.api.GetUser(userID)
	if appErr != nil {
		return nil, appErr
	}
	return s.View(g, u), nil
}

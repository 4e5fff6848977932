// Package invites holds invitations and their acceptance: inviting by
// email (POST /invites, /guest invite), listing, resending and revoking
// invitations, the signup page's lookup and the acceptance that creates
// the guest or gives an existing guest the channels.
//
// It owns the invitation records and their tokens (only hashes are
// stored; the raw token exists in the email alone). It may call the Kit,
// the store, policy, the plugin API through API, and the guests use cases
// through Guests (to create an account and add channels).
package invites

import (
	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// API is the part of the plugin API the invitation use cases use.
type API interface {
	GetUser(userID string) (*model.User, *model.AppError)
	GetUserByEmail(email string) (*model.User, *model.AppError)
	GetChannel(channelID string) (*model.Channel, *model.AppError)
	GetChannelMember(channelID, userID string) (*model.ChannelMember, *model.AppError)
	GetTeam(teamID string) (*model.Team, *model.AppError)
	LogWarn(msg string, keyValuePairs ...any)
	LogError(msg string, keyValuePairs ...any)
}

// Guests is what invitations need of the guest use cases.
type Guests interface {
	// CheckChannels validates ids of team channels a guest may be given.
	CheckChannels(ids []string) error
	// CreateAccount creates a new guest's account and registry record.
	CreateAccount(u *model.User, g *store.Guest) (*model.User, error)
	// ChannelCapError explains why a guest may not have n channels.
	ChannelCapError(g *store.Guest, n int) *app.Error
	// AddChannels gives an existing guest more channels.
	AddChannels(u *model.User, channelIDs []string) ([]string, error)
}

// Deps are what the Service needs.
type Deps struct {
	Kit    *app.Kit
	API    API
	Store  store.Store
	Guests Guests
}

// Service runs the invitation use cases.
type Service struct {
	kit    *app.Kit
	api    API
	store  store.Store
	guests Guests
}

// New returns a Service.
func New(d Deps) *Service {
	return &Service{kit: d.Kit, api: d.API, store: d.Store, guests: d.Guests}
}

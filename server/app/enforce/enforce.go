// Package enforce is the hooks' hot path: it decides every post, edit,
// upload, download, reaction, private channel, direct message, team and
// channel join and login of a guest, and undoes what core only reports
// after the fact. A member's post in an ordinary channel costs two
// in-process cache lookups.
//
// It owns the guest isolation and restriction checks and the channel fact
// cache. It may call the Kit, the guest cache (store/guestcache), the
// memberships manager, store.Core (a user's active flag past core's
// cache), policy and the plugin API through API; of the other use cases
// only a Reactivator (guests), for a guest an admin reactivated outside
// the plugin who logs in.
package enforce

import (
	"sync"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app/guests"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/memberships"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store/guestcache"
)

// API is the part of the plugin API enforcement uses.
type API interface {
	GetUser(userID string) (*model.User, *model.AppError)
	GetSession(sessionID string) (*model.Session, *model.AppError)
	GetChannel(channelID string) (*model.Channel, *model.AppError)
	GetChannelMember(channelID, userID string) (*model.ChannelMember, *model.AppError)
	GetChannelMembers(channelID string, page, perPage int) (model.ChannelMembers, *model.AppError)
	GetChannelMembersByIds(channelID string, userIDs []string) (model.ChannelMembers, *model.AppError)
	GetChannelsForTeamForUser(teamID, userID string, includeDeleted bool) ([]*model.Channel, *model.AppError)
	GetPost(postID string) (*model.Post, *model.AppError)
	RemoveReaction(reaction *model.Reaction) *model.AppError
	DeleteChannel(channelID string) *model.AppError
	DeleteChannelMember(channelID, userID string) *model.AppError
	GetTeamMember(teamID, userID string) (*model.TeamMember, *model.AppError)
	UpdateChannel(channel *model.Channel) (*model.Channel, *model.AppError)
	GetUsersByIds(userIDs []string) ([]*model.User, *model.AppError)
	UpdateUserRoles(userID, newRoles string) (*model.User, *model.AppError)
	ExtendSessionExpiry(sessionID string, newExpiry int64) *model.AppError
	LogWarn(msg string, keyValuePairs ...any)
	LogError(msg string, keyValuePairs ...any)
}

// Reactivator reactivates a guest (the guests use cases): a guest an
// admin reactivated outside the plugin who logs in.
type Reactivator interface {
	Activate(actorID, userID, onlyReason string) (*guests.Guest, error)
}

// Deps are what the Service needs.
type Deps struct {
	Kit         *app.Kit
	API         API
	Cache       *guestcache.Store
	Members     *memberships.Manager
	Core        store.Core
	Reactivator Reactivator
	// Sessions ends a guest's sessions (the guests use cases).
	Sessions SessionRevoker
}

// Service runs the checks.
type Service struct {
	kit *app.Kit
	api API
	// cache answers the hot paths (Cached); reads that decide on a record
	// or change it go past it (GetGuest).
	cache       *guestcache.Store
	members     *memberships.Manager
	core        store.Core
	reactivator Reactivator
	sessions    SessionRevoker
	channels    *channelCache

	// activity: guest → the last activity recorded from this node;
	// activityWriters bounds the writes in flight (activity.go).
	activity        sync.Map
	activityWriters chan struct{}
	background      sync.WaitGroup
}

// New returns a Service.
func New(d Deps) *Service {
	return &Service{
		kit: d.Kit, api: d.API, cache: d.Cache, members: d.Members,
		core: d.Core, reactivator: d.Reactivator, sessions: d.Sessions, channels: newChannelCache(),
		activityWriters: make(chan struct{}, activityWriters),
	}
}

// MayBeGuest is the hooks' first question: false only when the user is
// known not to be a guest (or is nobody, or the plugin's bot). A registry
// read error answers true, so the caller goes on to the full check (fail
// closed).
func (s *Service) MayBeGuest(userID string) bool {
	if userID == "" || userID == s.kit.BotID() {
		return false
	}
	return s.cache.MayBeGuest(userID)
}

// MembershipLeft drops, for anyone (guest or not) who left a channel or
// was removed from one, every cached "shares a channel with a guest"
// answer: the next DM or GM post with a guest checks again. One map
// write; called before the hooks' guest check.
func (s *Service) MembershipLeft(userID string) {
	s.cache.ForgetShared(userID)
}

// MembershipNotice reads core's own system messages, which core posts
// through MessageWillBePosted while it handles the change (before the API
// call returns): someone left or was removed from a channel or team, or a
// channel is being archived (11.4 has no archive hook; core posts the
// message before it marks the channel deleted). The cached DM/GM answers
// they may end are dropped at once.
func (s *Service) MembershipNotice(post *model.Post) {
	switch post.Type {
	case model.PostTypeLeaveChannel, model.PostTypeLeaveTeam:
		s.cache.ForgetShared(post.UserId)
	case model.PostTypeRemoveFromChannel, model.PostTypeRemoveFromTeam:
		if id, ok := post.GetProp("removedUserId").(string); ok {
			s.cache.ForgetShared(id)
		}
	case model.PostTypeChannelDeleted:
		s.cache.ChannelArchived(post.ChannelId)
	}
}

// GuestMembershipsChanged drops what is cached about the user's
// memberships (core reports a new one): the next post checks again.
func (s *Service) GuestMembershipsChanged(userID string) {
	s.cache.Invalidate(userID)
}

// SessionUserID is the user behind a plugin context's session ("" when
// there is none: a plugin or a job).
func (s *Service) SessionUserID(sessionID string) string {
	if sessionID == "" {
		return ""
	}
	session, appErr := s.api.GetSession(sessionID)
	if appErr != nil {
		return ""
	}
	return session.UserId
}

package api

import (
	"context"
	"time"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app/background"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app/guests"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app/invites"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app/rules"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// Kit is what the router needs of the app kernel: who is an admin, the
// language of a request, the client address headers, the clock.
type Kit interface {
	IsSystemAdmin(userID string) bool
	TranslatorFor(locale string) app.Translator
	UserLocale(userID string) string
	DefaultLocale() string
	TrustedProxyHeaders() []string
	Now() time.Time
}

// Guests are the guest use cases behind /guests, /users/{id}/demote,
// /stats, /audit, /me, /guests/lookup and /channels/{id}/guests.
type Guests interface {
	ListGuests(q guests.ListQuery) (*guests.GuestList, error)
	CreateGuest(actorID string, req guests.CreateGuestRequest) (*guests.Guest, error)
	GetGuest(userID string) (*guests.Guest, error)
	UpdateGuest(actorID, userID string, p guests.GuestPatch) (*guests.Guest, error)
	Promote(actorID, userID string) error
	Deactivate(actorID, userID, reason string) (*guests.Guest, error)
	Activate(actorID, userID, onlyReason string) (*guests.Guest, error)
	Demote(actorID, userID string, keep []string) (*guests.Guest, error)
	ListAudit(since int64, page, perPage int) ([]store.AuditEntry, error)
	QueryAudit(q store.AuditQuery) (*guests.AuditList, error)
	LookupGuests(actorID string, userIDs []string) ([]string, error)
	ChannelGuests(actorID, channelID string) (*guests.ChannelGuestsResult, error)
	Stats() (*guests.Stats, error)
	Me(userID string) (*guests.Me, error)
}

// Invites are the invitation use cases behind /invites and /invite/{token}.
type Invites interface {
	CreateInvites(actorID string, req invites.InviteRequest) ([]invites.InviteResult, error)
	ListInvites(actorID string, q invites.InviteListQuery) (*invites.InviteList, error)
	ResendInvite(actorID, id string) (*invites.InviteView, error)
	RevokeInvite(actorID, id string) (*invites.InviteView, error)
	LookupInvite(token string) (*invites.InviteInfo, error)
	AcceptInvite(token, sessionUserID string, req invites.AcceptRequest) (*invites.AcceptResult, error)
}

// Rules are the automatic guest rules behind /rules.
type Rules interface {
	PreviewRules() (*rules.Preview, error)
	ApplyRules(actorID string, req rules.ApplyRulesRequest) ([]rules.ApplyRulesResult, error)
}

// Jobs runs the expiry job's body (/jobs/expiry/run) and the index upkeep
// (/jobs/index/run) on request.
type Jobs interface {
	RunJob(ctx context.Context) (*background.ExpiryReport, error)
	MaintainIndexesNow() (store.IndexReport, error)
}

// Services are the app layer's parts the API calls.
type Services struct {
	Kit     Kit
	Guests  Guests
	Invites Invites
	Rules   Rules
	Jobs    Jobs
}

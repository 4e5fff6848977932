// Package app is the app layer's shared kernel: the Kit every use-case
// package works with. It owns the settings in force, the clock, the
// translations of server messages, the audit log, the plugin bot and its
// notices, the websocket events, outgoing email, the edition facts
// (licence, hook versions) and the closing gate, plus the Error type the
// use cases answer with.
//
// The use cases live in the subpackages, one responsibility each:
// enforce (the hooks' hot path), guests (lifecycle and admin use cases),
// invites (invitations and acceptance), rules (automatic guest rules) and
// background (expiry, master switch, licence watcher). They are wired in
// server/activate_hooks.go; docs/architecture.md draws the layers.
//
// The Kit may call the plugin API (through API), the store (the audit log
// and registry reads), policy and mail. It calls no use case.
package app

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// SystemActor is the audit actor for what the plugin does by itself.
const SystemActor = "system"

// Clock tells the time; tests move it instead of sleeping.
type Clock interface {
	Now() time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// OffsetClock is the system clock moved by an offset; the real-server tests
// move it (through an endpoint that exists only in test stacks) instead of
// sleeping.
type OffsetClock struct {
	offset atomic.Int64
}

// Now is the moved time.
func (c *OffsetClock) Now() time.Time {
	return time.Now().Add(time.Duration(c.offset.Load()))
}

// Set sets the offset.
func (c *OffsetClock) Set(d time.Duration) { c.offset.Store(int64(d)) }

// API is the part of the plugin API the Kit uses.
type API interface {
	GetUser(userID string) (*model.User, *model.AppError)
	GetUsersByIds(userIDs []string) ([]*model.User, *model.AppError)
	GetTeam(teamID string) (*model.Team, *model.AppError)
	GetChannel(channelID string) (*model.Channel, *model.AppError)
	GetChannelMember(channelID, userID string) (*model.ChannelMember, *model.AppError)
	GetChannelMembers(channelID string, page, perPage int) (model.ChannelMembers, *model.AppError)
	GetDirectChannel(userID1, userID2 string) (*model.Channel, *model.AppError)
	GetTeamsForUser(userID string) ([]*model.Team, *model.AppError)
	GetTeamMember(teamID, userID string) (*model.TeamMember, *model.AppError)
	HasPermissionTo(userID string, permission *model.Permission) bool
	GetConfig() *model.Config
	GetLicense() *model.License
	GetServerVersion() string
	EnsureBotUser(bot *model.Bot) (string, error)
	CreatePost(post *model.Post) (*model.Post, *model.AppError)
	SendEphemeralPost(userID string, post *model.Post) *model.Post
	PublishWebSocketEvent(event string, payload map[string]any, broadcast *model.WebsocketBroadcast)
	SendMail(to, subject, htmlBody string) *model.AppError
	LogInfo(msg string, keyValuePairs ...any)
	LogWarn(msg string, keyValuePairs ...any)
	LogError(msg string, keyValuePairs ...any)
}

// Store is the part of the store the Kit uses: the audit log, and registry
// reads for IsGuest.
type Store interface {
	store.Audit
	GetGuest(userID string) (*store.Guest, error)
}

// Deps are what the Kit needs from the plugin.
type Deps struct {
	API      API
	Store    Store
	Settings func() policy.Settings
	Clock    Clock
	// ConfigError is the reason the newest saved settings were refused.
	ConfigError func() string
	// Translate returns the translation of a message id for a locale (""
	// when missing); emails and notices use it.
	Translate func(locale, id string, data map[string]any) string
}

// Kit is what every use case shares. Its zero value is not usable: use New.
type Kit struct {
	api       API
	store     Store
	settings  func() policy.Settings
	clock     Clock
	cfgError  func() string
	translate func(locale, id string, data map[string]any) string
	botID     string

	editionMu sync.RWMutex
	licensed  bool
	// vetoHooks is true on servers that call ChannelMemberWillBeAdded and
	// TeamMemberWillBeAdded (11.7+): joins are refused before the fact;
	// older servers only report them afterwards, and the plugin undoes them.
	vetoHooks bool
	// downloadHook is true on servers that call FileWillBeDownloaded
	// (11.5+): only there can "may download files" be enforced.
	downloadHook bool

	// gate and closing: see gate.go.
	gate    sync.RWMutex
	closing bool
}

// New builds the Kit: it ensures the plugin's bot and detects the edition
// and the hooks this server calls.
func New(d Deps) (*Kit, error) {
	if d.API == nil || d.Store == nil || d.Settings == nil {
		return nil, errors.New("app.New: API, Store and Settings are required")
	}
	k := &Kit{
		api:       d.API,
		store:     d.Store,
		settings:  d.Settings,
		clock:     d.Clock,
		cfgError:  d.ConfigError,
		translate: d.Translate,
	}
	if k.clock == nil {
		k.clock = systemClock{}
	}
	if k.cfgError == nil {
		k.cfgError = func() string { return "" }
	}
	k.DetectEdition()
	version := d.API.GetServerVersion()
	k.vetoHooks = versionAtLeast(version, 11, 7)
	k.downloadHook = versionAtLeast(version, 11, 5)
	if !k.downloadHook {
		d.API.LogInfo("Guest Accounts: this server has no download hook (11.5+): \"Guests may download files\" cannot be enforced", "server_version", version)
	}
	mode := "after the fact (UserHasJoinedChannel/UserHasJoinedTeam)"
	if k.vetoHooks {
		mode = "before the fact (ChannelMemberWillBeAdded/TeamMemberWillBeAdded)"
	}
	d.API.LogInfo("Guest Accounts: guest joins are checked "+mode, "server_version", version)
	if err := k.ensureBot(); err != nil {
		return nil, err
	}
	return k, nil
}

// Settings are the settings in force.
func (k *Kit) Settings() policy.Settings { return k.settings() }

// ConfigError is the reason the newest saved settings were refused ("" when
// they are in force).
func (k *Kit) ConfigError() string { return k.cfgError() }

// Now is the plugin's clock.
func (k *Kit) Now() time.Time { return k.clock.Now() }

// Audit appends an audit entry and writes it to the server log.
func (k *Kit) Audit(actorID, action, targetID, result, details string) {
	e := store.AuditEntry{
		ID:       model.NewId(),
		At:       k.Now().UnixMilli(),
		ActorID:  actorID,
		Action:   action,
		TargetID: targetID,
		Result:   result,
		Details:  details,
	}
	k.api.LogInfo("Guest Accounts audit", "action", action, "actor_id", actorID, "target_id", targetID, "result", result, "details", details)
	if err := k.store.AppendAudit(e); err != nil {
		k.api.LogError("Guest Accounts: could not save an audit entry", "action", action, "error", err.Error())
	}
}

// Result is an audit entry's result for a use case's error.
func Result(err error) string {
	if err == nil {
		return "success"
	}
	var appErr *Error
	if errors.As(err, &appErr) {
		return "refused: " + appErr.Message
	}
	return "failed: " + err.Error()
}

// IsSystemAdmin reports whether the user may manage the system.
func (k *Kit) IsSystemAdmin(userID string) bool {
	return userID != "" && k.api.HasPermissionTo(userID, model.PermissionManageSystem)
}

// IsGuest reports whether the user is a guest: in the plugin's registry, or
// core's own system_guest role.
func (k *Kit) IsGuest(userID string) (bool, error) {
	_, err := k.store.GetGuest(userID)
	if err == nil {
		return true, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return false, err
	}
	user, appErr := k.api.GetUser(userID)
	if appErr != nil {
		return false, appErr
	}
	return user.IsGuest(), nil
}

// Actor describes a person adding or inviting guests in a team, for the
// invite rule; an unreadable registry counts them as a guest (fail closed).
// active is false when their account is deactivated or cannot be read.
func (k *Kit) Actor(userID, teamID string) (actor policy.Actor, active bool) {
	actor.IsSystemAdmin = k.IsSystemAdmin(userID)
	if isGuest, err := k.IsGuest(userID); err != nil || isGuest {
		actor.IsGuest = true
	}
	if u, appErr := k.api.GetUser(userID); appErr == nil {
		actor.IsBot = u.IsBot
		active = u.DeleteAt == 0
	}
	if tm, appErr := k.api.GetTeamMember(teamID, userID); appErr == nil && tm.DeleteAt == 0 {
		actor.IsTeamAdmin = tm.SchemeAdmin
	}
	return actor, active
}

// DomainAllowed checks an email against "Allowed guest email domains".
func (k *Kit) DomainAllowed(email string) (bool, error) {
	ok, _, err := k.settings().AllowedDomains.AllowsEmail(email)
	return ok && err == nil, err
}

// DefaultExpiry is the expiry for a new guest from the default lifetime
// (0: none).
func (k *Kit) DefaultExpiry() int64 {
	if d := k.settings().DefaultAccountLifetime; d > 0 {
		return k.Now().Add(d).UnixMilli()
	}
	return 0
}

// versionAtLeast compares a server version "major.minor.patch[-x]".
func versionAtLeast(version string, major, minor int) bool {
	var ma, mi int
	if _, err := fmt.Sscanf(version, "%d.%d", &ma, &mi); err != nil {
		return false
	}
	return ma > major || (ma == major && mi >= minor)
}

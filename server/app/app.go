// Package app holds the plugin's use cases. Hooks and HTTP handlers call
// it; it asks policy for decisions and acts through the store and the
// Mattermost plugin API.
package app

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"
	"github.com/mattermost/mattermost/server/public/pluginapi"
	"github.com/mattermost/mattermost/server/public/pluginapi/cluster"
	"github.com/pkg/errors"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/memberships"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

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

// Deps are what App needs from the plugin.
type Deps struct {
	API      plugin.API
	Client   *pluginapi.Client
	Store    store.Store
	Settings func() policy.Settings
	PluginID string
	Clock    Clock
	// ConfigError is the reason the newest saved settings were refused.
	ConfigError func() string
	// Translate returns the translation of a message id for a locale (""
	// when missing); emails and notices use it.
	Translate func(locale, id string, data map[string]any) string
}

// App is the set of use cases.
type App struct {
	api       plugin.API
	client    *pluginapi.Client
	store     store.Store
	settings  func() policy.Settings
	pluginID  string
	clock     Clock
	cfgError  func() string
	translate func(locale, id string, data map[string]any) string

	guests   *guestCache   // a.store, with guest reads cached
	channels *channelCache // facts about channels that never change

	members    *memberships.Manager
	background sync.WaitGroup
	stop       chan struct{}
	botID      string

	// gate and closing: see gate.go.
	gate    sync.RWMutex
	closing bool

	editionMu sync.RWMutex
	licensed  bool

	// vetoHooks is true on servers that call ChannelMemberWillBeAdded and
	// TeamMemberWillBeAdded (11.7+): joins are refused before the fact;
	// older servers only report them afterwards, and the plugin undoes them.
	vetoHooks bool

	// downloadHook is true on servers that call FileWillBeDownloaded
	// (11.5+): only there can "may download files" be enforced.
	downloadHook bool

	// creating holds the lower-case emails of accounts the plugin is
	// creating as guests right now (see markCreating).
	creating sync.Map

	// activity: guest → the last active hour recorded from this node;
	// activityWriters bounds the writes in flight (activity.go).
	activity        sync.Map
	activityWriters chan struct{}
}

// New builds the App and detects the edition.
func New(d Deps) (*App, error) {
	if d.API == nil || d.Store == nil || d.Settings == nil {
		return nil, errors.New("app.New: API, Store and Settings are required")
	}
	a := &App{
		api:       d.API,
		client:    d.Client,
		store:     d.Store,
		settings:  d.Settings,
		pluginID:  d.PluginID,
		clock:     d.Clock,
		cfgError:  d.ConfigError,
		translate: d.Translate,

		activityWriters: make(chan struct{}, activityWriters),
	}
	if a.clock == nil {
		a.clock = systemClock{}
	}
	a.guests = newGuestCache(d.Store, guestCacheTTL, guestRecordTTL, a.publishGuestChanged)
	a.store = a.guests
	a.channels = newChannelCache()
	if a.cfgError == nil {
		a.cfgError = func() string { return "" }
	}
	a.DetectEdition()
	a.vetoHooks = versionAtLeast(d.API.GetServerVersion(), 11, 7)
	a.downloadHook = versionAtLeast(d.API.GetServerVersion(), 11, 5)
	if !a.downloadHook {
		d.API.LogInfo("Guest Accounts: this server has no download hook (11.5+): \"Guests may download files\" cannot be enforced", "server_version", d.API.GetServerVersion())
	}
	mode := "after the fact (UserHasJoinedChannel/UserHasJoinedTeam)"
	if a.vetoHooks {
		mode = "before the fact (ChannelMemberWillBeAdded/TeamMemberWillBeAdded)"
	}
	d.API.LogInfo("Guest Accounts: guest joins are checked "+mode, "server_version", d.API.GetServerVersion())
	a.members = memberships.New(d.API, func(key string) (memberships.Lock, error) {
		return cluster.NewMutex(d.API, key)
	}, a.Licensed)
	if err := a.ensureBot(); err != nil {
		return nil, err
	}
	a.stop = make(chan struct{})
	a.watchLicense()
	return a, nil
}

// Close stops and waits for background work.
func (a *App) Close() {
	close(a.stop)
	a.background.Wait()
}

// SettingsChanged is called after a valid settings change. Turning the
// master switch runs in the background (it may touch thousands of guests)
// under the cluster switch lock.
func (a *App) SettingsChanged(old, next policy.Settings) {
	if old.EnableGuestAccounts != next.EnableGuestAccounts {
		a.background.Add(1)
		go func() {
			defer a.background.Done()
			a.ApplySwitch()
		}()
	}
}

// Now is the app's clock.
func (a *App) Now() time.Time { return a.clock.Now() }

// DetectEdition decides whether core's own guest accounts can be used: a
// license with the guest feature and core guest accounts switched on. It
// reports whether the answer changed.
func (a *App) DetectEdition() bool {
	licensed := false
	if lic := a.api.GetLicense(); lic != nil && lic.Features != nil && lic.Features.GuestAccounts != nil && *lic.Features.GuestAccounts {
		cfg := a.api.GetConfig()
		licensed = cfg != nil && cfg.GuestAccountsSettings.Enable != nil && *cfg.GuestAccountsSettings.Enable
	}
	a.editionMu.Lock()
	changed := a.licensed != licensed
	a.licensed = licensed
	a.editionMu.Unlock()
	return changed
}

// watchLicense re-detects the edition every minute (core has no hook for a
// license change) and repairs the guests' roles when it changed.
func (a *App) watchLicense() {
	a.background.Add(1)
	go func() {
		defer a.background.Done()
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-a.stop:
				return
			case <-t.C:
				if a.DetectEdition() {
					a.api.LogInfo("Guest Accounts: the license changed; updating the guests' roles", "licensed", a.Licensed())
					if err := a.Reconcile(); err != nil {
						a.api.LogError("Guest Accounts: updating roles after a license change failed", "error", err.Error())
					}
				}
			}
		}
	}()
}

// Licensed reports whether core's native guest role is in use.
func (a *App) Licensed() bool {
	a.editionMu.RLock()
	defer a.editionMu.RUnlock()
	return a.licensed
}

// Audit appends an audit entry and writes it to the server log.
func (a *App) Audit(actorID, action, targetID, result, details string) {
	e := store.AuditEntry{
		ID:       model.NewId(),
		At:       a.Now().UnixMilli(),
		ActorID:  actorID,
		Action:   action,
		TargetID: targetID,
		Result:   result,
		Details:  details,
	}
	a.api.LogInfo("Guest Accounts audit", "action", action, "actor_id", actorID, "target_id", targetID, "result", result, "details", details)
	if err := a.store.AppendAudit(e); err != nil {
		a.api.LogError("Guest Accounts: could not save an audit entry", "action", action, "error", err.Error())
	}
}

// IsSystemAdmin reports whether the user may manage the system.
func (a *App) IsSystemAdmin(userID string) bool {
	return userID != "" && a.api.HasPermissionTo(userID, model.PermissionManageSystem)
}

// ListAudit returns audit entries, newest first.
func (a *App) ListAudit(since int64, page, perPage int) ([]store.AuditEntry, error) {
	l, err := a.QueryAudit(AuditQuery{Since: since, Page: page, PerPage: perPage})
	if err != nil {
		return nil, err
	}
	return l.Entries, nil
}

// JoinEnforcement says how guest joins are checked on this server.
func (a *App) JoinEnforcement() string {
	if a.vetoHooks {
		return "before"
	}
	return "after"
}

// versionAtLeast compares a server version "major.minor.patch[-x]".
func versionAtLeast(version string, major, minor int) bool {
	var ma, mi int
	if _, err := fmt.Sscanf(version, "%d.%d", &ma, &mi); err != nil {
		return false
	}
	return ma > major || (ma == major && mi >= minor)
}

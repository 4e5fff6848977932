// Package background holds what runs without a request: the expiry job
// (expiry, reminders, finishing interrupted expiries), the master switch
// (off deactivates every active guest, on brings back those it
// deactivated), the licence watcher, and the work at activation: the
// dedicated guest role's row, guests' roles (left by a crash inside a role
// window, or another role to move onto the guest role), the active-guest
// counter.
//
// It owns the background goroutines and the cluster locks of the switch
// and the expiry run. It may call the Kit, the store, the memberships
// manager (role repairs), the jobs scheduler, mail, policy, the plugin API
// through API, and the guests use cases through Guests (deactivation and
// reactivation).
package background

import (
	"sync"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/pluginapi/cluster"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app/guests"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/memberships"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// API is the part of the plugin API background work uses: cluster locks
// and the scheduler, and user reads and changes.
type API interface {
	cluster.JobPluginAPI
	GetUser(userID string) (*model.User, *model.AppError)
	GetUsersByIds(userIDs []string) ([]*model.User, *model.AppError)
	UpdateUserActive(userID string, active bool) *model.AppError
	GetUsers(options *model.UserGetOptions) ([]*model.User, *model.AppError)
	KVGet(key string) ([]byte, *model.AppError)
	KVSet(key string, value []byte) *model.AppError
	LogInfo(msg string, keyValuePairs ...any)
	LogWarn(msg string, keyValuePairs ...any)
	LogError(msg string, keyValuePairs ...any)
}

// Guests is what background work needs of the guest use cases.
type Guests interface {
	// DeactivateIf deactivates a guest whose record satisfies due (nil:
	// any), returning the channels whose guests changed.
	DeactivateIf(actorID, userID, reason string, due func(*store.Guest) bool) (*guests.Guest, bool, []string, error)
	// ActivateCollect reactivates a guest, returning the channels whose
	// guests changed.
	ActivateCollect(actorID, userID, onlyReason string) (*guests.Guest, []string, error)
	// Activate reactivates a guest and tells their channels.
	Activate(actorID, userID, onlyReason string) (*guests.Guest, error)
}

// Sessions is the enforcement side's care of guests' sessions, run by the
// periodic job.
type Sessions interface {
	// MarkAllGuestSessions gives every active guest's sessions core's guest
	// marker.
	MarkAllGuestSessions()
	// SignOutGuestsOutsideDomains ends the sessions of guests whose address
	// is not in the allowed domains.
	SignOutGuestsOutsideDomains()
}

// Deps are what the Service needs.
type Deps struct {
	Kit     *app.Kit
	API     API
	Store   store.Store
	Members *memberships.Manager
	Guests  Guests
	// Core is the dedicated guest role's row in core's Roles table.
	Core store.CoreRoles
	// Sessions marks guests' sessions and signs out guests outside the
	// allowed domains (the periodic job).
	Sessions Sessions
}

// Service runs the background work; Close stops it.
type Service struct {
	kit      *app.Kit
	api      API
	store    store.Store
	members  *memberships.Manager
	guests   Guests
	core     store.CoreRoles
	sessions Sessions

	wg   sync.WaitGroup
	stop chan struct{}
}

// New returns a Service; nothing runs until Start.
func New(d Deps) *Service {
	return &Service{kit: d.Kit, api: d.API, store: d.Store, members: d.Members, guests: d.Guests, core: d.Core, sessions: d.Sessions, stop: make(chan struct{})}
}

// Close stops the background work and waits for it.
func (s *Service) Close() {
	close(s.stop)
	s.wg.Wait()
}

// Go runs fn in the background; Close waits for it.
func (s *Service) Go(fn func()) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		fn()
	}()
}

// SettingsChanged is called after a valid settings change. Turning the
// master switch runs in the background (it may touch thousands of guests)
// under the cluster switch lock.
func (s *Service) SettingsChanged(old, next policy.Settings) {
	if old.EnableGuestAccounts != next.EnableGuestAccounts {
		s.Go(s.ApplySwitch)
	}
}

// WatchLicense re-detects the edition every minute (core has no hook for a
// license change) and repairs the guests' roles when it changed.
func (s *Service) WatchLicense() {
	s.Go(func() {
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				if s.kit.DetectEdition() {
					s.api.LogInfo("Guest Accounts: the license changed; updating the guests' roles", "licensed", s.kit.Licensed())
					if err := s.Reconcile(); err != nil {
						s.api.LogError("Guest Accounts: updating roles after a license change failed", "error", err.Error())
					}
				}
			}
		}
	})
}

package main

import (
	"os"
	"path/filepath"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/pkg/errors"

	"github.com/mattermost/mattermost/server/public/pluginapi"
	"github.com/mattermost/mattermost/server/public/pluginapi/cluster"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/api"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app/background"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app/enforce"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app/guests"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app/invites"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app/rules"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/command"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/jobs"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/mail"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/memberships"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store/guestcache"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store/kvstore"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store/sqlstore"
)

// OnActivate is called by core when the plugin starts (enable, server
// start, upgrade). It wires the parts, makes sure the dedicated guest role
// exists, repairs what a crash may have left and moves guests onto that
// role, and brings guests in line with the master switch (reinstating
// guests a plugin disable deactivated).
func (p *Plugin) OnActivate() error {
	p.client = pluginapi.NewClient(p.API, p.Driver)
	var clock app.Clock
	var test *api.TestHooks
	if os.Getenv("GUEST_ACCOUNTS_TEST_CLOCK") == "1" {
		test = &api.TestHooks{Clock: &app.OffsetClock{}, SetSearchCap: kvstore.SetSearchCap}
		clock = test.Clock
		p.API.LogWarn("Guest Accounts: test clock enabled (GUEST_ACCOUNTS_TEST_CLOCK=1); never set this in production")
	}
	translate, err := p.loadTranslations()
	if err != nil {
		return errors.Wrap(err, "loading translations")
	}
	a, err := p.wire(clock, translate)
	if err != nil {
		return errors.Wrap(err, "starting Guest Accounts")
	}
	// The guests' system role first: Reconcile moves them onto it.
	a.background.EnsureGuestRole()
	if err := a.background.Reconcile(); err != nil {
		a.background.Close()
		return errors.Wrap(err, "checking the guest registry")
	}
	a.background.ApplySwitch()
	// Sessions guests held before this start get core's guest marker.
	a.enforce.MarkAllGuestSessions()
	if err := a.background.StartExpiryJob(jobs.ExpiryInterval); err != nil {
		a.background.Close()
		return errors.Wrap(err, "starting the expiry job")
	}
	if err := a.background.StartIndexJob(); err != nil {
		a.background.Close()
		return errors.Wrap(err, "starting the index upkeep")
	}
	a.background.WatchLicense()
	p.app = a
	p.router = api.NewRouter(api.Services{Kit: a.kit, Guests: a.guests, Invites: a.invites, Rules: a.rules, Jobs: a.background}, p.API, test)
	if err := command.Register(p.API); err != nil {
		return errors.Wrap(err, "registering /guest")
	}
	if err := enforce.RegisterCommandGuards(p.API); err != nil {
		return err
	}
	return nil
}

// wire builds the app layer: the store and its cache layer, the Kit, the
// memberships manager and the use-case packages, each given the narrow
// parts it may call (docs/architecture.md).
func (p *Plugin) wire(clock app.Clock, translate func(locale, id string, data map[string]any) string) (*services, error) {
	st := kvstore.New(p.client, manifest.Id)
	if clock != nil {
		st.UseClock(clock.Now) // the real-server tests move it past index leases
	}
	cache := guestcache.New(st, p.API)
	core := sqlstore.New(p.client.Store.GetMasterDB)
	kit, err := app.New(app.Deps{
		Clock:       clock,
		Translate:   translate,
		API:         p.API,
		Store:       cache,
		Settings:    p.settings,
		ConfigError: func() string { return p.config.get().Error },
	})
	if err != nil {
		return nil, err
	}
	members := memberships.New(p.API, func(key string) (memberships.Lock, error) {
		return cluster.NewMutex(p.API, key)
	}, kit.Licensed)
	g := guests.New(guests.Deps{Kit: kit, API: p.API, Store: cache, Members: members, Core: core})
	e := enforce.New(enforce.Deps{Kit: kit, API: p.API, Cache: cache, Members: members, Core: core, Reactivator: g, Sessions: g})
	return &services{
		kit:        kit,
		cache:      cache,
		enforce:    e,
		guests:     g,
		invites:    invites.New(invites.Deps{Kit: kit, API: p.API, Store: cache, Guests: g}),
		rules:      rules.New(rules.Deps{Kit: kit, API: p.API, Store: cache, Guests: g}),
		background: background.New(background.Deps{Kit: kit, API: p.API, Store: cache, Members: members, Guests: g, Core: core, Sessions: e}),
	}, nil
}

// loadTranslations reads assets/i18n/*.json from the installed bundle.
func (p *Plugin) loadTranslations() (func(locale, id string, data map[string]any) string, error) {
	bundlePath, err := p.API.GetBundlePath()
	if err != nil {
		return nil, err
	}
	bundle, err := mail.LoadBundle(filepath.Join(bundlePath, "assets", "i18n"))
	if err != nil {
		return nil, err
	}
	return func(locale, id string, data map[string]any) string {
		return mail.NewTranslator(i18n.NewLocalizer(bundle, locale, "en"))(id, data)
	}, nil
}

// OnDeactivate is called by core when the plugin stops: an admin disabling
// it, a server shutdown, or an upgrade. Only the first must fail closed:
// without the plugin nothing guards the guests, so they are deactivated
// (and reinstated at the next activation). The plugin's state in the
// config tells them apart (docs/measured-facts.md).
func (p *Plugin) OnDeactivate() error {
	if p.client != nil {
		defer p.client.Store.Close() // after the app: SwitchOff walks the registry
	}
	if p.app == nil {
		return nil
	}
	// Let acceptances in flight finish and refuse new ones: core kills the
	// plugin process as soon as this returns.
	p.app.kit.BeginClose()
	defer p.app.background.Close()
	defer p.app.enforce.Close()
	if !p.disabledByAdmin() {
		return nil
	}
	n, err := p.app.background.SwitchOff(store.ReasonPluginDisabled)
	p.API.LogInfo("Guest Accounts disabled: guests deactivated until it is enabled again", "guests", n)
	return err
}

func (p *Plugin) disabledByAdmin() bool {
	cfg := p.API.GetConfig()
	if cfg == nil {
		return false
	}
	state, ok := cfg.PluginSettings.PluginStates[manifest.Id]
	return ok && state != nil && !state.Enable
}

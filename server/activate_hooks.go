package main

import (
	"os"
	"path/filepath"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/pkg/errors"

	"github.com/mattermost/mattermost/server/public/pluginapi"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/api"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/command"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/jobs"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/mail"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store/kvstore"
)

// OnActivate is called by core when the plugin starts (enable, server
// start, upgrade). It wires the parts, repairs what a crash may have left,
// and brings guests in line with the master switch (reinstating guests a
// plugin disable deactivated).
func (p *Plugin) OnActivate() error {
	p.client = pluginapi.NewClient(p.API, p.Driver)
	var clock app.Clock
	var testClock *app.OffsetClock
	if os.Getenv("GUEST_ACCOUNTS_TEST_CLOCK") == "1" {
		testClock = &app.OffsetClock{}
		clock = testClock
		p.API.LogWarn("Guest Accounts: test clock enabled (GUEST_ACCOUNTS_TEST_CLOCK=1); never set this in production")
	}
	translate, err := p.loadTranslations()
	if err != nil {
		return errors.Wrap(err, "loading translations")
	}
	st := kvstore.New(p.client, manifest.Id)
	if clock != nil {
		st.UseClock(clock.Now)
	}
	a, err := app.New(app.Deps{
		Clock:       clock,
		Translate:   translate,
		API:         p.API,
		Client:      p.client,
		Store:       st,
		Settings:    p.settings,
		PluginID:    manifest.Id,
		ConfigError: func() string { return p.config.get().Error },
	})
	if err != nil {
		return errors.Wrap(err, "starting Guest Accounts")
	}
	if err := a.Reconcile(); err != nil {
		return errors.Wrap(err, "checking the guest registry")
	}
	a.ApplySwitch()
	if err := a.StartExpiryJob(jobs.ExpiryInterval); err != nil {
		a.Close()
		return errors.Wrap(err, "starting the expiry job")
	}
	if err := a.StartIndexJob(); err != nil {
		a.Close()
		return errors.Wrap(err, "starting the index upkeep")
	}
	p.app = a
	p.router = api.NewRouter(a, p.API, testClock)
	if err := command.Register(p.API, a); err != nil {
		return errors.Wrap(err, "registering /guest")
	}
	return nil
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
// (and reinstated at the next activation). Measured on 11.4: the plugin's
// state in the config is already disabled when an admin disabled it, and
// still enabled on shutdown or upgrade.
func (p *Plugin) OnDeactivate() error {
	if p.client != nil {
		defer p.client.Store.Close() // after the app: SwitchOff walks the registry
	}
	if p.app == nil {
		return nil
	}
	// Let acceptances in flight finish and refuse new ones: core kills the
	// plugin process as soon as this returns.
	p.app.BeginClose()
	defer p.app.Close()
	if !p.disabledByAdmin() {
		return nil
	}
	n, err := p.app.SwitchOff(store.ReasonPluginDisabled)
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

package main

import (
	"encoding/json"
	"net/http"
	"sync"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
)

// configuration is the plugin's settings as the System Console saved them,
// and their parsed form. It is replaced whole on change, never mutated.
type configuration struct {
	Raw      policy.RawSettings
	Settings policy.Settings
	// Error is the reason the newest saved values were refused; the last good
	// settings stay in force meanwhile.
	Error string
}

// configStore guards the current configuration (copy-on-write).
type configStore struct {
	mu     sync.RWMutex
	config *configuration
}

func (c *configStore) get() *configuration {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.config == nil {
		return defaultConfiguration()
	}
	return c.config
}

func (c *configStore) set(cfg *configuration) {
	c.mu.Lock()
	c.config = cfg
	c.mu.Unlock()
}

func defaultConfiguration() *configuration {
	s, err := policy.ParseSettings(policy.DefaultRawSettings())
	if err != nil {
		panic("the default settings do not parse: " + err.Error())
	}
	return &configuration{Raw: policy.DefaultRawSettings(), Settings: s}
}

// settings returns the settings in force.
func (p *Plugin) settings() policy.Settings {
	return p.config.get().Settings
}

// OnConfigurationChange is called by core when the plugin's settings change
// (and once before OnActivate). A bad value is logged and reported on the
// dashboard; the last good settings stay in force.
func (p *Plugin) OnConfigurationChange() error {
	raw := policy.DefaultRawSettings()
	if err := p.API.LoadPluginConfiguration(&raw); err != nil {
		return errors.Wrap(err, "loading the plugin configuration")
	}
	old := p.config.get()
	parsed, err := policy.ParseSettings(raw)
	if err != nil {
		p.API.LogError("Guest Accounts: invalid setting; the previous settings stay in force", "error", err.Error())
		next := *old
		next.Error = err.Error()
		p.config.set(&next)
		return nil
	}
	p.config.set(&configuration{Raw: raw, Settings: parsed})
	if p.app != nil {
		p.app.background.SettingsChanged(old.Settings, parsed)
	}
	return nil
}

// ConfigurationWillBeSaved is called by core before any configuration save
// (System Console, config API). Refusing here shows the reason to the admin
// in the System Console, so an invalid value never reaches the plugin.
func (p *Plugin) ConfigurationWillBeSaved(newCfg *model.Config) (*model.Config, error) {
	values, ok := newCfg.PluginSettings.Plugins[manifest.Id]
	if !ok {
		return nil, nil
	}
	raw, err := rawSettingsFromMap(values)
	if err == nil {
		_, err = policy.ParseSettings(raw)
	}
	if err != nil {
		// An AppError reaches the System Console as it is (other errors are
		// replaced by a generic message); SkipTranslation keeps our text.
		return nil, &model.AppError{
			Id:              "guest_accounts.config.invalid",
			Where:           "GuestAccounts.ConfigurationWillBeSaved",
			Message:         "Guest Accounts: " + err.Error(),
			StatusCode:      http.StatusBadRequest,
			SkipTranslation: true,
		}
	}
	return nil, nil
}

// rawSettingsFromMap decodes settings the way LoadPluginConfiguration does:
// the saved map goes through JSON into the typed struct.
func rawSettingsFromMap(values map[string]any) (policy.RawSettings, error) {
	raw := policy.DefaultRawSettings()
	buf, err := json.Marshal(values)
	if err != nil {
		return raw, errors.Wrap(err, "Guest Accounts: encoding the settings")
	}
	if err := json.Unmarshal(buf, &raw); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return raw, errors.Errorf("setting %s has the wrong type (expected %s)", typeErr.Field, typeErr.Type)
		}
		return raw, errors.Wrap(err, "reading the settings")
	}
	return raw, nil
}

// Package pluginctl installs the plugin bundle on a running server and
// bootstraps its admin; used by the tests, `make deploy` and `make run`.
package pluginctl

import (
	"context"
	"os"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"
)

// EnsureAdmin logs in as the admin, creating the user first on a server
// that has none (the first user of a server becomes system admin).
func EnsureAdmin(ctx context.Context, url, username, email, password string) (*model.Client4, error) {
	c := model.NewAPIv4Client(url)
	if _, _, err := c.Login(ctx, username, password); err == nil {
		return c, nil
	}
	if _, _, err := c.CreateUser(ctx, &model.User{Username: username, Email: email, Password: password, EmailVerified: true}); err != nil {
		return nil, errors.Wrap(err, "creating the admin user")
	}
	if _, _, err := c.Login(ctx, username, password); err != nil {
		return nil, errors.Wrap(err, "logging in as the admin")
	}
	return c, nil
}

// InstallPlugin uploads the bundle (replacing any installed version),
// enables it and waits until the server reports it running.
func InstallPlugin(ctx context.Context, c *model.Client4, bundlePath, pluginID string) error {
	f, err := os.Open(bundlePath)
	if err != nil {
		return errors.Wrap(err, "opening the bundle")
	}
	defer f.Close()
	if _, _, err := c.UploadPluginForced(ctx, f); err != nil {
		return errors.Wrapf(err, "uploading %s", bundlePath)
	}
	if _, err := c.EnablePlugin(ctx, pluginID); err != nil {
		return errors.Wrap(err, "enabling the plugin")
	}
	return WaitForPlugin(ctx, c, pluginID, model.PluginStateRunning)
}

// WaitForPlugin polls the plugin statuses until the plugin is in state.
func WaitForPlugin(ctx context.Context, c *model.Client4, pluginID string, state int) error {
	deadline := time.Now().Add(90 * time.Second)
	last := -1
	for time.Now().Before(deadline) {
		statuses, _, err := c.GetPluginStatuses(ctx)
		if err == nil {
			for _, s := range statuses {
				if s.PluginId == pluginID {
					last = s.State
					if s.State == state {
						return nil
					}
					if s.State == model.PluginStateFailedToStart || s.State == model.PluginStateFailedToStayRunning {
						if state == model.PluginStateRunning {
							return errors.Errorf("plugin %s failed to start (state %d): see the server log", pluginID, s.State)
						}
					}
				}
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	return errors.Errorf("plugin %s did not reach state %d (last %d)", pluginID, state, last)
}

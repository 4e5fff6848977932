package main

import (
	"net/http"

	"github.com/mattermost/mattermost/server/public/plugin"
	"github.com/mattermost/mattermost/server/public/pluginapi"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
)

// Plugin is the server side of Guest Accounts. Hook methods live in the
// *_hooks.go files; they translate, ask app/policy, and act.
type Plugin struct {
	plugin.MattermostPlugin

	client *pluginapi.Client
	config configStore
	app    *app.App
	router http.Handler
}

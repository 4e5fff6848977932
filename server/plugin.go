package main

import (
	"net/http"

	"github.com/mattermost/mattermost/server/public/plugin"
	"github.com/mattermost/mattermost/server/public/pluginapi"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app/background"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app/enforce"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app/guests"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app/invites"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app/rules"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store/guestcache"
)

// Plugin is the server side of Guest Accounts. Hook methods live in the
// *_hooks.go files; they translate, ask the app layer and policy, and act.
type Plugin struct {
	plugin.MattermostPlugin

	client *pluginapi.Client
	config configStore
	app    *services // nil until OnActivate has wired everything
	router http.Handler
}

// services are the app layer's parts, wired in OnActivate
// (activate_hooks.go).
type services struct {
	kit        *app.Kit
	cache      *guestcache.Store
	enforce    *enforce.Service
	guests     *guests.Service
	invites    *invites.Service
	rules      *rules.Service
	background *background.Service
}

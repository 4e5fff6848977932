package main

import (
	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/command"
)

// ExecuteCommand is called by core for /guest and for the core commands
// the plugin guards against guests (app.GuardedCommands); answering nil to
// a guarded one lets core run its own.
func (p *Plugin) ExecuteCommand(_ *plugin.Context, args *model.CommandArgs) (*model.CommandResponse, *model.AppError) {
	if p.app == nil {
		return &model.CommandResponse{ResponseType: model.CommandResponseTypeEphemeral, Text: "Guest Accounts is starting; try again in a moment."}, nil
	}
	if app.IsGuardedCommand(args.Command) {
		return p.app.GuardCommand(args), nil
	}
	return command.NewHandler(p.API, p.app).Execute(args), nil
}

package main

import (
	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app/enforce"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/command"
)

// ExecuteCommand is called by core for /guest and for the core commands
// the plugin guards against guests (enforce.GuardedCommands); answering nil
// to a guarded one lets core run its own.
func (p *Plugin) ExecuteCommand(_ *plugin.Context, args *model.CommandArgs) (*model.CommandResponse, *model.AppError) {
	if p.app == nil {
		return &model.CommandResponse{ResponseType: model.CommandResponseTypeEphemeral, Text: "Guest Accounts is starting; try again in a moment."}, nil
	}
	if enforce.IsGuardedCommand(args.Command) {
		return p.app.enforce.GuardCommand(args), nil
	}
	return command.NewHandler(p.API, command.Services{Kit: p.app.kit, Guests: p.app.guests, Invites: p.app.invites, Rules: p.app.rules}).Execute(args), nil
}

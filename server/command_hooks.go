package main

import (
	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/command"
)

// ExecuteCommand is called by core for /guest.
func (p *Plugin) ExecuteCommand(_ *plugin.Context, args *model.CommandArgs) (*model.CommandResponse, *model.AppError) {
	if p.app == nil {
		return &model.CommandResponse{ResponseType: model.CommandResponseTypeEphemeral, Text: "Guest Accounts is starting; try again in a moment."}, nil
	}
	return command.NewHandler(p.API, command.Services{Kit: p.app.kit, Guests: p.app.guests, Invites: p.app.invites, Rules: p.app.rules}).Execute(args), nil
}

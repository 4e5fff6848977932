// Command noopplugin is the reference plugin of `make bench`: it implements
// exactly the server hooks Guest Accounts implements and returns from each
// at once. What it costs is the floor any plugin with these hooks pays for
// core's RPC hop to the plugin process; the benchmark compares Guest
// Accounts against it. hooks_test.go keeps the two hook sets equal.
package main

import (
	"io"
	"net/http"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"
)

// Plugin does nothing, as fast as it can.
type Plugin struct {
	plugin.MattermostPlugin
}

func (p *Plugin) OnActivate() error { return nil }

func (p *Plugin) OnDeactivate() error { return nil }

func (p *Plugin) OnConfigurationChange() error { return nil }

func (p *Plugin) ConfigurationWillBeSaved(*model.Config) (*model.Config, error) { return nil, nil }

func (p *Plugin) OnPluginClusterEvent(*plugin.Context, model.PluginClusterEvent) {}

func (p *Plugin) ServeHTTP(_ *plugin.Context, w http.ResponseWriter, _ *http.Request) {
	w.WriteHeader(http.StatusNoContent)
}

func (p *Plugin) ExecuteCommand(*plugin.Context, *model.CommandArgs) (*model.CommandResponse, *model.AppError) {
	return &model.CommandResponse{}, nil
}

func (p *Plugin) MessageWillBePosted(*plugin.Context, *model.Post) (*model.Post, string) {
	return nil, ""
}

func (p *Plugin) MessageWillBeUpdated(_ *plugin.Context, newPost, _ *model.Post) (*model.Post, string) {
	return newPost, ""
}

func (p *Plugin) ReactionHasBeenAdded(*plugin.Context, *model.Reaction) {}

func (p *Plugin) UserHasJoinedChannel(*plugin.Context, *model.ChannelMember, *model.User) {}

func (p *Plugin) UserHasLeftChannel(*plugin.Context, *model.ChannelMember, *model.User) {}

func (p *Plugin) ChannelMemberWillBeAdded(*plugin.Context, *model.ChannelMember) (*model.ChannelMember, string) {
	return nil, ""
}

func (p *Plugin) ChannelHasBeenCreated(*plugin.Context, *model.Channel) {}

func (p *Plugin) ChannelWillBeUpdated(*plugin.Context, *model.Channel, *model.Channel) (*model.Channel, string) {
	return nil, ""
}

func (p *Plugin) UserHasJoinedTeam(*plugin.Context, *model.TeamMember, *model.User) {}

func (p *Plugin) TeamMemberWillBeAdded(*plugin.Context, *model.TeamMember) (*model.TeamMember, string) {
	return nil, ""
}

func (p *Plugin) UserWillLogIn(*plugin.Context, *model.User) string { return "" }

func (p *Plugin) UserHasLoggedIn(*plugin.Context, *model.User) {}

func (p *Plugin) UserHasBeenDeactivated(*plugin.Context, *model.User) {}

func (p *Plugin) UserHasBeenCreated(*plugin.Context, *model.User) {}

func (p *Plugin) FileWillBeUploaded(*plugin.Context, *model.FileInfo, io.Reader, io.Writer) (*model.FileInfo, string) {
	return nil, ""
}

func (p *Plugin) FileWillBeDownloaded(*plugin.Context, *model.FileInfo, string, model.FileDownloadType) string {
	return ""
}

func main() {
	plugin.ClientMain(&Plugin{})
}

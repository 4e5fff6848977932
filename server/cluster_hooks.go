package main

import (
	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"
)

// OnPluginClusterEvent is called by core when another node of the cluster
// published an event: a guest record changed there, so this node drops its
// cached answer for that user.
func (p *Plugin) OnPluginClusterEvent(_ *plugin.Context, ev model.PluginClusterEvent) {
	if p.app != nil {
		p.app.cache.OnClusterEvent(ev)
	}
}

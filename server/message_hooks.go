package main

import (
	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"
)

// MessageWillBePosted is called by core before a post is saved; a non-empty
// reason rejects it (the API answers 400 with the reason).
func (p *Plugin) MessageWillBePosted(_ *plugin.Context, post *model.Post) (*model.Post, string) {
	if p.app == nil {
		return nil, ""
	}
	return nil, p.app.CheckPost(post)
}

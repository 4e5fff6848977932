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
	reason := p.app.enforce.CheckPost(post)
	p.app.kit.ExplainRefusal(post.UserId, post.ChannelId, reason)
	return nil, reason
}

// MessageWillBeUpdated is called by core before an edited post is saved
// (pins and unpins too); a non-empty reason rejects the edit. The new
// version is checked as a new post would be, and a guest editing their own
// post needs "may edit own posts" (pinning is not editing).
func (p *Plugin) MessageWillBeUpdated(c *plugin.Context, newPost, oldPost *model.Post) (*model.Post, string) {
	if p.app == nil || newPost == nil {
		return nil, ""
	}
	editorID := "" // only a guest's own edits need to know who edits
	if p.app.enforce.MayBeGuest(newPost.UserId) {
		editorID = p.app.enforce.SessionUserID(sessionID(c))
	}
	if reason := p.app.enforce.CheckEdit(newPost, oldPost, editorID); reason != "" {
		told := newPost.UserId
		if editorID != "" {
			told = editorID
		}
		p.app.kit.ExplainRefusal(told, newPost.ChannelId, reason)
		return nil, reason
	}
	return newPost, ""
}

// ReactionHasBeenAdded is called by core after a reaction is saved (there
// is no veto hook): a guest whose reactions are off, or a reaction in a
// DM/GM the DM rule refuses, has it removed.
func (p *Plugin) ReactionHasBeenAdded(_ *plugin.Context, reaction *model.Reaction) {
	if p.app != nil {
		p.app.enforce.ReactionAdded(reaction)
	}
}

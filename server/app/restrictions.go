package app

import (
	"errors"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// Refusal texts of the per-guest restrictions.
var (
	msgNoEdit           = msg{"guest_accounts.notice.no_edit", "Editing your messages is turned off for guests here."}
	msgNoReactions      = msg{"guest_accounts.notice.no_reactions", "Reactions are turned off for guests here; your reaction was removed."}
	msgNoPrivateChannel = msg{"guest_accounts.notice.no_private_channel", "Guests here may not create private channels; the channel was archived."}
	msgNoDownload       = msg{"guest_accounts.notice.no_download", "Guests here may not download files."}
)

// guestRestrictions returns the guest's effective restrictions, or ok=false
// for a non-guest. A registry read error counts as a guest with everything
// off (fail closed).
func (a *App) guestRestrictions(userID string) (policy.Restrictions, bool) {
	g, err := a.guests.Cached(userID)
	if errors.Is(err, store.ErrNotFound) {
		return policy.Restrictions{}, false
	}
	if err != nil {
		return policy.Restrictions{}, true
	}
	return policy.Effective(a.settings().DefaultRestrictions, g.Restrictions), true
}

// CheckEdit decides whether an edit may be saved: the post rules of the
// new version, and a guest editing their own post needs "may edit own
// posts". editorID is the session's user ("" when unknown).
func (a *App) CheckEdit(newPost *model.Post, editorID string) string {
	if reason := a.CheckPost(newPost); reason != "" {
		return reason
	}
	if editorID != "" && editorID != newPost.UserId {
		return "" // someone else (an admin) editing: not the guest's restriction
	}
	if r, isGuest := a.guestRestrictions(newPost.UserId); isGuest && !r.EditOwnPosts {
		return a.say(newPost.UserId, msgNoEdit)
	}
	return ""
}

// ReactionAdded undoes a guest's reaction when reactions are off for them
// (core has no veto hook for reactions) and tells them why.
func (a *App) ReactionAdded(reaction *model.Reaction) {
	if reaction == nil || reaction.UserId == a.botID {
		return
	}
	r, isGuest := a.guestRestrictions(reaction.UserId)
	if !isGuest || r.React {
		return
	}
	if appErr := a.api.RemoveReaction(reaction); appErr != nil {
		a.api.LogWarn("Guest Accounts: could not remove a guest's reaction", "user_id", reaction.UserId, "error", appErr.Error())
		return
	}
	if post, appErr := a.api.GetPost(reaction.PostId); appErr == nil {
		a.Ephemeral(reaction.UserId, post.ChannelId, a.say(reaction.UserId, msgNoReactions))
	}
	a.Audit(reaction.UserId, "reaction_removed", reaction.PostId, "success", "reactions are off for this guest: "+reaction.EmojiName)
}

// PrivateChannelCreated archives a private channel a guest created when
// they may not (core has no veto hook for channel creation).
func (a *App) PrivateChannelCreated(ch *model.Channel) {
	if ch == nil || ch.Type != model.ChannelTypePrivate || ch.CreatorId == "" {
		return
	}
	r, isGuest := a.guestRestrictions(ch.CreatorId)
	if !isGuest || r.CreatePrivateChannels {
		return
	}
	if appErr := a.api.DeleteChannel(ch.Id); appErr != nil {
		a.api.LogWarn("Guest Accounts: could not archive a guest's private channel", "channel_id", ch.Id, "error", appErr.Error())
		return
	}
	a.tellByBot(ch.CreatorId, a.say(ch.CreatorId, msgNoPrivateChannel))
	a.Audit(ch.CreatorId, "private_channel_archived", ch.Id, "success", "private channels are off for this guest: "+ch.Name)
}

// CheckDownload decides whether a user may download a file ("" allows):
// guests need "may download files". Called on servers with the download
// hook (11.5+).
func (a *App) CheckDownload(userID string) string {
	if r, isGuest := a.guestRestrictions(userID); isGuest && !r.DownloadFiles {
		return a.say(userID, msgNoDownload)
	}
	return ""
}

// tellByBot sends a direct message from the plugin's bot (for notices with
// no channel left to show an ephemeral post in).
func (a *App) tellByBot(userID, message string) {
	dm, appErr := a.api.GetDirectChannel(userID, a.botID)
	if appErr != nil {
		return
	}
	if _, appErr := a.api.CreatePost(&model.Post{UserId: a.botID, ChannelId: dm.Id, Message: message}); appErr != nil {
		a.api.LogWarn("Guest Accounts: could not message a user", "user_id", userID, "error", appErr.Error())
	}
}

// ExplainRefusal tells the user, in an ephemeral post in the channel, why
// their post, edit or upload was refused (the client shows a failed post,
// not always the reason). Nothing happens for "".
func (a *App) ExplainRefusal(userID, channelID, reason string) {
	if reason == "" || userID == "" || channelID == "" || userID == a.botID {
		return
	}
	a.Ephemeral(userID, channelID, reason)
}

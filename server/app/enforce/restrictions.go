package enforce

import (
	"errors"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// Refusal texts of the per-guest restrictions.
var (
	msgNoEdit           = app.Msg{ID: "guest_accounts.notice.no_edit", Format: "Editing your messages is turned off for guests here."}
	msgNoReactions      = app.Msg{ID: "guest_accounts.notice.no_reactions", Format: "Reactions are turned off for guests here; your reaction was removed."}
	msgNoPrivateChannel = app.Msg{ID: "guest_accounts.notice.no_private_channel", Format: "Guests here may not create private channels; the channel was archived."}
	msgNoDownload       = app.Msg{ID: "guest_accounts.notice.no_download", Format: "Guests here may not download files."}
)

// guestRestrictions asks the registry about a user: not a guest, a guest
// (with their effective restrictions), or unreadable (policy refuses such a
// user every restricted action: fail closed).
func (s *Service) guestRestrictions(userID string) (policy.RegistryAnswer, policy.Restrictions) {
	if userID == "" {
		return policy.NotAGuest, policy.Restrictions{}
	}
	g, err := s.cache.Cached(userID)
	if errors.Is(err, store.ErrNotFound) {
		return policy.NotAGuest, policy.Restrictions{}
	}
	if err != nil {
		return policy.RegistryUnreadable, policy.Restrictions{}
	}
	return policy.AGuest, policy.Effective(s.kit.Settings().DefaultRestrictions, g.Restrictions)
}

// CheckEdit decides whether an edit may be saved: the post rules of the
// new version, and a guest editing their own post needs "may edit own
// posts". editorID is the session's user ("" when unknown).
func (s *Service) CheckEdit(newPost *model.Post, editorID string) string {
	if reason := s.CheckPost(newPost); reason != "" {
		return reason
	}
	if editorID != "" && editorID != newPost.UserId {
		return "" // someone else (an admin) editing: not the guest's restriction
	}
	if who, r := s.guestRestrictions(newPost.UserId); policy.RestrictionRefuses(who, r, policy.EditOwnPosts) {
		return s.kit.Say(newPost.UserId, msgNoEdit)
	}
	return ""
}

// ReactionAdded undoes a guest's reaction when reactions are off for them
// (core has no veto hook for reactions) and tells them why.
func (s *Service) ReactionAdded(reaction *model.Reaction) {
	if reaction == nil || reaction.UserId == s.kit.BotID() {
		return
	}
	if who, r := s.guestRestrictions(reaction.UserId); !policy.RestrictionRefuses(who, r, policy.React) {
		return
	}
	if appErr := s.api.RemoveReaction(reaction); appErr != nil {
		s.api.LogWarn("Guest Accounts: could not remove a guest's reaction", "user_id", reaction.UserId, "error", appErr.Error())
		return
	}
	if post, appErr := s.api.GetPost(reaction.PostId); appErr == nil {
		s.kit.Ephemeral(reaction.UserId, post.ChannelId, s.kit.Say(reaction.UserId, msgNoReactions))
	}
	s.kit.Audit(reaction.UserId, "reaction_removed", reaction.PostId, "success", "reactions are off for this guest: "+reaction.EmojiName)
}

// PrivateChannelCreated archives a private channel a guest created when
// they may not (core has no veto hook for channel creation).
func (s *Service) PrivateChannelCreated(ch *model.Channel) {
	if ch == nil {
		return
	}
	private, hasCreator := ch.Type == model.ChannelTypePrivate, ch.CreatorId != ""
	if !private || !hasCreator {
		return // no registry read for the common case
	}
	who, r := s.guestRestrictions(ch.CreatorId)
	if !policy.UndoPrivateChannel(private, hasCreator, who, r) {
		return
	}
	if appErr := s.api.DeleteChannel(ch.Id); appErr != nil {
		s.api.LogWarn("Guest Accounts: could not archive a guest's private channel", "channel_id", ch.Id, "error", appErr.Error())
		return
	}
	s.kit.Tell(ch.CreatorId, "", s.kit.Say(ch.CreatorId, msgNoPrivateChannel))
	s.kit.Audit(ch.CreatorId, "private_channel_archived", ch.Id, "success", "private channels are off for this guest: "+ch.Name)
}

// CheckDownload decides whether a user may download a file ("" allows):
// guests need "may download files". A refused download of the file itself
// is explained to the guest in the file's channel (refused thumbnails and
// previews are not: see policy.DownloadDecision). Called on servers with
// the download hook (11.5+).
func (s *Service) CheckDownload(userID, channelID string, kind model.FileDownloadType) string {
	who, r := s.guestRestrictions(userID)
	refuse, explain := policy.DownloadDecision(who, r, downloadKind(kind))
	if !refuse {
		return ""
	}
	reason := s.kit.Say(userID, msgNoDownload)
	if explain {
		s.kit.ExplainRefusal(userID, channelID, reason)
	}
	return reason
}

// downloadKind translates core's download type (an unknown one is taken
// for a download of the file itself).
func downloadKind(kind model.FileDownloadType) policy.DownloadKind {
	switch kind {
	case model.FileDownloadTypeThumbnail:
		return policy.DownloadThumbnail
	case model.FileDownloadTypePreview:
		return policy.DownloadPreview
	case model.FileDownloadTypePublic:
		return policy.DownloadPublic
	}
	return policy.DownloadFile
}

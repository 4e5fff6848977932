package enforce

import (
	"errors"
	"reflect"
	"slices"

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
	msgNoChannel        = app.Msg{ID: "guest_accounts.notice.no_channel", Format: "Guests cannot create channels; the channel was archived."}
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
// posts". Pinning or unpinning alone is not editing (see pinOnly).
// editorID is the session's user ("" when unknown). Someone else editing
// or pinning a guest's post (a system or channel admin moderating, a
// co-member pinning) is judged as themselves: the author being
// deactivated, expired or not yet through MFA or a password change is
// not theirs to meet.
func (s *Service) CheckEdit(newPost, oldPost *model.Post, editorID string) string {
	if editorID != "" && editorID != newPost.UserId {
		return s.checkOtherEditor(editorID, newPost.ChannelId)
	}
	if reason := s.CheckPost(newPost); reason != "" {
		return reason
	}
	if pinOnly(oldPost, newPost) {
		return ""
	}
	if who, r := s.guestRestrictions(newPost.UserId); policy.RestrictionRefuses(who, r, policy.EditOwnPosts) {
		return s.kit.Say(newPost.UserId, msgNoEdit)
	}
	return ""
}

// checkOtherEditor decides for someone changing another user's post: a
// member passes; a guest must be active and, in a DM/GM, meet the DM rule.
func (s *Service) checkOtherEditor(editorID, channelID string) string {
	g, err := s.cache.Cached(editorID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return ""
	case err != nil:
		return s.kit.Say(editorID, msgCheckFailed)
	case g.Deactivated != store.ReasonNone:
		return s.kit.Say(editorID, msgDeactivated)
	}
	return s.directSendRefusal(editorID, channelID)
}

// pinOnly reports whether an update only pins or unpins a post: core's pin
// and unpin (POST /posts/{id}/pin) arrive as updates, and so may a patch
// that sets is_pinned. Anything the author wrote that changes with it
// (message, files, props, type) makes it an edit.
func pinOnly(oldPost, newPost *model.Post) bool {
	return oldPost != nil && newPost != nil && oldPost.IsPinned != newPost.IsPinned &&
		oldPost.Message == newPost.Message && oldPost.Type == newPost.Type &&
		slices.Equal(oldPost.FileIds, newPost.FileIds) && reflect.DeepEqual(oldPost.GetProps(), newPost.GetProps())
}

// ReactionAdded undoes a reaction (core has no veto hook for reactions)
// when reactions are off for the guest who added it, or when it was added
// in a direct or group message the DM rule refuses them (a guest whose DM
// partner no longer shares a channel with them, and the reverse), and
// tells them why. Core has delivered reaction_added to the participants'
// websockets by then.
func (s *Service) ReactionAdded(reaction *model.Reaction) {
	if reaction == nil || reaction.UserId == s.kit.BotID() {
		return
	}
	var text, detail string
	if who, r := s.guestRestrictions(reaction.UserId); policy.RestrictionRefuses(who, r, policy.React) {
		text, detail = s.kit.Say(reaction.UserId, msgNoReactions), "reactions are off for this guest: "+reaction.EmojiName
	} else if reason := s.directSendRefusal(reaction.UserId, reaction.ChannelId); reason != "" {
		text = s.kit.TrUser(reaction.UserId, "guest_accounts.notice.dm_reaction_removed", "%s Your reaction was removed.", reason)
		detail = "direct message rule: " + reaction.EmojiName
	} else {
		return
	}
	if appErr := s.api.RemoveReaction(reaction); appErr != nil {
		s.api.LogWarn("Guest Accounts: could not remove a reaction", "user_id", reaction.UserId, "error", appErr.Error())
		return
	}
	channelID := reaction.ChannelId
	if channelID == "" {
		if post, appErr := s.api.GetPost(reaction.PostId); appErr == nil {
			channelID = post.ChannelId
		}
	}
	if channelID != "" {
		s.kit.Ephemeral(reaction.UserId, channelID, text)
	}
	s.kit.Audit(reaction.UserId, "reaction_removed", reaction.PostId, "success", detail)
}

// GuestChannelCreated undoes an open or private channel a guest created
// (core has no veto hook for channel creation): one made through a team
// membership that is not a guest one (a self-join the isolation hooks had
// not undone yet), or a private channel the guest may not create
// (policy.UndoGuestChannel). The guest is removed first, then the channel
// archived, so they keep no channel_admin membership in it.
func (s *Service) GuestChannelCreated(ch *model.Channel) {
	if ch == nil || ch.CreatorId == "" || (ch.Type != model.ChannelTypeOpen && ch.Type != model.ChannelTypePrivate) {
		return
	}
	private := ch.Type == model.ChannelTypePrivate
	if !private && !s.MayBeGuest(ch.CreatorId) {
		return // a member's public channel: one cache lookup
	}
	who, r := s.guestRestrictions(ch.CreatorId)
	guestTeamMember := false
	if who == policy.AGuest {
		tm, appErr := s.api.GetTeamMember(ch.TeamId, ch.CreatorId)
		guestTeamMember = appErr == nil && tm.DeleteAt == 0 && tm.SchemeGuest
	}
	if !policy.UndoGuestChannel(private, who, guestTeamMember, r) {
		return
	}
	if appErr := s.api.DeleteChannelMember(ch.Id, ch.CreatorId); appErr != nil {
		s.api.LogWarn("Guest Accounts: could not remove a guest from the channel they created", "channel_id", ch.Id, "error", appErr.Error())
	}
	if appErr := s.api.DeleteChannel(ch.Id); appErr != nil {
		s.api.LogWarn("Guest Accounts: could not archive a guest's channel", "channel_id", ch.Id, "error", appErr.Error())
		return
	}
	if guestTeamMember {
		s.kit.Tell(ch.CreatorId, "", s.kit.Say(ch.CreatorId, msgNoPrivateChannel))
		s.kit.Audit(ch.CreatorId, "private_channel_archived", ch.Id, "success", "private channels are off for this guest: "+ch.Name)
		return
	}
	s.kit.Tell(ch.CreatorId, "", s.kit.Say(ch.CreatorId, msgNoChannel))
	s.kit.Audit(ch.CreatorId, "guest_channel_archived", ch.Id, "success", "guests cannot create channels: "+ch.Name)
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

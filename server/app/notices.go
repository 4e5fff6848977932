package app

import (
	"strings"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"
)

// ensureBot creates (or updates) the plugin's bot, which posts the system
// messages and ephemeral explanations.
func (k *Kit) ensureBot() error {
	id, err := k.api.EnsureBotUser(&model.Bot{
		Username:    "guest-accounts",
		DisplayName: "Guest Accounts",
		Description: "Posts guest-related notices for the Guest Accounts plugin.",
	})
	if err != nil {
		return errors.Wrap(err, "ensuring the bot user")
	}
	k.botID = id
	return nil
}

// BotID is the plugin bot's user id.
func (k *Kit) BotID() string { return k.botID }

// DisplayName is how emails and the signup page name a user.
func DisplayName(u *model.User) string {
	if n := strings.TrimSpace(u.FirstName + " " + u.LastName); n != "" {
		return n
	}
	return "@" + u.Username
}

// NoticeName names a user in a channel notice without an @-mention (a
// mention would notify and email them about their own arrival).
func NoticeName(u *model.User) string {
	name := DisplayName(u)
	if strings.HasPrefix(name, "@") {
		return "`" + u.Username + "`"
	}
	return name + " (`" + u.Username + "`)"
}

// Username is the user's username, or the id when it cannot be read.
func (k *Kit) Username(userID string) string {
	if u, appErr := k.api.GetUser(userID); appErr == nil {
		return u.Username
	}
	return userID
}

// TeamName is the team's display name, or the id when it cannot be read.
func (k *Kit) TeamName(teamID string) string {
	if t, appErr := k.api.GetTeam(teamID); appErr == nil {
		return t.DisplayName
	}
	return teamID
}

// PostSystemMessage posts a notice from the bot in each channel.
func (k *Kit) PostSystemMessage(channelIDs []string, message string) {
	for _, id := range channelIDs {
		k.createBotPost(id, message, "channel_id", id)
	}
}

// createBotPost posts a notice from the bot, logging a failure with the
// given key and value.
func (k *Kit) createBotPost(channelID, message, logKey, logValue string) {
	post := &model.Post{UserId: k.botID, ChannelId: channelID, Message: message, Type: model.PostTypeDefault}
	post.AddProp("from_guest_accounts", true)
	if _, appErr := k.api.CreatePost(post); appErr != nil {
		k.api.LogWarn("Guest Accounts: could not post a notice", logKey, logValue, "error", appErr.Error())
	}
}

// Ephemeral tells one user something in a channel, visible only to them.
func (k *Kit) Ephemeral(userID, channelID, message string) {
	k.api.SendEphemeralPost(userID, &model.Post{UserId: k.botID, ChannelId: channelID, Message: message})
}

// ExplainRefusal tells the user, in an ephemeral post in the channel, why
// their post, edit, upload or download was refused (the client shows a
// failed post, not always the reason). Nothing happens for "".
func (k *Kit) ExplainRefusal(userID, channelID, reason string) {
	if reason == "" || userID == "" || channelID == "" || userID == k.botID {
		return
	}
	k.Ephemeral(userID, channelID, reason)
}

// Tell shows a notice to one user: an ephemeral post in the channel when
// they are a member of it ("" for none), else a direct message from the
// plugin's bot (for notices with no channel left to show them in).
func (k *Kit) Tell(userID, channelID, message string) {
	if channelID != "" {
		if _, appErr := k.api.GetChannelMember(channelID, userID); appErr == nil {
			k.Ephemeral(userID, channelID, message)
			return
		}
	}
	dm, appErr := k.api.GetDirectChannel(k.botID, userID)
	if appErr != nil {
		k.api.LogWarn("Guest Accounts: could not open a direct message to send a notice", "user_id", userID, "error", appErr.Error())
		return
	}
	k.createBotPost(dm.Id, message, "user_id", userID)
}

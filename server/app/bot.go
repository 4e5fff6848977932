package app

import (
	"strings"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"
)

// ensureBot creates (or updates) the plugin's bot, which posts the system
// messages and ephemeral explanations.
func (a *App) ensureBot() error {
	id, err := a.api.EnsureBotUser(&model.Bot{
		Username:    "guest-accounts",
		DisplayName: "Guest Accounts",
		Description: "Posts guest-related notices for the Guest Accounts plugin.",
	})
	if err != nil {
		return errors.Wrap(err, "ensuring the bot user")
	}
	a.botID = id
	return nil
}

// BotID is the plugin bot's user id.
func (a *App) BotID() string { return a.botID }

// noticeName names a user in a channel notice without an @-mention (a
// mention would notify and email them about their own arrival).
func noticeName(u *model.User) string {
	name := displayName(u)
	if strings.HasPrefix(name, "@") {
		return "`" + u.Username + "`"
	}
	return name + " (`" + u.Username + "`)"
}

// postSystemMessage posts a notice from the bot in each channel.
func (a *App) postSystemMessage(channelIDs []string, message string) {
	for _, id := range channelIDs {
		post := &model.Post{UserId: a.botID, ChannelId: id, Message: message, Type: model.PostTypeDefault}
		post.AddProp("from_guest_accounts", true)
		if _, appErr := a.api.CreatePost(post); appErr != nil {
			a.api.LogWarn("Guest Accounts: could not post a notice", "channel_id", id, "error", appErr.Error())
		}
	}
}

// Ephemeral tells one user something in a channel, visible only to them.
func (a *App) Ephemeral(userID, channelID, message string) {
	a.api.SendEphemeralPost(userID, &model.Post{UserId: a.botID, ChannelId: channelID, Message: message})
}

package command

import (
	"fmt"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app/invites"
)

// parseInvite reads `invite a@x.com b@y.com ~channel ~other [--message "text"]`.
func parseInvite(command string) (emails, channels []string, message string, err error) {
	rest := command
	if i := strings.Index(rest, "--message"); i >= 0 {
		msg := strings.TrimSpace(rest[i+len("--message"):])
		rest = rest[:i]
		if len(msg) >= 2 && (msg[0] == '"' || msg[0] == '\'') && strings.HasSuffix(msg, msg[:1]) {
			msg = msg[1 : len(msg)-1]
		}
		message = msg
	}
	for _, f := range strings.Fields(rest) {
		switch {
		case strings.HasPrefix(f, "~"):
			channels = append(channels, strings.TrimPrefix(f, "~"))
		case strings.Contains(f, "@") && !strings.HasPrefix(f, "@"):
			emails = append(emails, strings.TrimRight(f, ","))
		default:
			return nil, nil, "", newCmdErr("guest_accounts.command.invite_bad_word", "%q is neither an email address nor a ~channel", f)
		}
	}
	if len(emails) == 0 || len(channels) == 0 {
		return nil, nil, "", newCmdErr("guest_accounts.command.invite_missing", "give at least one email address and one ~channel")
	}
	return emails, channels, message, nil
}

func (h *Handler) invite(t app.Translator, args *model.CommandArgs, rest string) *model.CommandResponse {
	emails, names, message, err := parseInvite(rest)
	if err != nil {
		return reply(t("guest_accounts.command.usage_invite", "Usage: `/guest invite a@example.com b@example.com ~channel [~other] [--message \"text\"]`: %s.", errText(t, err)))
	}
	var channelIDs []string
	for _, name := range names {
		ch, appErr := h.api.GetChannelByName(args.TeamId, name, false)
		if appErr != nil {
			return reply(t("guest_accounts.command.no_channel", "No channel ~%s in this team.", name))
		}
		channelIDs = append(channelIDs, ch.Id)
	}
	results, err := h.invites.CreateInvites(args.UserId, invites.InviteRequest{Emails: emails, ChannelIDs: channelIDs, Message: message})
	if err != nil {
		return reply(t("guest_accounts.command.invite_failed", "Could not invite: %s", errText(t, err)))
	}
	var b strings.Builder
	b.WriteString(t("guest_accounts.command.invitations", "Invitations:") + "\n")
	for _, r := range results {
		line := fmt.Sprintf("* %s — %s", r.Email, strings.ReplaceAll(r.Status, "_", " "))
		if r.Message != "" {
			line += ": " + r.Message
		}
		b.WriteString(line + "\n")
	}
	return reply(b.String())
}

package enforce

import (
	"strings"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
)

// GuardedCommands are core's built-in slash commands that core itself
// still runs for a guest somewhere, although guests may not use them. The
// plugin registers the same triggers: core asks plugin commands first and
// runs its own when the plugin answers nothing, so members keep core's
// command and a guest is refused before anything changes. Measured on 11.4
// with the dedicated guest role: core refuses a guest /purpose, /rename,
// /invite, /join, /kick and /remove everywhere and /header in their
// channels, but runs /header in a direct or group message (it changes the
// header and posts it there).
var GuardedCommands = []string{"header"}

// CommandRegistrar registers slash commands (the plugin API).
type CommandRegistrar interface {
	RegisterCommand(command *model.Command) error
}

// RegisterCommandGuards registers the guarded triggers, hidden from
// autocomplete (core's own entries stay).
func RegisterCommandGuards(api CommandRegistrar) error {
	for _, trigger := range GuardedCommands {
		if err := api.RegisterCommand(&model.Command{Trigger: trigger, AutoComplete: false, DisplayName: "Guest Accounts guard"}); err != nil {
			return errors.Wrapf(err, "registering the /%s guard", trigger)
		}
	}
	return nil
}

// IsGuardedCommand reports whether a command line starts with a guarded
// trigger.
func IsGuardedCommand(line string) bool {
	_, ok := guardedTrigger(line)
	return ok
}

func guardedTrigger(line string) (string, bool) {
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return "", false
	}
	trigger := strings.ToLower(strings.TrimPrefix(fields[0], "/"))
	for _, t := range GuardedCommands {
		if t == trigger {
			return t, true
		}
	}
	return "", false
}

// GuardCommand answers a guarded command: nil lets core's own command run
// (not a guest); a guest, or anyone the registry cannot be read for, is
// refused with an ephemeral answer and nothing changes.
func (s *Service) GuardCommand(args *model.CommandArgs) *model.CommandResponse {
	trigger, _ := guardedTrigger(args.Command)
	if who, _ := s.guestRestrictions(args.UserId); who == policy.NotAGuest {
		return nil
	}
	s.kit.Audit(args.UserId, "command_refused", args.ChannelId, "refused: restricted_command", "/"+trigger)
	return &model.CommandResponse{
		ResponseType: model.CommandResponseTypeEphemeral,
		Text:         s.kit.TrUser(args.UserId, "guest_accounts.notice.command_refused", "Guests cannot use /%s.", trigger),
	}
}

// Package command implements the /guest slash command: parsing, permission
// checks and replies. The work is done by app use cases.
package command

import (
	"fmt"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
)

// Trigger is the command word.
const Trigger = "guest"

// API is the part of the plugin API the command needs.
type API interface {
	RegisterCommand(command *model.Command) error
	GetUserByUsername(name string) (*model.User, *model.AppError)
	GetChannelByName(teamID, name string, includeDeleted bool) (*model.Channel, *model.AppError)
}

// Register registers /guest with its autocomplete.
func Register(api API, _ *app.App) error {
	return errors.Wrap(api.RegisterCommand(&model.Command{
		Trigger:          Trigger,
		AutoComplete:     true,
		AutoCompleteDesc: "Manage guest accounts",
		AutoCompleteHint: "[command]",
		DisplayName:      "Guest Accounts",
		Description:      "Manage guest accounts: invite, list, info, promote, demote, deactivate, activate, expire, mfa, restrict, single, rules, stats.",
		AutocompleteData: autocomplete(),
	}), "registering /guest")
}

func autocomplete() *model.AutocompleteData {
	root := model.NewAutocompleteData(Trigger, "[command]", "Manage guest accounts")
	inv := model.NewAutocompleteData("invite", "email... ~channel... [--message \"text\"]", "Invite guests by email into channels")
	inv.AddTextArgument("Email addresses, then ~channels", "a@example.com ~channel", "")
	root.AddCommand(inv)
	list := model.NewAutocompleteData("list", "[active|deactivated|expiring]", "List guests")
	list.AddStaticListArgument("Which guests", false, []model.AutocompleteListItem{
		{Item: "active", HelpText: "Active guests"},
		{Item: "deactivated", HelpText: "Deactivated guests"},
		{Item: "expiring", HelpText: "Guests with an expiry date"},
	})
	root.AddCommand(list)
	for _, c := range []struct{ name, help string }{
		{"info", "Show a guest's details"},
		{"promote", "Make a guest a full member"},
		{"demote", "Convert a member into a guest (keeps their non-default channels)"},
		{"deactivate", "Deactivate a guest (logs them out)"},
		{"activate", "Reactivate a guest"},
	} {
		sub := model.NewAutocompleteData(c.name, "@username", c.help)
		sub.AddTextArgument("The user", "@username", "")
		root.AddCommand(sub)
	}
	expire := model.NewAutocompleteData("expire", "@username YYYY-MM-DD|never", "Set or clear a guest's expiry date")
	expire.AddTextArgument("The guest", "@username", "")
	expire.AddTextArgument("The last day (UTC), or never", "YYYY-MM-DD|never", "")
	root.AddCommand(expire)
	mfa := model.NewAutocompleteData("mfa", "@username on|off|default", "Require multi-factor authentication of a guest (default follows the settings)")
	mfa.AddTextArgument("The guest", "@username", "")
	mfa.AddStaticListArgument("Require MFA", true, []model.AutocompleteListItem{
		{Item: "on", HelpText: "The guest cannot post or upload until MFA is set up"},
		{Item: "off", HelpText: "Not required of this guest, whatever the settings say"},
		{Item: "default", HelpText: "Follow the settings (all guests, or per team)"},
	})
	root.AddCommand(mfa)
	restrict := model.NewAutocompleteData("restrict", "@username restriction on|off|default", "Change one of a guest's restrictions")
	restrict.AddTextArgument("The guest", "@username", "")
	restrict.AddStaticListArgument("Restriction", true, []model.AutocompleteListItem{
		{Item: "upload_files"}, {Item: "download_files"}, {Item: "edit_own_posts"},
		{Item: "react"}, {Item: "create_private_channels"}, {Item: "direct_messages"},
	})
	restrict.AddStaticListArgument("Value", true, []model.AutocompleteListItem{{Item: "on"}, {Item: "off"}, {Item: "default"}})
	root.AddCommand(restrict)
	single := model.NewAutocompleteData("single", "@username on|off", "Limit a guest to one channel, or lift it")
	single.AddTextArgument("The guest", "@username", "")
	single.AddStaticListArgument("Value", true, []model.AutocompleteListItem{{Item: "on"}, {Item: "off"}})
	root.AddCommand(single)
	rules := model.NewAutocompleteData("rules", "[apply [--no-channels]]", "Automatic guest rules: dry run, or apply to existing accounts")
	rules.AddStaticListArgument("Action", false, []model.AutocompleteListItem{
		{Item: "apply", HelpText: "Convert the accounts the dry run lists"},
	})
	root.AddCommand(rules)
	root.AddCommand(model.NewAutocompleteData("stats", "", "Guests against the caps"))
	root.AddCommand(model.NewAutocompleteData("help", "", "How to use /guest"))
	return root
}

// Handler runs /guest.
type Handler struct {
	api API
	app *app.App
}

// NewHandler returns a Handler.
func NewHandler(api API, a *app.App) *Handler {
	return &Handler{api: api, app: a}
}

// Execute runs one /guest invocation and returns the ephemeral reply.
func (h *Handler) Execute(args *model.CommandArgs) *model.CommandResponse {
	fields := strings.Fields(args.Command)
	if len(fields) < 2 || fields[1] == "help" {
		return reply(helpText)
	}
	sub, rest := fields[1], fields[2:]
	if sub == "invite" {
		// Allowed per "Who may invite guests"; CreateInvites checks it.
		return h.invite(args, strings.TrimSpace(strings.SplitN(args.Command, "invite", 2)[1]))
	}
	if !h.app.IsSystemAdmin(args.UserId) {
		return reply("Only system admins can run `/guest " + sub + "`.")
	}
	switch sub {
	case "list":
		return h.list(rest)
	case "stats":
		return h.stats()
	case "mfa":
		return h.mfa(args.UserId, rest)
	case "restrict":
		return h.restrict(args.UserId, rest)
	case "single":
		return h.single(args.UserId, rest)
	case "rules":
		return h.rules(args.UserId, rest)
	case "info", "promote", "demote", "deactivate", "activate", "expire":
		return h.userAction(args.UserId, sub, rest)
	default:
		return reply(fmt.Sprintf("Unknown command `%s`.\n\n%s", sub, helpText))
	}
}

const helpText = "#### /guest\n" +
	"* `/guest invite a@example.com ~channel [--message \"text\"]` — invite guests by email\n" +
	"* `/guest list [active|deactivated|expiring]` — list guests\n" +
	"* `/guest info @user` — a guest's details\n" +
	"* `/guest promote @user` — make a guest a full member\n" +
	"* `/guest demote @user` — convert a member into a guest\n" +
	"* `/guest deactivate @user` / `/guest activate @user`\n" +
	"* `/guest expire @user YYYY-MM-DD|never` — set or clear the expiry date\n" +
	"* `/guest mfa @user on|off|default` — require MFA of a guest, or follow the settings\n" +
	"* `/guest restrict @user <restriction> on|off|default` — change a per-guest restriction\n" +
	"* `/guest single @user on|off` — single-channel guest\n" +
	"* `/guest rules [apply [--no-channels]]` — automatic guest rules: dry run, or apply to existing accounts\n" +
	"* `/guest stats` — guests against the caps\n"

func reply(text string) *model.CommandResponse {
	return &model.CommandResponse{ResponseType: model.CommandResponseTypeEphemeral, Text: text}
}

func (h *Handler) userAction(actorID, sub string, rest []string) *model.CommandResponse {
	if len(rest) < 1 || (sub == "expire" && len(rest) < 2) {
		return reply(fmt.Sprintf("Usage: `/guest %s @username%s`", sub, map[bool]string{true: " YYYY-MM-DD|never"}[sub == "expire"]))
	}
	name := strings.TrimPrefix(rest[0], "@")
	u, appErr := h.api.GetUserByUsername(name)
	if appErr != nil {
		return reply(fmt.Sprintf("No user @%s.", name))
	}
	var err error
	var msg string
	switch sub {
	case "info":
		var g *app.Guest
		if g, err = h.app.GetGuest(u.Id); err == nil {
			msg = describe(g)
		}
	case "promote":
		if err = h.app.Promote(actorID, u.Id); err == nil {
			msg = fmt.Sprintf("@%s is now a full member.", u.Username)
		}
	case "demote":
		if _, err = h.app.Demote(actorID, u.Id, nil); err == nil {
			msg = fmt.Sprintf("@%s is now a guest and has been logged out.", u.Username)
		}
	case "deactivate":
		if _, err = h.app.Deactivate(actorID, u.Id, "admin"); err == nil {
			msg = fmt.Sprintf("@%s is deactivated and logged out.", u.Username)
		}
	case "activate":
		if _, err = h.app.Activate(actorID, u.Id, ""); err == nil {
			msg = fmt.Sprintf("@%s is active again.", u.Username)
		}
	case "expire":
		var at int64
		if at, err = parseExpiry(rest[1]); err == nil {
			if _, err = h.app.UpdateGuest(actorID, u.Id, app.GuestPatch{ExpiresAt: &at}); err == nil {
				msg = fmt.Sprintf("@%s expires %s.", u.Username, formatExpiry(at))
			}
		}
	}
	if err != nil {
		return reply("Could not " + sub + " @" + u.Username + ": " + err.Error())
	}
	return reply(msg)
}

// parseExpiry reads YYYY-MM-DD (the guest may use that whole day, UTC) or
// "never".
func parseExpiry(s string) (int64, error) {
	if strings.EqualFold(s, "never") {
		return 0, nil
	}
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		return 0, errors.Errorf("%q is not a date like 2026-12-31 or the word never", s)
	}
	return d.Add(24*time.Hour - time.Millisecond).UnixMilli(), nil
}

func formatExpiry(ms int64) string {
	if ms == 0 {
		return "never"
	}
	return "at the end of " + time.UnixMilli(ms).UTC().Format("2006-01-02") + " (UTC)"
}

func describe(g *app.Guest) string {
	return fmt.Sprintf("**@%s** (%s)\n* Status: %s%s\n* Expires: %s\n* Channels: %d\n* Single-channel: %t\n* Restrictions: uploads %t, downloads %t, edit own posts %t, reactions %t, private channels %t, direct messages %t\n* MFA: required %t, set up %t",
		g.Username, g.Email, g.Status, map[bool]string{true: " (" + g.DeactivatedReason + ")"}[g.DeactivatedReason != ""],
		formatExpiry(g.ExpiresAt), len(g.ChannelIDs), g.SingleChannel,
		g.Restrictions.UploadFiles, g.Restrictions.DownloadFiles, g.Restrictions.EditOwnPosts,
		g.Restrictions.React, g.Restrictions.CreatePrivateChannels, g.Restrictions.DirectMessages,
		g.RequireMFA, g.MFAActive)
}

// mfa runs `/guest mfa @user on|off|default`.
func (h *Handler) mfa(actorID string, rest []string) *model.CommandResponse {
	if len(rest) != 2 {
		return reply("Usage: `/guest mfa @username on|off|default`")
	}
	u, resp := h.user(rest[0])
	if resp != nil {
		return resp
	}
	v, err := parseSwitch(rest[1])
	if err != nil {
		return reply(err.Error() + ".")
	}
	g, err := h.app.UpdateGuest(actorID, u.Id, app.GuestPatch{RequireMFA: app.OptionalBool{Set: true, Value: v}})
	if err != nil {
		return reply("Could not change @" + u.Username + ": " + err.Error())
	}
	state := map[bool]string{true: "required", false: "not required"}[g.RequireMFA]
	source := "following the settings"
	if v != nil {
		source = "set for this guest"
	}
	return reply(fmt.Sprintf("@%s: MFA is now %s (%s); MFA set up: %t.", u.Username, state, source, g.MFAActive))
}

func (h *Handler) list(rest []string) *model.CommandResponse {
	status := ""
	if len(rest) > 0 {
		status = rest[0]
	}
	res, err := h.app.ListGuests(app.ListQuery{Status: status, PerPage: 50})
	if err != nil {
		return reply("Could not list guests: " + err.Error())
	}
	if len(res.Guests) == 0 {
		return reply("No guests.")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d guest(s):\n", res.Total)
	for _, g := range res.Guests {
		fmt.Fprintf(&b, "* @%s — %s, expires %s\n", g.Username, g.Status, formatExpiry(g.ExpiresAt))
	}
	return reply(b.String())
}

func (h *Handler) stats() *model.CommandResponse {
	st, err := h.app.Stats()
	if err != nil {
		return reply("Could not read the stats: " + err.Error())
	}
	limit := func(n int) string {
		if n == 0 {
			return "unlimited"
		}
		return fmt.Sprint(n)
	}
	return reply(fmt.Sprintf("Guests: %d active (maximum %s), %d deactivated, %d pending invitations. Edition: %s. Guest accounts %s.",
		st.ActiveGuests, limit(st.MaxActiveGuests), st.DeactivatedGuests, st.PendingInvitations, st.Edition,
		map[bool]string{true: "enabled", false: "switched off"}[st.GuestAccountsEnabled]))
}

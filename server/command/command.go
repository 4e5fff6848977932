// Package command implements the /guest slash command: parsing, permission
// checks and replies. The work is done by app use cases.
package command

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	pkgerrors "github.com/pkg/errors"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app/guests"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app/invites"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app/rules"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
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
func Register(api API) error {
	return pkgerrors.Wrap(api.RegisterCommand(&model.Command{
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
	var restrictions []model.AutocompleteListItem
	for _, spec := range policy.RestrictionTable {
		restrictions = append(restrictions, model.AutocompleteListItem{Item: spec.Key, HelpText: spec.Label.Format})
	}
	restrict.AddStaticListArgument("Restriction", true, restrictions)
	restrict.AddStaticListArgument("Value", true, []model.AutocompleteListItem{{Item: "on"}, {Item: "off"}, {Item: "default"}})
	root.AddCommand(restrict)
	single := model.NewAutocompleteData("single", "@username on|off", "Limit a guest to one channel, or lift it")
	single.AddTextArgument("The guest", "@username", "")
	single.AddStaticListArgument("Value", true, []model.AutocompleteListItem{{Item: "on"}, {Item: "off"}})
	root.AddCommand(single)
	rules := model.NewAutocompleteData("rules", "[apply <code> [--no-channels]]", "Automatic guest rules: dry run, or apply to existing accounts")
	rules.AddStaticListArgument("Action", false, []model.AutocompleteListItem{
		{Item: "apply", HelpText: "Convert the accounts the dry run lists"},
	})
	root.AddCommand(rules)
	root.AddCommand(model.NewAutocompleteData("stats", "", "Guests against the caps"))
	root.AddCommand(model.NewAutocompleteData("help", "", "How to use /guest"))
	return root
}

// Kit is what the command needs of the app kernel.
type Kit interface {
	IsSystemAdmin(userID string) bool
	TranslatorFor(locale string) app.Translator
	UserLocale(userID string) string
}

// Guests are the guest use cases /guest runs.
type Guests interface {
	GetGuest(userID string) (*guests.Guest, error)
	ListGuests(q guests.ListQuery) (*guests.GuestList, error)
	UpdateGuest(actorID, userID string, p guests.GuestPatch) (*guests.Guest, error)
	Promote(actorID, userID string) error
	Demote(actorID, userID string, keep []string) (*guests.Guest, error)
	Deactivate(actorID, userID, reason string) (*guests.Guest, error)
	Activate(actorID, userID, onlyReason string) (*guests.Guest, error)
	Stats() (*guests.Stats, error)
}

// Invites are the invitation use cases /guest invite runs.
type Invites interface {
	CreateInvites(actorID string, req invites.InviteRequest) ([]invites.InviteResult, error)
}

// Rules are the automatic guest rules /guest rules runs.
type Rules interface {
	PreviewRules() (*rules.Preview, error)
	ApplyRules(actorID string, req rules.ApplyRulesRequest) ([]rules.ApplyRulesResult, error)
}

// Services are the app layer's parts the command calls.
type Services struct {
	Kit     Kit
	Guests  Guests
	Invites Invites
	Rules   Rules
}

// Handler runs /guest.
type Handler struct {
	api        API
	kit        Kit
	guests     Guests
	invites    Invites
	guestRules Rules
}

// NewHandler returns a Handler.
func NewHandler(api API, s Services) *Handler {
	return &Handler{api: api, kit: s.Kit, guests: s.Guests, invites: s.Invites, guestRules: s.Rules}
}

// cmdErr is a refusal of the command's own (bad arguments): an id and an
// English format, translated when it is shown.
type cmdErr struct {
	id, format string
	args       []any
}

func (e *cmdErr) Error() string { return fmt.Sprintf(e.format, e.args...) }

func newCmdErr(id, format string, args ...any) *cmdErr {
	return &cmdErr{id: id, format: format, args: args}
}

// errText is err's message in the admin's language.
func errText(t app.Translator, err error) string {
	var ce *cmdErr
	if errors.As(err, &ce) {
		return t(ce.id, ce.format, ce.args...)
	}
	return app.Localized(err, t)
}

// Execute runs one /guest invocation and returns the ephemeral reply, in
// the language the user chose in Mattermost.
func (h *Handler) Execute(args *model.CommandArgs) *model.CommandResponse {
	t := h.kit.TranslatorFor(h.kit.UserLocale(args.UserId))
	fields := strings.Fields(args.Command)
	if len(fields) < 2 || fields[1] == "help" {
		return reply(helpText(t))
	}
	sub, rest := fields[1], fields[2:]
	if sub == "invite" {
		// Allowed per "Who may invite guests"; CreateInvites checks it.
		return h.invite(t, args, strings.TrimSpace(strings.SplitN(args.Command, "invite", 2)[1]))
	}
	if !h.kit.IsSystemAdmin(args.UserId) {
		return reply(t("guest_accounts.command.admins_only", "Only system admins can run `/guest %s`.", sub))
	}
	switch sub {
	case "list":
		return h.list(t, rest)
	case "stats":
		return h.stats(t)
	case "mfa":
		return h.mfa(t, args.UserId, rest)
	case "restrict":
		return h.restrict(t, args.UserId, rest)
	case "single":
		return h.single(t, args.UserId, rest)
	case "rules":
		return h.rules(t, args.UserId, rest)
	case "info", "promote", "demote", "deactivate", "activate", "expire":
		return h.userAction(t, args.UserId, sub, rest)
	default:
		return reply(t("guest_accounts.command.unknown", "Unknown command `%s`.", sub) + "\n\n" + helpText(t))
	}
}

func helpText(t app.Translator) string {
	return t("guest_accounts.command.help", "#### /guest\n"+
		"* `/guest invite a@example.com ~channel [--message \"text\"]` — invite guests by email\n"+
		"* `/guest list [active|deactivated|expiring]` — list guests\n"+
		"* `/guest info @user` — a guest's details\n"+
		"* `/guest promote @user` — make a guest a full member\n"+
		"* `/guest demote @user` — convert a member into a guest\n"+
		"* `/guest deactivate @user` / `/guest activate @user`\n"+
		"* `/guest expire @user YYYY-MM-DD|never` — set or clear the expiry date\n"+
		"* `/guest mfa @user on|off|default` — require MFA of a guest, or follow the settings\n"+
		"* `/guest restrict @user <restriction> on|off|default` — change a per-guest restriction\n"+
		"* `/guest single @user on|off` — single-channel guest\n"+
		"* `/guest rules [apply <code> [--no-channels]]` — automatic guest rules: dry run, or apply to the existing accounts that dry run listed (its code)\n"+
		"* `/guest stats` — guests against the caps\n")
}

func reply(text string) *model.CommandResponse {
	return &model.CommandResponse{ResponseType: model.CommandResponseTypeEphemeral, Text: text}
}

func (h *Handler) userAction(t app.Translator, actorID, sub string, rest []string) *model.CommandResponse {
	if len(rest) < 1 || (sub == "expire" && len(rest) < 2) {
		if sub == "expire" {
			return reply(t("guest_accounts.command.usage_expire", "Usage: `/guest expire @username YYYY-MM-DD|never`"))
		}
		return reply(t("guest_accounts.command.usage_user", "Usage: `/guest %s @username`", sub))
	}
	u, resp := h.user(t, rest[0])
	if resp != nil {
		return resp
	}
	var err error
	var text string
	switch sub {
	case "info":
		var g *guests.Guest
		if g, err = h.guests.GetGuest(u.Id); err == nil {
			text = describe(t, g)
		}
	case "promote":
		if err = h.guests.Promote(actorID, u.Id); err == nil {
			text = t("guest_accounts.command.promoted", "@%s is now a full member.", u.Username)
		}
	case "demote":
		if _, err = h.guests.Demote(actorID, u.Id, nil); err == nil {
			text = t("guest_accounts.command.demoted", "@%s is now a guest and has been logged out.", u.Username)
		}
	case "deactivate":
		if _, err = h.guests.Deactivate(actorID, u.Id, "admin"); err == nil {
			text = t("guest_accounts.command.deactivated", "@%s is deactivated and logged out.", u.Username)
		}
	case "activate":
		if _, err = h.guests.Activate(actorID, u.Id, ""); err == nil {
			text = t("guest_accounts.command.activated", "@%s is active again.", u.Username)
		}
	case "expire":
		var at int64
		if at, err = parseExpiry(rest[1]); err == nil {
			if _, err = h.guests.UpdateGuest(actorID, u.Id, guests.GuestPatch{ExpiresAt: &at}); err == nil {
				text = t("guest_accounts.command.expires", "@%s expires %s.", u.Username, formatExpiry(t, at))
			}
		}
	}
	if err != nil {
		return reply(t("guest_accounts.command.action_failed", "Could not %s @%s: %s", sub, u.Username, errText(t, err)))
	}
	return reply(text)
}

// parseExpiry reads YYYY-MM-DD (the guest may use that whole day, UTC) or
// "never".
func parseExpiry(s string) (int64, error) {
	if strings.EqualFold(s, "never") {
		return 0, nil
	}
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		return 0, newCmdErr("guest_accounts.command.bad_date", "%q is not a date like 2026-12-31 or the word never", s)
	}
	return d.Add(24*time.Hour - time.Millisecond).UnixMilli(), nil
}

func formatExpiry(t app.Translator, ms int64) string {
	if ms == 0 {
		return t("guest_accounts.command.never", "never")
	}
	return t("guest_accounts.command.end_of_day", "at the end of %s (UTC)", time.UnixMilli(ms).UTC().Format("2006-01-02"))
}

func yesNo(t app.Translator, v bool) string {
	if v {
		return t("guest_accounts.command.yes", "yes")
	}
	return t("guest_accounts.command.no", "no")
}

func describe(t app.Translator, g *guests.Guest) string {
	status := g.Status
	if g.DeactivatedReason != "" {
		status += " (" + g.DeactivatedReason + ")"
	}
	restrictions := make([]string, 0, policy.NumRestrictions)
	for r, spec := range policy.RestrictionTable {
		restrictions = append(restrictions, t(spec.Label.ID, spec.Label.Format)+" "+yesNo(t, g.Restrictions[r]))
	}
	return t("guest_accounts.command.describe", "**@%s** (%s)\n* Status: %s\n* Expires: %s\n* Channels: %d\n* Single-channel: %s\n"+
		"* Restrictions: %s\n* MFA: required %s, set up %s",
		g.Username, g.Email, status, formatExpiry(t, g.ExpiresAt), len(g.ChannelIDs), yesNo(t, g.SingleChannel),
		strings.Join(restrictions, ", "), yesNo(t, g.RequireMFA), yesNo(t, g.MFAActive))
}

// mfa runs `/guest mfa @user on|off|default`.
func (h *Handler) mfa(t app.Translator, actorID string, rest []string) *model.CommandResponse {
	if len(rest) != 2 {
		return reply(t("guest_accounts.command.usage_mfa", "Usage: `/guest mfa @username on|off|default`"))
	}
	u, resp := h.user(t, rest[0])
	if resp != nil {
		return resp
	}
	v, err := parseSwitch(rest[1])
	if err != nil {
		return reply(errText(t, err) + ".")
	}
	g, err := h.guests.UpdateGuest(actorID, u.Id, guests.GuestPatch{RequireMFA: guests.OptionalBool{Set: true, Value: v}})
	if err != nil {
		return reply(t("guest_accounts.command.change_failed", "Could not change @%s: %s", u.Username, errText(t, err)))
	}
	switch {
	case v != nil && g.RequireMFA:
		return reply(t("guest_accounts.command.mfa_required_guest", "@%s: MFA is now required (set for this guest); MFA set up: %s.", u.Username, yesNo(t, g.MFAActive)))
	case v != nil:
		return reply(t("guest_accounts.command.mfa_not_required_guest", "@%s: MFA is now not required (set for this guest); MFA set up: %s.", u.Username, yesNo(t, g.MFAActive)))
	case g.RequireMFA:
		return reply(t("guest_accounts.command.mfa_required_settings", "@%s: MFA is now required (following the settings); MFA set up: %s.", u.Username, yesNo(t, g.MFAActive)))
	}
	return reply(t("guest_accounts.command.mfa_not_required_settings", "@%s: MFA is now not required (following the settings); MFA set up: %s.", u.Username, yesNo(t, g.MFAActive)))
}

func (h *Handler) list(t app.Translator, rest []string) *model.CommandResponse {
	status := ""
	if len(rest) > 0 {
		status = rest[0]
	}
	res, err := h.guests.ListGuests(guests.ListQuery{Status: status, PerPage: 50})
	if err != nil {
		return reply(t("guest_accounts.command.list_failed", "Could not list guests: %s", errText(t, err)))
	}
	if len(res.Guests) == 0 {
		return reply(t("guest_accounts.command.no_guests", "No guests."))
	}
	var b strings.Builder
	b.WriteString(t("guest_accounts.command.list_heading", "%d guest(s):", res.Total) + "\n")
	for _, g := range res.Guests {
		b.WriteString(t("guest_accounts.command.list_line", "* @%s — %s, expires %s", g.Username, g.Status, formatExpiry(t, g.ExpiresAt)) + "\n")
	}
	return reply(b.String())
}

func (h *Handler) stats(t app.Translator) *model.CommandResponse {
	st, err := h.guests.Stats()
	if err != nil {
		return reply(t("guest_accounts.command.stats_failed", "Could not read the stats: %s", errText(t, err)))
	}
	limit := t("guest_accounts.command.unlimited", "unlimited")
	if st.MaxActiveGuests > 0 {
		limit = fmt.Sprint(st.MaxActiveGuests)
	}
	state := t("guest_accounts.command.switched_off", "switched off")
	if st.GuestAccountsEnabled {
		state = t("guest_accounts.command.enabled", "enabled")
	}
	return reply(t("guest_accounts.command.stats", "Guests: %d active (maximum %s), %d deactivated, %d pending invitations. Edition: %s. Guest accounts %s.",
		st.ActiveGuests, limit, st.DeactivatedGuests, st.PendingInvitations, st.Edition, state))
}

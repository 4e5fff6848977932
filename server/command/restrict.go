package command

import (
	"strings"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app/guests"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
)

// parseSwitch reads on/off/default: a value, or nil for "follow the default".
func parseSwitch(s string) (*bool, error) {
	switch strings.ToLower(s) {
	case "on", "yes", "true", "allow":
		return model.NewPointer(true), nil
	case "off", "no", "false", "deny":
		return model.NewPointer(false), nil
	case "default":
		return nil, nil
	}
	return nil, newCmdErr("guest_accounts.command.bad_switch", "%q is not on, off or default", s)
}

// restrictionPatch builds the overrides with one restriction changed.
func restrictionPatch(current policy.Overrides, name string, v *bool) (policy.Overrides, error) {
	r, ok := policy.ParseRestriction(name)
	if !ok {
		return current, newCmdErr("guest_accounts.command.bad_restriction", "%q is not a restriction (one of %s)", name, strings.Join(policy.RestrictionKeys(), ", "))
	}
	current[r] = v
	return current, nil
}

// restrict runs `/guest restrict @user <name> on|off|default`.
func (h *Handler) restrict(t app.Translator, actorID string, rest []string) *model.CommandResponse {
	if len(rest) != 3 {
		return reply(t("guest_accounts.command.usage_restrict", "Usage: `/guest restrict @username <%s> on|off|default`", strings.Join(policy.RestrictionKeys(), "|")))
	}
	u, resp := h.user(t, rest[0])
	if resp != nil {
		return resp
	}
	v, err := parseSwitch(rest[2])
	if err != nil {
		return reply(errText(t, err) + ".")
	}
	g, err := h.guests.GetGuest(u.Id)
	if err != nil {
		return reply(t("guest_accounts.command.change_failed", "Could not change @%s: %s", u.Username, errText(t, err)))
	}
	overrides, err := restrictionPatch(g.RestrictionOverrides, strings.ToLower(rest[1]), v)
	if err != nil {
		return reply(errText(t, err) + ".")
	}
	if _, err := h.guests.UpdateGuest(actorID, u.Id, guests.GuestPatch{Restrictions: (*policy.StrictOverrides)(&overrides)}); err != nil {
		return reply(t("guest_accounts.command.change_failed", "Could not change @%s: %s", u.Username, errText(t, err)))
	}
	return reply(t("guest_accounts.command.restricted", "@%s: %s is now %s.", u.Username, rest[1], strings.ToLower(rest[2])))
}

// single runs `/guest single @user on|off`.
func (h *Handler) single(t app.Translator, actorID string, rest []string) *model.CommandResponse {
	if len(rest) != 2 {
		return reply(t("guest_accounts.command.usage_single", "Usage: `/guest single @username on|off`"))
	}
	u, resp := h.user(t, rest[0])
	if resp != nil {
		return resp
	}
	v, err := parseSwitch(rest[1])
	if err != nil || v == nil {
		return reply(t("guest_accounts.command.on_or_off", "Say on or off."))
	}
	if _, err := h.guests.UpdateGuest(actorID, u.Id, guests.GuestPatch{SingleChannel: v}); err != nil {
		return reply(t("guest_accounts.command.change_failed", "Could not change @%s: %s", u.Username, errText(t, err)))
	}
	if *v {
		return reply(t("guest_accounts.command.single_on", "@%s is now a single-channel guest.", u.Username))
	}
	return reply(t("guest_accounts.command.single_off", "@%s is no longer a single-channel guest.", u.Username))
}

// user resolves @name, or answers why not.
func (h *Handler) user(t app.Translator, name string) (*model.User, *model.CommandResponse) {
	name = strings.TrimPrefix(name, "@")
	u, appErr := h.api.GetUserByUsername(name)
	if appErr != nil {
		return nil, reply(t("guest_accounts.command.no_user", "No user @%s.", name))
	}
	return u, nil
}

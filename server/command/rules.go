package command

import (
	"fmt"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
)

// rules runs `/guest rules` (a dry run) and `/guest rules apply
// [--no-channels]`, which converts exactly the accounts the dry run lists.
func (h *Handler) rules(t app.Translator, actorID string, rest []string) *model.CommandResponse {
	usage := t("guest_accounts.command.usage_rules", "Usage: `/guest rules` (dry run: who the automatic guest rules would make guests) or `/guest rules apply [--no-channels]`")
	apply, keep := false, true
	for _, a := range rest {
		switch a {
		case "apply":
			apply = true
		case "--no-channels":
			keep = false
		default:
			return reply(usage)
		}
	}
	if !keep && !apply {
		return reply(usage)
	}
	p, err := h.app.PreviewRules()
	if err != nil {
		return reply(t("guest_accounts.command.rules_failed", "Could not evaluate the automatic guest rules: %s", errText(t, err)))
	}
	if !p.Enabled {
		return reply(t("guest_accounts.command.rules_off", "No automatic guest rule is set. Fill in \"Member email domains\" or \"Sign-in methods that create guests\" in System Console > Plugins > Guest Accounts."))
	}
	if p.Total == 0 {
		return reply(t("guest_accounts.command.rules_none", "The automatic guest rules match none of the %d active accounts (bots, system admins and guests are never converted).", p.Scanned))
	}
	if !apply {
		var b strings.Builder
		b.WriteString(t("guest_accounts.command.rules_dry_run", "Dry run: the automatic guest rules would make %d of %d active accounts guests:", p.Total, p.Scanned) + "\n")
		for _, c := range p.Candidates {
			fmt.Fprintf(&b, "* @%s (%s, %s) — %s%s\n", c.Username, c.Email, c.SignInMethod, t("guest_accounts.command.rules_rule", "rule: %s", string(c.Rule)), warnings(t, c.Warnings))
		}
		if p.Truncated {
			b.WriteString(t("guest_accounts.command.rules_more", "…and %d more.", p.Total-len(p.Candidates)) + "\n")
		}
		b.WriteString("\n" + t("guest_accounts.command.rules_how_to_apply", "Run `/guest rules apply` to convert them keeping their current channels, or `/guest rules apply --no-channels` to leave them with none."))
		return reply(b.String())
	}
	ids := make([]string, 0, len(p.Candidates))
	for _, c := range p.Candidates {
		ids = append(ids, c.UserID)
	}
	converted, others := 0, []string{}
	for start := 0; start < len(ids); start += 500 {
		end := min(start+500, len(ids))
		results, err := h.app.ApplyRules(actorID, app.ApplyRulesRequest{UserIDs: ids[start:end], KeepChannels: keep})
		if err != nil {
			return reply(t("guest_accounts.command.rules_apply_failed", "Could not apply the automatic guest rules: %s", errText(t, err)))
		}
		for _, r := range results {
			if r.Status == "converted" {
				converted++
			} else {
				others = append(others, fmt.Sprintf("* %s: %s", r.Status, r.Message))
			}
		}
	}
	text := t("guest_accounts.command.rules_applied", "%d account(s) are now guests and have been logged out.", converted)
	if len(others) > 0 {
		text += "\n" + strings.Join(others, "\n")
	}
	return reply(text)
}

func warnings(t app.Translator, w []string) string {
	if len(w) == 0 {
		return ""
	}
	return t("guest_accounts.command.rules_note", " — note: %s", strings.ReplaceAll(strings.Join(w, ", "), "_", " "))
}

package command

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app/rules"
)

// rules runs `/guest rules` (a dry run, which ends with the list's code)
// and `/guest rules apply <code> [--no-channels]`, which converts exactly
// the accounts that dry run listed: if the list has changed since (or the
// code is missing or wrong), nothing is converted and the current dry run
// is shown instead, with its own code.
func (h *Handler) rules(t app.Translator, actorID string, rest []string) *model.CommandResponse {
	usage := t("guest_accounts.command.usage_rules", "Usage: `/guest rules` (dry run: who the automatic guest rules would make guests) or `/guest rules apply <code> [--no-channels]` (the code ends the dry run)")
	apply, keep, code := false, true, ""
	for _, a := range rest {
		switch {
		case a == "apply":
			apply = true
		case a == "--no-channels":
			keep = false
		case apply && code == "" && isPreviewCode(a):
			code = a
		default:
			return reply(usage)
		}
	}
	if !keep && !apply {
		return reply(usage)
	}
	p, err := h.guestRules.PreviewRules()
	if err != nil {
		return reply(t("guest_accounts.command.rules_failed", "Could not evaluate the automatic guest rules: %s", errText(t, err)))
	}
	if !p.Enabled {
		return reply(t("guest_accounts.command.rules_off", "No automatic guest rule is set. Fill in \"Member email domains\" or \"Sign-in methods that create guests\" in System Console > Plugins > Guest Accounts."))
	}
	if p.Total == 0 {
		return reply(t("guest_accounts.command.rules_none", "The automatic guest rules match none of the %d active accounts (bots, system admins and guests are never converted).", p.Scanned))
	}
	current := previewCode(p)
	switch {
	case !apply:
		return reply(dryRunText(t, p, current))
	case code == "":
		return reply(t("guest_accounts.command.rules_code_missing", "Nothing was converted: `/guest rules apply` needs the code of the dry run you checked.") + "\n\n" + dryRunText(t, p, current))
	case code != current:
		return reply(t("guest_accounts.command.rules_code_stale", "Nothing was converted: the accounts the rules match have changed since that dry run (or the code is wrong). This is the list now:") + "\n\n" + dryRunText(t, p, current))
	}
	ids := make([]string, 0, len(p.Candidates))
	for _, c := range p.Candidates {
		ids = append(ids, c.UserID)
	}
	converted, others := 0, []string{}
	for start := 0; start < len(ids); start += 500 {
		end := min(start+500, len(ids))
		results, err := h.guestRules.ApplyRules(actorID, rules.ApplyRulesRequest{UserIDs: ids[start:end], KeepChannels: keep})
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

// dryRunText lists the accounts a dry run found and how to convert them.
func dryRunText(t app.Translator, p *rules.Preview, code string) string {
	var b strings.Builder
	b.WriteString(t("guest_accounts.command.rules_dry_run", "Dry run: the automatic guest rules would make %d of %d active accounts guests:", p.Total, p.Scanned) + "\n")
	for _, c := range p.Candidates {
		fmt.Fprintf(&b, "* @%s (%s, %s) — %s%s\n", c.Username, c.Email, c.SignInMethod, t("guest_accounts.command.rules_rule", "rule: %s", string(c.Rule)), warnings(t, c.Warnings))
	}
	if p.Truncated {
		b.WriteString(t("guest_accounts.command.rules_more", "…and %d more.", p.Total-len(p.Candidates)) + "\n")
	}
	b.WriteString("\n" + t("guest_accounts.command.rules_how_to_apply_code", "Run `/guest rules apply %s` to convert exactly these accounts keeping their current channels, or `/guest rules apply %s --no-channels` to leave them with none.", code, code))
	return b.String()
}

// previewCode names a dry run's list of accounts (not their order): the
// first 8 hex digits of the SHA-256 of the sorted user ids.
func previewCode(p *rules.Preview) string {
	ids := make([]string, 0, len(p.Candidates))
	for _, c := range p.Candidates {
		ids = append(ids, c.UserID)
	}
	sort.Strings(ids)
	sum := sha256.Sum256([]byte(strings.Join(ids, ",")))
	return hex.EncodeToString(sum[:4])
}

// isPreviewCode reports whether s has the shape of a previewCode.
func isPreviewCode(s string) bool {
	if len(s) != 8 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil && strings.ToLower(s) == s
}

func warnings(t app.Translator, w []string) string {
	if len(w) == 0 {
		return ""
	}
	return t("guest_accounts.command.rules_note", " — note: %s", strings.ReplaceAll(strings.Join(w, ", "), "_", " "))
}

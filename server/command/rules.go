package command

import (
	"fmt"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
)

// rulesUsage is the reply to a malformed `/guest rules`.
const rulesUsage = "Usage: `/guest rules` (dry run: who the automatic guest rules would make guests) or `/guest rules apply [--no-channels]`"

// rules runs `/guest rules` (a dry run) and `/guest rules apply
// [--no-channels]`, which converts exactly the accounts the dry run lists.
func (h *Handler) rules(actorID string, rest []string) *model.CommandResponse {
	apply, keep := false, true
	for _, a := range rest {
		switch a {
		case "apply":
			apply = true
		case "--no-channels":
			keep = false
		default:
			return reply(rulesUsage)
		}
	}
	if !keep && !apply {
		return reply(rulesUsage)
	}
	p, err := h.app.PreviewRules()
	if err != nil {
		return reply("Could not evaluate the automatic guest rules: " + err.Error())
	}
	if !p.Enabled {
		return reply("No automatic guest rule is set. Fill in \"Member email domains\" or \"Sign-in methods that create guests\" in System Console > Plugins > Guest Accounts.")
	}
	if p.Total == 0 {
		return reply(fmt.Sprintf("The automatic guest rules match none of the %d active accounts (bots, system admins and guests are never converted).", p.Scanned))
	}
	if !apply {
		var b strings.Builder
		fmt.Fprintf(&b, "Dry run: the automatic guest rules would make %d of %d active accounts guests:\n", p.Total, p.Scanned)
		for _, c := range p.Candidates {
			fmt.Fprintf(&b, "* @%s (%s, %s) — rule: %s%s\n", c.Username, c.Email, c.SignInMethod, c.Rule, warnings(c.Warnings))
		}
		if p.Truncated {
			fmt.Fprintf(&b, "…and %d more.\n", p.Total-len(p.Candidates))
		}
		b.WriteString("\nRun `/guest rules apply` to convert them keeping their current channels, or `/guest rules apply --no-channels` to leave them with none.")
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
			return reply("Could not apply the automatic guest rules: " + err.Error())
		}
		for _, r := range results {
			if r.Status == "converted" {
				converted++
			} else {
				others = append(others, fmt.Sprintf("* %s: %s", r.Status, r.Message))
			}
		}
	}
	text := fmt.Sprintf("%d account(s) are now guests and have been logged out.", converted)
	if len(others) > 0 {
		text += "\n" + strings.Join(others, "\n")
	}
	return reply(text)
}

func warnings(w []string) string {
	if len(w) == 0 {
		return ""
	}
	return " — note: " + strings.ReplaceAll(strings.Join(w, ", "), "_", " ")
}

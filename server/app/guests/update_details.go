package guests

import (
	"strings"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// The audit details of update_guest say what changed in the guest's record,
// one "field: old -> new" part per change, in the fixed order of the
// record's fields. A guest edit carries no secrets (passwords and tokens
// never pass through it), and only the fields below are named.

// updateDetails describes what changed from before to after.
func updateDetails(before, after *store.Guest) string {
	parts := policy.SettingsChanges(before.Settings(), after.Settings())
	if ids := app.Without(after.ChannelIDs, before.ChannelIDs); len(ids) > 0 {
		parts = append(parts, "channels added: "+strings.Join(ids, ", "))
	}
	if ids := app.Without(before.ChannelIDs, after.ChannelIDs); len(ids) > 0 {
		parts = append(parts, "channels removed: "+strings.Join(ids, ", "))
	}
	if len(parts) == 0 {
		return "no change"
	}
	return strings.Join(parts, "; ")
}

// patchDetails describes a refused or failed edit: what was asked.
func patchDetails(p GuestPatch) string {
	asked, present := p.settings()
	parts := policy.SettingsRequested(asked, present)
	if len(p.AddChannelIDs) > 0 {
		parts = append(parts, "add channels: "+strings.Join(p.AddChannelIDs, ", "))
	}
	if len(p.RemoveChannelIDs) > 0 {
		parts = append(parts, "remove channels: "+strings.Join(p.RemoveChannelIDs, ", "))
	}
	if len(parts) == 0 {
		return "requested: nothing"
	}
	return "requested: " + strings.Join(parts, "; ")
}

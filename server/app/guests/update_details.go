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
	var parts []string
	if before.ExpiresAt != after.ExpiresAt {
		parts = append(parts, "expires_at: "+app.FormatMillis(before.ExpiresAt)+" -> "+app.FormatMillis(after.ExpiresAt))
	}
	if before.SingleChannel != after.SingleChannel {
		parts = append(parts, "single_channel: "+onOff(before.SingleChannel)+" -> "+onOff(after.SingleChannel))
	}
	for _, r := range restrictionFields(before.Restrictions, after.Restrictions) {
		if !sameOverride(r.old, r.new) {
			parts = append(parts, "restriction "+r.name+": "+overrideText(r.old)+" -> "+overrideText(r.new))
		}
	}
	if !sameOverride(before.RequireMFA, after.RequireMFA) {
		parts = append(parts, "require_mfa: "+overrideText(before.RequireMFA)+" -> "+overrideText(after.RequireMFA))
	}
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
	var parts []string
	if p.ExpiresAt != nil {
		parts = append(parts, "expires_at: "+app.FormatMillis(*p.ExpiresAt))
	}
	if p.SingleChannel != nil {
		parts = append(parts, "single_channel: "+onOff(*p.SingleChannel))
	}
	if p.Restrictions != nil {
		for _, r := range restrictionFields(policy.Overrides{}, *p.Restrictions) {
			parts = append(parts, "restriction "+r.name+": "+overrideText(r.new))
		}
	}
	if p.RequireMFA.Set {
		parts = append(parts, "require_mfa: "+overrideText(p.RequireMFA.Value))
	}
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

type restrictionField struct {
	name     string
	old, new *bool
}

// restrictionFields pairs the overrides by their API names.
func restrictionFields(old, new policy.Overrides) []restrictionField {
	return []restrictionField{
		{"upload_files", old.UploadFiles, new.UploadFiles},
		{"download_files", old.DownloadFiles, new.DownloadFiles},
		{"edit_own_posts", old.EditOwnPosts, new.EditOwnPosts},
		{"react", old.React, new.React},
		{"create_private_channels", old.CreatePrivateChannels, new.CreatePrivateChannels},
		{"direct_messages", old.DirectMessages, new.DirectMessages},
	}
}

func sameOverride(a, b *bool) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

// overrideText names an override as /guest restrict and /guest mfa do.
func overrideText(v *bool) string {
	if v == nil {
		return "default"
	}
	return onOff(*v)
}

func onOff(v bool) string {
	if v {
		return "on"
	}
	return "off"
}

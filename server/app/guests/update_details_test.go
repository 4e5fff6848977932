package guests

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

func bptr(b bool) *bool { return &b }

func TestUpdateDetailsNamesEachChange(t *testing.T) {
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC).UnixMilli()
	before := &store.Guest{
		UserID: "u", ChannelIDs: []string{"c1", "c2"},
		Restrictions: policy.Overrides{policy.React: bptr(false)},
		// Fields a guest edit never changes stay out of the details.
		MustChangePassword: true, PasswordSetAt: 42,
	}
	after := before.Clone()
	after.ExpiresAt = at
	after.SingleChannel = true
	after.Restrictions = policy.Overrides{policy.DownloadFiles: bptr(false)}
	after.RequireMFA = bptr(true)
	after.ChannelIDs = []string{"c2", "c3"}

	assert.Equal(t, "expires_at: never -> 2030-01-02T03:04:05Z; single_channel: off -> on; "+
		"restriction download_files: default -> off; restriction react: off -> default; "+
		"require_mfa: default -> on; channels added: c3; channels removed: c1",
		updateDetails(before, after))
}

func TestUpdateDetailsOfNothing(t *testing.T) {
	g := &store.Guest{UserID: "u", ChannelIDs: []string{"c1"}, Restrictions: policy.Overrides{policy.React: bptr(true)}, RequireMFA: bptr(false)}
	assert.Equal(t, "no change", updateDetails(g, g.Clone()), "equal overrides at different addresses are no change")

	back := g.Clone()
	back.ExpiresAt = 0
	g2 := g.Clone()
	g2.ExpiresAt = time.Date(2031, 5, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	assert.Equal(t, "expires_at: 2031-05-01T00:00:00Z -> never", updateDetails(g2, back))
}

func TestPatchDetailsSaysWhatWasAsked(t *testing.T) {
	single := true
	p := GuestPatch{SingleChannel: &single, AddChannelIDs: []string{"c2"}, RemoveChannelIDs: []string{"c9"},
		RequireMFA: OptionalBool{Set: true}}
	assert.Equal(t, "requested: single_channel: on; require_mfa: default; add channels: c2; remove channels: c9", patchDetails(p))

	r := policy.StrictOverrides{policy.UploadFiles: bptr(false)}
	assert.Equal(t, "requested: restriction upload_files: off; restriction download_files: default; restriction edit_own_posts: default; "+
		"restriction react: default; restriction create_private_channels: default; restriction direct_messages: default",
		patchDetails(GuestPatch{Restrictions: &r}), "restrictions replace all six overrides")
	assert.Equal(t, "requested: nothing", patchDetails(GuestPatch{}))
}

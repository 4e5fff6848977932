package guests

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/internal/testfill"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
)

// PATCH /guests/{id} takes every per-guest setting (policy.GuestFields),
// and the patch's settings report each one it sets.
func TestPatchTakesEveryGuestSetting(t *testing.T) {
	names := testfill.JSONNames(reflect.TypeOf(GuestPatch{}))
	var p GuestPatch
	testfill.Fill(reflect.ValueOf(&p).Elem())
	_, present := p.settings()
	for _, f := range policy.GuestFields {
		assert.Contains(t, names, f.Key, "GuestPatch has no %s", f.Key)
		assert.True(t, present(f.Key), "GuestPatch.settings() leaves out %s", f.Key)
	}
}

// The API view of a guest shows every per-guest setting, and the guest's
// own value of the overrides.
func TestViewShowsEveryGuestSetting(t *testing.T) {
	names := testfill.JSONNames(reflect.TypeOf(Guest{}))
	for _, f := range policy.GuestFields {
		assert.Contains(t, names, f.Key, "the view has no %s", f.Key)
		if f.OverrideKey != "" {
			assert.Contains(t, names, f.OverrideKey, "the view has no %s", f.OverrideKey)
		}
	}
}

package policy

import (
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// GuestSettings has one field per row of GuestFields, in order, and each
// row reads its own field.
func TestGuestSettingsFollowTheTable(t *testing.T) {
	typ := reflect.TypeOf(GuestSettings{})
	require.Equal(t, len(GuestFields), typ.NumField(), "one GuestSettings field per GuestFields row")
	for i, f := range GuestFields {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		assert.Equal(t, f.Key, name, "field %d", i)

		// A value set in this field only is what the row reads.
		var s GuestSettings
		field := reflect.ValueOf(&s).Elem().Field(i)
		switch field.Kind() {
		case reflect.Int64:
			field.SetInt(42)
		case reflect.Bool:
			field.SetBool(true)
		case reflect.Pointer:
			field.Set(reflect.ValueOf(ptr(true)))
		case reflect.Array:
			field.Index(0).Set(reflect.ValueOf(ptr(true)))
		}
		assert.Equal(t, field.Interface(), f.value(&s), "row %s reads another field", f.Key)
	}
}

func TestSettingsChanges(t *testing.T) {
	before := GuestSettings{Restrictions: Overrides{React: ptr(false)}}
	after := GuestSettings{ExpiresAt: 1_900_000_000_000, SingleChannel: true, Restrictions: Overrides{DownloadFiles: ptr(false)}, RequireMFA: ptr(true)}
	assert.Equal(t, []string{"expires_at: never -> 2030-03-17T17:46:40Z", "single_channel: off -> on",
		"restriction download_files: default -> off", "restriction react: off -> default", "require_mfa: default -> on"},
		SettingsChanges(before, after))
	same := GuestSettings{RequireMFA: ptr(false), Restrictions: Overrides{React: ptr(true)}}
	assert.Empty(t, SettingsChanges(same, GuestSettings{RequireMFA: ptr(false), Restrictions: Overrides{React: ptr(true)}}), "equal values at other addresses")
}

func TestSettingsRequested(t *testing.T) {
	asked := GuestSettings{SingleChannel: false, Restrictions: Overrides{UploadFiles: ptr(false)}}
	present := map[string]bool{"single_channel": true, "restrictions": true, "require_mfa": true}
	assert.Equal(t, []string{"single_channel: off", "restriction upload_files: off", "restriction download_files: default",
		"restriction edit_own_posts: default", "restriction react: default", "restriction create_private_channels: default",
		"restriction direct_messages: default", "require_mfa: default"},
		SettingsRequested(asked, func(k string) bool { return present[k] }))
}

package policy

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDefaultSettings(t *testing.T) {
	s, err := ParseSettings(DefaultRawSettings())
	require.NoError(t, err)
	assert.True(t, s.EnableGuestAccounts)
	assert.True(t, s.AllowedDomains.Empty())
	assert.Zero(t, s.MaxActiveGuests)
	assert.Zero(t, s.MaxChannelsPerGuest)
	assert.False(t, s.CountDirectMessages)
	assert.Equal(t, 48*time.Hour, s.InvitationLifetime)
	assert.Equal(t, InviteSystemAdmins, s.WhoMayInvite)
	assert.False(t, s.AllowMembersToDMGuests)
	assert.False(t, s.RequireMFA)
	assert.Equal(t, DefaultRestrictions(), s.DefaultRestrictions)
	assert.Equal(t, Restrictions{UploadFiles: true, DownloadFiles: true, EditOwnPosts: true, React: true, DirectMessages: true}, s.DefaultRestrictions)
	assert.Zero(t, s.DefaultAccountLifetime)
	assert.Equal(t, 7*24*time.Hour, s.ExpiryReminder)
}

// TestDefaultsMatchPluginJSON keeps DefaultRawSettings, RestrictionTable
// and plugin.json in step: same keys, same defaults, and for the
// restrictions the same System Console names.
func TestDefaultsMatchPluginJSON(t *testing.T) {
	buf, err := os.ReadFile(filepath.Join("..", "..", "plugin.json"))
	require.NoError(t, err)
	var manifest struct {
		SettingsSchema struct {
			Settings []struct {
				Key         string `json:"key"`
				DisplayName string `json:"display_name"`
				Type        string `json:"type"`
				Default     any    `json:"default"`
				Options     []struct {
					Value string `json:"value"`
				} `json:"options"`
			} `json:"settings"`
		} `json:"settings_schema"`
	}
	require.NoError(t, json.Unmarshal(buf, &manifest))

	defaults := DefaultRawSettings()
	v := reflect.ValueOf(defaults)
	seen := map[string]bool{}
	restrictions := 0
	for _, setting := range manifest.SettingsSchema.Settings {
		if setting.Type == "custom" {
			continue
		}
		seen[setting.Key] = true
		if r, ok := restrictionBySetting(setting.Key); ok {
			restrictions++
			spec := RestrictionTable[r]
			assert.Equal(t, "bool", setting.Type, setting.Key)
			assert.Equal(t, spec.Default, setting.Default, setting.Key)
			assert.Equal(t, spec.SettingName, setting.DisplayName, setting.Key)
			assert.Equal(t, spec.Default, defaults.DefaultAllow[r], setting.Key)
			continue
		}
		field := v.FieldByName(setting.Key)
		require.True(t, field.IsValid(), "plugin.json setting %s has no RawSettings field and no RestrictionTable row", setting.Key)
		got := field.Interface()
		switch want := setting.Default.(type) {
		case float64:
			n, perr := numberSetting{key: setting.Key, max: 1 << 30}.parse(got)
			require.Nil(t, perr)
			assert.Equal(t, int(want), n, setting.Key)
		default:
			assert.Equal(t, want, got, setting.Key)
		}
		if setting.Key == "WhoMayInvite" {
			for _, o := range setting.Options {
				_, ok := ParseInviters(o.Value)
				assert.True(t, ok, "option %q", o.Value)
			}
		}
	}
	assert.Equal(t, int(NumRestrictions), restrictions, "every RestrictionTable row has its plugin.json setting")
	assert.Len(t, seen, v.NumField()-1+int(NumRestrictions), "every RawSettings field is a plugin.json setting")
}

func restrictionBySetting(key string) (Restriction, bool) {
	for r, spec := range RestrictionTable {
		if spec.Setting == key {
			return Restriction(r), true
		}
	}
	return 0, false
}

// The restrictions' defaults are read without regard to the keys' case
// (core may save them in lower case), a wrong type names the setting, and
// they are written back under their keys.
func TestRestrictionSettingsJSON(t *testing.T) {
	raw := decodeRaw(t, `{"defaultallowreactions": false, "DefaultAllowCreatePrivateChannels": true, "DefaultAllowUploads": null}`)
	want := DefaultRestrictions()
	want[React], want[CreatePrivateChannels] = false, true
	assert.Equal(t, want, raw.DefaultAllow)

	err := json.Unmarshal([]byte(`{"DefaultAllowUploads": "yes"}`), &raw)
	var typeErr *json.UnmarshalTypeError
	require.ErrorAs(t, err, &typeErr)
	assert.Equal(t, "DefaultAllowUploads", typeErr.Field)

	buf, err := json.Marshal(raw)
	require.NoError(t, err)
	var back RawSettings
	require.NoError(t, json.Unmarshal(buf, &back))
	assert.Equal(t, raw.DefaultAllow, back.DefaultAllow)
	assert.Contains(t, string(buf), `"DefaultAllowCreatePrivateChannels":true`)
}

// decodeRaw decodes a saved configuration map the way
// LoadPluginConfiguration does: JSON over the defaults.
func decodeRaw(t *testing.T, js string) RawSettings {
	t.Helper()
	raw := DefaultRawSettings()
	require.NoError(t, json.Unmarshal([]byte(js), &raw))
	return raw
}

func TestParseSettingsFromJSON(t *testing.T) {
	raw := decodeRaw(t, `{
		"EnableGuestAccounts": false,
		"AllowedDomains": "Example.com,\n *.partner.org",
		"MaxActiveGuests": 25,
		"MaxChannelsPerGuest": "10",
		"CountDirectMessages": true,
		"InvitationLifetimeHours": 72.0,
		"WhoMayInvite": "team_admins",
		"AllowMembersToDMGuests": true,
		"RequireMFA": true,
		"DefaultAllowUploads": false,
		"DefaultAllowDownloads": false,
		"DefaultAllowEditOwnPosts": false,
		"DefaultAllowReactions": false,
		"DefaultAllowCreatePrivateChannels": true,
		"DefaultAllowDirectMessages": false,
		"DefaultAccountLifetimeDays": " 90 ",
		"ExpiryReminderDays": 0,
		"GuestDashboard": null
	}`)
	s, err := ParseSettings(raw)
	require.NoError(t, err)
	assert.False(t, s.EnableGuestAccounts)
	assert.Equal(t, []string{"example.com", "*.partner.org"}, s.AllowedDomains.Entries())
	assert.Equal(t, 25, s.MaxActiveGuests)
	assert.Equal(t, 10, s.MaxChannelsPerGuest)
	assert.True(t, s.CountDirectMessages)
	assert.Equal(t, 72*time.Hour, s.InvitationLifetime)
	assert.Equal(t, InviteTeamAdmins, s.WhoMayInvite)
	assert.True(t, s.AllowMembersToDMGuests)
	assert.True(t, s.RequireMFA)
	assert.Equal(t, Restrictions{CreatePrivateChannels: true}, s.DefaultRestrictions)
	assert.Equal(t, 90*24*time.Hour, s.DefaultAccountLifetime)
	assert.Zero(t, s.ExpiryReminder)
}

func TestParseSettingsMissingAndEmptyNumbersTakeDefaults(t *testing.T) {
	for _, js := range []string{`{}`, `{"InvitationLifetimeHours": null, "ExpiryReminderDays": null}`, `{"InvitationLifetimeHours": "", "ExpiryReminderDays": "  "}`} {
		s, err := ParseSettings(decodeRaw(t, js))
		require.NoError(t, err, js)
		assert.Equal(t, 48*time.Hour, s.InvitationLifetime, js)
		assert.Equal(t, 7*24*time.Hour, s.ExpiryReminder, js)
	}
}

func TestParseSettingsNumberTypes(t *testing.T) {
	for _, v := range []any{
		int(5), int8(5), int16(5), int32(5), int64(5), uint(5), uint8(5), uint16(5), uint32(5), uint64(5),
		float32(5), float64(5), json.Number("5"), "5", "+5", " 5\n",
	} {
		raw := DefaultRawSettings()
		raw.MaxActiveGuests = v
		s, err := ParseSettings(raw)
		require.NoError(t, err, "%T %v", v, v)
		assert.Equal(t, 5, s.MaxActiveGuests, "%T %v", v, v)
	}
}

func TestParseSettingsInvalid(t *testing.T) {
	tests := []struct {
		name string
		set  func(*RawSettings)
		want string
	}{
		{"lifetime zero", func(r *RawSettings) { r.InvitationLifetimeHours = 0 },
			`"Invitation lifetime (hours)": must be a whole number from 1 to 720, got 0`},
		{"lifetime too long", func(r *RawSettings) { r.InvitationLifetimeHours = "721" },
			`"Invitation lifetime (hours)": must be a whole number from 1 to 720, got 721`},
		{"lifetime fraction", func(r *RawSettings) { r.InvitationLifetimeHours = 1.5 },
			`"Invitation lifetime (hours)": must be a whole number from 1 to 720, got 1.5`},
		{"lifetime fraction string", func(r *RawSettings) { r.InvitationLifetimeHours = "1.5" },
			`"Invitation lifetime (hours)": must be a whole number from 1 to 720, got "1.5"`},
		{"lifetime words", func(r *RawSettings) { r.InvitationLifetimeHours = "two days" },
			`"Invitation lifetime (hours)": must be a whole number from 1 to 720, got "two days"`},
		{"max guests negative", func(r *RawSettings) { r.MaxActiveGuests = -1 },
			`"Maximum active guests": must be a whole number from 0 to 1000000, got -1`},
		{"max guests huge", func(r *RawSettings) { r.MaxActiveGuests = 1e300 },
			`"Maximum active guests": must be a whole number from 0 to 1000000, got 1e+300`},
		{"max guests NaN", func(r *RawSettings) { r.MaxActiveGuests = "NaN" },
			`"Maximum active guests": must be a whole number from 0 to 1000000, got "NaN"`},
		{"max guests uint64 overflow", func(r *RawSettings) { r.MaxActiveGuests = uint64(1 << 63) },
			`"Maximum active guests": must be a whole number from 0 to 1000000, got 9223372036854775808`},
		{"max channels too many", func(r *RawSettings) { r.MaxChannelsPerGuest = 1_000_001 },
			`"Maximum channels per guest": must be a whole number from 0 to 1000000, got 1000001`},
		{"max channels bool", func(r *RawSettings) { r.MaxChannelsPerGuest = true },
			`"Maximum channels per guest": must be a whole number from 0 to 1000000, got a value of type bool`},
		{"account lifetime", func(r *RawSettings) { r.DefaultAccountLifetimeDays = 3651 },
			`"Default guest account lifetime (days)": must be a whole number from 0 to 3650, got 3651`},
		{"reminder", func(r *RawSettings) { r.ExpiryReminderDays = "366" },
			`"Expiry reminder (days before)": must be a whole number from 0 to 365, got 366`},
		{"who may invite", func(r *RawSettings) { r.WhoMayInvite = "guests" },
			`"Who may invite guests": "guests" is not an option (accepted: system_admins, team_admins or members)`},
		{"domains", func(r *RawSettings) { r.AllowedDomains = "example.com, *.com" },
			`"Allowed guest email domains": invalid entries: "*.com": a wildcard needs a domain with at least one dot, as in *.example.com (accepted: domains such as example.com or *.example.com, separated by commas)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := DefaultRawSettings()
			tc.set(&raw)
			s, err := ParseSettings(raw)
			require.Error(t, err)
			assert.Equal(t, "invalid settings: "+tc.want, err.Error())
			assert.Equal(t, Settings{}, s)
			var se *SettingError
			require.ErrorAs(t, err, &se)
		})
	}
}

func TestParseSettingsReportsEveryProblem(t *testing.T) {
	raw := DefaultRawSettings()
	raw.MaxActiveGuests = -5
	raw.WhoMayInvite = "everyone"
	raw.AllowedDomains = "localhost"
	_, err := ParseSettings(raw)
	var all *SettingsError
	require.ErrorAs(t, err, &all)
	require.Len(t, all.Problems, 3)
	keys := []string{all.Problems[0].Key, all.Problems[1].Key, all.Problems[2].Key}
	assert.Equal(t, []string{"MaxActiveGuests", "AllowedDomains", "WhoMayInvite"}, keys)
	assert.ErrorIs(t, err, ErrInvalidDomain, "the allowlist cause is reachable")
	var le *AllowListError
	assert.True(t, errors.As(err, &le))
}

func TestInviters(t *testing.T) {
	for _, w := range []Inviters{InviteSystemAdmins, InviteTeamAdmins, InviteMembers} {
		got, ok := ParseInviters(w.String())
		require.True(t, ok)
		assert.Equal(t, w, got)
	}
	got, ok := ParseInviters(" Members ")
	assert.True(t, ok)
	assert.Equal(t, InviteMembers, got)
	got, ok = ParseInviters("")
	assert.True(t, ok)
	assert.Equal(t, InviteSystemAdmins, got)
	_, ok = ParseInviters("guests")
	assert.False(t, ok)
	assert.Equal(t, "Inviters(9)", Inviters(9).String())
}

func BenchmarkParseSettings(b *testing.B) {
	raw := DefaultRawSettings()
	raw.AllowedDomains = "example.com, *.partner.org"
	b.ReportAllocs()
	for b.Loop() {
		_, _ = ParseSettings(raw)
	}
}

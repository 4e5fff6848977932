package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Inviters says who may invite guests (the "Who may invite guests" setting).
// Guests never may, whatever the value.
type Inviters uint8

// The "Who may invite guests" options, from the narrowest.
const (
	InviteSystemAdmins Inviters = iota // "system_admins" (the default)
	InviteTeamAdmins                   // "team_admins": system and team admins
	InviteMembers                      // "members": any member
)

// String returns the plugin.json option value.
func (w Inviters) String() string {
	switch w {
	case InviteSystemAdmins:
		return "system_admins"
	case InviteTeamAdmins:
		return "team_admins"
	case InviteMembers:
		return "members"
	}
	return "Inviters(" + strconv.Itoa(int(w)) + ")"
}

// ParseInviters parses a plugin.json option value. Surrounding white space
// and case are ignored; the empty string is the default, system admins.
func ParseInviters(v string) (Inviters, bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "system_admins":
		return InviteSystemAdmins, true
	case "team_admins":
		return InviteTeamAdmins, true
	case "members":
		return InviteMembers, true
	}
	return InviteSystemAdmins, false
}

// Settings are the plugin settings, validated and typed. The zero value is
// not the defaults: use ParseSettings(DefaultRawSettings()).
type Settings struct {
	EnableGuestAccounts    bool
	AllowedDomains         AllowList
	MaxActiveGuests        int // 0 = unlimited
	MaxChannelsPerGuest    int // 0 = unlimited
	CountDirectMessages    bool
	InvitationLifetime     time.Duration
	WhoMayInvite           Inviters
	AllowMembersToDMGuests bool
	RequireMFA             bool
	// RequireMFATeams are team names whose guests need MFA even when
	// RequireMFA is off.
	RequireMFATeams        []string
	DefaultRestrictions    Restrictions
	DefaultAccountLifetime time.Duration // 0 = guests do not expire by default
	ExpiryReminder         time.Duration // 0 = no reminder
	// MemberDomains: new accounts outside them become guests (empty = off).
	MemberDomains AllowList
	// GuestSignInMethods: new accounts from these methods become guests.
	GuestSignInMethods []string
}

// RawSettings are the settings as Mattermost delivers them
// (LoadPluginConfiguration decodes the saved JSON into this struct). The
// field names are the plugin.json keys. Number settings are `any` because
// the saved value may be a JSON number or a string ("48"); ParseSettings
// accepts int, float64 (if whole), json.Number and decimal strings.
type RawSettings struct {
	EnableGuestAccounts        bool   `json:"EnableGuestAccounts"`
	AllowedDomains             string `json:"AllowedDomains"`
	MaxActiveGuests            any    `json:"MaxActiveGuests"`
	MaxChannelsPerGuest        any    `json:"MaxChannelsPerGuest"`
	CountDirectMessages        bool   `json:"CountDirectMessages"`
	InvitationLifetimeHours    any    `json:"InvitationLifetimeHours"`
	WhoMayInvite               string `json:"WhoMayInvite"`
	AllowMembersToDMGuests     bool   `json:"AllowMembersToDMGuests"`
	RequireMFA                 bool   `json:"RequireMFA"`
	RequireMFATeams            string `json:"RequireMFATeams"`
	MemberEmailDomains         string `json:"MemberEmailDomains"`
	GuestSignInMethods         string `json:"GuestSignInMethods"`
	DefaultAccountLifetimeDays any    `json:"DefaultAccountLifetimeDays"`
	ExpiryReminderDays         any    `json:"ExpiryReminderDays"`
	// DefaultAllow are the "Guests may ..." settings, one per row of
	// RestrictionTable under its Setting key (see UnmarshalJSON).
	DefaultAllow Restrictions `json:"-"`
}

// UnmarshalJSON decodes the saved settings. The restrictions' defaults
// are read under their Setting keys, matched without regard to case as
// encoding/json matches the other fields (core may save keys in lower
// case); a missing key keeps its value.
func (raw *RawSettings) UnmarshalJSON(b []byte) error {
	type plain RawSettings // the fields without this method
	if err := json.Unmarshal(b, (*plain)(raw)); err != nil {
		return err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	for key, v := range m {
		for r, spec := range RestrictionTable {
			if !strings.EqualFold(key, spec.Setting) || string(bytes.TrimSpace(v)) == "null" {
				continue
			}
			if err := json.Unmarshal(v, &raw.DefaultAllow[r]); err != nil {
				return &json.UnmarshalTypeError{Value: jsonKind(v), Type: reflect.TypeOf(false), Field: spec.Setting}
			}
		}
	}
	return nil
}

// MarshalJSON encodes the settings as they are saved, the restrictions'
// defaults under their Setting keys.
func (raw RawSettings) MarshalJSON() ([]byte, error) {
	type plain RawSettings
	b, err := json.Marshal(plain(raw))
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	for r, spec := range RestrictionTable {
		m[spec.Setting] = raw.DefaultAllow[r]
	}
	return json.Marshal(m)
}

// Defaults and ranges of the number settings (plugin.json).
const (
	DefaultInvitationLifetimeHours = 48
	MinInvitationLifetimeHours     = 1
	MaxInvitationLifetimeHours     = 720
	MaxGuestCap                    = 1_000_000 // MaxActiveGuests and MaxChannelsPerGuest
	MaxAccountLifetimeDays         = 3650
	DefaultExpiryReminderDays      = 7
	MaxExpiryReminderDays          = 365
)

// DefaultRawSettings returns the plugin.json defaults. Decode the saved
// configuration over it so a key missing from the saved map keeps its
// default.
func DefaultRawSettings() RawSettings {
	return RawSettings{
		EnableGuestAccounts:        true,
		AllowedDomains:             "",
		MaxActiveGuests:            0,
		MaxChannelsPerGuest:        0,
		CountDirectMessages:        false,
		InvitationLifetimeHours:    DefaultInvitationLifetimeHours,
		WhoMayInvite:               InviteSystemAdmins.String(),
		AllowMembersToDMGuests:     false,
		RequireMFA:                 false,
		DefaultAllow:               DefaultRestrictions(),
		DefaultAccountLifetimeDays: 0,
		ExpiryReminderDays:         DefaultExpiryReminderDays,
	}
}

// SettingError is one refused setting, named by its System Console name.
type SettingError struct {
	Key         string // plugin.json key
	DisplayName string // System Console name
	Problem     string // what is wrong and what is accepted
	Err         error  // underlying cause, if any
}

// Error names the setting by its System Console name and says what is accepted.
func (e *SettingError) Error() string {
	return fmt.Sprintf("%q: %s", e.DisplayName, e.Problem)
}

// Unwrap returns the underlying cause.
func (e *SettingError) Unwrap() error { return e.Err }

// SettingsError lists every refused setting.
type SettingsError struct {
	Problems []*SettingError
}

// Error lists every refused setting, separated by "; ".
func (e *SettingsError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Error()
	}
	return "invalid settings: " + strings.Join(parts, "; ")
}

// Unwrap returns the per-setting errors (for errors.Is / errors.As).
func (e *SettingsError) Unwrap() []error {
	out := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		out[i] = p
	}
	return out
}

// numberSetting describes one plugin.json number setting.
type numberSetting struct {
	key, name string
	min, max  int
	def       int
}

var (
	maxActiveGuestsSetting     = numberSetting{"MaxActiveGuests", "Maximum active guests", 0, MaxGuestCap, 0}
	maxChannelsSetting         = numberSetting{"MaxChannelsPerGuest", "Maximum channels per guest", 0, MaxGuestCap, 0}
	invitationLifetimeSetting  = numberSetting{"InvitationLifetimeHours", "Invitation lifetime (hours)", MinInvitationLifetimeHours, MaxInvitationLifetimeHours, DefaultInvitationLifetimeHours}
	accountLifetimeSetting     = numberSetting{"DefaultAccountLifetimeDays", "Default guest account lifetime (days)", 0, MaxAccountLifetimeDays, 0}
	expiryReminderSetting      = numberSetting{"ExpiryReminderDays", "Expiry reminder (days before)", 0, MaxExpiryReminderDays, DefaultExpiryReminderDays}
	allowedDomainsDisplayName  = "Allowed guest email domains"
	whoMayInviteDisplayName    = "Who may invite guests"
	whoMayInviteAcceptedValues = "system_admins, team_admins or members"
)

// ParseSettings validates raw settings and returns typed ones. Every invalid
// setting is reported (a *SettingsError naming each by its System Console
// name with the accepted range), not only the first. A number setting that
// is missing (nil) or an empty string takes its default.
func ParseSettings(raw RawSettings) (Settings, error) {
	var problems []*SettingError
	number := func(ns numberSetting, v any) int {
		n, err := ns.parse(v)
		if err != nil {
			problems = append(problems, err)
			return ns.def
		}
		return n
	}
	s := Settings{
		EnableGuestAccounts:    raw.EnableGuestAccounts,
		MaxActiveGuests:        number(maxActiveGuestsSetting, raw.MaxActiveGuests),
		MaxChannelsPerGuest:    number(maxChannelsSetting, raw.MaxChannelsPerGuest),
		CountDirectMessages:    raw.CountDirectMessages,
		InvitationLifetime:     time.Duration(number(invitationLifetimeSetting, raw.InvitationLifetimeHours)) * time.Hour,
		AllowMembersToDMGuests: raw.AllowMembersToDMGuests,
		RequireMFA:             raw.RequireMFA,
		DefaultRestrictions:    raw.DefaultAllow,
		DefaultAccountLifetime: time.Duration(number(accountLifetimeSetting, raw.DefaultAccountLifetimeDays)) * 24 * time.Hour,
		ExpiryReminder:         time.Duration(number(expiryReminderSetting, raw.ExpiryReminderDays)) * 24 * time.Hour,
	}
	list, err := ParseAllowList(raw.AllowedDomains)
	if err != nil {
		problems = append(problems, &SettingError{
			Key: "AllowedDomains", DisplayName: allowedDomainsDisplayName,
			Problem: err.Error() + ` (accepted: domains such as example.com or *.example.com, separated by commas)`,
			Err:     err,
		})
	}
	s.AllowedDomains = list
	who, ok := ParseInviters(raw.WhoMayInvite)
	if !ok {
		problems = append(problems, &SettingError{
			Key: "WhoMayInvite", DisplayName: whoMayInviteDisplayName,
			Problem: fmt.Sprintf("%q is not an option (accepted: %s)", raw.WhoMayInvite, whoMayInviteAcceptedValues),
		})
	}
	s.WhoMayInvite = who
	s.RequireMFATeams = splitList(strings.ToLower(raw.RequireMFATeams))
	for _, t := range s.RequireMFATeams {
		if !validTeamName(t) {
			problems = append(problems, &SettingError{Key: "RequireMFATeams", DisplayName: "Require MFA for guests in these teams",
				Problem: fmt.Sprintf("%q is not a team URL name (lower-case letters, digits, '-' and '_', 2 to 64 characters)", t)})
		}
	}
	members, err := ParseAllowList(raw.MemberEmailDomains)
	if err != nil {
		problems = append(problems, &SettingError{
			Key: "MemberEmailDomains", DisplayName: "Member email domains (automatic guest rule)",
			Problem: err.Error() + ` (accepted: domains such as example.com or *.example.com, separated by commas)`, Err: err,
		})
	}
	s.MemberDomains = members
	s.GuestSignInMethods = splitList(strings.ToLower(raw.GuestSignInMethods))
	for _, m := range s.GuestSignInMethods {
		if !signInMethods[m] {
			problems = append(problems, &SettingError{Key: "GuestSignInMethods", DisplayName: "Sign-in methods that create guests (automatic guest rule)",
				Problem: fmt.Sprintf("%q is not a sign-in method (accepted: email, gitlab, openid, google, office365, saml, ldap)", m)})
		}
	}
	if problems != nil {
		return Settings{}, &SettingsError{Problems: problems}
	}
	return s, nil
}

// parse accepts a whole number within the setting's range, given as any Go
// integer type, a whole float, a json.Number or a decimal string. nil and
// the empty string give the default.
func (ns numberSetting) parse(v any) (int, *SettingError) {
	fail := func(got string, cause error) (int, *SettingError) {
		return 0, &SettingError{
			Key: ns.key, DisplayName: ns.name, Err: cause,
			Problem: fmt.Sprintf("must be a whole number from %d to %d, got %s", ns.min, ns.max, got),
		}
	}
	var n int64
	switch x := v.(type) {
	case nil:
		return ns.def, nil
	case int:
		n = int64(x)
	case int8:
		n = int64(x)
	case int16:
		n = int64(x)
	case int32:
		n = int64(x)
	case int64:
		n = x
	case uint8:
		n = int64(x)
	case uint16:
		n = int64(x)
	case uint32:
		n = int64(x)
	case uint:
		if uint64(x) > math.MaxInt64 {
			return fail(strconv.FormatUint(uint64(x), 10), nil)
		}
		n = int64(x)
	case uint64:
		if x > math.MaxInt64 {
			return fail(strconv.FormatUint(x, 10), nil)
		}
		n = int64(x)
	case float32:
		return ns.parseFloat(float64(x), fail)
	case float64:
		return ns.parseFloat(x, fail)
	case json.Number:
		return ns.parseString(string(x), fail)
	case string:
		return ns.parseString(x, fail)
	default:
		return fail(fmt.Sprintf("a value of type %T", v), nil)
	}
	return ns.inRange(n, fail)
}

type failFunc func(got string, cause error) (int, *SettingError)

func (ns numberSetting) parseFloat(f float64, fail failFunc) (int, *SettingError) {
	got := strconv.FormatFloat(f, 'g', -1, 64)
	if math.IsNaN(f) || math.IsInf(f, 0) || f != math.Trunc(f) || f < math.MinInt64 || f >= math.MaxInt64 {
		return fail(got, nil)
	}
	return ns.inRange(int64(f), fail)
}

func (ns numberSetting) parseString(str string, fail failFunc) (int, *SettingError) {
	t := strings.TrimSpace(str)
	if t == "" {
		return ns.def, nil
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		return fail(strconv.Quote(str), fmt.Errorf("parsing %s: %w", ns.key, err))
	}
	return ns.inRange(n, fail)
}

func (ns numberSetting) inRange(n int64, fail failFunc) (int, *SettingError) {
	if n < int64(ns.min) || n > int64(ns.max) {
		return fail(strconv.FormatInt(n, 10), nil)
	}
	return int(n), nil
}

// signInMethods are the sign-in methods the automatic guest rule knows,
// named as Mattermost names a user's AuthService ("" is email).
var signInMethods = map[string]bool{"email": true, "gitlab": true, "openid": true, "google": true, "office365": true, "saml": true, "ldap": true}

// splitList splits a comma/space separated list, dropping empties and
// duplicates.
func splitList(raw string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(raw, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' }) {
		dup := false
		for _, o := range out {
			dup = dup || o == f
		}
		if !dup {
			out = append(out, f)
		}
	}
	return out
}

func validTeamName(n string) bool {
	if len(n) < 2 || len(n) > 64 {
		return false
	}
	for _, r := range n {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

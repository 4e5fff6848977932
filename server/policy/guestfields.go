package policy

import "time"

// GuestFieldKind says what a per-guest setting holds.
type GuestFieldKind string

// The kinds of per-guest settings.
const (
	// FieldDate is a Unix-millisecond time; 0 is never.
	FieldDate GuestFieldKind = "date"
	// FieldSwitch is on or off.
	FieldSwitch GuestFieldKind = "switch"
	// FieldOverride is on or off for this guest, or null to follow the
	// settings.
	FieldOverride GuestFieldKind = "override"
	// FieldRestrictions is one override per row of RestrictionTable.
	FieldRestrictions GuestFieldKind = "restrictions"
)

// GuestField is one setting an admin keeps per guest: PATCH
// /guests/{id}, the record, /guest, the update_guest audit details and the
// dashboard's guest details.
type GuestField struct {
	// Key names the field in PATCH, the record and the audit details; the
	// API view of a guest holds the value in force under it.
	Key  string
	Kind GuestFieldKind
	// OverrideKey, for overrides, names the guest's own value (null: follow
	// the settings) in the API view.
	OverrideKey string
	// value reads the field of a guest's settings.
	value func(*GuestSettings) any
}

// GuestFields are the per-guest settings, in the order the audit details
// and the dashboard list them. GuestSettings holds their values; the
// record (store.Guest), PATCH (guests.GuestPatch), the API view
// (guests.Guest) and the webapp's generated types (`make apply`) follow
// this list, and tests compare each of them with it.
var GuestFields = []GuestField{
	{Key: "expires_at", Kind: FieldDate, value: func(s *GuestSettings) any { return s.ExpiresAt }},
	{Key: "single_channel", Kind: FieldSwitch, value: func(s *GuestSettings) any { return s.SingleChannel }},
	{Key: "restrictions", Kind: FieldRestrictions, OverrideKey: "restriction_overrides", value: func(s *GuestSettings) any { return s.Restrictions }},
	{Key: "require_mfa", Kind: FieldOverride, OverrideKey: "require_mfa_override", value: func(s *GuestSettings) any { return s.RequireMFA }},
}

// GuestSettings are one guest's values of GuestFields.
type GuestSettings struct {
	ExpiresAt     int64     `json:"expires_at"`
	SingleChannel bool      `json:"single_channel"`
	Restrictions  Overrides `json:"restrictions"`
	RequireMFA    *bool     `json:"require_mfa"`
}

// SettingsChanges describes what changed from before to after, one
// "key: old -> new" part per changed field ("restriction <key>: old -> new"
// per restriction), in the order of GuestFields.
func SettingsChanges(before, after GuestSettings) []string {
	var parts []string
	for _, f := range GuestFields {
		old, next := f.value(&before), f.value(&after)
		if f.Kind == FieldRestrictions {
			// FieldRestrictions values are Overrides (the table's tests check).
			o, _ := old.(Overrides)
			n, _ := next.(Overrides)
			for r, spec := range RestrictionTable {
				if !sameOverride(o[r], n[r]) {
					parts = append(parts, "restriction "+spec.Key+": "+OverrideText(o[r])+" -> "+OverrideText(n[r]))
				}
			}
			continue
		}
		if !sameValue(old, next) {
			parts = append(parts, f.Key+": "+fieldText(old)+" -> "+fieldText(next))
		}
	}
	return parts
}

// SettingsRequested describes what an edit asks: "key: value" for each
// field present says is in it (every restriction for the restrictions,
// which are replaced as a whole), in the order of GuestFields.
func SettingsRequested(asked GuestSettings, present func(key string) bool) []string {
	var parts []string
	for _, f := range GuestFields {
		if !present(f.Key) {
			continue
		}
		v := f.value(&asked)
		if f.Kind == FieldRestrictions {
			o, _ := v.(Overrides)
			for r, spec := range RestrictionTable {
				parts = append(parts, "restriction "+spec.Key+": "+OverrideText(o[r]))
			}
			continue
		}
		parts = append(parts, f.Key+": "+fieldText(v))
	}
	return parts
}

func sameValue(a, b any) bool {
	if pa, ok := a.(*bool); ok {
		pb, _ := b.(*bool)
		return sameOverride(pa, pb)
	}
	return a == b
}

func sameOverride(a, b *bool) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

func fieldText(v any) string {
	switch x := v.(type) {
	case int64:
		return FormatMillis(x)
	case bool:
		return OnOff(x)
	case *bool:
		return OverrideText(x)
	}
	return ""
}

// OverrideText names an override as /guest restrict and /guest mfa do:
// on, off or default.
func OverrideText(v *bool) string {
	if v == nil {
		return "default"
	}
	return OnOff(*v)
}

// OnOff is "on" or "off".
func OnOff(v bool) string {
	if v {
		return "on"
	}
	return "off"
}

// FormatMillis is a Unix-millisecond time in audit details: RFC 3339 in
// UTC, or "never" for 0.
func FormatMillis(ms int64) string {
	if ms <= 0 {
		return "never"
	}
	return time.UnixMilli(ms).UTC().Format(time.RFC3339)
}

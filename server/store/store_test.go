package store

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/internal/testfill"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
)

// Every pointer, slice and map of a guest record, including fields added
// later, is copied by Clone: the guest cache never shares its copy.
func TestCloneSharesNothing(t *testing.T) {
	g := &Guest{}
	testfill.Fill(reflect.ValueOf(g).Elem())
	v := reflect.ValueOf(*g)
	for i := range v.NumField() {
		require.False(t, v.Field(i).IsZero(), "Fill left %s zero: the test would pass vacuously", v.Type().Field(i).Name)
	}
	c := g.Clone()
	assert.Equal(t, g, c, "the copy is equal")
	assert.Empty(t, testfill.Shared(reflect.ValueOf(g), reflect.ValueOf(c), "Guest"), "the copy shares this with the original")

	empty := &Guest{}
	assert.Equal(t, empty, empty.Clone(), "nil slices and pointers stay nil")
}

// The record keeps every per-guest setting (policy.GuestFields) under its
// JSON name, and Settings reads each of them.
func TestRecordHoldsEveryGuestSetting(t *testing.T) {
	settings := reflect.TypeOf(policy.GuestSettings{})
	record := reflect.TypeOf(Guest{})
	names := testfill.JSONNames(record)
	for i := range settings.NumField() {
		f := settings.Field(i)
		rf, ok := record.FieldByName(f.Name)
		require.True(t, ok, "store.Guest has no field %s", f.Name)
		assert.Equal(t, f.Type, rf.Type, f.Name)
		assert.Contains(t, names, testfill.JSONNames(settings)[i], f.Name)
	}

	g := &Guest{}
	testfill.Fill(reflect.ValueOf(g).Elem())
	got := reflect.ValueOf(g.Settings())
	for i := range settings.NumField() {
		name := settings.Field(i).Name
		assert.Equal(t, reflect.ValueOf(*g).FieldByName(name).Interface(), got.Field(i).Interface(), "Settings() does not copy %s", name)
	}
}

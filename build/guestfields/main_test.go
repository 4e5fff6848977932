package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
)

const root = "../.."

// The checked-in file is what policy's tables generate.
func TestGeneratedFileIsUpToDate(t *testing.T) {
	have, err := os.ReadFile(filepath.Join(root, Output))
	require.NoError(t, err, "run `make apply`")
	assert.Equal(t, render(), string(have), "%s is out of date with server/policy: run `make apply`", Output)
}

// Every kind of field has TypeScript types.
func TestEveryKindHasTypes(t *testing.T) {
	for _, f := range policy.GuestFields {
		_, ok := tsTypes[f.Kind]
		assert.True(t, ok, "field %s: kind %s has no TypeScript types", f.Key, f.Kind)
	}
}

// The webapp names each restriction as the server does
// (RESTRICTION_LABEL_IDS: "restriction.<key>" in its English catalog), and
// names no other.
func TestWebappLabelsMatchTheTable(t *testing.T) {
	buf, err := os.ReadFile(filepath.Join(root, "webapp/src/i18n/en.json"))
	require.NoError(t, err)
	var en map[string]string
	require.NoError(t, json.Unmarshal(buf, &en))
	want := map[string]string{}
	for _, spec := range policy.RestrictionTable {
		want["restriction."+spec.Key] = spec.Label.Format
	}
	got := map[string]string{}
	for k, v := range en {
		if strings.HasPrefix(k, "restriction.") {
			got[k] = v
		}
	}
	assert.Equal(t, want, got)
}

package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The checked-in catalog matches the code, ids are unique per text, and
// every translation uses the English message's arguments.
func TestCatalogIsUpToDate(t *testing.T) {
	require.NoError(t, run("../..", "check"))
}

func TestScanFindsEveryKindOfMessage(t *testing.T) {
	c, err := scan("../../server")
	require.NoError(t, err)
	for id, want := range map[string]string{
		"guest_accounts.app.cap_reached":            "The maximum of %d active guests is reached.",
		"guest_accounts.api.forbidden":              "You do not have permission to do this.",
		"guest_accounts.invite.expired":             "This invitation has expired.",
		"guest_accounts.notice.no_edit":             "Editing your messages is turned off",
		"guest_accounts.command.admins_only":        "Only system admins can run",
		"guest_accounts.command.bad_date":           "is not a date",
		"guest_accounts.signup.tab_new":             "Create my guest account",
		"guest_accounts.signup.js.mismatch":         "The two passwords differ.",
		"guest_accounts.notice.mfa_required":        "Set it up at %s.",
		"guest_accounts.invite_result.listed_twice": "Listed twice.",
	} {
		assert.Contains(t, c.msgs[id], want, id)
	}
}

func TestVerbs(t *testing.T) {
	for format, n := range map[string]int{
		"plain":                 0,
		"100%% sure":            0,
		"%s and %d":             2,
		"%[2]s before %[1]s":    2,
		"%[1]s twice %[1]s":     1,
		"%q is not a valid %s.": 2,
		"padded %-5d and %.2f":  2,
	} {
		assert.Equal(t, n, verbs(format), format)
	}
}

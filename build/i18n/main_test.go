package main

import (
	"os"
	"path/filepath"
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

// A catalog that lacks an id English has, keeps one English dropped, or
// changes a message's arguments fails the check (server and email catalogs).
func TestTranslationsMustMatchEnglish(t *testing.T) {
	write := func(t *testing.T, dir, name, body string) {
		t.Helper()
		require.NoError(t, os.MkdirAll(filepath.Join(dir, "assets/i18n"), 0o750))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "assets/i18n", name), []byte(body), 0o600))
	}
	english := map[string]string{"a.one": "One %s.", "a.two": "Two."}

	dir := t.TempDir()
	write(t, dir, "server.xx.json", `[{"id": "a.one", "translation": "Eins %s."}, {"id": "a.gone", "translation": "Weg."}]`)
	err := checkTranslations(dir, english)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "lacks a.two")
	assert.Contains(t, err.Error(), "a.gone is not a server message")

	write(t, dir, "server.xx.json", `[{"id": "a.one", "translation": "Eins."}, {"id": "a.two", "translation": "Zwei."}]`)
	err = checkTranslations(dir, english)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "a.one has 0 formatting verbs, English has 1")

	write(t, dir, "server.xx.json", `[{"id": "a.one", "translation": "Eins %s."}, {"id": "a.two", "translation": "Zwei."}]`)
	require.NoError(t, checkTranslations(dir, english))

	write(t, dir, "en.json", `[{"id": "m.hi", "translation": "Hi {{.Name}}"}, {"id": "m.bye", "translation": "Bye"}]`)
	write(t, dir, "xx.json", `[{"id": "m.hi", "translation": "Hallo {{.Nom}}"}, {"id": "m.old", "translation": "Alt"}]`)
	err = checkMailTranslations(dir)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "lacks m.bye")
	assert.Contains(t, err.Error(), "m.old is not an email message")
	assert.Contains(t, err.Error(), "m.hi uses {{.Nom}}, English uses {{.Name}}")

	write(t, dir, "xx.json", `[{"id": "m.hi", "translation": "Hallo {{.Name}}"}, {"id": "m.bye", "translation": "Tschüss"}]`)
	require.NoError(t, checkMailTranslations(dir))
}

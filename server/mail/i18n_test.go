package mail_test

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/mail"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/mail/mailtest"
)

// variants covers every branch that asks for a different message.
func variants() []mail.Data {
	minimal := mail.Data{SiteName: "Acme", InviterName: "Ann", GuestName: "Gus", ChannelNames: []string{"c"},
		Link: inviteLink, LinkExpiresAt: linkExpiry, Username: "gus", ExpiresAt: accountExpiry}
	noInviter := minimal
	noInviter.InviterName = ""
	change := full()
	change.RequirePasswordChange = true
	many := full()
	for range mail.MaxListItems + 1 {
		many.ChannelNames = append(many.ChannelNames, "c")
	}
	var out []mail.Data
	for _, days := range []int{0, 1, 7} {
		for _, d := range []mail.Data{full(), minimal, noInviter, change, many} {
			d.DaysLeft = days
			out = append(out, d)
		}
	}
	return out
}

// TestEveryMessageIDIsInEnJSON renders every kind in every variant through a
// recorder: every id asked for must exist in en.json, and every mail id in
// en.json must be asked for by some email.
func TestEveryMessageIDIsInEnJSON(t *testing.T) {
	entries := mailtest.MailEntries(t, mailtest.EnglishPath(t))
	rec := mailtest.NewRecorder(mailtest.English(t))
	for _, kind := range mail.Kinds() {
		for _, d := range variants() {
			if _, err := mail.Render(kind, rec.Translate, d); err != nil {
				// Only variants lacking a field this kind requires may fail.
				assert.Contains(t, err.Error(), "is required", "%s: %v", kind, err)
			}
		}
	}
	used := rec.IDs()
	for id := range used {
		assert.Contains(t, entries, id, "id used but not in en.json")
	}
	var unused []string
	for id := range entries {
		if !used[id] {
			unused = append(unused, id)
		}
	}
	sort.Strings(unused)
	assert.Empty(t, unused, "ids in en.json that no email uses")
	assert.GreaterOrEqual(t, len(used), 50)
}

// TestTranslationsUseKnownFields checks, statically, that en.json's mail
// messages only use template fields the renderer provides.
func TestTranslationsUseKnownFields(t *testing.T) {
	known := map[string]bool{"SiteName": true, "Inviter": true, "Guest": true, "Username": true,
		"Date": true, "Days": true, "Count": true, "Name": true, "Channel": true}
	field := regexp.MustCompile(`{{\s*\.(\w+)\s*}}`)
	anyAction := regexp.MustCompile(`{{`)
	for id, tr := range mailtest.MailEntries(t, mailtest.EnglishPath(t)) {
		assert.Equal(t, len(anyAction.FindAllString(tr, -1)), len(field.FindAllString(tr, -1)),
			"%s: only {{.Field}} actions are expected: %q", id, tr)
		for _, m := range field.FindAllStringSubmatch(tr, -1) {
			assert.True(t, known[m[1]], "%s uses unknown field %s", id, m[1])
		}
	}
}

// TestEnJSONIsFlatGoI18nFile checks the file format: a flat array of
// {"id", "translation"} that go-i18n loads.
func TestEnJSONIsFlatGoI18nFile(t *testing.T) {
	path := mailtest.EnglishPath(t)
	all := mailtest.Entries(t, path) // fails on a malformed file
	assert.NotEmpty(t, all)
	bundle, err := mail.LoadBundle(filepath.Dir(path))
	require.NoError(t, err)
	assert.NotEmpty(t, bundle.LanguageTags())
}

// TestOtherLanguageFallsBackToEnglish loads en.json plus a partial German
// file: German messages are used where they exist, English elsewhere.
func TestOtherLanguageFallsBackToEnglish(t *testing.T) {
	dir := t.TempDir()
	en, err := os.ReadFile(mailtest.EnglishPath(t))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "en.json"), en, 0o600))
	de := `[{"id": "guest_accounts.mail.invitation.subject", "translation": "[{{.SiteName}}] {{.Inviter}} hat Sie als Gast eingeladen"},
 {"id": "guest_accounts.mail.common.datetime_layout", "translation": "02.01.2006, 15:04 MST"}]`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "active.de.json"), []byte(de), 0o600))

	tr, err := mail.LoadTranslator(dir, "de")
	require.NoError(t, err)
	d := full()
	d.Locale = "de"
	d.TimeZone = time.FixedZone("CET", 3600)
	e, err := mail.Render(mail.Invitation, tr, d)
	require.NoError(t, err)
	assert.Equal(t, "[Acme Chat] Ann Admin hat Sie als Gast eingeladen", e.Subject)
	assert.Contains(t, e.Text, "expires on 02.01.2030, 16:04 CET")
	assert.Contains(t, e.Text, "Accept the invitation")
	assert.Contains(t, e.HTML, `<html lang="de">`)

	_, err = mail.LoadBundle(t.TempDir())
	assert.Error(t, err)
}

func TestLocaleAttributeIsSanitised(t *testing.T) {
	d := full()
	d.Locale = `en"><script>`
	e := render(t, mail.Invitation, d)
	assert.Contains(t, e.HTML, `<html lang="en">`)
	d.Locale = "pt_BR"
	e = render(t, mail.Invitation, d)
	assert.Contains(t, e.HTML, `<html lang="pt-BR">`)
}

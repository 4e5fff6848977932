package integration

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper/smtpsink"
)

// setLocale sets the language a user chose in their Mattermost settings.
func setLocale(th *testhelper.TestHelper, userID, locale string) {
	th.T.Helper()
	_, _, err := th.AdminClient.PatchUser(th.Ctx, userID, &model.UserPatch{Locale: model.NewPointer(locale)})
	require.NoError(th.T, err)
}

// getPage fetches a plugin page anonymously with an Accept-Language header.
func getPage(th *testhelper.TestHelper, url, acceptLanguage string) (int, string) {
	th.T.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(th.T, err)
	if acceptLanguage != "" {
		req.Header.Set("Accept-Language", acceptLanguage)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(th.T, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(th.T, err)
	return resp.StatusCode, string(body)
}

// Server messages follow each reader's language: API errors the user's
// Mattermost language, the signup page the browser's, notices the
// recipient's; a language without a translation gets English, and the
// error ids never change.
func TestServerMessagesAreLocalised(t *testing.T) {
	th := testhelper.Setup(t)
	german := th.CreateUser()
	setLocale(th, german.Id, "de")
	germanClient := th.Login(german)

	var e struct {
		ID      string `json:"error_id"`
		Message string `json:"message"`
	}
	resp := th.PluginRequest(germanClient, http.MethodGet, "/stats", nil)
	require.Equal(t, http.StatusForbidden, resp.Status)
	require.NoError(t, json.Unmarshal(resp.Body, &e))
	assert.Equal(t, "guest_accounts.api.forbidden", e.ID)
	assert.Equal(t, "Dazu fehlt Ihnen die Berechtigung.", e.Message)

	// A message with arguments, from a malformed body.
	resp = th.PluginRequest(germanClient, http.MethodPost, "/invites", []byte(`{"emails": x}`))
	require.Equal(t, http.StatusBadRequest, resp.Status)
	require.NoError(t, json.Unmarshal(resp.Body, &e))
	assert.Equal(t, "Der Inhalt ist kein gültiges JSON (bei Byte 12).", e.Message)
	resp = th.PluginRequest(germanClient, http.MethodPost, "/invites", []byte(`{"emails": [`))
	require.Equal(t, http.StatusBadRequest, resp.Status)
	require.NoError(t, json.Unmarshal(resp.Body, &e))
	assert.Equal(t, "guest_accounts.api.truncated_json", e.ID)
	assert.Contains(t, e.Message, "endet zu früh")

	// Same request in English, and French (no translation: English).
	resp = th.PluginRequest(th.MemberClient, http.MethodGet, "/stats", nil)
	require.NoError(t, json.Unmarshal(resp.Body, &e))
	assert.Equal(t, "You do not have permission to do this.", e.Message)
	french := th.CreateUser()
	setLocale(th, french.Id, "fr")
	resp = th.PluginRequest(th.Login(french), http.MethodGet, "/stats", nil)
	require.NoError(t, json.Unmarshal(resp.Body, &e))
	assert.Equal(t, "You do not have permission to do this.", e.Message)

	// The /guest command answers in the user's language.
	th.AddTeamMember(th.Team.Id, german.Id)
	th.AddChannelMember(th.Channel.Id, german.Id)
	out, _, err := germanClient.ExecuteCommand(th.Ctx, th.Channel.Id, "/guest list")
	require.NoError(t, err)
	assert.Equal(t, "Nur Systemadministratoren können `/guest list` ausführen.", out.Text)

	// The signup page follows the browser: a dead link, then a live one.
	base := th.URL + "/plugins/guest-accounts/api/v1/invite/"
	code, page := getPage(th, base+"not-a-token", "de-DE,de;q=0.9,en;q=0.5")
	assert.Equal(t, http.StatusNotFound, code)
	assert.Contains(t, page, `<html lang="de">`)
	assert.Contains(t, page, "Einladung nicht verfügbar")
	assert.Contains(t, page, "Dieser Einladungslink ist ungültig")
	_, page = getPage(th, base+"not-a-token", "")
	assert.Contains(t, page, `<html lang="en">`)
	assert.Contains(t, page, "Invitation unavailable")

	link := inviteLinkFor(th, th.Channel.Id)
	code, page = getPage(th, link, "de")
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, page, "Mein Gastkonto anlegen")
	assert.Contains(t, page, "als Gast beitreten")
	assert.Contains(t, page, `data-msg-mismatch="Die beiden Passwörter sind verschieden."`)
	_, page = getPage(th, link, "en-GB")
	assert.Contains(t, page, "Create my guest account")

	// A guest's refusal notice, in the guest's language.
	_, u := createGuest(th, th.Channel.Id)
	setLocale(th, u.Id, "de")
	guest := th.Login(u)
	post, _, err := guest.CreatePost(th.Ctx, &model.Post{ChannelId: th.Channel.Id, Message: "hallo"})
	require.NoError(t, err)
	events := listen(th, guest)
	setRestriction(th, u.Id, "edit_own_posts", false)
	_, _, err = guest.PatchPost(th.Ctx, post.Id, &model.PostPatch{Message: model.NewPointer("bearbeitet")})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Das Bearbeiten eigener Nachrichten ist für Gäste hier ausgeschaltet.")
	events.wait(th, "the German explanation of the refused edit", ephemeralIn(th.Channel.Id, "Das Bearbeiten eigener Nachrichten"))
}

// The second language (Spanish) and the paths German must reach beyond
// errors: a /guest reply to an admin and an email to an existing guest, in
// the recipient's language; the signup page in Spanish from the browser.
func TestRepliesAndEmailsFollowTheReader(t *testing.T) {
	th := testhelper.Setup(t)
	spanish := th.CreateUser()
	setLocale(th, spanish.Id, "es")
	var e struct {
		Message string `json:"message"`
	}
	resp := th.PluginRequest(th.Login(spanish), http.MethodGet, "/stats", nil)
	require.Equal(t, http.StatusForbidden, resp.Status)
	require.NoError(t, json.Unmarshal(resp.Body, &e))
	assert.Equal(t, "No tiene permiso para hacer esto.", e.Message)

	code, page := getPage(th, th.URL+"/plugins/guest-accounts/api/v1/invite/not-a-token", "es-ES,es;q=0.9")
	assert.Equal(t, http.StatusNotFound, code)
	assert.Contains(t, page, `<html lang="es">`)
	assert.Contains(t, page, "Invitación no disponible")

	// /guest stats for an admin who reads German.
	th.AddTeamMember(th.Team.Id, th.Admin.Id)
	th.AddChannelMember(th.Channel.Id, th.Admin.Id)
	setLocale(th, th.Admin.Id, "de")
	t.Cleanup(func() { setLocale(th, th.Admin.Id, "en") })
	out, _, err := th.AdminClient.ExecuteCommand(th.Ctx, th.Channel.Id, "/guest stats")
	require.NoError(t, err)
	assert.Contains(t, out.Text, "Gäste: ")
	assert.Contains(t, out.Text, "offene Einladungen")

	// An existing guest who reads Spanish, invited into one more channel:
	// the "added to channels" email is in Spanish.
	_, g := createGuest(th, th.Channel.Id)
	setLocale(th, g.Id, "es")
	other := th.CreateChannel(th.Team.Id, model.ChannelTypeOpen)
	th.AddChannelMember(other.Id, th.Admin.Id)
	seq := th.SMTP.LastSeq()
	results := th.Invite(th.AdminClient, map[string]any{"emails": []string{g.Email}, "channel_ids": []string{other.Id}})
	require.Len(t, results, 1)
	assert.Equal(t, "added_to_channels", results[0].Status)
	msg, err := th.SMTP.WaitFor(th.Ctx, func(m smtpsink.Message) bool { return m.Seq > seq && m.SentTo(g.Email) })
	require.NoError(t, err, "no email to the guest")
	assert.Contains(t, msg.Subject, "le añadió a más canales")
	assert.Contains(t, msg.HTML, "Nuevos canales en")
}

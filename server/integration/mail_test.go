package integration

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

func TestInvitationEmailContentAndNoHeaderInjection(t *testing.T) {
	th := testhelper.Setup(t)
	adminInChannels(th, th.Channel)
	_, _, err := th.AdminClient.PatchUser(th.Ctx, th.Admin.Id, &model.UserPatch{FirstName: model.NewPointer("Ada\r\nBcc: evil@attacker.example")})
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _, _ = th.AdminClient.PatchUser(th.Ctx, th.Admin.Id, &model.UserPatch{FirstName: model.NewPointer("")})
	})
	seq := th.SMTP.LastSeq()
	addr := newAddress("guest.example.com")
	results := invite(th, th.AdminClient, map[string]any{
		"emails": []string{addr}, "channel_ids": []string{th.Channel.Id},
		"message": "Line one\r\nBcc: evil@attacker.example\n<img src=x onerror=alert(1)>",
	})
	require.Equal(t, "sent", results[0].Status)
	msg, err := th.SMTP.WaitFor(th.Ctx, func(m smtpMessage) bool { return m.Seq > seq && m.SentTo(addr) })
	require.NoError(t, err)

	assert.Equal(t, []string{addr}, msg.EnvelopeTo, "the email went to someone else too")
	assert.Empty(t, msg.Header.Get("Bcc"))
	assert.NotContains(t, strings.ToLower(string(msg.Raw)), "rcpt to:<evil")
	for _, m := range th.SMTP.Messages() {
		assert.False(t, m.SentTo("evil@attacker.example"), "header injection reached the attacker")
	}
	assert.NotContains(t, msg.Subject, "\n")
	assert.Contains(t, msg.Subject, "Guest Accounts Test", "the subject names the site")
	assert.Contains(t, msg.HTML, th.Channel.DisplayName)
	assert.NotContains(t, msg.HTML, "<img src=x", "the custom message is not escaped in the HTML")
	assert.Contains(t, msg.HTML, "&lt;img src=x onerror=alert(1)&gt;")
	link := inviteLink(th, addr, seq)
	assert.True(t, strings.HasPrefix(link, th.URL+"/plugins/guest-accounts/api/v1/invite/"))
}

var generatedPassword = regexp.MustCompile(`[A-Za-z0-9_-]{24}aA1!`)

func TestWelcomeEmailWithGeneratedPassword(t *testing.T) {
	th := testhelper.Setup(t)
	id := model.NewId()[:10]
	email := "w" + id + "@guest.example.com"
	seq := th.SMTP.LastSeq()
	resp := th.PluginRequest(th.AdminClient, http.MethodPost, "/guests", map[string]any{
		"email": email, "username": "w" + id, "random_password": true, "send_welcome_email": true,
		"channel_ids": []string{th.Channel.Id},
	})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	var g guestBody
	th.DecodeJSON(resp, &g)
	th.Track(g.UserID)

	msg, err := th.SMTP.WaitFor(th.Ctx, func(m smtpMessage) bool {
		return m.Seq > seq && m.SentTo(email) && strings.Contains(m.Subject, "Your guest account is ready")
	})
	require.NoError(t, err, "no welcome email")
	assert.Contains(t, msg.HTML+msg.Text, "w"+id, "the welcome email names the username")
	password := generatedPassword.FindString(msg.HTML + msg.Text)
	require.NotEmpty(t, password, "the welcome email has no generated password: %s", msg.HTML)
	c := model.NewAPIv4Client(th.URL)
	_, _, err = c.Login(th.Ctx, "w"+id, password)
	require.NoError(t, err, "the emailed password does not work")

	// A random password without the email that carries it is refused.
	resp = th.PluginRequest(th.AdminClient, http.MethodPost, "/guests", map[string]any{
		"email": "z" + id + "@guest.example.com", "username": "z" + id, "random_password": true,
	})
	assert.Equal(t, http.StatusBadRequest, resp.Status)
}

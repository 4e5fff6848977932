package testhelper

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"regexp"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper/smtpsink"
)

// The invitation flow as a person goes through it, for packages that cannot
// use server/integration's unexported helpers (the two-node and fault tests).

// InviteResult is one address's answer from POST /invites.
type InviteResult struct {
	Email    string `json:"email"`
	Status   string `json:"status"`
	InviteID string `json:"invite_id"`
	Message  string `json:"message"`
}

// Invite posts /invites as the client; the request must succeed.
func (th *TestHelper) Invite(c *model.Client4, body map[string]any) []InviteResult {
	th.T.Helper()
	resp := th.PluginRequest(c, http.MethodPost, "/invites", body)
	require.Equal(th.T, http.StatusOK, resp.Status, "inviting: %s", resp.Body)
	var out struct {
		Results []InviteResult `json:"results"`
	}
	th.DecodeJSON(resp, &out)
	return out.Results
}

// NewAddress is a fresh address at domain.
func NewAddress(domain string) string {
	return "x" + model.NewId()[:10] + "@" + domain
}

// InviteLink waits for an email to addr newer than sequence number after
// and returns the signup link in it (whichever node sent it).
func (th *TestHelper) InviteLink(addr string, after int) string {
	th.T.Helper()
	msg, err := th.SMTP.WaitFor(th.Ctx, func(m smtpsink.Message) bool { return m.Seq > after && m.SentTo(addr) })
	require.NoError(th.T, err, "no invitation email reached %s", addr)
	for _, l := range msg.Links() {
		if i := strings.Index(l, "/plugins/"+PluginID+"/api/v1/invite/"); i > 0 {
			return l
		}
	}
	require.FailNow(th.T, "the email has no signup link", "%s", msg.Text+msg.HTML)
	return ""
}

// OnNode rewrites a link of one node to the same path on e.
func OnNode(link string, e *Env) string {
	i := strings.Index(link, "/plugins/")
	if i < 0 {
		return link
	}
	return e.URL + link[i:]
}

var signupCSRF = regexp.MustCompile(`data-csrf="([^"]+)"`)

// Browser is an HTTP client with cookies, as the signup page's visitor.
type Browser struct {
	Client *http.Client
	CSRF   string
}

// NewBrowser returns a browser with an empty cookie jar.
func NewBrowser() *Browser {
	jar, _ := cookiejar.New(nil)
	return &Browser{Client: &http.Client{Jar: jar, Timeout: 60 * time.Second}}
}

// Open GETs the signup page, keeping its CSRF token; safe in goroutines.
func (b *Browser) Open(link string) (int, string, error) {
	resp, err := b.Client.Get(link)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if m := signupCSRF.FindStringSubmatch(string(body)); m != nil {
		b.CSRF = m[1]
	}
	return resp.StatusCode, string(body), err
}

// Accept submits the signup form as signup.js does, from the client
// address forwardedFor (each person has their own, so the per-address rate
// limit stays out of races); safe in goroutines.
func (b *Browser) Accept(link string, form map[string]any, forwardedFor string) (int, string, error) {
	raw, err := json.Marshal(form)
	if err != nil {
		return 0, "", err
	}
	req, err := http.NewRequest(http.MethodPost, link+"/accept", bytes.NewReader(raw))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Requested-With", "XMLHttpRequest")
	req.Header.Set("X-GA-CSRF", b.CSRF)
	if forwardedFor != "" {
		req.Header.Set("X-Forwarded-For", forwardedFor)
	}
	resp, err := b.Client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

// Stats is the answer of GET /stats (the fields the tests read).
type Stats struct {
	ActiveGuests       int  `json:"active_guests"`
	DeactivatedGuests  int  `json:"deactivated_guests"`
	PendingInvitations int  `json:"pending_invitations"`
	MaxActiveGuests    int  `json:"max_active_guests"`
	Enabled            bool `json:"guest_accounts_enabled"`
	IndexReady         bool `json:"index_ready"`
}

// Stats reads GET /stats as the admin.
func (th *TestHelper) Stats() Stats {
	th.T.Helper()
	resp := th.PluginRequest(th.AdminClient, http.MethodGet, "/stats", nil)
	require.Equal(th.T, http.StatusOK, resp.Status, "stats: %s", resp.Body)
	var st Stats
	th.DecodeJSON(resp, &st)
	return st
}

// SetCap saves "Maximum active guests" on this helper's node and waits
// until the plugin there applies it. Unlike SetPluginSettings it does not
// restore the old value: callers that change it restore it themselves.
func (th *TestHelper) SetCap(n int) {
	th.T.Helper()
	require.NoError(th.T, th.UpdatePluginSettings(map[string]any{"MaxActiveGuests": n}), "saving the cap")
	th.Eventually(func() bool { return th.Stats().MaxActiveGuests == n }, "the cap %d was not applied", n)
}

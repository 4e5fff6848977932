package integration

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper/smtpsink"
)

type smtpMessage = smtpsink.Message

type inviteResult struct {
	Email    string `json:"email"`
	Status   string `json:"status"`
	InviteID string `json:"invite_id"`
	Message  string `json:"message"`
}

// invite posts /invites as the client and returns the per-address results.
func invite(th *testhelper.TestHelper, c *model.Client4, body map[string]any) []inviteResult {
	th.T.Helper()
	resp := th.PluginRequest(c, http.MethodPost, "/invites", body)
	require.Equal(th.T, http.StatusOK, resp.Status, "inviting: %s", resp.Body)
	var out struct {
		Results []inviteResult `json:"results"`
	}
	th.DecodeJSON(resp, &out)
	return out.Results
}

func newAddress(domain string) string {
	return "x" + model.NewId()[:10] + "@" + domain
}

// inviteLinks waits for the email to addr and returns the signup links in
// it (newest email first when several are wanted: pass after, the Seq of
// the last message seen).
func inviteLink(th *testhelper.TestHelper, addr string, after int) string {
	th.T.Helper()
	msg, err := th.SMTP.WaitFor(th.Ctx, func(m smtpMessage) bool { return m.Seq > after && m.SentTo(addr) })
	require.NoError(th.T, err, "no invitation email reached %s", addr)
	links := msg.LinksWithPrefix(th.URL + "/plugins/guest-accounts/api/v1/invite/")
	require.NotEmpty(th.T, links, "the email has no signup link: %s", msg.Text+msg.HTML)
	return links[0]
}

var csrfRe = regexp.MustCompile(`data-csrf="([^"]+)"`)

// signupBrowser is an HTTP client with cookies, as a browser would be.
type signupBrowser struct {
	client *http.Client
	csrf   string
	// addr is the browser's own client address (X-Forwarded-For, which the
	// test server trusts): each person signing up counts against the
	// accept endpoint's per-address rate limit on their own, not the whole
	// suite's from 127.0.0.1.
	addr string
}

var browserSeq atomic.Int64

func newBrowser() *signupBrowser {
	jar, _ := cookiejar.New(nil)
	n := browserSeq.Add(1)
	return &signupBrowser{
		client: &http.Client{Jar: jar, Timeout: 30 * time.Second},
		addr:   fmt.Sprintf("100.64.%d.%d", (n/250)%250, n%250+1),
	}
}

// open GETs the signup page and returns status and body.
func (b *signupBrowser) open(th *testhelper.TestHelper, link string) (int, string, http.Header) {
	th.T.Helper()
	resp, err := b.client.Get(link)
	require.NoError(th.T, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if m := csrfRe.FindStringSubmatch(string(body)); m != nil {
		b.csrf = m[1]
	}
	return resp.StatusCode, string(body), resp.Header
}

// accept submits the signup form as signup.js does, from a client address
// of its own (the stack trusts X-Forwarded-For, as behind a proxy): every
// test submitting from the loopback address would share one accept rate
// limit bucket (30 a minute) and tests running close together would get
// 429s.
func (b *signupBrowser) accept(th *testhelper.TestHelper, link string, form map[string]any) (int, map[string]any) {
	th.T.Helper()
	raw, _ := json.Marshal(form)
	req, err := http.NewRequest(http.MethodPost, link+"/accept", bytes.NewReader(raw))
	require.NoError(th.T, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Requested-With", "XMLHttpRequest")
	req.Header.Set("X-Forwarded-For", nextClient())
	if b.csrf != "" {
		req.Header.Set("X-GA-CSRF", b.csrf)
	}
	req.Header.Set("X-Forwarded-For", b.addr)
	resp, err := b.client.Do(req)
	require.NoError(th.T, err)
	defer resp.Body.Close()
	out := map[string]any{}
	body, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(body, &out)
	return resp.StatusCode, out
}

// acceptRaw posts body to the accept endpoint with the page's cookies and
// CSRF token plus extra headers, as signup.js (or a hand-made request)
// would, and returns the status.
func (b *signupBrowser) acceptRaw(th *testhelper.TestHelper, link, body string, headers map[string]string) int {
	th.T.Helper()
	req, err := http.NewRequest(http.MethodPost, link+"/accept", strings.NewReader(body))
	require.NoError(th.T, err)
	req.Header.Set("X-GA-CSRF", b.csrf)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	for _, c := range b.client.Jar.Cookies(req.URL) {
		req.AddCookie(c)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(th.T, err)
	resp.Body.Close()
	return resp.StatusCode
}

// signup opens the link and creates an account; it returns the user.
func signup(th *testhelper.TestHelper, link string) *model.User {
	th.T.Helper()
	b := newBrowser()
	status, body, _ := b.open(th, link)
	require.Equal(th.T, http.StatusOK, status, "signup page: %s", body)
	username := "s" + strings.ToLower(model.NewId()[:10])
	code, out := b.accept(th, link, map[string]any{"username": username, "password": testhelper.UserPassword, "first_name": "Sig", "last_name": "Nup"})
	require.Equal(th.T, http.StatusOK, code, "accepting: %v", out)
	u, _, err := th.AdminClient.GetUserByUsername(th.Ctx, username, "")
	require.NoError(th.T, err)
	th.Track(u.Id)
	return u
}

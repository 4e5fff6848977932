package integration

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// TestDeadLinks, TestInviteTwoAddressesAcrossTwoTeams and
// TestAcceptNeedsTheSignupPageCSRFToken cover the signup *page* of used,
// superseded, revoked and expired links and the CSRF pair; these tests
// submit the *form* with every kind of bad token and check that no account
// appears.

var clientSeq atomic.Int32

// nextClient is a client address of its own, so the accept rate limit
// (30 a minute per address) stays out of tests that are not about it.
func nextClient() string {
	n := clientSeq.Add(1)
	return fmt.Sprintf("10.88.%d.%d", n/250, n%250+1)
}

// tokenOf is the token at the end of a signup link.
func tokenOf(link string) string { return link[strings.LastIndex(link, "/")+1:] }

// submit posts the signup form for link from browser b (its CSRF pair)
// as client and returns the status.
func submit(th *testhelper.TestHelper, b *signupBrowser, link, client, username string) int {
	th.T.Helper()
	body := fmt.Sprintf(`{"username":%q,"password":%q}`, username, testhelper.UserPassword)
	return b.acceptRaw(th, link, body, map[string]string{"Content-Type": "application/json", "X-Forwarded-For": client})
}

// requireNoAccount checks that no user has the address (unless "") or
// any of the usernames.
func requireNoAccount(th *testhelper.TestHelper, addr string, usernames ...string) {
	th.T.Helper()
	if addr != "" {
		_, resp, err := th.AdminClient.GetUserByEmail(th.Ctx, addr, "")
		require.Error(th.T, err, "an account exists for %s", addr)
		require.Equal(th.T, http.StatusNotFound, resp.StatusCode)
	}
	for _, u := range usernames {
		_, resp, err := th.AdminClient.GetUserByUsername(th.Ctx, u, "")
		require.Error(th.T, err, "an account %s exists", u)
		require.Equal(th.T, http.StatusNotFound, resp.StatusCode)
	}
}

// tokenVariants are the spellings of a token that must not open it.
func tokenVariants(tok string) map[string]string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	flip := func(i int) string {
		c := strings.IndexByte(alphabet, tok[i])
		return tok[:i] + string(alphabet[(c+1)%64]) + tok[i+1:]
	}
	last := strings.IndexByte(alphabet, tok[len(tok)-1])
	swapCase := func(s string) string {
		return strings.Map(func(r rune) rune {
			switch {
			case r >= 'a' && r <= 'z':
				return r - 32
			case r >= 'A' && r <= 'Z':
				return r + 32
			}
			return r
		}, s)
	}
	std := strings.NewReplacer("-", "+", "_", "/").Replace(tok)
	if std == tok {
		std = "+" + tok[1:]
	}
	return map[string]string{
		"first character flipped":  flip(0),
		"middle character flipped": flip(21),
		"second-last flipped":      flip(41),
		// 43 characters carry 258 bits for 256: the last one's two low bits
		// are padding, so +1 spells the same bytes differently.
		"same bytes, other padding bits": tok[:42] + string(alphabet[last|1]),
		"truncated by one":               tok[:42],
		"truncated to half":              tok[:21],
		"extended by one":                tok + "A",
		"doubled":                        tok + tok,
		"padded with =":                  tok + "=",
		"case swapped":                   swapCase(tok),
		"standard base64 alphabet":       std,
		"with white space":               tok[:20] + "%20" + tok[20:42],
	}
}

func TestSecurityBadTokensAreRefusedAtSubmit(t *testing.T) {
	th := testhelper.Setup(t)
	adminInChannels(th, th.Channel)
	addrs := map[string]string{}
	for _, k := range []string{"live", "used", "resent", "expired", "boundary"} {
		addrs[k] = newAddress("guest.example.com")
	}
	seq := th.SMTP.LastSeq()
	results := invite(th, th.AdminClient, map[string]any{"emails": []string{addrs["live"], addrs["used"], addrs["resent"], addrs["expired"], addrs["boundary"]}, "channel_ids": []string{th.Channel.Id}})
	links, ids := map[string]string{}, map[string]string{}
	for k, a := range addrs {
		links[k] = inviteLink(th, a, seq)
		for _, r := range results {
			if r.Email == a {
				ids[k] = r.InviteID
			}
		}
	}
	before, err := readGuestState(th)
	require.NoError(t, err)
	created := 0

	// One browser with a valid CSRF pair: the cookie is valid for every
	// token, so each refusal below is about the token alone.
	b := newBrowser()
	code, _, _ := b.open(th, links["live"])
	require.Equal(t, http.StatusOK, code)
	live := tokenOf(links["live"])
	base := strings.TrimSuffix(links["live"], live)
	var tried []string
	for name, v := range tokenVariants(live) {
		require.NotEqual(t, live, v, name)
		user := "v" + strings.ToLower(model.NewId()[:10])
		status := submit(th, b, base+v, nextClient(), user)
		assert.Equal(t, http.StatusNotFound, status, "%s: submitting", name)
		page, _, _ := newBrowser().open(th, base+v)
		assert.Equal(t, http.StatusNotFound, page, "%s: the page", name)
		tried = append(tried, user)
	}
	requireNoAccount(th, addrs["live"], tried...)
	// None of that touched the invitation.
	user := "l" + strings.ToLower(model.NewId()[:10])
	require.Equal(t, http.StatusOK, submit(th, b, links["live"], nextClient(), user), "the real token after the variants")
	created++
	u, _, err := th.AdminClient.GetUserByUsername(th.Ctx, user, "")
	require.NoError(t, err)
	th.Track(u.Id)

	// Replayed after use, with a new username: refused, no second account.
	again := "r" + strings.ToLower(model.NewId()[:10])
	assert.Equal(t, http.StatusGone, submit(th, b, links["live"], nextClient(), again), "replayed after use")
	requireNoAccount(th, "", again)

	// Used by its owner in another browser, then replayed from this one.
	ub := newBrowser()
	code, _, _ = ub.open(th, links["used"])
	require.Equal(t, http.StatusOK, code)
	signup(th, links["used"])
	created++
	assert.Equal(t, http.StatusGone, submit(th, ub, links["used"], nextClient(), "u"+strings.ToLower(model.NewId()[:10])), "a page opened before the account was made")

	// Replayed after a resend: the old token is dead for the form too,
	// even from a page opened while it was live; the new one works.
	rb := newBrowser()
	code, _, _ = rb.open(th, links["resent"])
	require.Equal(t, http.StatusOK, code)
	seq = th.SMTP.LastSeq()
	resp := th.PluginRequest(th.AdminClient, http.MethodPost, "/invites/"+ids["resent"]+"/resend", nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	newLink := inviteLink(th, addrs["resent"], seq)
	old := "o" + strings.ToLower(model.NewId()[:10])
	assert.Equal(t, http.StatusGone, submit(th, rb, links["resent"], nextClient(), old), "the superseded token")
	requireNoAccount(th, addrs["resent"], old)
	signup(th, newLink)
	created++
	assert.Equal(t, http.StatusGone, submit(th, rb, links["resent"], nextClient(), "o"+strings.ToLower(model.NewId()[:10])), "the superseded token after the new one was used")

	// Expired: an hour before the 48 h lifetime it still opens, past it the
	// form is refused (pages opened while it was valid included).
	eb := newBrowser()
	code, _, _ = eb.open(th, links["expired"])
	require.Equal(t, http.StatusOK, code)
	th.MoveClock(47 * time.Hour)
	code, _, _ = newBrowser().open(th, links["boundary"])
	assert.Equal(t, http.StatusOK, code, "47 h after the invitation")
	signup(th, links["boundary"])
	created++
	th.MoveClock(48*time.Hour + time.Minute)
	late := "e" + strings.ToLower(model.NewId()[:10])
	assert.Equal(t, http.StatusGone, submit(th, eb, links["expired"], nextClient(), late), "submitted after expiry")
	requireNoAccount(th, addrs["expired"], late)
	th.MoveClock(0)

	after, err := readGuestState(th)
	require.NoError(t, err)
	assert.Equal(t, before.Registry+created, after.Registry, "registry guests")
	assert.Empty(t, teamConsistencyProblems(th, th.Team.Id, th.Channel.Id))
	t.Logf("token variants refused at submit and page: %d; replays refused: used, used-from-an-old-page, superseded (twice), expired", len(tokenVariants(live)))
}

// randomToken is a well-formed token nobody was sent.
func randomToken(t *testing.T) string {
	var b [32]byte
	_, err := rand.Read(b[:])
	require.NoError(t, err)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Guessing tokens from one client: the first 30 guesses a minute are
// judged (404), then the accept endpoint answers 429, even for a real
// token; another client is unaffected. The page itself is not limited
// (measured below): a guess there only learns "404", and 2^256 tokens
// make guessing hopeless either way.
func TestSecurityTokenGuessingIsRateLimited(t *testing.T) {
	th := testhelper.Setup(t)
	adminInChannels(th, th.Channel)
	seq := th.SMTP.LastSeq()
	addr := newAddress("guest.example.com")
	invite(th, th.AdminClient, map[string]any{"emails": []string{addr}, "channel_ids": []string{th.Channel.Id}})
	link := inviteLink(th, addr, seq)
	base := strings.TrimSuffix(link, tokenOf(link))
	b := newBrowser()
	code, _, _ := b.open(th, link)
	require.Equal(t, http.StatusOK, code)

	guesser := "198.18." + fmt.Sprint(time.Now().UnixNano()%250) + ".7"
	statuses := map[int]int{}
	var tried []string
	for i := 0; i < 40; i++ {
		user := "g" + strings.ToLower(model.NewId()[:10])
		tried = append(tried, user)
		statuses[submit(th, b, base+randomToken(t), guesser, user)]++
	}
	assert.Equal(t, map[int]int{http.StatusNotFound: 30, http.StatusTooManyRequests: 10}, statuses, "guesses from one client")
	genuine := "q" + strings.ToLower(model.NewId()[:10])
	assert.Equal(t, http.StatusTooManyRequests, submit(th, b, link, guesser, genuine), "the guesser, even with the real token")
	requireNoAccount(th, addr, append(tried, genuine)...)

	pages := map[int]int{}
	for i := 0; i < 40; i++ {
		r, err := rawRequest(http.MethodGet, base+randomToken(t), nil, map[string]string{"X-Forwarded-For": guesser}, nil)
		require.NoError(t, err)
		pages[r.Status]++
	}
	assert.Equal(t, map[int]int{http.StatusNotFound: 40}, pages, "guesses at the page")

	// Someone else signs up meanwhile.
	user := "w" + strings.ToLower(model.NewId()[:10])
	require.Equal(t, http.StatusOK, submit(th, b, link, nextClient(), user))
	u, _, err := th.AdminClient.GetUserByUsername(th.Ctx, user, "")
	require.NoError(t, err)
	th.Track(u.Id)
	t.Logf("guessing: form %v, page %v", statuses, pages)
}

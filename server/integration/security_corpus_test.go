package integration

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// hostileCase is one line of testdata/hostile/*.jsonl: a request replayed
// against the real server and what must come back.
type hostileCase struct {
	File    string `json:"-"`
	Line    int    `json:"-"`
	Section string `json:"-"` // the "# -- " heading above the case

	Name string `json:"name"`
	// As is the actor: admin (default), member, guest, anon, or signup (the
	// signup page's browser: its CSRF cookie and header, a client address
	// of its own).
	As string `json:"as"`
	// Req is "METHOD /path" below /api/v1, with {{placeholders}}.
	Req string `json:"req"`
	// Body is sent as its JSON text; Raw as is; Gen is generated (see
	// generateBody). At most one of them.
	Body json.RawMessage   `json:"body"`
	Raw  *string           `json:"raw"`
	Gen  string            `json:"gen"`
	Hdr  map[string]string `json:"headers"`
	// CSRF for the signup actor: page (default), none, forged, header_only.
	CSRF string `json:"csrf"`
	// Expect: "ok" (2xx), "4xx", "redirect" (3xx) or an exact status.
	Expect string `json:"expect"`
	// Field must be named in a 4xx message.
	Field string `json:"field"`
	// Results are the per-address statuses POST /invites must report.
	Results []string `json:"results"`
	// Creates says the request makes exactly one account.
	Creates bool `json:"creates"`
}

func (c hostileCase) String() string { return fmt.Sprintf("%s:%d %q", c.File, c.Line, c.Name) }

// loadCorpus reads every request corpus file (one JSON object a line;
// blank lines and lines starting with # are skipped; "# -- name" starts a
// section, for the figures).
func loadCorpus(t *testing.T) []hostileCase {
	files, err := filepath.Glob("testdata/hostile/requests-*.jsonl")
	require.NoError(t, err)
	require.NotEmpty(t, files, "no corpus files")
	var out []hostileCase
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		sc := bufio.NewScanner(bytes.NewReader(raw))
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		section := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "requests-"), ".jsonl")
		for n := 1; sc.Scan(); n++ {
			line := strings.TrimSpace(sc.Text())
			if h, ok := strings.CutPrefix(line, "# -- "); ok {
				section = h
			}
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			var c hostileCase
			dec := json.NewDecoder(strings.NewReader(line))
			dec.DisallowUnknownFields()
			require.NoError(t, dec.Decode(&c), "%s:%d", f, n)
			c.File, c.Line, c.Section = filepath.Base(f), n, section
			require.NotEmpty(t, c.Name, "%s:%d has no name", f, n)
			require.Contains(t, []string{"", "admin", "member", "guest", "anon", "signup"}, c.As, c.String())
			require.Regexp(t, `^(ok|4xx|redirect|[1-5][0-9][0-9])$`, c.Expect, c.String())
			out = append(out, c)
		}
		require.NoError(t, sc.Err())
	}
	return out
}

// corpusFixtures are the things placeholders name.
type corpusFixtures struct {
	th             *testhelper.TestHelper
	guest          *model.User
	guestClient    *model.Client4
	invite         string // a pending invitation's id
	token          string // its raw token; hostile cases must not consume it
	link           string
	fresh          []string // unused tokens for cases that accept
	foreignChannel string   // a channel the admin is not a member of
	// candidate is an active member the automatic guest rules would make a
	// guest; no case may convert them.
	candidate *model.User
	signup    *signupBrowser
	// Every fresh address and username the cases used.
	addrs     []string
	usernames map[string]bool
}

var placeholder = regexp.MustCompile(`\{\{([a-z_]+)(?::(\d+):([^}]*))?\}\}`)

// expand fills the placeholders of s for case number i.
func (fx *corpusFixtures) expand(t *testing.T, s string, c hostileCase, uniq string) string {
	return placeholder.ReplaceAllStringFunc(s, func(m string) string {
		p := placeholder.FindStringSubmatch(m)
		switch p[1] {
		case "channel":
			return fx.th.Channel.Id
		case "foreign_channel":
			return fx.foreignChannel
		case "team":
			return fx.th.Team.Id
		case "guest":
			return fx.guest.Id
		case "candidate":
			return fx.candidate.Id
		case "member":
			return fx.th.Member.Id
		case "admin":
			return fx.th.Admin.Id
		case "invite":
			return fx.invite
		case "token":
			return fx.token
		case "fresh_token":
			require.NotEmpty(t, fx.fresh, "token pool exhausted at %s", c)
			tok := fx.fresh[0]
			fx.fresh = fx.fresh[1:]
			return tok
		case "addr":
			a := "h" + strings.ToLower(model.NewId()[:10]) + "@guest.example.com"
			fx.addrs = append(fx.addrs, a)
			return a
		case "u":
			fx.usernames[uniq] = true
			return uniq
		case "newid":
			return model.NewId()
		case "rep":
			n, _ := strconv.Atoi(p[2])
			return strings.Repeat(p[3], n)
		}
		t.Fatalf("%s: unknown placeholder %s", c, m)
		return ""
	})
}

// generateBody builds the bodies too big or too odd to keep in a file:
// pad:<size> a JSON object whose one string is that long, garbage:<size>
// bytes that are not JSON, deep:<n> arrays nested n deep, emails:<n> an
// invitation to n addresses, ids:<n> a lookup (or rules apply) of n fresh
// ids, candidate_ids:<n> the same with the rule candidate first.
func (fx *corpusFixtures) generateBody(t *testing.T, gen string) []byte {
	kind, arg, _ := strings.Cut(gen, ":")
	n := parseSize(t, arg)
	switch kind {
	case "pad":
		return []byte(`{"message":"` + strings.Repeat("a", n) + `"}`)
	case "garbage":
		b := make([]byte, n)
		for i := range b {
			b[i] = byte((i*131 + 7) & 0xff)
		}
		return b
	case "deep":
		return []byte(strings.Repeat("[", n) + strings.Repeat("]", n))
	case "emails":
		addrs := make([]string, n)
		for i := range addrs {
			addrs[i] = fmt.Sprintf("bulk%d@guest.example.com", i)
		}
		b, _ := json.Marshal(map[string]any{"emails": addrs, "channel_ids": []string{fx.th.Channel.Id}})
		return b
	case "ids", "candidate_ids":
		ids := make([]string, n)
		for i := range ids {
			ids[i] = model.NewId()
		}
		if kind == "candidate_ids" {
			ids[0] = fx.candidate.Id
		}
		b, _ := json.Marshal(map[string]any{"user_ids": ids})
		return b
	}
	t.Fatalf("unknown generator %q", gen)
	return nil
}

func parseSize(t *testing.T, s string) int {
	mult := 1
	switch {
	case strings.HasSuffix(s, "MB"):
		mult, s = 1<<20, strings.TrimSuffix(s, "MB")
	case strings.HasSuffix(s, "KB"):
		mult, s = 1<<10, strings.TrimSuffix(s, "KB")
	}
	n, err := strconv.Atoi(s)
	require.NoError(t, err, "size %q", s)
	return n * mult
}

// corpusOutcome is what replaying the corpus found.
type corpusOutcome struct {
	perFile   map[string]int
	status    map[int]int
	fiveXX    int
	created   []string
	sentMail  map[string]string // address → case
	redirects []string
	converted []string // accounts a rules apply case converted
}

func TestSecurityHostileCorpus(t *testing.T) {
	th := testhelper.Setup(t)
	adminInChannels(th, th.Channel)
	th.SetPluginSettings(map[string]any{"AllowedDomains": "guest.example.com, *.partner.org"})
	cases := loadCorpus(t)
	fx := newCorpusFixtures(th, cases)
	// The automatic guest rules on, so /rules/apply cases get past "no rule
	// is set": accounts outside member.test (th.Member's domain) match. The
	// candidate is made first (a new account that matches would be
	// converted at once).
	candidate, _, err := th.AdminClient.CreateUser(th.Ctx, &model.User{
		Username: "r" + strings.ToLower(model.NewId()[:12]), Email: "r" + strings.ToLower(model.NewId()[:12]) + "@outsider.test",
		Password: testhelper.UserPassword, EmailVerified: true,
	})
	require.NoError(t, err)
	th.Track(candidate.Id)
	fx.candidate = candidate
	setRules(th, "member.test", "")
	require.Contains(t, ruleCandidates(th), candidate.Id, "the rules do not match the candidate")
	baselineMail, baselinePage := fx.baselines()

	before, err := readGuestState(th)
	require.NoError(t, err)
	out := corpusOutcome{perFile: map[string]int{}, status: map[int]int{}, sentMail: map[string]string{}}
	for i, c := range cases {
		fx.replay(t, i, c, &out)
	}

	// Nothing half-created: the accounts that appeared are exactly those
	// the accepted cases made, each a registry guest.
	after, err := readGuestState(th)
	require.NoError(t, err)
	assert.Empty(t, strayAccounts(th, fx, out.created), "accounts the refused cases made")
	assert.Equal(t, before.Registry+len(out.created), after.Registry, "registry guests")
	assert.Empty(t, teamConsistencyProblems(th, th.Team.Id, th.Channel.Id), "registry and core disagree")
	status, _, _ := newBrowser().open(th, fx.link)
	assert.Equal(t, http.StatusOK, status, "the shared invitation was consumed by a refused request")
	// No rules case converted anyone: the candidate is still a member the
	// rules would convert, and no answer reported a conversion.
	assert.Empty(t, out.converted, "accounts the rules cases converted")
	assert.Equal(t, http.StatusNotFound, th.PluginRequest(th.AdminClient, http.MethodGet, "/guests/"+candidate.Id, nil).Status, "the candidate became a guest")
	assert.Contains(t, ruleCandidates(th), candidate.Id, "the candidate is no longer a rule candidate")
	requireSystemRole(th, candidate.Id, model.SystemUserRoleId)

	// Every invitation the corpus sent: headers as a plain one's, hostile
	// text inert in the email and on the signup page.
	addrs := make([]string, 0, len(out.sentMail))
	for a := range out.sentMail {
		addrs = append(addrs, a)
	}
	sort.Strings(addrs)
	for _, addr := range addrs {
		msg, err := th.SMTP.WaitFor(th.Ctx, func(m smtpMessage) bool { return m.SentTo(addr) })
		require.NoError(t, err, "no email for %s (%s)", addr, out.sentMail[addr])
		assert.Empty(t, mailHeaderProblems(baselineMail, msg, addr), "email of %s", out.sentMail[addr])
		got, err := parseMarkup(msg.HTML)
		require.NoError(t, err)
		base, _ := parseMarkup(baselineMail.HTML)
		assert.Empty(t, markupProblems(base, got), "email HTML of %s", out.sentMail[addr])
		links := msg.LinksWithPrefix(th.URL + apiBase + "/invite/")
		require.NotEmpty(t, links, out.sentMail[addr])
		code, page, _ := newBrowser().open(th, links[0])
		require.Equal(t, http.StatusOK, code, "signup page of %s", out.sentMail[addr])
		gotPage, err := parseMarkup(page)
		require.NoError(t, err)
		assert.Empty(t, markupProblems(baselinePage, gotPage), "signup page of %s", out.sentMail[addr])
	}

	files := make([]string, 0, len(out.perFile))
	for f, n := range out.perFile {
		files = append(files, fmt.Sprintf("  %s: %d", f, n))
	}
	sort.Strings(files)
	t.Logf("hostile corpus: %d cases; statuses %v; 5xx: %d; accounts created: %d; emails checked: %d\n%s",
		len(cases), out.status, out.fiveXX, len(out.created), len(addrs), strings.Join(files, "\n"))
	if len(out.redirects) > 0 {
		t.Logf("%d redirected by core's path cleaning (all on this site), e.g. %s", len(out.redirects), out.redirects[0])
	}
	assert.Zero(t, out.fiveXX, "5xx answers")
}

func newCorpusFixtures(th *testhelper.TestHelper, cases []hostileCase) *corpusFixtures {
	fx := &corpusFixtures{th: th, usernames: map[string]bool{}}
	_, fx.guest = createGuest(th, th.Channel.Id)
	fx.guestClient = th.Login(fx.guest)
	other := th.CreateTeam(model.TeamOpen)
	fx.foreignChannel = th.CreateChannel(other.Id, model.ChannelTypeOpen).Id
	// The creator is a member; the admin leaves so the channel is foreign.
	_, err := th.AdminClient.RemoveUserFromChannel(th.Ctx, fx.foreignChannel, th.Admin.Id)
	require.NoError(th.T, err)

	fresh := 0
	for _, c := range cases {
		fresh += strings.Count(c.Req+string(c.Body), "{{fresh_token}}")
	}
	addrs := make([]string, fresh+1)
	for i := range addrs {
		addrs[i] = newAddress("guest.example.com")
	}
	seq := th.SMTP.LastSeq()
	results := invite(th, th.AdminClient, map[string]any{"emails": addrs, "channel_ids": []string{th.Channel.Id}, "message": "Hello there,\nsee you soon"})
	require.Len(th.T, results, len(addrs))
	fx.invite = results[0].InviteID
	for i, a := range addrs {
		require.Equal(th.T, "sent", results[i].Status, results[i].Message)
		link := inviteLink(th, a, seq)
		tok := link[strings.LastIndex(link, "/")+1:]
		if i == 0 {
			fx.link, fx.token = link, tok
		} else {
			fx.fresh = append(fx.fresh, tok)
		}
	}
	fx.signup = newBrowser()
	code, _, _ := fx.signup.open(th, fx.link)
	require.Equal(th.T, http.StatusOK, code)
	return fx
}

// strayAccounts lists accounts holding an address or username a case used
// that are not among the accounts the valid cases made.
func strayAccounts(th *testhelper.TestHelper, fx *corpusFixtures, created []string) []string {
	made := map[string]bool{}
	for _, id := range created {
		made[id] = true
	}
	var names []string
	for u := range fx.usernames {
		names = append(names, u, "up"+u) // a case folds "UP{{u}}"
	}
	var stray []string
	users, _, err := th.AdminClient.GetUsersByUsernames(th.Ctx, names)
	require.NoError(th.T, err)
	for _, u := range users {
		if !made[u.Id] {
			stray = append(stray, u.Username)
		}
	}
	for _, a := range fx.addrs {
		u, resp, err := th.AdminClient.GetUserByEmail(th.Ctx, a, "")
		if err != nil {
			require.Equal(th.T, http.StatusNotFound, resp.StatusCode, "reading %s", a)
			continue
		}
		if !made[u.Id] {
			stray = append(stray, a)
		}
	}
	return stray
}

// baselines are the email and signup page of a plain invitation.
func (fx *corpusFixtures) baselines() (smtpMessage, markup) {
	th := fx.th
	msg, err := th.SMTP.WaitFor(th.Ctx, func(m smtpMessage) bool { return len(m.LinksWithPrefix(fx.link)) > 0 })
	require.NoError(th.T, err)
	_, page, _ := newBrowser().open(th, fx.link)
	m, err := parseMarkup(page)
	require.NoError(th.T, err)
	return msg, m
}

func (fx *corpusFixtures) replay(t *testing.T, i int, c hostileCase, out *corpusOutcome) {
	th := fx.th
	uniq := "z" + strings.ToLower(model.NewId()[:9])
	method, path, ok := strings.Cut(c.Req, " ")
	require.True(t, ok, "%s: req must be \"METHOD /path\"", c)
	path = fx.expand(t, path, c, uniq)
	var body []byte
	switch {
	case c.Gen != "":
		body = fx.generateBody(t, c.Gen)
	case c.Raw != nil:
		body = []byte(fx.expand(t, *c.Raw, c, uniq))
	case len(c.Body) > 0:
		body = []byte(fx.expand(t, string(c.Body), c, uniq))
	}
	headers := map[string]string{"Content-Type": "application/json"}
	var cookies []*http.Cookie
	switch c.As {
	case "", "admin":
		headers = bearer(th.AdminClient)
	case "member":
		headers = bearer(th.MemberClient)
	case "guest":
		headers = bearer(fx.guestClient)
	case "signup":
		// A client address per case keeps the accept rate limit out.
		headers["X-Forwarded-For"] = fmt.Sprintf("10.77.%d.%d", i/250, i%250+1)
		headers["X-Requested-With"] = "XMLHttpRequest"
		u := th.URL + apiBase + "/"
		switch c.CSRF {
		case "", "page":
			headers["X-GA-CSRF"] = fx.signup.csrf
			cookies = fx.signup.client.Jar.Cookies(mustURL(t, u))
		case "forged":
			headers["X-GA-CSRF"] = "forged" + fx.signup.csrf
			cookies = fx.signup.client.Jar.Cookies(mustURL(t, u))
		case "header_only":
			headers["X-GA-CSRF"] = fx.signup.csrf
		case "none":
		default:
			t.Fatalf("%s: unknown csrf %q", c, c.CSRF)
		}
	}
	for k, v := range c.Hdr {
		headers[k] = fx.expand(t, v, c, uniq)
	}
	r, err := rawRequest(method, th.URL+apiBase+path, body, headers, cookies)
	out.perFile[c.File+": "+c.Section]++
	if !assert.NoError(t, err, "%s: the request failed on the wire", c) {
		return
	}
	out.status[r.Status]++
	if r.Status >= 500 {
		out.fiveXX++
		t.Errorf("%s: %d %s", c, r.Status, r.Body)
		return
	}
	switch c.Expect {
	case "ok":
		assert.True(t, r.Status >= 200 && r.Status < 300, "%s: want 2xx, got %d %.300s", c, r.Status, r.Body)
	case "4xx":
		assert.True(t, r.Status >= 400 && r.Status < 500, "%s: want 4xx, got %d %.300s", c, r.Status, r.Body)
	case "redirect":
		assert.True(t, r.Status >= 300 && r.Status < 400, "%s: want 3xx, got %d %.300s", c, r.Status, r.Body)
	default:
		want, _ := strconv.Atoi(c.Expect)
		assert.Equal(t, want, r.Status, "%s: got %d %.300s", c, r.Status, r.Body)
	}
	if r.Status >= 400 {
		assert.Empty(t, refusalProblem(r, c.Field), "%s: %d %.300s", c, r.Status, r.Body)
	}
	if r.Status >= 300 && r.Status < 400 {
		// Core's router cleans dot segments and redirects: the target must
		// stay on this site.
		loc := r.Header.Get("Location")
		assert.True(t, strings.HasPrefix(loc, "/") && !strings.HasPrefix(loc, "//"), "%s: redirect to %q", c, loc)
		out.redirects = append(out.redirects, c.Req+" -> "+loc)
		if method == http.MethodGet && strings.HasPrefix(loc, "/") {
			next, err := rawRequest(method, th.URL+loc, nil, headers, cookies)
			if assert.NoError(t, err, "%s: following the redirect", c) {
				out.status[next.Status]++
				assert.Less(t, next.Status, 500, "%s: redirect target %s answered %d", c, loc, next.Status)
				if next.Status >= 500 {
					out.fiveXX++
				}
			}
		}
	}
	fx.account(t, c, method, path, r, out)
}

// account records accounts and invitation emails a 2xx answer made.
func (fx *corpusFixtures) account(t *testing.T, c hostileCase, method, path string, r rawResp, out *corpusOutcome) {
	ok := r.Status >= 200 && r.Status < 300
	made := ""
	if ok && method == http.MethodPost && (path == "/guests" || strings.HasSuffix(path, "/accept")) {
		var res struct {
			UserID string `json:"user_id"`
		}
		_ = json.Unmarshal(r.Body, &res)
		made = res.UserID
	}
	if made != "" {
		fx.th.Track(made)
		out.created = append(out.created, made)
	}
	assert.Equal(t, c.Creates, made != "", "%s: account created %q (%d %.200s)", c, made, r.Status, r.Body)
	switch {
	case ok && method == http.MethodPost && path == "/invites":
		var res struct {
			Results []inviteResult `json:"results"`
		}
		require.NoError(t, json.Unmarshal(r.Body, &res), "%s", c)
		got := make([]string, len(res.Results))
		for i, x := range res.Results {
			got[i] = x.Status
			if x.Status == "sent" {
				out.sentMail[x.Email] = c.String()
			}
		}
		if c.Results != nil {
			assert.Equal(t, c.Results, got, "%s: per-address results %s", c, r.Body)
		}
	case ok && method == http.MethodPost && path == "/rules/apply":
		var res struct {
			Results []struct {
				UserID string `json:"user_id"`
				Status string `json:"status"`
			} `json:"results"`
		}
		require.NoError(t, json.Unmarshal(r.Body, &res), "%s", c)
		got := make([]string, len(res.Results))
		for i, x := range res.Results {
			got[i] = x.Status
			if x.Status == "converted" {
				fx.th.Track(x.UserID)
				out.converted = append(out.converted, x.UserID)
			}
		}
		if c.Results != nil {
			assert.Equal(t, c.Results, got, "%s: per-account results %.300s", c, r.Body)
		}
	case c.Results != nil:
		t.Errorf("%s: results given, but %d %.200s", c, r.Status, r.Body)
	}
}

// ruleCandidates lists the ids the rules preview names.
func ruleCandidates(th *testhelper.TestHelper) []string {
	th.T.Helper()
	var p struct {
		Truncated  bool `json:"truncated"`
		Candidates []struct {
			UserID string `json:"user_id"`
		} `json:"candidates"`
	}
	th.DecodeJSON(th.PluginRequest(th.AdminClient, http.MethodGet, "/rules/preview", nil), &p)
	require.False(th.T, p.Truncated, "the preview is truncated")
	ids := make([]string, len(p.Candidates))
	for i, c := range p.Candidates {
		ids[i] = c.UserID
	}
	return ids
}

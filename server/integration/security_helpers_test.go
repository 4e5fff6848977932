package integration

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"golang.org/x/net/html"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// apiBase is the plugin's REST base below the site URL.
const apiBase = "/plugins/" + testhelper.PluginID + "/api/v1"

// rawResp is one answer as the wire carried it.
type rawResp struct {
	Status int
	Body   []byte
	Header http.Header
}

// noRedirect is a client that shows redirects instead of following them,
// so a path the server rewrites is seen as such.
var noRedirect = &http.Client{
	Timeout:       30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// rawRequest sends one request exactly as given (the URL is not cleaned
// by the client) and returns the answer; transport errors are returned.
func rawRequest(method, url string, body []byte, headers map[string]string, cookies []*http.Cookie) (rawResp, error) {
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, reader)
	if err != nil {
		return rawResp{}, err
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		return rawResp{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return rawResp{}, err
	}
	return rawResp{Status: resp.StatusCode, Body: raw, Header: resp.Header}, nil
}

// refusalProblem says what is wrong with a 4xx answer, "" when it explains
// itself: a JSON error with a message (and, from the plugin, an error id
// naming the problem), or the signup page's HTML problem page. field, when
// set, must be named in the message.
func refusalProblem(r rawResp, field string) string {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		var e struct {
			ErrorID string `json:"error_id"`
			ID      string `json:"id"` // core's own errors (model.AppError)
			Message string `json:"message"`
		}
		if err := json.Unmarshal(r.Body, &e); err != nil {
			return "the error body is not JSON: " + err.Error()
		}
		if strings.TrimSpace(e.Message) == "" {
			return "the error has no message"
		}
		if e.ErrorID == "" && e.ID == "" {
			return "the error has no id"
		}
		if field != "" && !strings.Contains(e.Message, field) {
			return fmt.Sprintf("the message %q does not name %q", e.Message, field)
		}
		return ""
	case "text/html":
		doc, err := html.Parse(bytes.NewReader(r.Body))
		if err != nil {
			return "unparsable HTML: " + err.Error()
		}
		if p := findByID(doc, "problem"); p == nil || strings.TrimSpace(textOf(p)) == "" {
			return "an HTML refusal without a problem paragraph"
		}
		return ""
	default:
		return fmt.Sprintf("a refusal of type %q: %.200s", r.Header.Get("Content-Type"), r.Body)
	}
}

func findByID(n *html.Node, id string) *html.Node {
	if n.Type == html.ElementNode {
		for _, a := range n.Attr {
			if a.Key == "id" && a.Val == id {
				return n
			}
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := findByID(c, id); f != nil {
			return f
		}
	}
	return nil
}

// textOf is the text content of a node (what a reader sees, markup gone).
func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// markup is the shape of an HTML document: every element and attribute
// name it uses, with counts of the elements that run code or load things.
type markup struct {
	Tags    map[string]bool
	Attrs   map[string]bool
	Scripts []string // src of every script element ("" for inline)
	URLs    []string // every href/src/action value
	Text    string
}

func parseMarkup(doc string) (markup, error) {
	root, err := html.Parse(strings.NewReader(doc))
	if err != nil {
		return markup{}, err
	}
	m := markup{Tags: map[string]bool{}, Attrs: map[string]bool{}, Text: textOf(root)}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			m.Tags[n.Data] = true
			src := ""
			for _, a := range n.Attr {
				m.Attrs[a.Key] = true
				if a.Key == "href" || a.Key == "src" || a.Key == "action" || a.Key == "formaction" {
					m.URLs = append(m.URLs, a.Val)
				}
				if a.Key == "src" {
					src = a.Val
				}
			}
			if n.Data == "script" {
				m.Scripts = append(m.Scripts, src)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return m, nil
}

// markupProblems compares a page rendered from hostile text with the same
// page rendered from plain text: hostile text that became markup shows up
// as an element, attribute, script or URL scheme the plain page lacks.
func markupProblems(benign, hostile markup) []string {
	var out []string
	for _, set := range []struct {
		what      string
		got, want map[string]bool
	}{{"element", hostile.Tags, benign.Tags}, {"attribute", hostile.Attrs, benign.Attrs}} {
		for k := range set.got {
			if !set.want[k] {
				out = append(out, fmt.Sprintf("new %s <%s>", set.what, k))
			}
		}
	}
	if strings.Join(hostile.Scripts, ",") != strings.Join(benign.Scripts, ",") {
		out = append(out, fmt.Sprintf("scripts %v instead of %v", hostile.Scripts, benign.Scripts))
	}
	for _, u := range hostile.URLs {
		l := strings.ToLower(strings.TrimSpace(u))
		if !strings.HasPrefix(l, "http://") && !strings.HasPrefix(l, "https://") && !strings.HasPrefix(l, "/") {
			out = append(out, fmt.Sprintf("URL %q", u))
		}
	}
	sort.Strings(out)
	return out
}

// mailHeaderProblems checks that a delivered email has only the header
// fields a plain invitation has and goes to addr alone.
func mailHeaderProblems(baseline, m smtpMessage, addr string) []string {
	var out []string
	for k := range m.Header {
		if _, ok := baseline.Header[k]; !ok {
			out = append(out, "new header "+k)
		}
	}
	for _, k := range []string{"Bcc", "Cc", "X-Evil"} {
		if m.Header.Get(k) != "" {
			out = append(out, "header "+k)
		}
	}
	if len(m.EnvelopeTo) != 1 || !strings.EqualFold(m.EnvelopeTo[0], addr) {
		out = append(out, fmt.Sprintf("envelope recipients %v", m.EnvelopeTo))
	}
	if len(m.To) != 1 || !strings.EqualFold(m.To[0], addr) {
		out = append(out, fmt.Sprintf("To %v", m.To))
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		out = append(out, fmt.Sprintf("subject with a line break %q", m.Subject))
	}
	if m.ParseError != "" {
		out = append(out, "unparsable: "+m.ParseError)
	}
	sort.Strings(out)
	return out
}

// guestState is what "nothing half-created" is checked against. (Not the
// server's active user count: the expiry job may deactivate another
// test's guest at any time; the registry keeps deactivated guests.)
type guestState struct {
	Registry int // guests in the plugin's registry
}

func readGuestState(th *testhelper.TestHelper) (guestState, error) {
	r, err := rawRequest(http.MethodGet, th.URL+apiBase+"/guests?per_page=1", nil, bearer(th.AdminClient), nil)
	if err != nil {
		return guestState{}, err
	}
	var list struct {
		Total int `json:"total"`
	}
	if err := json.Unmarshal(r.Body, &list); err != nil || r.Status != http.StatusOK {
		return guestState{}, fmt.Errorf("listing guests: %d %s", r.Status, r.Body)
	}
	return guestState{Registry: list.Total}, nil
}

func bearer(c *model.Client4) map[string]string {
	h := map[string]string{"Content-Type": "application/json"}
	if c != nil && c.AuthToken != "" {
		h["Authorization"] = "Bearer " + c.AuthToken
	}
	return h
}

// inviteRecord is an invitation as GET /invites lists it.
type inviteRecord struct {
	ID         string   `json:"id"`
	Email      string   `json:"email"`
	ChannelIDs []string `json:"channel_ids"`
	Status     string   `json:"status"`
}

// teamConsistencyProblems checks, for one team, that the plugin's registry
// and core agree: every guest membership belongs to a registry guest and
// every registry guest in the team holds guest memberships only; every
// accepted invitation into channelID has its account and no pending one
// has an account.
func teamConsistencyProblems(th *testhelper.TestHelper, teamID, channelID string) []string {
	var out []string
	members, _, err := th.AdminClient.GetTeamMembers(th.Ctx, teamID, 0, 200, "")
	if err != nil {
		return []string{"listing team members: " + err.Error()}
	}
	for _, tm := range members {
		if tm.DeleteAt != 0 {
			continue
		}
		r, err := rawRequest(http.MethodGet, th.URL+apiBase+"/guests/"+tm.UserId, nil, bearer(th.AdminClient), nil)
		if err != nil {
			return append(out, err.Error())
		}
		inRegistry := r.Status == http.StatusOK
		if tm.SchemeGuest != inRegistry {
			out = append(out, fmt.Sprintf("user %s: guest membership %v, in the registry %v", tm.UserId, tm.SchemeGuest, inRegistry))
		}
		if inRegistry && (tm.SchemeUser || tm.SchemeAdmin) {
			out = append(out, fmt.Sprintf("guest %s holds a member role in the team", tm.UserId))
		}
	}
	r, err := rawRequest(http.MethodGet, th.URL+apiBase+"/invites", nil, bearer(th.AdminClient), nil)
	if err != nil {
		return append(out, err.Error())
	}
	var list struct {
		Invites []inviteRecord `json:"invites"`
	}
	if err := json.Unmarshal(r.Body, &list); err != nil {
		return append(out, "listing invitations: "+string(r.Body))
	}
	for _, inv := range list.Invites {
		if len(inv.ChannelIDs) == 0 || inv.ChannelIDs[0] != channelID {
			continue
		}
		u, resp, err := th.AdminClient.GetUserByEmail(th.Ctx, inv.Email, "")
		hasAccount := err == nil && u.DeleteAt == 0
		if err != nil && (resp == nil || resp.StatusCode != http.StatusNotFound) {
			out = append(out, fmt.Sprintf("reading %s: %v", inv.Email, err))
			continue
		}
		switch inv.Status {
		case "accepted":
			if !hasAccount {
				out = append(out, fmt.Sprintf("invitation %s (%s) consumed without an account", inv.ID, inv.Email))
			} else if r, _ := rawRequest(http.MethodGet, th.URL+apiBase+"/guests/"+u.Id, nil, bearer(th.AdminClient), nil); r.Status != http.StatusOK {
				out = append(out, fmt.Sprintf("invitation %s accepted by %s, who is not in the registry", inv.ID, u.Id))
			}
		case "pending", "revoked", "expired":
			if hasAccount {
				out = append(out, fmt.Sprintf("invitation %s is %s but %s has an account", inv.ID, inv.Status, inv.Email))
			}
		}
	}
	sort.Strings(out)
	return out
}

func mustURL(t testing.TB, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatalf("parsing %q: %v", s, err)
	}
	return u
}

package api

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app/guests"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app/invites"
)

// requestBodies are the JSON bodies the API decodes, one constructor per
// endpoint; optional says the endpoint takes an empty body.
var requestBodies = []struct {
	name     string
	new      func() any
	optional bool
}{
	{"invites", func() any { return &invites.InviteRequest{} }, false},
	{"create guest", func() any { return &guests.CreateGuestRequest{} }, false},
	{"patch guest", func() any { return &guests.GuestPatch{} }, false},
	{"accept", func() any { return &invites.AcceptRequest{} }, true},
	{"lookup", func() any { return &lookupRequest{} }, false},
	{"demote", func() any { return &demoteRequest{} }, true},
	{"clock", func() any {
		return &struct {
			OffsetMS int64 `json:"offset_ms"`
		}{}
	}, false},
}

// decodeFor runs the decoder of body kind k on raw behind a body limit.
func decodeFor(k int, raw []byte, limit int64) (any, *Error) {
	kind := requestBodies[k%len(requestBodies)]
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	r.Body = http.MaxBytesReader(httptest.NewRecorder(), io.NopCloser(bytes.NewReader(raw)), limit)
	v := kind.new()
	if kind.optional {
		return v, decodeOptionalBody(r, v)
	}
	return v, decodeBody(r, v)
}

// FuzzDecodeBody: decoding any body into any request struct never panics;
// a refusal is a 400 or 413 with a plugin error id and a message for
// people (no Go type names, no "json:" prefixes); an accepted body is one
// JSON object (or, where allowed, nothing) within the limit.
func FuzzDecodeBody(f *testing.F) {
	seeds := []string{
		`{}`, `null`, `[]`, `"x"`, `{}{}`, `{}]`, `{} x`, `{"emails":["a@b.c"],"channel_ids":["x"]}`,
		`{"emails":"a"}`, `{"expires_in_hours":1e400}`, `{"restrictions":{"upload_files":"no"}}`,
		`{"require_mfa":"yes"}`, `{"require_mfa":null}`, `{"username":5}`, `{"role":"admin"}`,
		`{"user_ids":[1]}`, `{"channel_ids":null}`, `{"offset_ms":"1h"}`, "\ufeff{}", `{"a":`, ` `, ``,
		`{"message":"\u0000"}`, `{"first_name":"\ud800"}`, strings.Repeat("[", 300),
	}
	for i, s := range seeds {
		f.Add(uint8(i), []byte(s))
	}
	f.Fuzz(func(t *testing.T, kind uint8, raw []byte) {
		limit := int64(maxBodyBytes)
		if kind&0x80 != 0 {
			limit = 32 // exercise the limit with small inputs
		}
		k := int(kind & 0x7f)
		v, e := decodeFor(k, raw, limit)
		name := requestBodies[k%len(requestBodies)].name
		if e != nil {
			checkRefusal(t, name, raw, e)
			return
		}
		trimmed := bytes.TrimSpace(raw)
		if len(trimmed) == 0 {
			if !requestBodies[k%len(requestBodies)].optional {
				t.Fatalf("%s: empty body %q accepted", name, raw)
			}
			return
		}
		if int64(len(raw)) > limit {
			t.Fatalf("%s: %d bytes accepted past the %d limit", name, len(raw), limit)
		}
		if !json.Valid(raw) || trimmed[0] != '{' && string(trimmed) != "null" {
			t.Fatalf("%s: accepted %q, which is not one JSON object", name, raw)
		}
		if _, err := json.Marshal(v); err != nil {
			t.Fatalf("%s: decoded value does not encode: %v", name, err)
		}
	})
}

func checkRefusal(t *testing.T, name string, raw []byte, e *Error) {
	t.Helper()
	if e.Status != http.StatusBadRequest && e.Status != http.StatusRequestEntityTooLarge {
		t.Fatalf("%s %q: status %d", name, raw, e.Status)
	}
	if !strings.HasPrefix(e.ID, "guest_accounts.") {
		t.Fatalf("%s %q: error id %q", name, raw, e.ID)
	}
	if strings.TrimSpace(e.Message) == "" || !utf8.ValidString(e.Message) {
		t.Fatalf("%s %q: message %q", name, raw, e.Message)
	}
	for _, leak := range []string{"json:", "app.", "policy.", "api.", "struct {", "reflect"} {
		if strings.Contains(e.Message, leak) {
			t.Fatalf("%s %q: message %q shows %q", name, raw, e.Message, leak)
		}
	}
}

// TestDecodeBodyMessages pins the messages of the common refusals.
func TestDecodeBodyMessages(t *testing.T) {
	for _, c := range []struct {
		kind int
		body string
		want string
	}{
		{0, `[]`, "must be a JSON object"},
		{0, `"emails"`, "must be a JSON object"},
		{0, `{"emails":"a"}`, `Field "emails" has the wrong type: expected a list`},
		{0, `{"expires_in_hours":1.5}`, `"expires_in_hours" has the wrong type: expected a whole number`},
		{0, `{"message":4}`, `"message" has the wrong type: expected a string`},
		{0, `{"single_channel":"yes"}`, `expected true or false`},
		{2, `{"restrictions":[]}`, `"restrictions" has the wrong type: expected an object`},
		{2, `{"require_mfa":"yes"}`, `require_mfa: true, false, or null`},
		{0, `{"role":"x"}`, `Unknown field "role"`},
		{0, `{}]`, "exactly one JSON object"},
		{0, `{} {}`, "exactly one JSON object"},
		{0, `{"a":`, "ends too early"},
		{0, ``, "body is required"},
		{3, `{"username":`, "ends too early"},
	} {
		_, e := decodeFor(c.kind, []byte(c.body), maxBodyBytes)
		if e == nil || !strings.Contains(e.Message, c.want) {
			t.Errorf("%s %q: got %+v, want a message containing %q", requestBodies[c.kind].name, c.body, e, c.want)
		}
	}
	_, e := decodeFor(0, []byte(`{"message":"`+strings.Repeat("a", maxBodyBytes)+`"}`), maxBodyBytes)
	if e == nil || e.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("a body past the limit: %+v", e)
	}
	_, e = decodeFor(0, []byte(`{}`+strings.Repeat(" ", maxBodyBytes)), maxBodyBytes)
	if e == nil || e.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("white space past the limit: %+v", e)
	}
}

// Package mailtest holds test helpers for the mail package: a Translator
// loaded from the repository's assets/i18n/en.json, and a recorder of the
// message ids a render asks for.
package mailtest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/mail"
)

// I18nDir finds the repository's assets/i18n directory by walking up from
// the working directory (go test runs in the package directory).
func I18nDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	for {
		candidate := filepath.Join(dir, "assets", "i18n")
		if _, err := os.Stat(filepath.Join(candidate, "en.json")); err == nil {
			return candidate
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("mailtest: assets/i18n/en.json not found above the working directory")
		}
		dir = parent
	}
}

// EnglishPath is the path of assets/i18n/en.json.
func EnglishPath(t testing.TB) string {
	t.Helper()
	return filepath.Join(I18nDir(t), "en.json")
}

// English loads assets/i18n/en.json with go-i18n (as the plugin does) and
// returns its Translator. Missing ids translate to "", so Render fails on
// them.
func English(t testing.TB) mail.Translator {
	t.Helper()
	tr, err := mail.LoadTranslator(I18nDir(t), "en")
	if err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	return tr
}

// Entries reads a message file in the flat go-i18n array format
// ([{"id": ..., "translation": ...}]) and returns id → translation. It fails
// the test on malformed JSON, entries without an id or translation, and
// duplicate ids.
func Entries(t testing.TB, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	var entries []map[string]any
	if err := json.Unmarshal(b, &entries); err != nil {
		t.Fatalf("mailtest: %s is not a flat JSON array of messages: %v", path, err)
	}
	out := map[string]string{}
	for i, e := range entries {
		id, _ := e["id"].(string)
		tr, _ := e["translation"].(string)
		if id == "" || tr == "" {
			t.Fatalf("mailtest: %s entry %d has no string id or translation: %v", path, i, e)
		}
		if _, dup := out[id]; dup {
			t.Fatalf("mailtest: %s has the id %s twice", path, id)
		}
		out[id] = tr
	}
	return out
}

// MailEntries is Entries restricted to the ids of the mail package
// (prefix guest_accounts.mail.).
func MailEntries(t testing.TB, path string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for id, tr := range Entries(t, path) {
		if strings.HasPrefix(id, "guest_accounts.mail.") {
			out[id] = tr
		}
	}
	return out
}

// Recorder wraps a Translator and remembers every id asked for.
type Recorder struct {
	mu   sync.Mutex
	next mail.Translator
	ids  map[string]bool
}

// NewRecorder returns a Recorder that delegates to next.
func NewRecorder(next mail.Translator) *Recorder {
	return &Recorder{next: next, ids: map[string]bool{}}
}

// Translate is the recording Translator.
func (r *Recorder) Translate(id string, data map[string]any) string {
	r.mu.Lock()
	r.ids[id] = true
	r.mu.Unlock()
	return r.next(id, data)
}

// IDs returns the ids asked for so far.
func (r *Recorder) IDs() map[string]bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]bool, len(r.ids))
	for id := range r.ids {
		out[id] = true
	}
	return out
}

package app

import (
	"errors"
	"fmt"
	"strings"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
)

// Server messages (errors, notices, /guest replies, the signup page) are
// localised like the emails: every message has an id, the English printf
// format is written at the call site, and assets/i18n/server.<lang>.json hold
// the formats for each language (server.en.json is generated from the code
// by `make i18n-extract` and checked by `make check-style`). A translation
// may reorder the arguments with %[n]s.

// Translator formats message id in one language; format is the English
// printf format used when the language has no translation.
type Translator func(id, format string, args ...any) string

// Tr formats a message in locale ("" means the server's default language).
func (k *Kit) Tr(locale, id, format string, args ...any) string {
	if k.translate != nil {
		if locale == "" {
			locale = k.DefaultLocale()
		}
		if t := k.translate(locale, id, nil); t != "" && sameVerbs(t, format) {
			return fmt.Sprintf(t, args...)
		}
	}
	return fmt.Sprintf(format, args...)
}

// TrUser formats a message in the language of the user it is for.
func (k *Kit) TrUser(userID, id, format string, args ...any) string {
	return k.Tr(k.UserLocale(userID), id, format, args...)
}

// TranslatorFor returns a Translator for locale.
func (k *Kit) TranslatorFor(locale string) Translator {
	return func(id, format string, args ...any) string { return k.Tr(locale, id, format, args...) }
}

// UserLocale is the language the user chose in their Mattermost settings,
// or the server's default.
func (k *Kit) UserLocale(userID string) string {
	if userID != "" {
		if u, appErr := k.api.GetUser(userID); appErr == nil && u.Locale != "" {
			return u.Locale
		}
	}
	return k.DefaultLocale()
}

// DefaultLocale is the server's default language (System Console >
// Localization), used for messages everyone in a channel sees.
func (k *Kit) DefaultLocale() string {
	if cfg := k.api.GetConfig(); cfg != nil && cfg.LocalizationSettings.DefaultServerLocale != nil && *cfg.LocalizationSettings.DefaultServerLocale != "" {
		return *cfg.LocalizationSettings.DefaultServerLocale
	}
	return "en"
}

// sameVerbs reports whether a translation uses as many formatting verbs as
// the English format, so a broken translation never garbles a message (the
// English one is used instead).
func sameVerbs(translated, format string) bool {
	return countVerbs(translated) == countVerbs(format)
}

func countVerbs(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		if i+1 < len(s) && s[i+1] == '%' {
			i++
			continue
		}
		n++
	}
	return n - strings.Count(s, "%[") + distinctIndexes(s)
}

// distinctIndexes counts the distinct explicit argument indexes (%[2]s) so
// a translation that reorders arguments still matches.
func distinctIndexes(s string) int {
	seen := map[string]bool{}
	for {
		i := strings.Index(s, "%[")
		if i < 0 {
			return len(seen)
		}
		j := strings.IndexByte(s[i:], ']')
		if j < 0 {
			return len(seen)
		}
		seen[s[i+2:i+j]] = true
		s = s[i+j:]
	}
}

// Msg is a server message kept for reuse: its catalog id and English
// printf format.
type Msg = policy.Msg

// Say formats m for the user it is for.
func (k *Kit) Say(userID string, m Msg, args ...any) string {
	return k.TrUser(userID, m.ID, m.Format, args...)
}

// Localized is err's message in tr's language when it is an *Error.
func Localized(err error, tr Translator) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Localize(tr)
	}
	return err.Error()
}

// LocalizedFor is err's message in the user's language.
func (k *Kit) LocalizedFor(userID string, err error) string {
	return Localized(err, k.TranslatorFor(k.UserLocale(userID)))
}

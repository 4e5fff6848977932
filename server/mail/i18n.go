package mail

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// NewTranslator adapts a go-i18n Localizer (for example one from
// pluginapi/i18n's Bundle.GetUserLocalizer) to a Translator. A message missing
// in the localizer's language falls back to the bundle's default language
// (English); a message missing everywhere, or whose template fails, gives "".
func NewTranslator(l *i18n.Localizer) Translator {
	return func(id string, data map[string]any) string {
		s, err := l.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
		var notFound *i18n.MessageNotFoundErr
		if err != nil && !errors.As(err, &notFound) {
			return ""
		}
		return s
	}
}

// LoadBundle returns an English-default go-i18n bundle with every *.json
// message file of dir loaded (en.json and other languages, e.g. de.json or
// active.de.json; the language is taken from the file name). Use it with
// dir = <plugin bundle path>/assets/i18n.
//
// Note: pluginapi/i18n.InitBundle loads only files named active.*.json other
// than active.en.json, so it does not load assets/i18n/en.json; a plugin using
// InitBundle must also call LoadMessageFile on en.json (or use this).
func LoadBundle(dir string) (*i18n.Bundle, error) {
	bundle := i18n.NewBundle(language.English)
	bundle.RegisterUnmarshalFunc("json", json.Unmarshal)
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("mail: no message files in %s", dir)
	}
	for _, f := range files {
		if _, err := bundle.LoadMessageFile(f); err != nil {
			return nil, fmt.Errorf("mail: loading %s: %w", f, err)
		}
	}
	return bundle, nil
}

// LoadTranslator loads the message files of dir (see LoadBundle) and returns
// a Translator for locale ("" means English).
func LoadTranslator(dir, locale string) (Translator, error) {
	bundle, err := LoadBundle(dir)
	if err != nil {
		return nil, err
	}
	return NewTranslator(i18n.NewLocalizer(bundle, locale, "en")), nil
}

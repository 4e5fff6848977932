package app

import (
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
)

func TestPlainID(t *testing.T) {
	for _, id := range []string{model.NewId(), strings.Repeat("a", 26), strings.Repeat("0", 26)} {
		if !plainID(id) {
			t.Errorf("%q refused", id)
		}
	}
	for _, id := range []string{
		"", strings.Repeat("a", 25), strings.Repeat("a", 27),
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ",     // model.IsValidId accepts it
		strings.ToUpper(model.NewId()),   // likewise
		"\u0430bcdefghijklmnopqrstuvwxy", // Cyrillic a: 26 bytes, model.IsValidId accepts it
		"../../../../etc/passwdaaaa",     // 26 bytes
		"1' OR '1'='1' -- aaaaaaaaa",     // 26 bytes
		model.NewId()[:25] + "\x00",      // NUL
		" " + model.NewId()[:25],         // white space
	} {
		if plainID(id) {
			t.Errorf("%q accepted", id)
		}
	}
}

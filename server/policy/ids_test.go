package policy

import (
	"strings"
	"testing"
)

func TestPlainID(t *testing.T) {
	const made = "pq7k3yfbtjdh9q1xwx5e6b4o8c" // as model.NewId makes them
	for _, id := range []string{made, strings.Repeat("a", 26), strings.Repeat("0", 26)} {
		if !PlainID(id) {
			t.Errorf("%q refused", id)
		}
	}
	for _, id := range []string{
		"", strings.Repeat("a", 25), strings.Repeat("a", 27),
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ",     // model.IsValidId accepts it
		strings.ToUpper(made),            // likewise
		"\u0430bcdefghijklmnopqrstuvwxy", // Cyrillic a: 26 bytes, model.IsValidId accepts it
		"../../../../etc/passwdaaaa",     // 26 bytes
		"1' OR '1'='1' -- aaaaaaaaa",     // 26 bytes
		made[:25] + "\x00",               // NUL
		" " + made[:25],                  // white space
	} {
		if PlainID(id) {
			t.Errorf("%q accepted", id)
		}
	}
}

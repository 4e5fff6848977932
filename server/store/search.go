package store

import (
	"strings"
	"unicode"
)

// Searching the guest list and the audit log (docs/performance.md,
// "Search"). A text is cut into words: lower-case runs of letters and
// digits, so "Ana.Lopez@Example.com" is ana, lopez, example, com. A query
// is cut the same way, and a record matches when every word of the query
// begins one of its words: "lop exa" finds Ana, "pez" does not (as the
// Mattermost user search, which matches the start of names). Word starts
// are what an index can find without reading every record.

// MaxSearchWords bounds the words kept of one text and of one query.
const MaxSearchWords = 32

// SearchWords are the distinct words of text, in order.
func SearchWords(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if !seen[w] && len(out) < MaxSearchWords {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// WordsText is words as one string, each word preceded by a space: a
// query word w begins one of them exactly when " "+w is inside it.
func WordsText(words []string) string {
	var b strings.Builder
	for _, w := range words {
		b.WriteByte(' ')
		b.WriteString(w)
	}
	return b.String()
}

// WordStart is what a WordsText holds where a word beginning with w
// begins.
func WordStart(w string) string { return " " + w }

// MatchesSearch reports whether every query word begins a word of
// wordsText (WordsText's form).
func MatchesSearch(wordsText string, query []string) bool {
	for _, q := range query {
		if !strings.Contains(wordsText, WordStart(q)) {
			return false
		}
	}
	return true
}

// TextMatches is MatchesSearch on a raw text and a raw query.
func TextMatches(text, query string) bool {
	return MatchesSearch(WordsText(SearchWords(text)), SearchWords(query))
}

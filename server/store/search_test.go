package store

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSearchWordsCutsAtEveryNonLetter(t *testing.T) {
	assert.Equal(t, []string{"ana", "lopez", "example", "com"}, SearchWords("Ana.Lopez@Example.com ana"))
	assert.Equal(t, []string{"josé", "łukasz", "мария", "王芳", "r2d2"}, SearchWords("José_Łukasz-Мария 王芳 R2D2"))
	assert.Empty(t, SearchWords(" @.-_ "))
	many := ""
	for i := range 40 {
		many += string(rune('a'+i%26)) + string(rune('a'+i/26)) + " "
	}
	assert.Len(t, SearchWords(many), MaxSearchWords, "bounded")
}

func TestSearchMatchesWordStarts(t *testing.T) {
	text := "ana.lopez ana.lopez@example.com Ana López"
	for query, want := range map[string]bool{
		"ana":                   true,
		"LOP":                   true,
		"lop exa":               true,
		"exa lop":               true, // any order
		"ana.lopez@example.com": true,
		"lópez":                 true,
		"pez":                   false, // inside a word
		"ana smith":             false, // every word must match
		"anal":                  false,
		"":                      true,
		"@":                     true, // no words: no condition
	} {
		assert.Equal(t, want, TextMatches(text, query), "%q", query)
	}
	assert.Equal(t, " ana lopez", WordsText([]string{"ana", "lopez"}))
	assert.True(t, MatchesSearch(" ana lopez", []string{"lo"}))
	assert.False(t, MatchesSearch(" ana lopez", []string{"na"}))
}

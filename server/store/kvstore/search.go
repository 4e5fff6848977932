package kvstore

import (
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/pkg/errors"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// Search through word families (store/search.go has the rule). Beside its
// ordered list, a searchable kind keeps one entry per word of a record:
//
//	<family><word key>/<record suffix>   value: the record's words (WordsText),
//	                                     after a kind's own flags
//
// The records whose words begin with a query word are then one range of
// keys, read without touching the others. A search reads the range of its
// rarest query word, keeps the entries whose value matches every query
// word, and stops once more than searchCap records match:
//   - at most searchCap ("narrow"): the caller has every match, sorts and
//     pages them itself, and the total is exact;
//   - more ("broad"): matches are common, so the ordered list with the
//     words filter finds a page after reading few rows; the total is given
//     as "more than searchCap".
//
// Either way a search reads a bounded number of rows, however many
// records there are.

// DefaultSearchCap is the most matches a search collects and counts.
const DefaultSearchCap = 1000

// searchCapValue is DefaultSearchCap unless a test build lowered it
// (SetSearchCap), so that real-server tests reach the broad path with a
// handful of guests.
var searchCapValue atomic.Int64

func init() { searchCapValue.Store(DefaultSearchCap) }

func searchCap() int { return int(searchCapValue.Load()) }

// SetSearchCap changes the cap (test builds and tests only; n < 1 puts
// the default back).
func SetSearchCap(n int) {
	if n < 1 {
		n = DefaultSearchCap
	}
	searchCapValue.Store(int64(n))
}

const (
	// wordKeyWidth bounds a word's key (a key is at most 150 characters).
	wordKeyWidth = 24
	// searchQueryWords bounds the query words whose ranges are measured.
	searchQueryWords = 4
)

// wordKey writes a word with [0-9a-z] only (index.go: the same order under
// any collation): ASCII letters and digits as they are, any other
// character as its code point in base 36 on four characters. Each
// character maps on its own, so the key of a word begins with the key of
// any word it begins; two words may share a key, which the value check
// sorts out.
func wordKey(w string) string {
	var b strings.Builder
	for _, r := range w {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			continue
		}
		code := strconv.FormatInt(int64(r), 36)
		b.WriteString(strings.Repeat("0", max(0, 4-len(code))) + code)
	}
	k := b.String()
	return k[:min(len(k), wordKeyWidth)]
}

// wordEntries are the word entries of a record: one per distinct word key.
func wordEntries(family string, words []string, suffix string, value []byte) []entry {
	var es []entry
	seen := map[string]bool{}
	for _, w := range words {
		k := wordKey(w)
		if k == "" || seen[k] {
			continue
		}
		seen[k] = true
		es = append(es, entry{key: family + k + "/" + suffix, value: value})
	}
	return es
}

// findWords finds the records whose words begin with every query word
// (SearchWords of the query, not empty) in a word family. cond holds the
// kind's own conditions on an entry (flags in its value, a time in its
// suffix); the words test goes to the database with them, so every entry
// read matches and only keys are read. It returns the distinct suffixes
// when at most searchCap, or broad.
func (s *Store) findWords(family string, query []string, cond rangeQuery) ([]string, bool, error) {
	// Read the range of the rarest query word (with one word there is
	// nothing to choose).
	prefix := family + wordKey(query[0])
	if len(query) > 1 {
		fewest := -1
		for _, w := range query[:min(len(query), searchQueryWords)] {
			p := family + wordKey(w)
			n, err := s.countRows(rangeQuery{Prefix: p, Limit: 8 * searchCap()})
			if err != nil {
				return nil, false, errors.Wrap(err, "measuring a search word")
			}
			if fewest < 0 || n < fewest {
				prefix, fewest = p, n
			}
		}
	}
	q := cond
	q.Prefix, q.Has, q.Values, q.Limit = prefix, append(slices.Clone(cond.Has), wordsFilter(query)...), false, searchCap()+1
	var out []string
	seen := map[string]bool{}
	for q.Offset = 0; ; q.Offset += q.Limit {
		rows, err := s.queryRows(q)
		if err != nil {
			return nil, false, errors.Wrap(err, "reading a search word's entries")
		}
		for _, r := range rows {
			// A record has one entry per word key: two of its words may
			// both begin with the query word.
			if suffix := lastPart(r.Key); !seen[suffix] {
				seen[suffix] = true
				out = append(out, suffix)
			}
			if len(out) > searchCap() {
				return nil, true, nil
			}
		}
		if len(rows) < q.Limit {
			return out, false, nil
		}
	}
}

// wordsFilter is the filter of an ordered family whose values are
// WordsText: every query word begins a word.
func wordsFilter(query []string) []string {
	out := make([]string, len(query))
	for i, w := range query {
		out[i] = store.WordStart(w)
	}
	return out
}

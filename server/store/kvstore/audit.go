package kvstore

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/mattermost/mattermost/server/public/pluginapi"
	"github.com/pkg/errors"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// counterAudit counts the audit log's entries (index.go: moved only by
// the write that created an entry).
const counterAudit = "ix-audit"

// auditKey sorts by time: `audit/<ms, 15 digits>-<id>`. The keys are the
// log's own index: a page is a range of them, newest first.
func auditKey(e store.AuditEntry) string {
	return fmt.Sprintf("%s%015d-%s", auditPrefix, e.At, e.ID)
}

// The log's search families (search.go), both keyed by the entry's
// suffix, its time then id (`<ms, 15 digits><id>`, the order of the log):
//
//	ixa/t/<suffix>              the log in time order, the entry's words as value
//	ixa/w/<word key>/<suffix>   one per word, the same value
const (
	aTime = "ixa/t/"
	aWord = "ixa/w/"
)

func auditSuffix(e store.AuditEntry) string { return fmt.Sprintf("%015d%s", e.At, e.ID) }

// auditKeyOfSuffix is the record key of a search family's suffix.
func auditKeyOfSuffix(suffix string) string {
	if len(suffix) < 15 {
		return auditPrefix + suffix
	}
	return auditPrefix + suffix[:15] + "-" + suffix[15:]
}

// auditEntries are the search entries of an audit entry.
func auditEntries(e store.AuditEntry) []entry {
	words := store.SearchWords(e.Action + " " + e.ActorID + " " + e.TargetID + " " + e.Result + " " + e.Details)
	value := []byte("-") // never empty: an empty value is a delete
	if len(words) > 0 {
		value = []byte(store.WordsText(words))
	}
	suffix := auditSuffix(e)
	return append([]entry{{key: aTime + suffix, value: value}}, wordEntries(aWord, words, suffix, value)...)
}

// AppendAudit stores one audit entry and counts it.
func (s *Store) AppendAudit(e store.AuditEntry) error {
	if e.ID == "" || e.At == 0 {
		return errors.New("an audit entry needs an id and a time")
	}
	x := &indexer{s: s, kind: "a", current: func(string) ([]entry, error) { return nil, nil }}
	key := auditKey(e)
	// The marker names the record first (repair finds the entry by it).
	mk, raw, err := x.begin(e.ID, []string{key})
	if err != nil {
		return err
	}
	created, err := s.kv.Set(key, e, pluginapi.SetAtomic(nil))
	if err != nil {
		return errors.Wrap(err, "saving an audit entry")
	}
	if created {
		if err := s.Add(counterAudit, 1); err != nil {
			return err
		}
	}
	if err := s.applyEntries(nil, auditEntries(e), false); err != nil {
		return err
	}
	x.end(mk, raw)
	return nil
}

// ListAudit returns entries at or after since, newest first.
func (s *Store) ListAudit(since int64, page, perPage int) ([]store.AuditEntry, error) {
	p, err := s.QueryAudit(store.AuditQuery{Since: since, Page: page, PerPage: perPage})
	if err != nil {
		return nil, err
	}
	return p.Entries, nil
}

// QueryAudit serves one page of the log from its keys: a range query,
// newest (or oldest) first; the total is the counter unless filtered. A
// search goes through the word family (search.go).
func (s *Store) QueryAudit(q store.AuditQuery) (*store.AuditPage, error) {
	since := ""
	if q.Since > 0 {
		since = num15(q.Since, false)
	}
	words := store.SearchWords(q.Query)
	if len(words) > 0 && s.indexReady() {
		return s.searchAudit(q, since, words)
	}
	// Until the indexes are built, a search looks for its words anywhere
	// in the entries, reading the log.
	rq := rangeQuery{Prefix: auditPrefix, From: since, Desc: !q.Oldest, Offset: q.Page * q.PerPage, Limit: q.PerPage, Values: true,
		ContainsAll: words}
	rows, err := s.queryRows(rq)
	if err != nil {
		return nil, errors.Wrap(err, "reading a page of the audit log")
	}
	out := &store.AuditPage{}
	if out.Entries, err = decodeAudit(rows); err != nil {
		return nil, err
	}
	if len(words) == 0 && q.Since == 0 && s.indexReady() {
		out.Total, err = s.Get(counterAudit)
		return out, err
	}
	rq.Offset, rq.Limit, rq.Values = 0, 0, false
	out.Total, err = s.countRows(rq)
	return out, errors.Wrap(err, "counting audit entries")
}

func (s *Store) searchAudit(q store.AuditQuery, since string, words []string) (*store.AuditPage, error) {
	found, broad, err := s.findWords(aWord, words, rangeQuery{LastFrom: since})
	if err != nil {
		return nil, errors.Wrap(err, "searching the audit log")
	}
	out := &store.AuditPage{}
	var keys []string
	if broad {
		rows, err := s.queryRows(rangeQuery{Prefix: aTime, From: since, Desc: !q.Oldest, Offset: q.Page * q.PerPage, Limit: q.PerPage,
			Has: wordsFilter(words)})
		if err != nil {
			return nil, errors.Wrap(err, "reading a page of the audit log")
		}
		for _, r := range rows {
			keys = append(keys, auditKeyOfSuffix(strings.TrimPrefix(r.Key, aTime)))
		}
		out.Total, out.TotalCapped = searchCap(), true
	} else {
		slices.Sort(found)
		if !q.Oldest {
			slices.Reverse(found)
		}
		out.Total = len(found)
		start := min(len(found), q.Page*q.PerPage)
		for _, sf := range found[start:min(len(found), start+q.PerPage)] {
			keys = append(keys, auditKeyOfSuffix(sf))
		}
	}
	values, err := s.valuesOf(keys)
	if err != nil {
		return nil, errors.Wrap(err, "reading the entries of a page")
	}
	var rows []row
	for _, k := range keys {
		if v, ok := values[k]; ok {
			rows = append(rows, row{Key: k, Value: v})
		}
	}
	out.Entries, err = decodeAudit(rows)
	return out, err
}

func decodeAudit(rows []row) ([]store.AuditEntry, error) {
	out := make([]store.AuditEntry, 0, len(rows))
	for _, r := range rows {
		var e store.AuditEntry
		if err := json.Unmarshal(r.Value, &e); err != nil {
			return nil, errors.Wrapf(err, "decoding audit entry %s", strings.TrimPrefix(r.Key, auditPrefix))
		}
		out = append(out, e)
	}
	return out, nil
}

// AuditRows are the rows AppendAudit writes: the entry, then its search
// entries (for the benchmark's seeding).
func AuditRows(e store.AuditEntry) ([]KeyValue, error) {
	raw, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	out := []KeyValue{{Key: auditKey(e), Value: raw}}
	for _, en := range auditEntries(e) {
		out = append(out, KeyValue{Key: en.key, Value: en.value})
	}
	return out, nil
}

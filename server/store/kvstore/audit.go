package kvstore

import (
	"encoding/json"
	"fmt"
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

// AppendAudit stores one audit entry and counts it.
func (s *Store) AppendAudit(e store.AuditEntry) error {
	if e.ID == "" || e.At == 0 {
		return errors.New("an audit entry needs an id and a time")
	}
	x := &indexer{s: s, kind: "a", current: func(string) ([]entry, error) { return nil, nil }}
	key := auditKey(e)
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
// newest (or oldest) first; the total is the counter unless filtered.
func (s *Store) QueryAudit(q store.AuditQuery) (*store.AuditPage, error) {
	rq := rangeQuery{Prefix: auditPrefix, Desc: !q.Oldest, Offset: q.Page * q.PerPage, Limit: q.PerPage, Values: true,
		Contains: strings.ToLower(strings.TrimSpace(q.Query))}
	if q.Since > 0 {
		rq.From = fmt.Sprintf("%015d", q.Since)
	}
	rows, err := s.queryRows(rq)
	if err != nil {
		return nil, errors.Wrap(err, "reading a page of the audit log")
	}
	out := &store.AuditPage{Entries: make([]store.AuditEntry, 0, len(rows))}
	for _, r := range rows {
		var e store.AuditEntry
		if err := json.Unmarshal(r.Value, &e); err != nil {
			return nil, errors.Wrapf(err, "decoding audit entry %s", strings.TrimPrefix(r.Key, auditPrefix))
		}
		out.Entries = append(out.Entries, e)
	}
	if rq.Contains == "" && q.Since == 0 && s.indexReady() {
		out.Total, err = s.Get(counterAudit)
		return out, err
	}
	rq.Offset, rq.Limit, rq.Values = 0, 0, false
	out.Total, err = s.countRows(rq)
	return out, errors.Wrap(err, "counting audit entries")
}

// AuditRow is the row AppendAudit writes (for the benchmark's seeding).
func AuditRow(e store.AuditEntry) (KeyValue, error) {
	raw, err := json.Marshal(e)
	return KeyValue{Key: auditKey(e), Value: raw}, err
}

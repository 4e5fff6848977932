package kvstore

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pkg/errors"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// auditKey sorts by time: `audit/<ms, 15 digits>-<id>`.
func auditKey(e store.AuditEntry) string {
	return fmt.Sprintf("%s%015d-%s", auditPrefix, e.At, e.ID)
}

// AppendAudit stores one audit entry.
func (s *Store) AppendAudit(e store.AuditEntry) error {
	if e.ID == "" || e.At == 0 {
		return errors.New("an audit entry needs an id and a time")
	}
	_, err := s.kv.Set(auditKey(e), e)
	return errors.Wrap(err, "saving an audit entry")
}

// ListAudit returns entries at or after since, newest first.
func (s *Store) ListAudit(since int64, page, perPage int) ([]store.AuditEntry, error) {
	var keys []string
	from := fmt.Sprintf("%s%015d", auditPrefix, since)
	err := s.walk(auditPrefix, func(k string, _ []byte) error {
		if k >= from {
			keys = append(keys, k)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Sort(sort.Reverse(sort.StringSlice(keys)))
	start := page * perPage
	if start >= len(keys) {
		return []store.AuditEntry{}, nil
	}
	end := min(start+perPage, len(keys))
	out := make([]store.AuditEntry, 0, end-start)
	for _, k := range keys[start:end] {
		var e store.AuditEntry
		if err := s.kv.Get(k, &e); err != nil {
			return nil, errors.Wrapf(err, "reading audit entry %s", strings.TrimPrefix(k, auditPrefix))
		}
		if e.ID != "" {
			out = append(out, e)
		}
	}
	return out, nil
}

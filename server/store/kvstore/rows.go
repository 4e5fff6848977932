package kvstore

import (
	"database/sql"
	"encoding/json"
	"strings"
	"sync"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/pluginapi"
	"github.com/pkg/errors"
)

// Walking a kind of record through the KV API costs one call per page of
// keys, of all the plugin's kinds, and then one call per record. With
// 100,000 guests that is 100,000 calls (a minute on a busy server) for
// the expiry job, the dashboard's stats or a switch. So walks read core's
// plugin key-value table directly, through the database handle core
// lends plugins: one query per page of 1,000 records of the one kind,
// values included, continuing after the last key read (keyset paging:
// the order and the comparison are the database's own, so writes during
// the walk shift nothing). The page comes back as a single JSON row,
// because each row is one call to core. When the handle is unavailable
// (not PostgreSQL, or core refuses it), walks fall back to the KV API.

// rowsPageSize is how many records one query reads.
const rowsPageSize = 1000

// ranges reads records of one kind in key order.
type ranges interface {
	// page returns up to limit records whose key starts with prefix and
	// sorts after `after` ("" = from the start), in key order.
	page(prefix, after string, limit int) ([]row, error)
}

type row struct {
	Key   string `json:"k"`
	Value []byte `json:"v"` // base64 in the JSON
}

// sqlRanges reads core's PluginKeyValueStore table (PostgreSQL).
type sqlRanges struct {
	pluginID string
	open     func() (*sql.DB, error)

	once sync.Once
	db   *sql.DB
	err  error
}

// newSQLRanges returns nil when the server's database is not PostgreSQL.
func newSQLRanges(client *pluginapi.Client, pluginID string) ranges {
	if client == nil || pluginID == "" {
		return nil
	}
	cfg := client.Configuration.GetConfig()
	if cfg == nil || cfg.SqlSettings.DriverName == nil || *cfg.SqlSettings.DriverName != model.DatabaseDriverPostgres {
		return nil
	}
	return &sqlRanges{pluginID: pluginID, open: client.Store.GetMasterDB}
}

const pageQuery = `SELECT COALESCE(json_agg(json_build_object('k', pkey, 'v', encode(pvalue, 'base64')) ORDER BY pkey), '[]')::text
FROM (SELECT pkey, pvalue FROM pluginkeyvaluestore
	WHERE pluginid = $1 AND pkey >= $2 AND pkey > $3 AND pkey LIKE $4 AND (expireat = 0 OR expireat > $5)
	ORDER BY pkey LIMIT $6) page`

func (r *sqlRanges) page(prefix, after string, limit int) ([]row, error) {
	r.once.Do(func() { r.db, r.err = r.open() })
	if r.err != nil {
		return nil, r.err
	}
	like := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(prefix) + "%"
	var page string
	if err := r.db.QueryRow(pageQuery, r.pluginID, prefix, after, like, model.GetMillis(), limit).Scan(&page); err != nil {
		return nil, err
	}
	var rows []row
	if err := json.Unmarshal([]byte(page), &rows); err != nil {
		return nil, errors.Wrap(err, "decoding a page of records")
	}
	return rows, nil
}

// walk calls fn with every record whose key has the prefix (fn may write;
// a record deleted meanwhile may or may not be seen). It reads a page at a
// time from the table when it can, else through the KV API.
func (s *Store) walk(prefix string, fn func(key string, value []byte) error) error {
	if s.rows != nil {
		after := ""
		for first := true; ; first = false {
			rows, err := s.rows.page(prefix, after, rowsPageSize)
			if err != nil && first {
				s.fallback.Do(func() {
					if s.warn != nil {
						s.warn("Guest Accounts: reading the plugin's records through the KV API (slower with many guests)", "reason", err.Error())
					}
				})
				break // no usable database handle: the KV API
			}
			if err != nil {
				return errors.Wrap(err, "reading a page of records")
			}
			for _, r := range rows {
				if err := fn(r.Key, r.Value); err != nil {
					return err
				}
			}
			if len(rows) < rowsPageSize {
				return nil
			}
			after = rows[len(rows)-1].Key
		}
	}
	return s.forEachKey(prefix, func(key string) error {
		var raw []byte
		if err := s.kv.Get(key, &raw); err != nil {
			return errors.Wrap(err, "reading a record")
		}
		if raw == nil {
			return nil // deleted meanwhile
		}
		return fn(key, raw)
	})
}

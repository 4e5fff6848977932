package kvstore

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/lib/pq"

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
	// query returns one page of the entries q selects (index.go), and
	// count how many it selects in all.
	query(q rangeQuery) ([]row, error)
	count(q rangeQuery) (int, error)
	// values reads the records with these keys (absent ones are left out).
	values(keys []string) (map[string][]byte, error)
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
	// bytewise: the database compares text byte by byte (collation C),
	// so a family's key range alone holds exactly its keys (where).
	bytewise bool
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

func (r *sqlRanges) handle() (*sql.DB, error) {
	r.once.Do(func() {
		if r.db, r.err = r.open(); r.err == nil {
			// '/' sorts before '0' and 'B' before 'a' only byte by byte
			// (en_US and the like ignore punctuation and fold case).
			_ = r.db.QueryRow(`SELECT 'a/b'::text < 'a0'::text AND 'B'::text < 'a'::text`).Scan(&r.bytewise)
		}
	})
	return r.db, r.err
}

func (r *sqlRanges) page(prefix, after string, limit int) ([]row, error) {
	db, err := r.handle()
	if err != nil {
		return nil, err
	}
	var page string
	if err := db.QueryRow(pageQuery, r.pluginID, prefix, after, likePrefix(prefix), model.GetMillis(), limit).Scan(&page); err != nil {
		return nil, err
	}
	return decodePage(page)
}

func decodePage(page string) ([]row, error) {
	var rows []row
	if err := json.Unmarshal([]byte(page), &rows); err != nil {
		return nil, errors.Wrap(err, "decoding a page of records")
	}
	return rows, nil
}

// likePrefix is the LIKE pattern of keys starting with prefix.
func likePrefix(prefix string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(prefix) + "%"
}

// where is the condition of q on the plugin's rows (table alias t): the
// family's key range (both bounds hold under any collation, index.go),
// the prefix itself (so no other kind's key can slip in), the filters,
// and not expired. Compared byte by byte, the range alone holds exactly
// the family's keys, and the prefix's LIKE is left out: PostgreSQL counts
// it as a second filter on top of the range, expects a twentieth of the
// rows, and then reads the whole family through a bitmap scan and sorts
// it for a deep page (70 ms instead of 4 ms for page 100 of 100,000
// guests, measured with EXPLAIN ANALYZE on a table of 1.5 million keys).
func (r *sqlRanges) where(q rangeQuery) (string, []any) {
	lo, hi := q.bounds()
	args := []any{r.pluginID, lo, hi, model.GetMillis()}
	cond := "t.pluginid = $1 AND t.pkey >= $2 AND t.pkey < $3 AND (t.expireat = 0 OR t.expireat > $4)"
	if !r.bytewise {
		args = append(args, likePrefix(q.Prefix))
		cond += fmt.Sprintf(" AND t.pkey LIKE $%d", len(args))
	}
	if q.Like != "" {
		args = append(args, q.Like)
		cond += fmt.Sprintf(" AND t.pkey LIKE $%d", len(args))
	}
	if q.NotLike != "" {
		args = append(args, q.NotLike)
		cond += fmt.Sprintf(" AND t.pkey NOT LIKE $%d", len(args))
	}
	if q.SuffixAtMost != "" {
		args = append(args, q.SuffixAtMost)
		cond += fmt.Sprintf(" AND right(t.pkey, %d) <= $%d", len(q.SuffixAtMost), len(args))
	}
	if q.SuffixAbove != "" {
		args = append(args, q.SuffixAbove)
		cond += fmt.Sprintf(" AND right(t.pkey, %d) > $%d", len(q.SuffixAbove), len(args))
	}
	if q.LastFrom != "" {
		args = append(args, q.LastFrom)
		cond += fmt.Sprintf(" AND reverse(split_part(reverse(t.pkey), '/', 1)) >= $%d", len(args))
	}
	for _, c := range q.ContainsAll {
		args = append(args, c)
		cond += fmt.Sprintf(" AND strpos(lower(convert_from(t.pvalue, 'UTF8')), $%d) > 0", len(args))
	}
	// Compared as bytes: no decoding, no case folding.
	for _, c := range q.Has {
		args = append(args, []byte(c))
		cond += fmt.Sprintf(" AND position($%d::bytea in t.pvalue) > 0", len(args))
	}
	if q.ValueLike != "" {
		args = append(args, q.ValueLike)
		cond += fmt.Sprintf(" AND convert_from(t.pvalue, 'UTF8') LIKE $%d", len(args))
	}
	return cond, args
}

// rangePageFormat reads one page of rows as a JSON array (query fills it in).
const rangePageFormat = `SELECT COALESCE(json_agg(json_build_object('k', pkey, 'v', %s) ORDER BY %s), '[]')::text
FROM (SELECT %s FROM pluginkeyvaluestore t WHERE %s ORDER BY %s OFFSET $%d LIMIT $%d) page`

func (r *sqlRanges) query(q rangeQuery) ([]row, error) {
	db, err := r.handle()
	if err != nil {
		return nil, err
	}
	cond, args := r.where(q)
	// Without values only the key is read: an index-only scan of the
	// primary key, however deep the page.
	value, cols := "encode(pvalue, 'base64')", "t.pkey, t.pvalue"
	if !q.Values {
		value, cols = "''", "t.pkey"
	}
	order := "pkey"
	if q.Desc {
		order = "pkey DESC"
	}
	args = append(args, q.Offset, q.Limit)
	// Only fixed fragments and numbered placeholders go into the text; the
	// values travel as arguments.
	text := fmt.Sprintf(rangePageFormat, value, order, cols, cond, order, len(args)-1, len(args)) //nolint:gosec // G201: see above
	var page string
	if err := db.QueryRow(text, args...).Scan(&page); err != nil {
		return nil, err
	}
	return decodePage(page)
}

func (r *sqlRanges) count(q rangeQuery) (int, error) {
	db, err := r.handle()
	if err != nil {
		return 0, err
	}
	cond, args := r.where(q)
	text := "SELECT count(*) FROM pluginkeyvaluestore t WHERE " + cond
	if q.Limit > 0 {
		// Counting up to a bound stops reading there.
		args = append(args, q.Limit)
		text = fmt.Sprintf("SELECT count(*) FROM (SELECT 1 FROM pluginkeyvaluestore t WHERE %s LIMIT $%d) c", cond, len(args)) //nolint:gosec // G201: fixed fragments and placeholders only
	}
	var n int
	err = db.QueryRow(text, args...).Scan(&n)
	return n, err
}

func (r *sqlRanges) values(keys []string) (map[string][]byte, error) {
	db, err := r.handle()
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	if len(keys) == 0 {
		return out, nil
	}
	var page string
	if err := db.QueryRow(`SELECT COALESCE(json_agg(json_build_object('k', pkey, 'v', encode(pvalue, 'base64'))), '[]')::text
FROM pluginkeyvaluestore WHERE pluginid = $1 AND pkey = ANY($2) AND (expireat = 0 OR expireat > $3)`,
		r.pluginID, pq.Array(keys), model.GetMillis()).Scan(&page); err != nil {
		return nil, err
	}
	rows, err := decodePage(page)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.Key] = r.Value
	}
	return out, nil
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

package bench

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	_ "github.com/lib/pq" // the stack's PostgreSQL
	"github.com/pkg/errors"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// Registering 10,000 or 100,000 guests through the plugin is not possible
// on an unlicensed server (it refuses to create or activate users beyond
// 250 active ones) and would take hours anyway. The benchmark writes them
// straight into the database instead, in the exact shapes the plugin
// writes:
//   - Users rows copied from a real user the server created (so every
//     column is one core wrote), with their own id, username and email,
//     deactivated (DeleteAt set) so that the 250-user limit still lets the
//     benchmark create the accounts it posts with;
//   - registry records `guest/<id>` in PluginKeyValueStore, JSON as
//     kvstore.SaveGuest writes it: active guests (no deactivation reason)
//     with one channel, one team and an expiry date 60 days ahead (outside
//     the reminder window, so the expiry job only reads them).
// The plugin reads them like any other record: its per-request checks read
// only the record of the user at hand, its walks page through all of them.

// seedPrefix starts every seeded user id (26 characters, like core's).
const seedPrefix = "bench"

func seedID(n int) string { return fmt.Sprintf("%s%021d", seedPrefix, n) }

type seeder struct {
	db       *sql.DB
	pluginID string
	users    int // seeded users so far
}

func openSeeder(dsn string) (*seeder, error) {
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return nil, err
	}
	if err := db.Ping(); err != nil {
		return nil, errors.Wrap(err, "connecting to the stack's PostgreSQL")
	}
	return &seeder{db: db, pluginID: testhelper.PluginID}, nil
}

func (s *seeder) Close() error { return s.db.Close() }

// seedUsers makes sure n seeded users exist, copying template's row.
func (s *seeder) seedUsers(ctx context.Context, templateID string, n int) error {
	if n <= s.users {
		return nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = 'users' ORDER BY ordinal_position`)
	if err != nil {
		return errors.Wrap(err, "reading the Users columns")
	}
	var cols, exprs []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return err
		}
		cols = append(cols, c)
		switch c {
		case "id":
			exprs = append(exprs, fmt.Sprintf("'%s' || lpad(g::text, 21, '0')", seedPrefix))
		case "username":
			exprs = append(exprs, fmt.Sprintf("'%s' || g", seedPrefix))
		case "email":
			exprs = append(exprs, fmt.Sprintf("'%s' || g || '@seeded.bench.test'", seedPrefix))
		case "authdata":
			exprs = append(exprs, "NULL")
		case "deleteat":
			exprs = append(exprs, "$2::bigint")
		case "createat", "updateat", "lastpasswordupdate":
			exprs = append(exprs, "$2::bigint - 1000")
		default:
			exprs = append(exprs, "t."+c)
		}
	}
	rows.Close()
	if len(cols) == 0 {
		return errors.New("no Users table in the current schema")
	}
	q := fmt.Sprintf(`INSERT INTO users (%s) SELECT %s FROM users t, generate_series($3::int, $4::int) g WHERE t.id = $1`,
		strings.Join(cols, ", "), strings.Join(exprs, ", "))
	now := time.Now().UnixMilli()
	if _, err := s.db.ExecContext(ctx, q, templateID, now, s.users+1, n); err != nil {
		return errors.Wrap(err, "seeding users")
	}
	s.users = n
	return nil
}

// setRegistry makes exactly the first n seeded users registered guests
// (n <= seeded users) in channel/team, invited by inviterID.
func (s *seeder) setRegistry(ctx context.Context, n int, inviterID, teamID, channelID string) error {
	if n > s.users {
		return errors.Errorf("only %d users are seeded, %d guests asked", s.users, n)
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM pluginkeyvaluestore WHERE pluginid = $1 AND pkey LIKE $2`,
		s.pluginID, "guest/"+seedPrefix+"%"); err != nil {
		return errors.Wrap(err, "removing seeded guests")
	}
	if n == 0 {
		return nil
	}
	now := time.Now()
	_, err := s.db.ExecContext(ctx, `INSERT INTO pluginkeyvaluestore (pluginid, pkey, pvalue, expireat)
		SELECT $1, 'guest/' || id, convert_to(json_build_object(
			'user_id', id, 'invited_by', $2::text, 'created_at', $3::bigint, 'expires_at', $4::bigint,
			'team_ids', json_build_array($5::text), 'channel_ids', json_build_array($6::text),
			'restrictions', json_build_object())::text, 'UTF8'), 0
		FROM (SELECT $7 || lpad(g::text, 21, '0') AS id FROM generate_series(1, $8::int) g) ids`,
		s.pluginID, inviterID, now.UnixMilli(), now.Add(60*24*time.Hour).UnixMilli(), teamID, channelID, seedPrefix, n)
	return errors.Wrap(err, "seeding guests")
}

// registryRows are saved registry records (key → value), to take the
// benchmark's real guests out of the registry while the plugin is off and
// put them back after (see setConfig).
type registryRows map[string][]byte

// takeRealGuests removes every registry record (seeded ones too) and the
// counters, and returns the records that are not seeded and the counters.
// Without counters, the activation that follows finds them agreeing with
// the empty registry (no recount to settle).
func (s *seeder) takeRealGuests(ctx context.Context) (registryRows, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT pkey, pvalue FROM pluginkeyvaluestore
		WHERE pluginid = $1 AND ((pkey LIKE 'guest/%' AND pkey NOT LIKE $2) OR pkey LIKE 'count/%')`, s.pluginID, "guest/"+seedPrefix+"%")
	if err != nil {
		return nil, errors.Wrap(err, "reading the registry")
	}
	out := registryRows{}
	for rows.Next() {
		var k string
		var v []byte
		if err := rows.Scan(&k, &v); err != nil {
			rows.Close()
			return nil, err
		}
		out[k] = v
	}
	rows.Close()
	_, err = s.db.ExecContext(ctx, `DELETE FROM pluginkeyvaluestore WHERE pluginid = $1 AND (pkey LIKE 'guest/%' OR pkey LIKE 'count/%')`, s.pluginID)
	return out, errors.Wrap(err, "emptying the registry")
}

// putBack restores records takeRealGuests removed.
func (s *seeder) putBack(ctx context.Context, rows registryRows) error {
	for k, v := range rows {
		if _, err := s.db.ExecContext(ctx, `INSERT INTO pluginkeyvaluestore (pluginid, pkey, pvalue, expireat)
			VALUES ($1, $2, $3, 0) ON CONFLICT (pluginid, pkey) DO UPDATE SET pvalue = EXCLUDED.pvalue`, s.pluginID, k, v); err != nil {
			return errors.Wrap(err, "restoring a registry record")
		}
	}
	return nil
}

// countRegistry counts registry records.
func (s *seeder) countRegistry(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM pluginkeyvaluestore WHERE pluginid = $1 AND pkey LIKE 'guest/%'`, s.pluginID).Scan(&n)
	return n, err
}

// analyze refreshes the planner's statistics after bulk changes, as
// autovacuum would.
func (s *seeder) analyze(ctx context.Context) error {
	_, err := s.db.ExecContext(ctx, `ANALYZE users; ANALYZE pluginkeyvaluestore`)
	return err
}

// settle vacuums the key-value table after the registry changed, so that
// autovacuum does not run during the next measurement instead.
func (s *seeder) settle(ctx context.Context) error {
	_, err := s.db.ExecContext(ctx, `VACUUM ANALYZE pluginkeyvaluestore`)
	return errors.Wrap(err, "vacuuming the key-value table")
}

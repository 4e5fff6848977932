package bench

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq" // the stack's PostgreSQL
	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/memberships"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store/kvstore"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// Registering 10,000 or 100,000 guests through the plugin is not possible
// on an unlicensed server (it refuses to create or activate users beyond
// 250 active ones) and would take hours anyway. The benchmark writes them
// straight into the database instead, in the exact shapes the plugin
// writes:
//   - Users rows copied from a real user the server created (so every
//     column is one core wrote), with their own id, username and email,
//     holding the dedicated guest role,
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
	listed   int // seeded audit entries so far (and a tenth as many invitations)
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
		case "roles":
			// As the plugin leaves its guests on an unlicensed server: a
			// seeded guest with any other role would be moved onto it in the
			// background at activation, during the measurements.
			exprs = append(exprs, "'"+memberships.GuestRoleName+"'")
		case "deleteat":
			exprs = append(exprs, "$2::bigint")
		case "createat", "updateat", "lastpasswordupdate":
			exprs = append(exprs, "$2::bigint - 1000")
		default:
			exprs = append(exprs, "t."+c)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return errors.Wrap(err, "reading the Users columns")
	}
	if len(cols) == 0 {
		return errors.New("no Users table in the current schema")
	}
	//nolint:gosec // G201: the columns come from the database's own catalog; values are parameters
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
// (n <= seeded users) in channel/team, invited by inviterID: their records
// and index entries exactly as the store writes them (kvstore.GuestRows),
// then the counters recounted from the entries. With noIndex, records
// only (as a version without indexes left them: the plugin builds them).
func (s *seeder) setRegistry(ctx context.Context, n int, inviterID, teamID, channelID string, noIndex bool) error {
	if n > s.users {
		return errors.Errorf("only %d users are seeded, %d guests asked", s.users, n)
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM pluginkeyvaluestore WHERE pluginid = $1 AND pkey LIKE ANY($2) AND pkey LIKE $3`,
		s.pluginID, pq.Array(guestKinds), "%"+seedPrefix+"%"); err != nil {
		return errors.Wrap(err, "removing seeded guests")
	}
	if n > 0 {
		now := time.Now()
		err := s.copyKV(ctx, func(put func(kvstore.KeyValue) error) error {
			for i := 1; i <= n; i++ {
				id := seedID(i)
				name := fmt.Sprintf("%s%d", seedPrefix, i)
				g := &store.Guest{
					UserID: id, InvitedBy: inviterID, CreatedAt: now.UnixMilli() - int64(i), ExpiresAt: now.Add(60 * 24 * time.Hour).UnixMilli(),
					TeamIDs: []string{teamID}, ChannelIDs: []string{channelID},
					Profile: kvstore.ProfileOf(&model.User{Username: name, Email: name + "@seeded.bench.test", UpdateAt: now.UnixMilli() - 1000}),
				}
				rows, err := kvstore.GuestRows(g)
				if err != nil {
					return err
				}
				if noIndex {
					rows = rows[:1]
				}
				for _, r := range rows {
					if err := put(r); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return errors.Wrap(err, "seeding guests")
		}
	}
	if noIndex {
		_, err := s.db.ExecContext(ctx, `DELETE FROM pluginkeyvaluestore WHERE pluginid = $1 AND pkey = 'index/version'`, s.pluginID)
		return errors.Wrap(err, "forgetting the indexes")
	}
	return s.recount(ctx)
}

// copyKV writes the rows fill puts into core's KV table in one transaction,
// streamed with COPY FROM STDIN (no expiry).
func (s *seeder) copyKV(ctx context.Context, fill func(put func(kvstore.KeyValue) error) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck
	stmt, err := tx.PrepareContext(ctx, "COPY pluginkeyvaluestore (pluginid, pkey, pvalue, expireat) FROM STDIN")
	if err != nil {
		return err
	}
	if err := fill(func(kv kvstore.KeyValue) error {
		_, err := stmt.ExecContext(ctx, s.pluginID, kv.Key, kv.Value, 0)
		return err
	}); err != nil {
		return err
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return err
	}
	if err := stmt.Close(); err != nil {
		return err
	}
	return tx.Commit()
}

// seedLists makes sure the audit log holds n seeded entries and there are
// n/10 seeded invitations (a third of them open), in the shapes the store
// writes, then recounts. Sizes only grow, so it adds what is missing.
func (s *seeder) seedLists(ctx context.Context, n int, inviterID, channelID, teamID string) error {
	if n <= s.listed {
		return nil
	}
	now := time.Now()
	err := s.copyKV(ctx, func(put func(kvstore.KeyValue) error) error {
		actions := []string{"invite", "accept_invite", "revoke_invite", "deactivate", "login_refused"}
		for i := s.listed + 1; i <= n; i++ {
			entries, err := kvstore.AuditRows(store.AuditEntry{ID: seedID(i), At: now.UnixMilli() - 60_000 - int64(i), ActorID: inviterID,
				Action: actions[i%len(actions)], TargetID: seedID(i), Result: "success"})
			if err != nil {
				return err
			}
			for _, r := range entries {
				if err := put(r); err != nil {
					return errors.Wrap(err, "seeding audit entries")
				}
			}
			if i%10 != 0 {
				continue
			}
			status := []string{store.InvitePending, store.InviteAccepted, store.InviteRevoked}[(i/10)%3]
			inv := &store.Invite{ID: seedID(i), TokenHash: fmt.Sprintf("%064d", i), Email: fmt.Sprintf("%s%d@invited.bench.test", seedPrefix, i),
				ChannelIDs: []string{channelID}, TeamIDs: []string{teamID}, InviterID: inviterID,
				CreatedAt: now.UnixMilli() - 60_000 - int64(i), ExpiresAt: now.Add(48 * time.Hour).UnixMilli(), Status: status}
			rows, err := kvstore.InviteRows(inv, 3600*24*9, now.UnixMilli())
			if err != nil {
				return err
			}
			for _, r := range rows {
				if err := put(r); err != nil {
					return errors.Wrap(err, "seeding invitations")
				}
			}
		}
		return nil
	})
	if err != nil {
		return errors.Wrap(err, "seeding the lists")
	}
	s.listed = n
	return s.recount(ctx)
}

// guestKinds are the key patterns of everything the store keeps about
// guests: records, index entries, markers, counters.
var guestKinds = []string{"guest/%", "ixg/%", "ixd/%", "count/%"}

// recount sets the index counters and the cap's counter to what the
// entries say (the plugin's own recount, done here because the benchmark
// wrote the entries behind its back while it was not writing).
func (s *seeder) recount(ctx context.Context) error {
	for key, prefix := range kvstore.CounterFamilies() {
		if err := s.setCounter(ctx, key, prefix); err != nil {
			return err
		}
	}
	return s.setCounter(ctx, "count/active-guests", "ixg/s/a/")
}

func (s *seeder) setCounter(ctx context.Context, key, prefix string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO pluginkeyvaluestore (pluginid, pkey, pvalue, expireat)
		SELECT $1::text, $2::text, convert_to(count(*)::text, 'UTF8'), 0 FROM pluginkeyvaluestore WHERE pluginid = $1::text AND pkey LIKE $3::text
		ON CONFLICT (pluginid, pkey) DO UPDATE SET pvalue = EXCLUDED.pvalue`, s.pluginID, key, prefix+"%")
	return errors.Wrapf(err, "recounting %s", key)
}

// registryRows are saved registry records (key → value), to take the
// benchmark's real guests out of the registry while the plugin is off and
// put them back after (see setConfig).
type registryRows map[string][]byte

// takeRealGuests removes every row the store keeps about guests (seeded
// ones too: records, index entries, markers, counters) and returns those
// that are not seeded. The activation that follows finds an empty
// registry, empty indexes and no counters, which agree (no recount to
// settle, nothing for a disable to switch off).
func (s *seeder) takeRealGuests(ctx context.Context) (registryRows, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT pkey, pvalue FROM pluginkeyvaluestore
		WHERE pluginid = $1 AND pkey LIKE ANY($2) AND pkey NOT LIKE $3`, s.pluginID, pq.Array(guestKinds), "%"+seedPrefix+"%")
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
	_, err = s.db.ExecContext(ctx, `DELETE FROM pluginkeyvaluestore WHERE pluginid = $1 AND pkey LIKE ANY($2)`, s.pluginID, pq.Array(guestKinds))
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

// kvList runs the query core runs for a plugin's KVList (ListKeys): a
// page of 1,000 keys by offset over every key of the plugin.
func (s *seeder) kvList(ctx context.Context, offset int) error {
	rows, err := s.db.QueryContext(ctx, `SELECT pkey FROM pluginkeyvaluestore WHERE pluginid = $1 ORDER BY pkey LIMIT 1000 OFFSET $2`, s.pluginID, offset)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
	}
	return rows.Err()
}

// pluginKeys counts the plugin's keys.
func (s *seeder) pluginKeys(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM pluginkeyvaluestore WHERE pluginid = $1`, s.pluginID).Scan(&n)
	return n, err
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

// vacuumAll vacuums and analyzes the whole database and writes its
// changed pages out.
func (s *seeder) vacuumAll(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `VACUUM ANALYZE`); err != nil {
		return errors.Wrap(err, "vacuuming the database")
	}
	_, err := s.db.ExecContext(ctx, `CHECKPOINT`)
	return errors.Wrap(err, "writing the changed pages out")
}

// settle vacuums the key-value table after the registry changed, so that
// autovacuum does not run during the next measurement instead, then
// writes the changed pages out (CHECKPOINT): a switch to Guest Accounts
// re-seeds its registry (some 110,000 rows at 10,000 guests), and without
// it the database wrote those pages out during the next blocks, which
// are Guest Accounts' own.
func (s *seeder) settle(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `VACUUM ANALYZE pluginkeyvaluestore`); err != nil {
		return errors.Wrap(err, "vacuuming the key-value table")
	}
	_, err := s.db.ExecContext(ctx, `CHECKPOINT`)
	return errors.Wrap(err, "writing the changed pages out")
}

// quiet stops the database's own background upkeep (autovacuum, timed
// checkpoints) for the rest of the run: the benchmark does that upkeep
// itself before every visit of a configuration (beforeVisit), so it never
// lands inside a block and no configuration pays for upkeep another one
// caused (a vacuum after Guest Accounts' re-seed, say). It did not narrow
// the per-cycle spread (a 10-cycle run: SD of the log ratio 0.13-0.18
// with it, 0.13-0.16 without); that spread is the machine's
// (docs/measured-facts.md, "Costs").
func (s *seeder) quiet(ctx context.Context) error {
	for _, stmt := range []string{
		`ALTER SYSTEM SET autovacuum = off`,
		`ALTER SYSTEM SET checkpoint_timeout = '1d'`,
		`ALTER SYSTEM SET max_wal_size = '16GB'`,
		`SELECT pg_reload_conf()`,
	} {
		if _, err := s.db.ExecContext(ctx, stmt); err != nil {
			return errors.Wrapf(err, "quieting the database (%s)", stmt)
		}
	}
	return nil
}

// beforeVisit does the upkeep autovacuum and the checkpointer would
// otherwise do at random times (see quiet): every configuration starts
// its visit from a vacuumed database with nothing left to write out.
// Statistics are not refreshed (ANALYZE samples at random, and a plan
// that changed between visits would be noise too).
func (s *seeder) beforeVisit(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `VACUUM`); err != nil {
		return errors.Wrap(err, "vacuuming before a visit")
	}
	_, err := s.db.ExecContext(ctx, `CHECKPOINT`)
	return errors.Wrap(err, "writing the changed pages out before a visit")
}

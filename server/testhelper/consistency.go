package testhelper

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/stretchr/testify/require"
)

// The plugin's records read straight from PostgreSQL (its KV rows) and
// core's Users table, to check after a race or a fault that nothing was
// lost or half-done, without trusting the plugin's own API.

// KVGuest is the part of a guest record the checks read.
type KVGuest struct {
	UserID      string `json:"user_id"`
	Deactivated string `json:"deactivated"`
	ExpiresAt   int64  `json:"expires_at"`
	Profile     *struct {
		Search string `json:"search"`
	} `json:"profile"`
}

// KVInvite is the part of an invitation the checks read.
type KVInvite struct {
	ID         string `json:"id"`
	Email      string `json:"email"`
	Status     string `json:"status"`
	ClaimedAt  int64  `json:"claimed_at"`
	AcceptedBy string `json:"accepted_by"`
}

// DBUser is a row of core's Users table.
type DBUser struct {
	ID       string
	Email    string
	DeleteAt int64
	Roles    string
}

// Snapshot is the plugin's state as the database holds it.
type Snapshot struct {
	Guests  map[string]KVGuest // by user id
	Invites []KVInvite
	Users   map[string]DBUser // every user with a guest record or an invited address, by id
	ByEmail map[string]DBUser
	Counter int // count/active-guests
}

func (th *TestHelper) sqlRows(query string) [][]string {
	th.T.Helper()
	out, err := th.Stack.SQL(th.Ctx, query)
	require.NoError(th.T, err)
	var rows [][]string
	for _, line := range strings.Split(out, "\n") {
		if line != "" {
			rows = append(rows, strings.Split(line, "|"))
		}
	}
	return rows
}

// kvRows returns key and value of the plugin's live KV rows with a prefix.
// Values are JSON or plain text; '|' and newlines are escaped by encode.
func (th *TestHelper) kvRows(prefix string) [][2]string {
	th.T.Helper()
	now := time.Now().UnixMilli()
	rows := th.sqlRows(fmt.Sprintf(`SELECT pkey, encode(pvalue, 'hex') FROM pluginkeyvaluestore
		WHERE pluginid = '%s' AND pkey LIKE '%s%%' AND (expireat = 0 OR expireat > %d)`, PluginID, prefix, now))
	out := make([][2]string, 0, len(rows))
	for _, r := range rows {
		require.Len(th.T, r, 2)
		raw := make([]byte, len(r[1])/2)
		for i := range raw {
			b, err := strconv.ParseUint(r[1][2*i:2*i+2], 16, 8)
			require.NoError(th.T, err)
			raw[i] = byte(b)
		}
		out = append(out, [2]string{r[0], string(raw)})
	}
	return out
}

// TakeSnapshot reads the plugin's guests, invitations and counter, and the
// users they name, from the database.
func (th *TestHelper) TakeSnapshot() *Snapshot {
	th.T.Helper()
	s := &Snapshot{Guests: map[string]KVGuest{}, Users: map[string]DBUser{}, ByEmail: map[string]DBUser{}}
	for _, kv := range th.kvRows("guest/") {
		var g KVGuest
		require.NoError(th.T, json.Unmarshal([]byte(kv[1]), &g), "guest record %s", kv[0])
		s.Guests[g.UserID] = g
	}
	for _, kv := range th.kvRows("invite/") {
		var inv KVInvite
		require.NoError(th.T, json.Unmarshal([]byte(kv[1]), &inv), "invitation %s", kv[0])
		s.Invites = append(s.Invites, inv)
	}
	for _, kv := range th.kvRows("count/active-guests") {
		n, err := strconv.Atoi(kv[1])
		require.NoError(th.T, err, "counter %q", kv[1])
		s.Counter = n
	}
	var ids, emails []string
	for id := range s.Guests {
		ids = append(ids, "'"+id+"'")
	}
	for _, inv := range s.Invites {
		emails = append(emails, "'"+strings.ReplaceAll(strings.ToLower(inv.Email), "'", "''")+"'")
	}
	if len(ids)+len(emails) > 0 {
		where := []string{}
		if len(ids) > 0 {
			where = append(where, "id IN ("+strings.Join(ids, ",")+")")
		}
		if len(emails) > 0 {
			where = append(where, "lower(email) IN ("+strings.Join(emails, ",")+")")
		}
		for _, r := range th.sqlRows("SELECT id, lower(email), deleteat, roles FROM users WHERE " + strings.Join(where, " OR ")) {
			del, _ := strconv.ParseInt(r[2], 10, 64)
			u := DBUser{ID: r[0], Email: r[1], DeleteAt: del, Roles: r[3]}
			s.Users[u.ID] = u
			s.ByEmail[u.Email] = u
		}
	}
	return s
}

// ActiveGuests counts guests active in both the registry and core.
func (s *Snapshot) ActiveGuests() int {
	n := 0
	for id, g := range s.Guests {
		if g.Deactivated == "" && s.Users[id].DeleteAt == 0 {
			n++
		}
	}
	return n
}

// Problems lists every inconsistency between the plugin's records and
// core's users: a guest record without its user; a guest active in one
// and deactivated in the other; a counter that is not the number of active
// guests; an invitation used without its account (or with one of another
// address); an active account created for an invited address that the
// registry does not know (a full account made from a guest invitation).
// only, when not nil, limits the invitation checks to these ids.
func (s *Snapshot) Problems(only map[string]bool) []string {
	var out []string
	active := 0
	for id, g := range s.Guests {
		u, ok := s.Users[id]
		switch {
		case !ok:
			out = append(out, "guest record "+id+" has no user")
		case (g.Deactivated == "") != (u.DeleteAt == 0):
			out = append(out, fmt.Sprintf("guest %s: registry deactivated=%q but core delete_at=%d", id, g.Deactivated, u.DeleteAt))
		}
		if g.Deactivated == "" {
			active++
		}
	}
	if s.Counter != active {
		out = append(out, fmt.Sprintf("active-guest counter %d but %d active guests in the registry", s.Counter, active))
	}
	for _, inv := range s.Invites {
		if only != nil && !only[inv.ID] {
			continue
		}
		u, hasUser := s.ByEmail[strings.ToLower(inv.Email)]
		if inv.Status == "accepted" {
			if inv.AcceptedBy == "" || !hasUser || u.ID != inv.AcceptedBy {
				out = append(out, fmt.Sprintf("invitation %s (%s) is used but its account is missing", inv.ID, inv.Email))
			}
		}
		if hasUser && u.DeleteAt == 0 {
			if _, guest := s.Guests[u.ID]; !guest {
				out = append(out, fmt.Sprintf("invited address %s has an active account %s the registry does not know (roles %q)", inv.Email, u.ID, u.Roles))
			}
		}
	}
	return out
}

// settle waits (up to 15 s) until the plugin has caught up with what core
// reports asynchronously (UserHasBeenDeactivated after a test's users are
// deactivated: the record, then the counter): the next test's consistency
// check must not see the middle of that.
// Best effort: it never fails the test (it runs in cleanup, perhaps after
// the test's context ended).
func (th *TestHelper) settle() {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	query := fmt.Sprintf(`SELECT
		(SELECT count(*) FROM pluginkeyvaluestore WHERE pluginid = '%[1]s' AND pkey LIKE 'guest/%%'
			AND convert_from(pvalue, 'UTF8')::jsonb->>'deactivated' IS NULL)
		= COALESCE((SELECT convert_from(pvalue, 'UTF8')::bigint FROM pluginkeyvaluestore WHERE pluginid = '%[1]s' AND pkey = 'count/active-guests'), 0)
		AND NOT EXISTS (SELECT 1 FROM pluginkeyvaluestore WHERE pluginid = '%[1]s' AND pkey LIKE 'ixd/%%')`, PluginID)
	for ctx.Err() == nil {
		if out, err := th.Stack.SQL(ctx, query); err != nil || strings.TrimSpace(out) == "t" {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// RequireConsistent fails the test with every problem Problems finds, and
// every disagreement between the indexes and the records.
func (th *TestHelper) RequireConsistent(s *Snapshot, only map[string]bool) {
	th.T.Helper()
	require.Empty(th.T, s.Problems(only), "plugin records and users disagree")
	th.RequireIndexConsistent()
}

// AuditCounts counts the successful audit entries of an action by target,
// read from the database.
func (th *TestHelper) AuditCounts(action string) map[string]int {
	th.T.Helper()
	out := map[string]int{}
	for _, kv := range th.kvRows("audit/") {
		var e struct {
			Action   string `json:"action"`
			TargetID string `json:"target_id"`
			Result   string `json:"result"`
		}
		require.NoError(th.T, json.Unmarshal([]byte(kv[1]), &e), "audit entry %s", kv[0])
		if e.Action == action && e.Result == "success" {
			out[e.TargetID]++
		}
	}
	return out
}

// IndexProblems lists every disagreement between the store's indexes and
// the records, read from the database: a guest without exactly its status
// entry or sorted entries, an entry without its guest, a counter that is
// not the number of entries it counts. Writes in flight (markers) make
// the index legitimately incomplete: then it says so and checks nothing.
func (th *TestHelper) IndexProblems() []string {
	th.T.Helper()
	if m := th.kvRows("ixd/"); len(m) > 0 {
		return []string{fmt.Sprintf("%d index writes in flight or interrupted (markers); run the index job after their lease", len(m))}
	}
	var out []string
	guests := map[string]KVGuest{}
	for _, kv := range th.kvRows("guest/") {
		var g KVGuest
		require.NoError(th.T, json.Unmarshal([]byte(kv[1]), &g), "guest record %s", kv[0])
		guests[g.UserID] = g
	}
	counts := map[string]int{}
	status := map[string]string{}
	for _, kv := range th.kvRows("ixg/s/") {
		parts := strings.Split(kv[0], "/")
		id, st := parts[len(parts)-1], parts[2]
		if _, dup := status[id]; dup {
			out = append(out, "guest "+id+" has two status entries")
		}
		status[id] = st
		if st == "a" {
			counts["count/ix-guests-active"]++
		} else {
			counts["count/ix-guests-deactivated"]++
		}
	}
	for id, g := range guests {
		want := "a"
		if g.Deactivated != "" {
			want = "d"
		}
		if st, ok := status[id]; !ok || st[:1] != want {
			out = append(out, fmt.Sprintf("guest %s (deactivated=%q) has status entry %q", id, g.Deactivated, status[id]))
		}
	}
	for id := range status {
		if _, ok := guests[id]; !ok {
			out = append(out, "status entry of "+id+" without a guest record")
		}
	}
	for _, family := range []string{"ixg/c/", "ixg/e/", "ixg/u/", "ixg/a/"} {
		seen := map[string]int{}
		for _, kv := range th.kvRows(family) {
			parts := strings.Split(kv[0], "/")
			seen[parts[len(parts)-2]]++
		}
		for id := range guests {
			if seen[id] != 1 {
				out = append(out, fmt.Sprintf("guest %s has %d entries in %s", id, seen[id], family))
			}
		}
		if len(seen) != len(guests) {
			out = append(out, fmt.Sprintf("%s has entries of %d users, the registry %d guests", family, len(seen), len(guests)))
		}
	}
	// Search words (kvstore/search.go): each guest with a profile has
	// some, each naming a guest, with the guest's status flag first.
	words := map[string]int{}
	for _, kv := range th.kvRows("ixg/w/") {
		id := kv[0][strings.LastIndexByte(kv[0], '/')+1:]
		words[id]++
		g, ok := guests[id]
		if !ok {
			out = append(out, "search word "+kv[0]+" without a guest record")
		} else if want := map[bool]string{true: "a", false: "d"}[g.Deactivated == ""]; !strings.HasPrefix(kv[1], want) {
			out = append(out, fmt.Sprintf("search word %s has flags %q, the guest is %q", kv[0], kv[1][:min(2, len(kv[1]))], want))
		}
	}
	for id, g := range guests {
		if g.Profile != nil && strings.TrimSpace(g.Profile.Search) != "" && words[id] == 0 {
			out = append(out, "guest "+id+" has no search words")
		}
	}
	// The audit log's time-ordered search family: one entry per entry.
	audit := len(th.kvRows("audit/"))
	if n := len(th.kvRows("ixa/t/")); n != audit {
		out = append(out, fmt.Sprintf("%d audit entries, %d in the search family", audit, n))
	}
	counts["count/ix-guests-expiring"] = len(th.kvRows("ixg/x/"))
	counts["count/ix-invites-pending"] = len(th.kvRows("ixi/p/"))
	counts["count/ix-audit"] = audit
	for key, want := range counts {
		got := 0
		for _, kv := range th.kvRows(key) {
			got, _ = strconv.Atoi(kv[1])
		}
		if got != want {
			out = append(out, fmt.Sprintf("%s is %d, %d entries", key, got, want))
		}
	}
	return out
}

// MarkInterruptedGuestWrite leaves what a node that died in the middle of
// writing the guest's record leaves besides the record: the write's marker
// naming the guest's index entries (kvstore/index.go). A test that writes
// a half-done record straight into the database calls it, so the index
// repair finishes that write as it would after a crash.
func (th *TestHelper) MarkInterruptedGuestWrite(userID string) {
	th.T.Helper()
	_, err := th.Stack.SQL(th.Ctx, fmt.Sprintf(`INSERT INTO pluginkeyvaluestore (pluginid, pkey, pvalue, expireat)
		SELECT '%[1]s', 'ixd/g/%[2]s/' || md5(random()::text), convert_to(json_build_object('at', %[3]d, 'kind', 'g', 'id', '%[2]s',
			'keys', COALESCE((SELECT jsonb_agg(pkey) FROM pluginkeyvaluestore WHERE pluginid = '%[1]s' AND pkey LIKE 'ixg/%%' AND pkey LIKE '%%%[2]s%%'), '[]'::jsonb))::text, 'UTF8'), 0`,
		PluginID, userID, time.Now().Add(-10*time.Minute).UnixMilli()))
	require.NoError(th.T, err, "marking an interrupted write")
}

// RequireIndexConsistent fails the test with every problem IndexProblems
// finds. Writes a fault interrupted leave markers: they are repaired first,
// as the index upkeep does once their lease is over (the plugin's clock
// moved past it for one run of the job, then put back).
func (th *TestHelper) RequireIndexConsistent() {
	th.T.Helper()
	if len(th.kvRows("ixd/")) > 0 {
		time.Sleep(time.Second) // writes still in flight finish
	}
	if len(th.kvRows("ixd/")) > 0 {
		th.repairIndexes()
	}
	require.Empty(th.T, th.IndexProblems(), "indexes and records disagree")
}

// repairIndexes runs the index upkeep with the plugin's clock past the
// markers' lease, then puts the clock back where the test had it.
func (th *TestHelper) repairIndexes() {
	th.T.Helper()
	setClock := func(offset time.Duration) {
		resp := th.PluginRequest(th.AdminClient, http.MethodPost, "/testing/clock", map[string]any{"offset_ms": offset.Milliseconds()})
		require.Equal(th.T, http.StatusOK, resp.Status, "moving the clock: %s", resp.Body)
	}
	setClock(th.clockOffset + 6*time.Minute)
	resp := th.PluginRequest(th.AdminClient, http.MethodPost, "/jobs/index/run", nil)
	setClock(th.clockOffset)
	require.Equal(th.T, http.StatusOK, resp.Status, "repairing the indexes: %s", resp.Body)
}

package kvstore

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/pluginapi"
	"github.com/pkg/errors"
	"golang.org/x/sync/errgroup"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// Index upkeep (index.go): the first build after an upgrade, the repair
// of writes a crash interrupted, the recount of the counters after a
// repair, the sweep of invitations that expired, and the profile sync.
// MaintainIndexes runs them; the app calls it once a minute on one node
// of the cluster, and at activation.

const (
	// profileCursorKey holds the UpdateAt up to which users' changes were
	// followed.
	profileCursorKey = "index/profile-cursor"
	// recountDueKey says a repair happened but the counters could not be
	// recounted yet (writes kept coming).
	recountDueKey = "index/recount-due"
	// InviteRetentionAfterExpiry is how long an invitation record (and its
	// index entries) stays after its expiry; repair needs it to give
	// rebuilt entries the record's lifetime.
	InviteRetentionAfterExpiry = 7 * 24 * time.Hour
	profilePage                = 200
	// buildWorkers is how many records the first build indexes at once.
	buildWorkers = 8
)

// counterFamilies are the counters and the entries they count.
var counterFamilies = map[string]rangeQuery{
	counterActive:      {Prefix: gStatus + "a/"},
	counterDeactivated: {Prefix: gStatus + "d"},
	counterExpiring:    {Prefix: gExpiring},
	counterPending:     {Prefix: iOpen},
	counterAudit:       {Prefix: auditPrefix},
}

// counterOf is the counter an entry key counts in ("" = none).
func counterOf(key string) string {
	switch {
	case strings.HasPrefix(key, gStatus+"a/"):
		return counterActive
	case strings.HasPrefix(key, gStatus+"d"):
		return counterDeactivated
	case strings.HasPrefix(key, gExpiring):
		return counterExpiring
	case strings.HasPrefix(key, iOpen):
		return counterPending
	}
	return ""
}

type markerRow struct {
	key string
	m   marker
}

// markers lists the writes in flight or interrupted: those older than
// the lease, and how many younger ones there are.
func (s *Store) markers() (stale []markerRow, fresh int, err error) {
	rows, err := s.queryRows(rangeQuery{Prefix: markerPrefix, Limit: 1 << 20, Values: true})
	if err != nil {
		return nil, 0, errors.Wrap(err, "listing index markers")
	}
	cutoff := s.now() - markerLease.Milliseconds()
	for _, r := range rows {
		var m marker
		if err := json.Unmarshal(r.Value, &m); err != nil || m.At < cutoff {
			stale = append(stale, markerRow{r.Key, m})
			continue
		}
		fresh++
	}
	return stale, fresh, nil
}

// RepairDue reports whether a write was interrupted (a marker older than
// its lease), a recount is owed, or the indexes were never built.
func (s *Store) RepairDue() (bool, error) {
	if !s.indexReady() {
		return true, nil
	}
	stale, _, err := s.markers()
	if err != nil || len(stale) > 0 {
		return true, err
	}
	var due []byte
	if err := s.kv.Get(recountDueKey, &due); err != nil {
		return true, err
	}
	return due != nil, nil
}

// MaintainIndexes builds, repairs, recounts, sweeps and syncs (see the
// file comment); each part is cheap when it has nothing to do.
func (s *Store) MaintainIndexes() (store.IndexReport, error) {
	var rep store.IndexReport
	// Interrupted writes first: a stale marker would otherwise hold up the
	// first build's count for ever (it counts only with no write in
	// flight), and the build derives the entries again anyway.
	n, err := s.repair()
	rep.Repaired = n
	if err != nil {
		return rep, err
	}
	if !s.indexReady() {
		if err := s.build(); err != nil {
			return rep, errors.Wrap(err, "building the indexes")
		}
		rep.Built, rep.Recounted = true, true
	}
	var due []byte
	if err := s.kv.Get(recountDueKey, &due); err != nil {
		return rep, err
	}
	if n > 0 || due != nil {
		ok := rep.Built // the build counted after the repair
		if !ok {
			if ok, err = s.recount(); err != nil {
				return rep, err
			}
		}
		rep.Recounted = ok
		if ok {
			_ = s.kv.Delete(recountDueKey)
		} else if _, err := s.kv.Set(recountDueKey, []byte("1")); err != nil {
			return rep, err
		}
	}
	if rep.Swept, err = s.sweepInvites(); err != nil {
		return rep, errors.Wrap(err, "sweeping expired invitations")
	}
	rep.ProfileSyn, err = s.syncProfiles()
	return rep, errors.Wrap(err, "following profile changes")
}

// repair finishes every write older than the lease: the entries of each
// marked record are derived again from the record as it is now, and the
// other keys the marker names are deleted. Counters are not moved here
// (the recount that follows sets them).
func (s *Store) repair() (int, error) {
	stale, _, err := s.markers()
	if err != nil {
		return 0, err
	}
	for _, mr := range stale {
		var desired []entry
		switch mr.m.Kind {
		case "g":
			g, err := s.GetGuest(mr.m.ID)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return 0, err
			}
			if err == nil {
				desired = guestEntries(g)
			}
		case "i":
			inv, err := s.GetInviteByHash(mr.m.ID)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return 0, err
			}
			if err == nil {
				desired = inviteEntries(inv, s.inviteRetention(inv), s.now())
			}
		}
		var named []entry
		for _, k := range mr.m.Keys {
			named = append(named, entry{key: k, counter: counterOf(k)})
		}
		if mr.m.Kind == "a" && len(mr.m.Keys) > 0 {
			// An audit entry is written once: its search entries are made
			// if the entry was (the marker names it first).
			var e store.AuditEntry
			if err := s.kv.Get(mr.m.Keys[0], &e); err != nil {
				return 0, errors.Wrap(err, "reading a marked audit entry")
			}
			if e.ID != "" {
				if err := s.applyEntries(nil, auditEntries(e), false); err != nil {
					return 0, err
				}
			}
		}
		if mr.m.Kind != "a" {
			if err := s.applyEntries(named, desired, false); err != nil {
				return 0, err
			}
			// Entries named by the marker and still wanted may be missing
			// (the write stopped before creating them): create them.
			if err := s.applyEntries(nil, desired, false); err != nil {
				return 0, err
			}
		}
		if err := s.kv.Delete(mr.key); err != nil {
			return 0, errors.Wrap(err, "removing a repaired marker")
		}
	}
	return len(stale), nil
}

// inviteRetention is the lifetime left to an invitation record, in
// seconds (what the app gives it: until InviteRetentionAfterExpiry after
// the invitation expires).
func (s *Store) inviteRetention(inv *store.Invite) int64 {
	left := max(0, (inv.ExpiresAt-s.now())/1000)
	return left + int64(InviteRetentionAfterExpiry/time.Second)
}

// recount sets every counter to the number of its entries. It counts only
// while no write is in flight (no marker before and after counting) and
// sets each counter by compare-and-set against the value read before
// counting: a write that starts after the count moves the counter from
// the value set, one that finished before is in the count, and one in
// between shows as a marker or a moved counter and makes it try again.
func (s *Store) recount() (bool, error) {
	for attempt := range 10 {
		if attempt > 0 {
			time.Sleep(time.Duration(attempt) * 100 * time.Millisecond)
		}
		if busy, err := s.writesInFlight(); err != nil || busy {
			if err != nil {
				return false, err
			}
			continue
		}
		before := map[string][]byte{}
		for name := range counterFamilies {
			var raw []byte
			if err := s.kv.Get(countPrefix+name, &raw); err != nil {
				return false, errors.Wrap(err, "reading a counter")
			}
			before[name] = raw
		}
		counts := map[string]int{}
		for name, q := range counterFamilies {
			n, err := s.countRows(q)
			if err != nil {
				return false, errors.Wrap(err, "counting index entries")
			}
			counts[name] = n
		}
		if busy, err := s.writesInFlight(); err != nil || busy {
			if err != nil {
				return false, err
			}
			continue
		}
		moved := false
		for name, raw := range before {
			var now []byte
			if err := s.kv.Get(countPrefix+name, &now); err != nil {
				return false, errors.Wrap(err, "reading a counter")
			}
			moved = moved || string(now) != string(raw)
		}
		if moved {
			continue
		}
		done := true
		for name, n := range counts {
			if v, _ := strconv.Atoi(string(before[name])); v == n && before[name] != nil {
				continue
			}
			ok, err := s.kv.Set(countPrefix+name, []byte(strconv.Itoa(n)), pluginapi.SetAtomic(before[name]))
			if err != nil {
				return false, errors.Wrap(err, "setting a counter")
			}
			done = done && ok
		}
		if done {
			return true, nil
		}
	}
	return false, nil
}

func (s *Store) writesInFlight() (bool, error) {
	rows, err := s.queryRows(rangeQuery{Prefix: markerPrefix, Limit: 1})
	return len(rows) > 0, err
}

// build makes every entry of every record (after an upgrade from a
// version without indexes, or when the version marker is gone), then
// counts and marks the indexes ready. Records written meanwhile keep
// their own entries right (index.go); each record built is read again
// after its entries are written, so a build never leaves entries of a
// record that changed under it. Interrupted, it starts over next time.
func (s *Store) build() error {
	var batch []string
	flush := func() error {
		profiles, err := s.lookupProfiles(batch)
		if err != nil {
			profiles = map[string]*store.Profile{}
		}
		// Each entry is a call to core: a few records at once keep the
		// database busy instead of waiting on each round trip.
		var g errgroup.Group
		g.SetLimit(buildWorkers)
		for _, id := range batch {
			g.Go(func() error { return s.buildGuest(id, profiles[id]) })
		}
		batch = batch[:0]
		return g.Wait()
	}
	err := s.ForEachGuest(func(g *store.Guest) error {
		batch = append(batch, g.UserID)
		if len(batch) == 100 {
			return flush()
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		err = flush()
	}
	if err != nil {
		return err
	}
	if err := s.ForEachInvite(func(inv *store.Invite) error {
		x := s.inviteIndexer(s.inviteRetention(inv))
		return x.converge(inv.TokenHash, inviteEntries(inv, s.inviteRetention(inv), s.now()))
	}); err != nil {
		return err
	}
	var audit errgroup.Group
	audit.SetLimit(buildWorkers)
	if err := s.walk(auditPrefix, func(key string, raw []byte) error {
		var e store.AuditEntry
		if err := json.Unmarshal(raw, &e); err != nil {
			return errors.Wrapf(err, "decoding audit entry %s", key)
		}
		audit.Go(func() error { return s.applyEntries(nil, auditEntries(e), false) })
		return nil
	}); err != nil {
		_ = audit.Wait()
		return err
	}
	if err := audit.Wait(); err != nil {
		return err
	}
	ok, err := s.recount()
	if err != nil {
		return err
	}
	if !ok {
		return errors.New("writes kept coming while counting; the build is retried")
	}
	if _, err := s.kv.Set(profileCursorKey, []byte(strconv.FormatInt(s.now(), 10))); err != nil {
		return err
	}
	if _, err := s.kv.Set(indexVersionKey, []byte(indexVersion)); err != nil {
		return errors.Wrap(err, "marking the indexes built")
	}
	return nil
}

// buildGuest gives a record its profile (compare-and-set: never over a
// concurrent write) and writes its entries.
func (s *Store) buildGuest(id string, p *store.Profile) error {
	var raw []byte
	if err := s.kv.Get(guestPrefix+id, &raw); err != nil {
		return errors.Wrap(err, "reading the guest record")
	}
	if raw == nil {
		return nil
	}
	var g store.Guest
	if err := json.Unmarshal(raw, &g); err != nil {
		return errors.Wrapf(err, "decoding the guest record of %s", id)
	}
	if g.Profile == nil && p != nil {
		g.Profile = p
		if _, err := s.kv.Set(guestPrefix+id, &g, pluginapi.SetAtomic(raw)); err != nil {
			return errors.Wrap(err, "saving the guest's profile")
		}
	}
	return s.guestIndexer().converge(id, guestEntries(&g))
}

// converge writes the entries derived from a record read earlier, then
// follows the record as it is now (no counter moves: a build or repair
// recounts).
func (x *indexer) converge(id string, desired []entry) error {
	if err := x.s.applyEntries(nil, desired, false); err != nil {
		return err
	}
	cur, err := x.current(id)
	if err != nil {
		return err
	}
	if sameKeys(cur, desired) {
		return nil
	}
	return x.s.applyEntries(desired, cur, false)
}

// syncProfiles follows the users core changed since the cursor: a guest
// whose username, email, names or nickname changed gets its profile and
// sorted entries rewritten (compare-and-set on the record).
func (s *Store) syncProfiles() (int, error) {
	if s.changedUsers == nil {
		return 0, nil
	}
	var raw []byte
	if err := s.kv.Get(profileCursorKey, &raw); err != nil {
		return 0, err
	}
	cursor, _ := strconv.ParseInt(string(raw), 10, 64)
	if cursor == 0 {
		cursor = s.now()
		_, err := s.kv.Set(profileCursorKey, []byte(strconv.FormatInt(cursor, 10)))
		return 0, err
	}
	latest, synced := cursor, 0
	for page := 0; ; page++ {
		users, err := s.changedUsers(cursor, page, profilePage)
		if err != nil {
			return synced, err
		}
		keys := make([]string, 0, len(users))
		for _, u := range users {
			keys = append(keys, guestPrefix+u.Id)
			latest = max(latest, u.UpdateAt)
		}
		records, err := s.valuesOf(keys)
		if err != nil {
			return synced, err
		}
		for _, u := range users {
			rec, ok := records[guestPrefix+u.Id]
			if !ok {
				continue
			}
			changed, err := s.syncProfile(rec, ProfileOf(u))
			if err != nil {
				return synced, err
			}
			if changed {
				synced++
			}
		}
		if len(users) < profilePage {
			break
		}
	}
	_, err := s.kv.Set(profileCursorKey, []byte(strconv.FormatInt(latest, 10)))
	return synced, err
}

func (s *Store) syncProfile(raw []byte, p *store.Profile) (bool, error) {
	var g store.Guest
	if err := json.Unmarshal(raw, &g); err != nil {
		return false, err
	}
	if g.Profile != nil && (g.Profile.UpdatedAt >= p.UpdatedAt || (g.Profile.Search == p.Search && g.Profile.Username == p.Username)) {
		return false, nil
	}
	old := g
	next := g
	next.Profile = p
	err := s.writeGuestIf(&old, &next, raw)
	if errors.Is(err, store.ErrConflict) {
		return false, nil // an app write got there first; it keeps the newer profile
	}
	return err == nil, err
}

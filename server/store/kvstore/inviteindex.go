package kvstore

import (
	"encoding/json"
	"strings"

	"github.com/pkg/errors"
	"golang.org/x/sync/errgroup"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// The invitations' index families (index.go), one set per stored record
// (a resend makes a new record under the same id):
//
//	ixi/c/<newest-first created>/<inviter>/<token hash>/<state><expiry>
//	ixi/p/<expiry>/<token hash>       open: pending and not yet expired
//	                                  (counted; swept once expired)
//
// state is p (pending or being accepted), a, r or s (accepted, revoked,
// superseded); "expired" is p with the expiry at or before now, which the
// list matches on the key's last 15 digits; an inviter's own are matched
// by the inviter in the key. The sorted family expires with the record
// (same retention) and carries the email as its value.
const (
	iCreated = "ixi/c/"
	iOpen    = "ixi/p/"

	counterPending = "ix-invites-pending"
)

func inviteState(inv *store.Invite) string {
	switch inv.Status {
	case store.InviteAccepted:
		return "a"
	case store.InviteRevoked:
		return "r"
	case store.InviteSuperseded:
		return "s"
	}
	return "p"
}

// inviteEntries are the index entries of an invitation at now (ms);
// retention is the record's (seconds).
func inviteEntries(inv *store.Invite, retention, now int64) []entry {
	if inv == nil {
		return nil
	}
	key := iCreated + num15(inv.CreatedAt, true) + "/" + inv.InviterID + "/" + inv.TokenHash + "/" + inviteState(inv) + num15(inv.ExpiresAt, false)
	email := []byte(strings.ToLower(inv.Email) + " ")
	es := []entry{{key: key, value: email, expire: retention}}
	if inviteState(inv) == "p" && inv.ExpiresAt > now {
		es = append(es, entry{key: iOpen + num15(inv.ExpiresAt, false) + "/" + inv.TokenHash, counter: counterPending})
	}
	return es
}

func (s *Store) inviteIndexer(retention int64) *indexer {
	return &indexer{s: s, kind: "i", current: func(hash string) ([]entry, error) {
		inv, err := s.GetInviteByHash(hash)
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil
		}
		return inviteEntries(inv, retention, s.now()), err
	}}
}

// indexInvite runs the index change of an invitation record write; also,
// when given, runs beside the entries.
//
// A new invitation needs no marker: its entries are written first (with
// the id index, all at once), then the record. A crash in between leaves
// entries that lead nowhere and go away by themselves: the sorted one
// expires with the record's retention, the open one is swept at the
// invitation's expiry (until then the open count is one high: the cap
// errs on the safe side); a list skips entries without their record.
func (s *Store) indexInvite(old, next *store.Invite, retention int64, write func() (bool, error), also func()) (bool, error) {
	now := s.now()
	oldE, newE := inviteEntries(old, retention, now), inviteEntries(next, retention, now)
	if old == nil {
		var g errgroup.Group
		if also != nil {
			g.Go(func() error { also(); return nil })
		}
		g.Go(func() error { return s.applyEntries(nil, newE, true) })
		if err := g.Wait(); err != nil {
			return false, err
		}
		ok, err := write()
		if err == nil && !ok {
			// Another record has this token hash (never, with random
			// tokens): take back the entries just made for this one.
			err = s.applyEntries(newE, nil, true)
		}
		return ok, err
	}
	x := s.inviteIndexer(retention)
	mk, raw, err := x.begin(next.TokenHash, union(oldE, newE))
	if err != nil {
		return false, err
	}
	ok, err := write()
	if err != nil || !ok {
		x.end(mk, raw)
		return ok, err
	}
	done, err := x.change(next.TokenHash, oldE, newE)
	if err != nil {
		return true, err
	}
	if also != nil {
		also()
	}
	if done {
		x.end(mk, raw)
	}
	return true, nil
}

// QueryInvites serves one page of invitations, newest first.
func (s *Store) QueryInvites(q store.InviteQuery) (*store.InvitePage, error) {
	if !s.indexReady() {
		return nil, ErrIndexNotReady
	}
	rq := rangeQuery{Prefix: iCreated, Offset: q.Page * q.PerPage, Limit: q.PerPage}
	inviter := "%"
	if q.InviterID != "" {
		inviter = iCreated + "_______________/" + q.InviterID + "/%"
	}
	const expiry = "_______________"
	now := num15(s.now(), false)
	rq.Like = inviter
	switch q.Status {
	case "":
		rq.NotLike = "%/s" + expiry
	case store.InvitePending, store.InviteAccepting:
		rq.Like, rq.SuffixAbove = inviter+"/p"+expiry, now
	case store.InviteExpired:
		rq.Like, rq.SuffixAtMost = inviter+"/p"+expiry, now
	case store.InviteAccepted, store.InviteRevoked, store.InviteSuperseded:
		rq.Like = inviter + "/" + inviteState(&store.Invite{Status: q.Status}) + expiry
	default:
		return nil, errors.Errorf("unknown invitation status %q", q.Status)
	}
	if text := strings.ToLower(strings.TrimSpace(q.Query)); text != "" {
		rq.ContainsAll = []string{text}
	}
	rows, err := s.queryRows(rq)
	if err != nil {
		return nil, errors.Wrap(err, "reading a page of invitations")
	}
	keys := make([]string, 0, len(rows))
	for _, r := range rows {
		parts := strings.Split(r.Key, "/")
		keys = append(keys, invitePrefix+parts[len(parts)-2])
	}
	values, err := s.valuesOf(keys)
	if err != nil {
		return nil, errors.Wrap(err, "reading the invitations of a page")
	}
	page := &store.InvitePage{Invites: []*store.Invite{}}
	for _, k := range keys {
		raw, ok := values[k]
		if !ok {
			continue
		}
		var inv store.Invite
		if err := json.Unmarshal(raw, &inv); err != nil {
			return nil, errors.Wrapf(err, "decoding the invitation %s", k)
		}
		inv.SetRaw(raw)
		page.Invites = append(page.Invites, &inv)
	}
	// Invitations live a week after their expiry: counting the selection
	// reads its index entries (no records).
	rq.Offset, rq.Limit = 0, 0
	page.Total, err = s.countRows(rq)
	return page, errors.Wrap(err, "counting invitations")
}

// PendingInvites is the counter of open entries less those that expired
// and are not yet swept: exact at now.
func (s *Store) PendingInvites(now int64) (int, error) {
	if !s.indexReady() {
		return 0, ErrIndexNotReady
	}
	n, err := s.Get(counterPending)
	if err != nil {
		return 0, err
	}
	expired, err := s.countRows(rangeQuery{Prefix: iOpen, To: num15(now+1, false)})
	if err != nil {
		return 0, err
	}
	return max(0, n-expired), nil
}

// sweepInvites removes the open entries of invitations that expired
// (compare-and-delete: the counter moves once per entry).
func (s *Store) sweepInvites() (int, error) {
	n := 0
	err := s.forEachEntry(rangeQuery{Prefix: iOpen, To: num15(s.now()+1, false)}, func(key string) error {
		if err := s.deleteEntry(entry{key: key, counter: counterPending}, true); err != nil {
			return err
		}
		n++
		return nil
	})
	return n, err
}

// InviteRows are the rows CreateInvite writes for an invitation at now
// (ms): the record, its id index and its index entries (not the counter);
// retention is the record's lifetime in seconds. For the benchmark's
// seeding.
func InviteRows(inv *store.Invite, retention, now int64) ([]KeyValue, error) {
	raw, err := json.Marshal(inv)
	if err != nil {
		return nil, err
	}
	out := []KeyValue{{Key: invitePrefix + inv.TokenHash, Value: raw}, {Key: inviteIDPrefix + inv.ID, Value: []byte(inv.TokenHash)}}
	for _, e := range inviteEntries(inv, retention, now) {
		v := e.value
		if e.counter != "" {
			v = []byte(countedValue)
		}
		out = append(out, KeyValue{Key: e.key, Value: v})
	}
	return out, nil
}

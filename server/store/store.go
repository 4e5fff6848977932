// Package store defines the plugin's persistent records and the interface
// the app layer uses to keep them. kvstore implements it on the plugin KV
// store; tests of pure app logic may use a small in-memory fake.
package store

import (
	"errors"
	"slices"
	"time"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
)

// ErrNotFound is returned when a record does not exist.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a compare-and-set lost a race.
var ErrConflict = errors.New("the record changed meanwhile")

// ErrIndexNotReady is returned by index reads until the indexes were
// built once (after an upgrade, in the background); callers fall back to
// walking the records.
var ErrIndexNotReady = errors.New("the indexes are being built")

// Deactivation reasons recorded on a guest.
const (
	ReasonNone           = ""
	ReasonAdmin          = "admin"
	ReasonSwitch         = "switch"
	ReasonPluginDisabled = "plugin_disabled"
	ReasonExpired        = "expired"
	ReasonDomain         = "domain"
	// ReasonCap: an automatic guest rule made the account a guest while the
	// maximum of active guests was reached.
	ReasonCap = "cap"
)

// Guest is the registry record of one guest: `guest/<userID>`.
type Guest struct {
	UserID        string           `json:"user_id"`
	InvitedBy     string           `json:"invited_by,omitempty"`
	CreatedAt     int64            `json:"created_at"`
	ExpiresAt     int64            `json:"expires_at,omitempty"`
	TeamIDs       []string         `json:"team_ids,omitempty"`
	ChannelIDs    []string         `json:"channel_ids,omitempty"`
	SingleChannel bool             `json:"single_channel,omitempty"`
	Restrictions  policy.Overrides `json:"restrictions"`
	// Deactivated says why the plugin (or an admin through it) deactivated
	// the guest; empty while active.
	Deactivated string `json:"deactivated,omitempty"`
	// ReminderSentAt is when the expiry reminder went out for ExpiresAt.
	ReminderSentAt int64 `json:"reminder_sent_at,omitempty"`
	// ExpiryNoticeDue is saved with the expiry's deactivation and cleared
	// just before the expiry is audited and the guest told: an expiry
	// interrupted in between (database outage, crash) leaves it set, and
	// the next run of the job finishes it.
	ExpiryNoticeDue bool `json:"expiry_notice_due,omitempty"`
	// MustChangePassword holds the guest's posting until they change the
	// password an admin set.
	MustChangePassword bool `json:"must_change_password,omitempty"`
	// PasswordSetAt is the user's LastPasswordUpdate when the admin set the
	// password; a later value means the guest changed it.
	PasswordSetAt int64 `json:"password_set_at,omitempty"`
	// RequireMFA overrides the MFA settings for this guest; nil follows them.
	RequireMFA *bool `json:"require_mfa,omitempty"`
	// Rule is the automatic guest rule that made the account a guest
	// ("member_domains", "sign_in_method"); empty when a person did.
	Rule string `json:"rule,omitempty"`
	// Profile is the store's copy of the user's names, for the guest
	// list's order and search; the store keeps it (SaveGuest keeps the
	// newer of the stored and the given one; a sync follows core's
	// changes). Callers may leave it nil.
	Profile *Profile `json:"profile,omitempty"`
	// LastActiveAt is when the plugin last recorded the guest signing
	// up, signing in or posting (ms; recorded at most every few minutes):
	// what the guest list sorts "last activity" by (TouchGuest keeps it;
	// SaveGuest keeps the later of the stored and the given one).
	LastActiveAt int64 `json:"last_active_at,omitempty"`
}

// Profile is what the guest list sorts and searches by.
type Profile struct {
	Username string `json:"username"`
	// Search is the lower-case text a search matches: username, email,
	// first and last name, nickname.
	Search string `json:"search"`
	// UpdatedAt is the user's UpdateAt when this was read.
	UpdatedAt int64 `json:"updated_at"`
}

// Settings are the record's per-guest settings (policy.GuestFields).
func (g *Guest) Settings() policy.GuestSettings {
	return policy.GuestSettings{ExpiresAt: g.ExpiresAt, SingleChannel: g.SingleChannel, Restrictions: g.Restrictions, RequireMFA: g.RequireMFA}
}

// Clone copies the record deeply: no slice or pointer is shared with g
// (the guest cache hands out copies of what it keeps).
func (g *Guest) Clone() *Guest {
	out := *g
	out.TeamIDs = slices.Clone(g.TeamIDs)
	out.ChannelIDs = slices.Clone(g.ChannelIDs)
	out.Restrictions = g.Restrictions.Clone()
	if g.RequireMFA != nil {
		v := *g.RequireMFA
		out.RequireMFA = &v
	}
	if g.Profile != nil {
		p := *g.Profile
		out.Profile = &p
	}
	return &out
}

// AuditEntry is one line of the audit log: `audit/<time>-<id>`.
type AuditEntry struct {
	ID       string `json:"id"`
	At       int64  `json:"at"`
	ActorID  string `json:"actor_id"`
	Action   string `json:"action"`
	TargetID string `json:"target_id"`
	Result   string `json:"result"`
	Details  string `json:"details,omitempty"`
}

// Guests keeps the guest registry.
type Guests interface {
	GetGuest(userID string) (*Guest, error)
	// SaveGuest writes the record unconditionally.
	SaveGuest(g *Guest) error
	DeleteGuest(userID string) error
	// TouchGuest records that the guest was active at (ms), unless a
	// later time is recorded.
	TouchGuest(userID string, at int64) error
	// ForEachGuest calls fn for every record, a page at a time, without
	// loading the registry into memory; fn returning an error stops it.
	ForEachGuest(fn func(*Guest) error) error
}

// ActiveGuests is the counter of active guests, which "Maximum active
// guests" is enforced against.
const ActiveGuests = "active-guests"

// Counters are cluster-exact integer counters (compare-and-set).
type Counters interface {
	// Reserve adds one to the counter if the result stays <= limit (limit 0
	// = unlimited) and reports whether it did.
	Reserve(name string, limit int) (bool, error)
	// Add adds delta (may be negative, never below zero).
	Add(name string, delta int) error
	Get(name string) (int, error)
	Set(name string, value int) error
	// CompareAndSet sets the counter to value only if it is still old.
	CompareAndSet(name string, old, value int) (bool, error)
}

// Audit keeps the audit log.
type Audit interface {
	AppendAudit(e AuditEntry) error
	// ListAudit returns entries newest first, from `since` (ms, 0 = all).
	ListAudit(since int64, page, perPage int) ([]AuditEntry, error)
}

// Invitation states.
const (
	InvitePending    = "pending"
	InviteAccepting  = "accepting"
	InviteAccepted   = "accepted"
	InviteRevoked    = "revoked"
	InviteSuperseded = "superseded"
	InviteExpired    = "expired" // derived: pending past ExpiresAt
)

// Invite is one invitation: `invite/<sha256(token)>`, indexed by id in
// `inviteid/<id>`. The raw token is never stored.
type Invite struct {
	ID             string   `json:"id"`
	TokenHash      string   `json:"token_hash"`
	Email          string   `json:"email"`
	ChannelIDs     []string `json:"channel_ids"`
	TeamIDs        []string `json:"team_ids"`
	InviterID      string   `json:"inviter_id"`
	Message        string   `json:"message,omitempty"`
	CreatedAt      int64    `json:"created_at"`
	ExpiresAt      int64    `json:"expires_at"`
	GuestExpiresAt int64    `json:"guest_expires_at,omitempty"`
	SingleChannel  bool     `json:"single_channel,omitempty"`
	Status         string   `json:"status"`
	// ClaimedAt is when an acceptance claimed the invite (status accepting);
	// a claim older than a few minutes is a crashed one and may be retaken.
	ClaimedAt  int64  `json:"claimed_at,omitempty"`
	AcceptedBy string `json:"accepted_by,omitempty"`

	// raw is the stored encoding, for compare-and-set.
	raw []byte
}

// Raw is the stored encoding the record was read from.
func (i *Invite) Raw() []byte { return i.raw }

// SetRaw records the stored encoding (store implementations only).
func (i *Invite) SetRaw(raw []byte) { i.raw = raw }

// StatusAt is the invitation's status at now (Unix ms): a pending or
// accepting invitation past its time is expired.
func (i *Invite) StatusAt(now int64) string {
	if (i.Status == InvitePending || i.Status == InviteAccepting) && i.ExpiresAt <= now {
		return InviteExpired
	}
	return i.Status
}

// OpenInvites counts the invitations still open at now (Unix ms); an
// unreadable store counts what it could read.
func OpenInvites(s Invites, now int64) int {
	// The index's counter when the store keeps one (kvstore), else every
	// invitation read.
	if p, ok := s.(interface {
		PendingInvites(now int64) (int, error)
	}); ok {
		if n, err := p.PendingInvites(now); err == nil {
			return n
		}
	}
	n := 0
	_ = s.ForEachInvite(func(inv *Invite) error {
		if st := inv.StatusAt(now); st == InvitePending || st == InviteAccepting {
			n++
		}
		return nil
	})
	return n
}

// Invites keeps invitations.
type Invites interface {
	// CreateInvite stores a new invitation (and its id index); retention is
	// how long the record lives in the store after creation.
	CreateInvite(inv *Invite, retention int64) error
	GetInviteByHash(hash string) (*Invite, error)
	GetInviteByID(id string) (*Invite, error)
	// UpdateInvite replaces old with next only if the stored record is still
	// old (compare-and-set); false means another writer got there first.
	UpdateInvite(old, next *Invite, retention int64) (bool, error)
	// ReindexInvite points the id at a new token hash (resend).
	ReindexInvite(id, hash string, retention int64) error
	ForEachInvite(fn func(*Invite) error) error
}

// Creations marks, for every node, the accounts the plugin is creating as
// guests right now: core creates an account as system_user, and the
// plugin gives it the guest role a moment later, so until the creation is
// over no node may let anyone sign in to it.
type Creations interface {
	// MarkCreating records that an account with this email is being
	// created; the mark lapses by itself after ttl.
	MarkCreating(email string, ttl time.Duration) error
	ClearCreating(email string) error
	IsCreating(email string) (bool, error)
}

// Guest list statuses and sorts (GuestQuery).
const (
	StatusActive      = "active"
	StatusDeactivated = "deactivated"
	StatusExpiring    = "expiring" // has an expiry date
	SortCreated       = "created_at"
	SortExpires       = "expires_at"
	SortUsername      = "username"
	SortLastActivity  = "last_activity"
)

// GuestQuery selects one page of the guest list.
type GuestQuery struct {
	Status string // "", StatusActive, StatusDeactivated, StatusExpiring
	// Sort: SortCreated (newest first), SortExpires (soonest first, none
	// last), SortUsername, SortLastActivity (LastActiveAt, latest first;
	// never active last).
	Sort string
	// Query: every word of it begins a word of the username, email,
	// names or nickname (search.go).
	Query   string
	Page    int
	PerPage int
}

// GuestPage is one page of guests and how many the query selects.
type GuestPage struct {
	Guests []*Guest
	Total  int
	// TotalCapped: a search found more than Total (which it stops
	// counting at).
	TotalCapped bool
}

// GuestCounts are the registry's counts, kept as records change.
type GuestCounts struct {
	Active      int
	Deactivated int
	Expiring    int
	// MFARequired: some active guest's own setting requires MFA.
	MFARequired bool
}

// InviteQuery selects one page of invitations, newest first.
type InviteQuery struct {
	InviterID string // "" = everyone's
	// Status: "" (all but superseded), or one of the invitation states
	// (InviteExpired: pending past its time; pending includes accepting).
	Status  string
	Query   string // lower-cased, inside the email
	Page    int
	PerPage int
}

// InvitePage is one page of invitations and how many the query selects.
type InvitePage struct {
	Invites []*Invite
	Total   int
}

// AuditQuery selects one page of the audit log.
type AuditQuery struct {
	Since int64 // ms; 0 = all
	// Query: every word of it begins a word of the entry's action, actor
	// and target ids, result or details (search.go).
	Query   string
	Oldest  bool // oldest first; default newest first
	Page    int
	PerPage int
}

// AuditPage is one page of the audit log and how many entries the query
// selects.
type AuditPage struct {
	Entries []AuditEntry
	Total   int
	// TotalCapped: a search found more than Total (which it stops
	// counting at).
	TotalCapped bool
}

// IndexReport is what one index maintenance run did.
type IndexReport struct {
	Built      bool `json:"built"`
	Repaired   int  `json:"repaired"`
	Recounted  bool `json:"recounted"`
	Swept      int  `json:"swept_invitations"`
	ProfileSyn int  `json:"profiles_synced"`
}

// Indexes serve the admin's lists and counts without reading every
// record (kvstore/index.go). Reads return ErrIndexNotReady until the
// first build finished.
type Indexes interface {
	QueryGuests(q GuestQuery) (*GuestPage, error)
	GuestCounts() (GuestCounts, error)
	// ForEachGuestExpiringBy calls fn with every guest whose expiry date is
	// at or before until (ms).
	ForEachGuestExpiringBy(until int64, fn func(*Guest) error) error
	// ForEachGuestID calls fn with the id of every guest that is active
	// (status StatusActive) or deactivated for one of reasons; fn may
	// change records.
	ForEachGuestID(status string, reasons []string, fn func(userID string) error) error
	QueryInvites(q InviteQuery) (*InvitePage, error)
	// PendingInvites counts invitations still open at now (ms).
	PendingInvites(now int64) (int, error)
	QueryAudit(q AuditQuery) (*AuditPage, error)
	// IndexReady reports whether the indexes were built.
	IndexReady() bool
	// RepairDue reports whether a write was interrupted (a marker older
	// than its lease) or the indexes were never built.
	RepairDue() (bool, error)
	// MaintainIndexes builds the indexes if they never were, repairs
	// interrupted writes, sweeps expired invitations and follows changed
	// user profiles; cheap when there is nothing to do.
	MaintainIndexes() (IndexReport, error)
}

// Store is everything the app layer persists.
type Store interface {
	Guests
	Counters
	Audit
	Invites
	Creations
	Indexes
}

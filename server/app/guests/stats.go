package guests

import (
	"errors"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// EditionLimit is one capability and whether the plugin enforces it on the
// running edition.
type EditionLimit struct {
	Capability string `json:"capability"`
	Enforced   bool   `json:"enforced"`
	Note       string `json:"note"`
}

// Stats are the dashboard's counts against the caps.
type Stats struct {
	ActiveGuests         int            `json:"active_guests"`
	DeactivatedGuests    int            `json:"deactivated_guests"`
	PendingInvitations   int            `json:"pending_invitations"`
	MaxActiveGuests      int            `json:"max_active_guests"`
	MaxChannelsPerGuest  int            `json:"max_channels_per_guest"`
	GuestAccountsEnabled bool           `json:"guest_accounts_enabled"`
	Edition              string         `json:"edition"`
	EditionLimits        []EditionLimit `json:"edition_limits"`
	ConfigurationError   string         `json:"configuration_error,omitempty"`
	// JoinEnforcement is "before" (veto hooks, 11.7+) or "after" (undo).
	JoinEnforcement string `json:"join_enforcement"`
	// MFAWarning says MFA is required of guests while the server has MFA
	// turned off; "" otherwise.
	MFAWarning string `json:"mfa_warning"`
	// IndexReady is false while the indexes are first built after an
	// upgrade (lists and counts then read every record).
	IndexReady bool `json:"index_ready"`
}

// Stats counts the registry.
func (s *Service) Stats() (*Stats, error) {
	settings := s.kit.Settings()
	st := &Stats{
		MaxActiveGuests:      settings.MaxActiveGuests,
		MaxChannelsPerGuest:  settings.MaxChannelsPerGuest,
		GuestAccountsEnabled: settings.EnableGuestAccounts,
		Edition:              "unlicensed",
		EditionLimits:        s.EditionLimits(),
		ConfigurationError:   s.kit.ConfigError(),
		JoinEnforcement:      s.kit.JoinEnforcement(),
		IndexReady:           s.store.IndexReady(),
	}
	if s.kit.Licensed() {
		st.Edition = "licensed"
	}
	// The counters kept with the records; until the indexes are built
	// (just after an upgrade), every record read.
	mfaOverride := false
	c, err := s.store.GuestCounts()
	switch {
	case err == nil:
		st.DeactivatedGuests, mfaOverride = c.Deactivated, c.MFARequired
	case errors.Is(err, store.ErrIndexNotReady):
		err = s.countGuestsByWalk(st, &mfaOverride)
	}
	if err != nil {
		return nil, err
	}
	st.MFAWarning = s.mfaWarning(mfaOverride)
	// The counter is what the cap is enforced against, so it is what the
	// dashboard shows.
	if st.ActiveGuests, err = s.store.Get(store.ActiveGuests); err != nil {
		return nil, err
	}
	st.PendingInvitations = store.OpenInvites(s.store, s.kit.Now().UnixMilli())
	return st, nil
}

// countGuestsByWalk counts deactivated guests and MFA overrides by reading
// every record (until the indexes are built).
func (s *Service) countGuestsByWalk(st *Stats, mfaOverride *bool) error {
	return s.store.ForEachGuest(func(g *store.Guest) error {
		if g.Deactivated != store.ReasonNone {
			st.DeactivatedGuests++
		}
		if g.Deactivated == store.ReasonNone && g.RequireMFA != nil && *g.RequireMFA {
			*mfaOverride = true
		}
		return nil
	})
}

// EditionLimits lists what the plugin cannot stop on this edition and
// server version (measured on 11.4 unlicensed; see the README's "Edition
// limits").
func (s *Service) EditionLimits() []EditionLimit {
	limits := []EditionLimit{}
	if !s.kit.Licensed() {
		limits = append(limits,
			EditionLimit{Capability: "list_users", Enforced: false, Note: s.kit.Tr("", "guest_accounts.stats.limit_list_users", "Guests can list the user directory (GET /users); core offers no hook to filter it on this edition.")},
			EditionLimit{Capability: "create_direct_channel", Enforced: false, Note: s.kit.Tr("", "guest_accounts.stats.limit_create_direct_channel", "Guests can create a direct message channel with anyone; posting in it is refused unless they share a channel.")},
		)
	}
	if !s.kit.DownloadHook() {
		// A licence does not help: core's guest role has no download
		// permission of its own.
		limits = append(limits, EditionLimit{Capability: "download_files", Enforced: false, Note: s.kit.Tr("", "guest_accounts.stats.limit_download_files",
			"\"Guests may download files\" is not enforced: this server (%s) has no download hook; it needs Mattermost 11.5 or later. Guests can download every file in their channels.", s.kit.ServerVersion())})
	}
	return limits
}

// mfaWarning is the System Console warning: MFA is required of guests
// (settings, or anyGuestOverride) but the server has MFA turned off, so
// those guests cannot set it up and cannot post.
func (s *Service) mfaWarning(anyGuestOverride bool) string {
	if !policy.MFAConfigured(s.kit.Settings()) && !anyGuestOverride {
		return ""
	}
	if s.kit.ServerMFAEnabled() {
		return ""
	}
	return s.kit.Tr("", "guest_accounts.stats.mfa_warning", "Guests are required to use multi-factor authentication, but it is turned off on this server: those guests cannot set it up and cannot post or upload. Turn it on in System Console > Authentication > MFA.")
}

// ListAudit returns audit entries, newest first.
func (s *Service) ListAudit(since int64, page, perPage int) ([]store.AuditEntry, error) {
	return s.store.ListAudit(since, page, perPage)
}

// AuditList is one page of the audit log and how many entries match.
type AuditList struct {
	Entries []store.AuditEntry `json:"entries"`
	Total   int                `json:"total"`
}

// QueryAudit returns one page of the audit log (GET /audit): a range of
// its time-ordered keys, newest or oldest first, searched when asked.
func (s *Service) QueryAudit(q store.AuditQuery) (*AuditList, error) {
	page, err := s.store.QueryAudit(q)
	if err != nil {
		return nil, err
	}
	return &AuditList{Entries: page.Entries, Total: page.Total}, nil
}

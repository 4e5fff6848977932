package guests

import (
	"errors"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/memberships"
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
	// GuestRole is the system role guests hold outside role windows, and
	// whether they fell back to system_user (see guestrole.go).
	GuestRole GuestRole `json:"guest_role"`
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
		GuestRole:            s.GuestRole(),
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

// EditionLimits lists, per capability, whether the plugin (with core)
// keeps guests from it on this edition and server version (measured on
// 11.4 unlicensed; see the README's "Edition limits").
func (s *Service) EditionLimits() []EditionLimit {
	limits := []EditionLimit{}
	if !s.kit.Licensed() {
		limits = append(limits, s.guestRoleLimits()...)
		limits = append(limits, EditionLimit{Capability: "sign_in_window", Enforced: false, Note: s.kit.Tr("", "guest_accounts.stats.limit_sign_in_window",
			"A team join through a leaked invite link sent within milliseconds of a guest signing in can pass before the plugin marks the new session as a guest's; the plugin then removes the membership and archives any channel made through it.")})
	}
	limits = append(limits, EditionLimit{Capability: "dm_former_contacts", Enforced: false, Note: s.kit.Tr("", "guest_accounts.stats.limit_dm_former_contacts",
		"In a direct or group message with someone who no longer shares a channel with them, guests can still show that they are typing, and on servers before 11.8 set its header with PUT /channels/{id}; their posts, uploads, header-change posts and reactions there are refused.")})
	if !s.kit.DownloadHook() {
		// A licence does not help: core's guest role has no download
		// permission of its own.
		limits = append(limits, EditionLimit{Capability: "download_files", Enforced: false, Note: s.kit.Tr("", "guest_accounts.stats.limit_download_files",
			"\"Guests may download files\" is not enforced: this server (%s) has no download hook; it needs Mattermost 11.5 or later. Guests can download every file in their channels.", s.kit.ServerVersion())})
	}
	return limits
}

// guestRoleLimits are the unlicensed limits that depend on the dedicated
// guest role: with it core refuses guests teams, strangers and new
// channels before the fact; without it (fallback) guests hold system_user.
func (s *Service) guestRoleLimits() []EditionLimit {
	if s.guestRoleInForce() {
		return []EditionLimit{
			{Capability: "guest_role", Enforced: true, Note: s.kit.Tr("", "guest_accounts.stats.role_in_force",
				"Guests hold the dedicated system role %s, a copy of system_guest's permissions: core itself refuses them creating or listing teams, joining open teams and creating channels, before the fact.", memberships.GuestRoleName)},
			{Capability: "list_users", Enforced: true, Note: s.kit.Tr("", "guest_accounts.stats.role_list_users",
				"Core refuses guests the profiles of people they share no channel with, and leaves those people out of the directory and autocomplete.")},
			{Capability: "create_direct_channel", Enforced: true, Note: s.kit.Tr("", "guest_accounts.stats.role_create_direct_channel",
				"Core refuses guests a direct or group message with anyone they share no channel with.")},
		}
	}
	return []EditionLimit{
		{Capability: "guest_role", Enforced: false, Note: s.kit.Tr("", "guest_accounts.stats.role_fallback",
			"The dedicated guest role %s cannot be used (%s), so guests hold system_user: core lets them create teams, join open teams, list the user directory and open direct messages with anyone, and the plugin can only undo joins after the fact. Remove the cause, then disable and enable the plugin.",
			memberships.GuestRoleName, s.members.RoleStatus().Problem)},
		{Capability: "list_users", Enforced: false, Note: s.kit.Tr("", "guest_accounts.stats.limit_list_users", "Guests can list the user directory (GET /users); core offers no hook to filter it on this edition.")},
		{Capability: "create_direct_channel", Enforced: false, Note: s.kit.Tr("", "guest_accounts.stats.limit_create_direct_channel", "Guests can create a direct message channel with anyone; posting in it is refused unless they share a channel.")},
	}
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
	// TotalCapped: a search matched more than total (it stops counting).
	TotalCapped bool `json:"total_capped,omitempty"`
}

// QueryAudit returns one page of the audit log (GET /audit): a range of
// its time-ordered keys, newest or oldest first, searched when asked.
func (s *Service) QueryAudit(q store.AuditQuery) (*AuditList, error) {
	page, err := s.store.QueryAudit(q)
	if err != nil {
		return nil, err
	}
	return &AuditList{Entries: page.Entries, Total: page.Total, TotalCapped: page.TotalCapped}, nil
}

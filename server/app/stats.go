package app

import (
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
func (a *App) Stats() (*Stats, error) {
	s := a.settings()
	st := &Stats{
		MaxActiveGuests:      s.MaxActiveGuests,
		MaxChannelsPerGuest:  s.MaxChannelsPerGuest,
		GuestAccountsEnabled: s.EnableGuestAccounts,
		Edition:              "unlicensed",
		EditionLimits:        a.EditionLimits(),
		ConfigurationError:   a.cfgError(),
		JoinEnforcement:      a.JoinEnforcement(),
		IndexReady:           a.store.IndexReady(),
	}
	if a.Licensed() {
		st.Edition = "licensed"
	}
	mfaOverride, counted, err := a.guestCountsForStats(st)
	if err != nil {
		return nil, err
	}
	if !counted {
		err = a.countGuestsByWalk(st, &mfaOverride)
	}
	if err != nil {
		return nil, err
	}
	st.MFAWarning = a.mfaWarning(mfaOverride)
	// The counter is what the cap is enforced against, so it is what the
	// dashboard shows.
	if st.ActiveGuests, err = a.store.Get(activeCounter); err != nil {
		return nil, err
	}
	st.PendingInvitations = a.countPending()
	return st, nil
}

// countGuestsByWalk counts deactivated guests and MFA overrides by reading
// every record (until the indexes are built).
func (a *App) countGuestsByWalk(st *Stats, mfaOverride *bool) error {
	return a.store.ForEachGuest(func(g *store.Guest) error {
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
func (a *App) EditionLimits() []EditionLimit {
	limits := []EditionLimit{}
	if !a.Licensed() {
		limits = append(limits,
			EditionLimit{Capability: "list_users", Enforced: false, Note: a.Tr("", "guest_accounts.stats.limit_list_users", "Guests can list the user directory (GET /users); core offers no hook to filter it on this edition.")},
			EditionLimit{Capability: "create_direct_channel", Enforced: false, Note: a.Tr("", "guest_accounts.stats.limit_create_direct_channel", "Guests can create a direct message channel with anyone; posting in it is refused unless they share a channel.")},
		)
	}
	if !a.downloadHook {
		// A licence does not help: core's guest role has no download
		// permission of its own.
		limits = append(limits, EditionLimit{Capability: "download_files", Enforced: false, Note: a.Tr("", "guest_accounts.stats.limit_download_files",
			"\"Guests may download files\" is not enforced: this server (%s) has no download hook; it needs Mattermost 11.5 or later. Guests can download every file in their channels.", a.api.GetServerVersion())})
	}
	return limits
}

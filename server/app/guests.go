package app

import (
	"errors"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// activeCounter counts active guests, exactly, across the cluster.
const activeCounter = "active-guests"

// Guest is the API view of a guest (docs/api.md).
type Guest struct {
	UserID               string              `json:"user_id"`
	Username             string              `json:"username"`
	Email                string              `json:"email"`
	FirstName            string              `json:"first_name"`
	LastName             string              `json:"last_name"`
	Nickname             string              `json:"nickname"`
	Position             string              `json:"position"`
	Status               string              `json:"status"`
	DeactivatedReason    string              `json:"deactivated_reason"`
	InvitedBy            string              `json:"invited_by"`
	CreatedAt            int64               `json:"created_at"`
	ExpiresAt            int64               `json:"expires_at"`
	LastActivityAt       int64               `json:"last_activity_at"`
	SingleChannel        bool                `json:"single_channel"`
	ChannelIDs           []string            `json:"channel_ids"`
	Restrictions         policy.Restrictions `json:"restrictions"`
	RestrictionOverrides policy.Overrides    `json:"restriction_overrides"`
	// RequireMFA is whether the guest needs MFA (override, settings, teams);
	// RequireMFAOverride is the guest's own value (null follows the settings).
	RequireMFA         bool  `json:"require_mfa"`
	RequireMFAOverride *bool `json:"require_mfa_override"`
	MFAActive          bool  `json:"mfa_active"`
	// Rule is the automatic guest rule that made the account a guest.
	Rule string `json:"rule"`
	// ReminderSentAt is when the expiry reminder went out (0: not yet).
	ReminderSentAt int64 `json:"reminder_sent_at"`
}

// guestView joins the registry record with the Mattermost user.
func (a *App) guestView(g *store.Guest, u *model.User) *Guest {
	v := &Guest{
		UserID:               g.UserID,
		InvitedBy:            g.InvitedBy,
		CreatedAt:            g.CreatedAt,
		ExpiresAt:            g.ExpiresAt,
		SingleChannel:        g.SingleChannel,
		ChannelIDs:           g.ChannelIDs,
		DeactivatedReason:    g.Deactivated,
		Status:               "active",
		Restrictions:         policy.Effective(a.settings().DefaultRestrictions, g.Restrictions),
		RestrictionOverrides: g.Restrictions,
		RequireMFAOverride:   g.RequireMFA,
		Rule:                 g.Rule,
		ReminderSentAt:       g.ReminderSentAt,
	}
	if v.ChannelIDs == nil {
		v.ChannelIDs = []string{}
	}
	if g.Deactivated != store.ReasonNone {
		v.Status = "deactivated"
	}
	if u != nil {
		v.Username, v.Email = u.Username, u.Email
		v.FirstName, v.LastName, v.Nickname, v.Position = u.FirstName, u.LastName, u.Nickname, u.Position
		v.LastActivityAt = u.LastActivityAt
		v.MFAActive = u.MfaActive
		if u.DeleteAt != 0 {
			v.Status = "deactivated"
			if v.DeactivatedReason == "" {
				v.DeactivatedReason = store.ReasonAdmin
			}
		}
	}
	v.RequireMFA = a.guestNeedsMFA(g)
	return v
}

// getGuest returns the record, or a 404 naming the user.
func (a *App) getGuest(userID string) (*store.Guest, error) {
	g, err := a.store.GetGuest(userID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNotFound("guest_not_found", "User %s is not a guest.", userID)
	}
	return g, err
}

// GetGuest returns the API view of one guest.
func (a *App) GetGuest(userID string) (*Guest, error) {
	if !policy.PlainID(userID) {
		return nil, errBadRequest("invalid_user_id", "user_id", "%q is not a valid user id.", userID)
	}
	g, err := a.getGuest(userID)
	if err != nil {
		return nil, err
	}
	u, appErr := a.api.GetUser(userID)
	if appErr != nil {
		return nil, appErr
	}
	return a.guestView(g, u), nil
}

// publishGuestsChanged tells every client that these users' guest status
// changed (badges, indicators).
func (a *App) publishGuestsChanged(userIDs ...string) {
	ids := ""
	for i, id := range userIDs {
		if i > 0 {
			ids += ","
		}
		ids += id
	}
	a.api.PublishWebSocketEvent("guests_changed", map[string]any{"user_ids": ids}, &model.WebsocketBroadcast{})
}

// recountSettle is how long RecountActive watches a counter that
// disagrees with the registry before correcting it.
var recountSettle = 3 * time.Second

// RecountActive corrects the active-guest counter from the registry (at
// activation, so the counter heals after a crash, which can only leave it
// too high). On a cluster other nodes may be between a counter change and
// the registry write that goes with it (an acceptance reserves its place
// before the account exists), so a counter that disagrees is corrected
// only if neither it nor the registry moved for recountSettle, and only by
// compare-and-set. Measured on two nodes: an unconditional set at one
// node's start undid an expiry another node made meanwhile.
func (a *App) RecountActive() (int, error) {
	n, c, err := a.activeCounts()
	if err != nil || n == c {
		return n, err
	}
	time.Sleep(recountSettle)
	n2, c2, err := a.activeCounts()
	if err != nil {
		return 0, err
	}
	if n2 != n || c2 != c {
		a.api.LogInfo("Guest Accounts: the active-guest counter is in use; not recounted", "counter", c2, "registry", n2)
		return c2, nil
	}
	ok, err := a.store.CompareAndSet(activeCounter, c, n)
	if err != nil {
		return 0, err
	}
	if !ok {
		return c, nil
	}
	a.api.LogWarn("Guest Accounts: the active-guest counter was corrected from the registry", "was", c, "now", n)
	return n, nil
}

// activeCounts returns the active guests in the registry (the index's
// counter; a walk until the indexes are built) and the cap's counter.
func (a *App) activeCounts() (registry, counter int, err error) {
	if n, ok, err := a.registryActiveCount(); err != nil || ok {
		if err != nil {
			return 0, 0, err
		}
		counter, err = a.store.Get(activeCounter)
		return n, counter, err
	}
	err = a.store.ForEachGuest(func(g *store.Guest) error {
		if g.Deactivated == store.ReasonNone {
			registry++
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	counter, err = a.store.Get(activeCounter)
	return registry, counter, err
}

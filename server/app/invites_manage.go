package app

import (
	"crypto/rand"
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

type timeDuration = time.Duration

func hours(n int) time.Duration { return time.Duration(n) * time.Hour }

func itoa(n int) string { return strconv.Itoa(n) }

// publishChannelGuestsChanged tells the members of each channel that its
// guests changed (a guest joined, left, was removed, promoted, deactivated
// or reactivated). guest_count is what GET /channels/{id}/guests answers
// now: active guests only. Each channel is published once.
func (a *App) publishChannelGuestsChanged(channelIDs ...string) {
	seen := make(map[string]bool, len(channelIDs))
	for _, id := range channelIDs {
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		guests, appErr := a.activeChannelGuests(id)
		if appErr != nil {
			a.api.LogWarn("Guest Accounts: could not count a channel's guests for the live indicator", "channel_id", id, "error", appErr.Error())
			continue
		}
		a.api.PublishWebSocketEvent("channel_guests_changed", map[string]any{"channel_id": id, "guest_count": len(guests)},
			&model.WebsocketBroadcast{ChannelId: id})
	}
}

// ListInvites lists invitations, newest first, a page at a time: the
// caller's own, or all for an admin.
func (a *App) ListInvites(actorID string, q InviteListQuery) (*InviteList, error) {
	status := q.Status
	switch status {
	case "", store.InvitePending, store.InviteAccepted, store.InviteRevoked, store.InviteExpired, store.InviteSuperseded:
	default:
		return nil, errBadRequest("invalid_invite_status", "status", "status: one of pending, accepted, revoked, expired, superseded.")
	}
	if q.PerPage <= 0 {
		q.PerPage = 50
	}
	if q.PerPage > 200 || q.Page < 0 || q.Page > 100000 {
		return nil, errBadRequest("invalid_paging", "per_page", "per_page: 1 to 200; page: 0 or more.")
	}
	isAdmin := a.IsSystemAdmin(actorID)
	if !isAdmin {
		if isGuest, err := a.IsGuest(actorID); err != nil || isGuest {
			return nil, errForbidden("guest", "Guests cannot see invitations.")
		}
	}
	if out, err := a.listInvitesIndexed(actorID, isAdmin, q); !errors.Is(err, store.ErrIndexNotReady) {
		return out, err
	}
	// Indexes not built yet: read every invitation.
	query := strings.ToLower(strings.TrimSpace(q.Query))
	out := []*InviteView{}
	err := a.store.ForEachInvite(func(inv *store.Invite) error {
		if !isAdmin && inv.InviterID != actorID {
			return nil
		}
		v := a.inviteView(inv)
		if v.Status == store.InviteAccepting {
			v.Status = store.InvitePending
		}
		if ((status == "" && v.Status != store.InviteSuperseded) || v.Status == status) && strings.Contains(strings.ToLower(v.Email), query) {
			out = append(out, v)
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].CreatedAt > out[j].CreatedAt })
	list := &InviteList{Invites: []*InviteView{}, Total: len(out)}
	if start := q.Page * q.PerPage; start < len(out) {
		list.Invites = out[start:min(start+q.PerPage, len(out))]
	}
	return list, err
}

// inviteForManager reads an invitation the actor may manage (its inviter,
// or a system admin).
func (a *App) inviteForManager(actorID, id string) (*store.Invite, error) {
	if !policy.PlainID(id) {
		return nil, errBadRequest("invalid_invite_id", "id", "%q is not a valid invitation id.", id)
	}
	inv, err := a.store.GetInviteByID(id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNotFound("invite_not_found", "No invitation %s.", id)
	}
	if err != nil {
		return nil, err
	}
	if inv.InviterID != actorID && !a.IsSystemAdmin(actorID) {
		return nil, errNotFound("invite_not_found", "No invitation %s.", id)
	}
	return inv, nil
}

// RevokeInvite kills an invitation's link at once.
func (a *App) RevokeInvite(actorID, id string) (*InviteView, error) {
	var out *InviteView
	err := func() error {
		inv, err := a.inviteForManager(actorID, id)
		if err != nil {
			return err
		}
		if inv.Status != store.InvitePending {
			return errConflict("invite_not_pending", "The invitation is %s and cannot be revoked.", a.inviteStatus(inv))
		}
		next := *inv
		next.Status = store.InviteRevoked
		ok, err := a.store.UpdateInvite(inv, &next, a.retention(&next))
		if err != nil {
			return err
		}
		if !ok {
			return errConflict("invite_changed", "The invitation changed meanwhile (it may have just been accepted); reload and try again.")
		}
		out = a.inviteView(&next)
		return nil
	}()
	a.Audit(actorID, "revoke_invite", id, result(err), "")
	return out, err
}

// ResendInvite sends a new link; the old one dies at once.
func (a *App) ResendInvite(actorID, id string) (*InviteView, error) {
	var out *InviteView
	err := func() error {
		if !a.settings().EnableGuestAccounts {
			return errDisabled
		}
		inv, err := a.inviteForManager(actorID, id)
		if err != nil {
			return err
		}
		if inv.Status != store.InvitePending {
			return errConflict("resend_not_allowed", "Only pending or expired invitations can be resent (this one is %s).", inv.Status)
		}
		if ok, _ := a.domainAllowed(inv.Email); !ok {
			return errForbidden("resend_domain_not_allowed", "The domain of %s is no longer allowed.", inv.Email)
		}
		old := *inv
		old.Status = store.InviteSuperseded
		ok, err := a.store.UpdateInvite(inv, &old, a.retention(&old))
		if err != nil {
			return err
		}
		if !ok {
			return errConflict("invite_changed", "The invitation changed meanwhile (it may have just been accepted); reload and try again.")
		}
		rawToken, hash, err := policy.NewToken(rand.Reader)
		if err != nil {
			return err
		}
		now := a.Now()
		next := *inv
		next.TokenHash = hash
		next.Status = store.InvitePending
		next.CreatedAt = now.UnixMilli()
		next.ExpiresAt = now.Add(a.settings().InvitationLifetime).UnixMilli()
		next.ClaimedAt = 0
		if err := a.store.CreateInvite(&next, a.retention(&next)); err != nil {
			return err
		}
		inviter, appErr := a.api.GetUser(inv.InviterID)
		if appErr != nil {
			return appErr
		}
		if err := a.sendInvitation(inviter, &next, rawToken, true); err != nil {
			return err
		}
		out = a.inviteView(&next)
		return nil
	}()
	a.Audit(actorID, "resend_invite", id, result(err), "")
	return out, err
}

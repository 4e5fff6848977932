package invites

import (
	"crypto/rand"
	"errors"
	"sort"
	"strings"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// InviteListQuery is GET /invites.
type InviteListQuery struct {
	Status  string
	Query   string
	Page    int
	PerPage int
}

// InviteList is one page of invitations and how many match.
type InviteList struct {
	Invites []*InviteView `json:"invites"`
	Total   int           `json:"total"`
}

// ListInvites lists invitations, newest first, a page at a time: the
// caller's own, or all for an admin. The store's index serves it (one
// range query for the page); until the indexes are built, every
// invitation is read.
func (s *Service) ListInvites(actorID string, q InviteListQuery) (*InviteList, error) {
	status := q.Status
	switch status {
	case "", store.InvitePending, store.InviteAccepted, store.InviteRevoked, store.InviteExpired, store.InviteSuperseded:
	default:
		return nil, app.ErrBadRequest("invalid_invite_status", "status", "status: one of pending, accepted, revoked, expired, superseded.")
	}
	if q.PerPage <= 0 {
		q.PerPage = 50
	}
	if q.PerPage > 200 || q.Page < 0 || q.Page > 100000 {
		return nil, app.ErrBadRequest("invalid_paging", "per_page", "per_page: 1 to 200; page: 0 or more.")
	}
	isAdmin := s.kit.IsSystemAdmin(actorID)
	if !isAdmin {
		if isGuest, err := s.kit.IsGuest(actorID); err != nil || isGuest {
			return nil, app.ErrForbidden("guest", "Guests cannot see invitations.")
		}
	}
	if out, err := s.listInvitesIndexed(actorID, isAdmin, q); !errors.Is(err, store.ErrIndexNotReady) {
		return out, err
	}
	query := strings.ToLower(strings.TrimSpace(q.Query))
	out := []*InviteView{}
	err := s.store.ForEachInvite(func(inv *store.Invite) error {
		if !isAdmin && inv.InviterID != actorID {
			return nil
		}
		v := s.inviteView(inv)
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

// listInvitesIndexed is ListInvites from the store's index (an inviter's
// own through the inviter in the key).
func (s *Service) listInvitesIndexed(actorID string, isAdmin bool, q InviteListQuery) (*InviteList, error) {
	sq := store.InviteQuery{Status: q.Status, Query: q.Query, Page: q.Page, PerPage: q.PerPage}
	if !isAdmin {
		sq.InviterID = actorID
	}
	page, err := s.store.QueryInvites(sq)
	if err != nil {
		return nil, err
	}
	out := &InviteList{Invites: make([]*InviteView, 0, len(page.Invites)), Total: page.Total}
	for _, inv := range page.Invites {
		v := s.inviteView(inv)
		if v.Status == store.InviteAccepting {
			v.Status = store.InvitePending
		}
		out.Invites = append(out.Invites, v)
	}
	return out, nil
}

// inviteForManager reads an invitation the actor may manage (its inviter,
// or a system admin).
func (s *Service) inviteForManager(actorID, id string) (*store.Invite, error) {
	if !policy.PlainID(id) {
		return nil, app.ErrBadRequest("invalid_invite_id", "id", "%q is not a valid invitation id.", id)
	}
	inv, err := s.store.GetInviteByID(id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, app.ErrNotFound("invite_not_found", "No invitation %s.", id)
	}
	if err != nil {
		return nil, err
	}
	if inv.InviterID != actorID && !s.kit.IsSystemAdmin(actorID) {
		return nil, app.ErrNotFound("invite_not_found", "No invitation %s.", id)
	}
	return inv, nil
}

// setStatus moves an invitation a manager acts on to status, by
// compare-and-set: one that changed meanwhile (just accepted, say) is a
// conflict.
func (s *Service) setStatus(inv *store.Invite, status string) (*store.Invite, error) {
	next := *inv
	next.Status = status
	ok, err := s.store.UpdateInvite(inv, &next, s.retention(&next))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, app.ErrConflict("invite_changed", "The invitation changed meanwhile (it may have just been accepted); reload and try again.")
	}
	return &next, nil
}

// RevokeInvite kills an invitation's link at once.
func (s *Service) RevokeInvite(actorID, id string) (*InviteView, error) {
	var out *InviteView
	err := func() error {
		inv, err := s.inviteForManager(actorID, id)
		if err != nil {
			return err
		}
		if inv.Status != store.InvitePending {
			return app.ErrConflict("invite_not_pending", "The invitation is %s and cannot be revoked.", s.inviteStatus(inv))
		}
		next, err := s.setStatus(inv, store.InviteRevoked)
		if err != nil {
			return err
		}
		out = s.inviteView(next)
		return nil
	}()
	s.kit.Audit(actorID, "revoke_invite", id, app.Result(err), "")
	return out, err
}

// ResendInvite sends a new link; the old one dies at once.
func (s *Service) ResendInvite(actorID, id string) (*InviteView, error) {
	var out *InviteView
	err := func() error {
		if !s.kit.Settings().EnableGuestAccounts {
			return app.ErrDisabled
		}
		inv, err := s.inviteForManager(actorID, id)
		if err != nil {
			return err
		}
		if inv.Status != store.InvitePending {
			return app.ErrConflict("resend_not_allowed", "Only pending or expired invitations can be resent (this one is %s).", inv.Status)
		}
		if ok, _ := s.kit.DomainAllowed(inv.Email); !ok {
			return app.ErrForbidden("resend_domain_not_allowed", "The domain of %s is no longer allowed.", inv.Email)
		}
		if _, err := s.setStatus(inv, store.InviteSuperseded); err != nil {
			return err
		}
		rawToken, hash, err := policy.NewToken(rand.Reader)
		if err != nil {
			return err
		}
		now := s.kit.Now()
		next := *inv
		next.TokenHash = hash
		next.Status = store.InvitePending
		next.CreatedAt = now.UnixMilli()
		next.ExpiresAt = now.Add(s.kit.Settings().InvitationLifetime).UnixMilli()
		next.ClaimedAt = 0
		if err := s.store.CreateInvite(&next, s.retention(&next)); err != nil {
			return err
		}
		inviter, appErr := s.api.GetUser(inv.InviterID)
		if appErr != nil {
			return appErr
		}
		if err := s.sendInvitation(inviter, &next, rawToken, true); err != nil {
			return err
		}
		out = s.inviteView(&next)
		return nil
	}()
	s.kit.Audit(actorID, "resend_invite", id, app.Result(err), "")
	return out, err
}

package app

import (
	"errors"
	"slices"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// Deactivate deactivates a guest: core revokes every session at once. The
// reason says who did it, so the master switch restores only its own.
func (a *App) Deactivate(actorID, userID, reason string) (*Guest, error) {
	out, channels, err := a.deactivate(actorID, userID, reason)
	a.publishChannelGuestsChanged(channels...)
	return out, err
}

// deactivate is Deactivate without the channel events: it returns the
// guest's channels when the account went from active to deactivated (their
// guest counts changed), for the caller to publish (the master switch
// publishes each channel once for all the guests it deactivates).
func (a *App) deactivate(actorID, userID, reason string) (*Guest, []string, error) {
	out, _, channels, err := a.deactivateIf(actorID, userID, reason, nil)
	return out, channels, err
}

// deactivateIf is deactivate for a guest whose record, read under the user
// lock, satisfies due (nil: any record); due may also change an active
// guest's record, and the change is saved with the deactivation. ran says
// whether due held and the deactivation was attempted; when it did not,
// nothing is changed or audited. Deciding and deactivating under one lock
// is what makes the decision hold: a check under one lock and a
// deactivation under the next let two overlapping runs of the expiry job
// both see a guest as due and both send the expiry notice. channels are
// the guest's channels when the account went from active to deactivated.
func (a *App) deactivateIf(actorID, userID, reason string, due func(*store.Guest) bool) (out *Guest, ran bool, channels []string, err error) {
	err = a.members.WithUserLock(userID, func() error {
		if due != nil {
			// A record that is gone (promoted meanwhile) is not due.
			if _, err := a.store.GetGuest(userID); errors.Is(err, store.ErrNotFound) {
				return nil
			}
		}
		g, err := a.getGuest(userID)
		if err != nil {
			return err
		}
		if due != nil && !due(g) {
			return nil
		}
		ran = true
		u, appErr := a.api.GetUser(userID)
		if appErr != nil {
			return appErr
		}
		if g.Deactivated == store.ReasonNone {
			g.Deactivated = reason
			if err := a.store.SaveGuest(g); err != nil {
				return err
			}
			if err := a.store.Add(activeCounter, -1); err != nil {
				return err
			}
		} else if reason == store.ReasonAdmin && g.Deactivated != reason {
			// An admin's deactivation wins over automatic ones: the switch
			// must not bring this guest back.
			g.Deactivated = reason
			if err := a.store.SaveGuest(g); err != nil {
				return err
			}
		}
		if u.DeleteAt == 0 {
			if appErr := a.api.UpdateUserActive(userID, false); appErr != nil {
				return appErr
			}
			u.DeleteAt = model.GetMillis()
			channels = g.ChannelIDs
		}
		out = a.guestView(g, u)
		return nil
	})
	if due != nil && !ran {
		return nil, false, nil, err
	}
	a.Audit(actorID, "deactivate", userID, result(err), reason)
	if err != nil {
		return nil, ran, nil, err
	}
	a.publishGuestsChanged(userID)
	return out, ran, channels, nil
}

// Activate reactivates a guest if the cap and the domain list allow.
// automatic restricts it to guests deactivated for that reason (switch,
// plugin disabled); "" reactivates whatever the reason (an admin).
func (a *App) Activate(actorID, userID, onlyReason string) (*Guest, error) {
	out, channels, err := a.activate(actorID, userID, onlyReason)
	a.publishChannelGuestsChanged(channels...)
	return out, err
}

// activate is Activate without the channel events: it returns the guest's
// channels when the account went from deactivated to active (see
// deactivate).
func (a *App) activate(actorID, userID, onlyReason string) (*Guest, []string, error) {
	release, gateErr := a.enter()
	if gateErr != nil {
		return nil, nil, gateErr
	}
	defer release()
	s := a.settings()
	if !s.EnableGuestAccounts {
		return nil, nil, errDisabled
	}
	var (
		out      *Guest
		channels []string
	)
	err := a.members.WithUserLock(userID, func() error {
		g, err := a.getGuest(userID)
		if err != nil {
			return err
		}
		if onlyReason != "" && g.Deactivated != onlyReason {
			return errConflict("not_deactivated_by", "Guest %s was not deactivated by %s.", userID, onlyReason)
		}
		u, appErr := a.api.GetUser(userID)
		if appErr != nil {
			return appErr
		}
		if ok, _ := a.domainAllowed(u.Email); !ok {
			return errForbidden("user_domain_not_allowed", "The email domain of %s is not in \"Allowed guest email domains\".", u.Email)
		}
		if g.ExpiresAt != 0 && g.ExpiresAt <= a.Now().UnixMilli() {
			return errConflict("expired", "The guest account expired; set a later expiry date first.")
		}
		if g.Deactivated != store.ReasonNone {
			ok, err := a.store.Reserve(activeCounter, s.MaxActiveGuests)
			if err != nil {
				return err
			}
			if !ok {
				return errCapReached(s.MaxActiveGuests)
			}
			g.Deactivated = store.ReasonNone
			if err := a.store.SaveGuest(g); err != nil {
				_ = a.store.Add(activeCounter, -1)
				return err
			}
		}
		if u.DeleteAt != 0 {
			if appErr := a.api.UpdateUserActive(userID, true); appErr != nil {
				return appErr
			}
			u.DeleteAt = 0
			channels = g.ChannelIDs
		}
		if _, err := a.members.RepairRoleLocked(userID); err != nil {
			return err
		}
		out = a.guestView(g, u)
		return nil
	})
	a.Audit(actorID, "activate", userID, result(err), onlyReason)
	if err != nil {
		// A failure after the account was reactivated still changed the
		// channels' guests.
		return nil, channels, err
	}
	a.publishGuestsChanged(userID)
	return out, channels, nil
}

// Promote makes a guest a full member: memberships become ordinary ones,
// core adds the default channels, the registry record goes.
func (a *App) Promote(actorID, userID string) error {
	var promotedIn []string
	err := func() error {
		g, err := a.getGuest(userID)
		if err != nil {
			return err
		}
		u, appErr := a.api.GetUser(userID)
		if appErr != nil {
			return appErr
		}
		if u.DeleteAt != 0 {
			return errConflict("deactivated", "Reactivate the guest before promoting them.")
		}
		// The record goes first: the isolation hooks would otherwise take
		// the new ordinary memberships for a guest's and remove them.
		if err := a.store.DeleteGuest(userID); err != nil {
			return err
		}
		a.unmarkGuestSessions(userID) // MakeMember's role change clears core's caches
		if err := a.members.MakeMember(userID); err != nil {
			if serr := a.store.SaveGuest(g); serr != nil {
				a.api.LogError("Guest Accounts: a failed promotion could not restore the guest record", "user_id", userID, "error", serr.Error())
			}
			a.MarkGuestSessions(userID)
			return err
		}
		if g.Deactivated == store.ReasonNone {
			if err := a.store.Add(activeCounter, -1); err != nil {
				return err
			}
		}
		_, channelIDs, _ := a.members.Channels(userID)
		a.postSystemMessage(channelIDs, a.Tr("", "guest_accounts.notice.promoted", "%s is now a member of the organisation, no longer a guest.", noticeName(u)))
		// Their memberships are ordinary ones now: one guest fewer there.
		promotedIn = append(append([]string{}, g.ChannelIDs...), channelIDs...)
		return nil
	}()
	a.Audit(actorID, "promote", userID, result(err), "")
	if err == nil {
		a.publishGuestsChanged(userID)
		a.publishChannelGuestsChanged(promotedIn...)
	}
	return err
}

// Demote converts a member into a guest who keeps only the channels in keep
// (nil: every current team channel except the default ones). Refused for
// system admins and bots. Sessions are revoked so the restrictions apply at
// once.
func (a *App) Demote(actorID, userID string, keep []string) (*Guest, error) {
	s := a.settings()
	var out *Guest
	err := func() error {
		if !s.EnableGuestAccounts {
			return errDisabled
		}
		u, appErr := a.api.GetUser(userID)
		if appErr != nil {
			return errNotFound("user_not_found", "User %s does not exist.", userID)
		}
		if u.IsBot {
			return errBadRequest("demote_bot", "user_id", "Bots cannot be converted to guests.")
		}
		if u.IsSystemAdmin() {
			return errBadRequest("demote_admin", "user_id", "System admins cannot be converted to guests; remove their admin role first.")
		}
		if u.DeleteAt != 0 {
			return errConflict("deactivated_user", "Reactivate the user before converting them to a guest.")
		}
		if isGuest, err := a.IsGuest(userID); err != nil {
			return err
		} else if isGuest {
			return errConflict("already_guest", "@%s is already a guest.", u.Username)
		}
		if ok, _ := a.domainAllowed(u.Email); !ok {
			return errForbidden("user_domain_not_allowed", "The email domain of %s is not in \"Allowed guest email domains\".", u.Email)
		}
		if keep == nil {
			var err error
			if keep, err = a.nonDefaultChannels(userID); err != nil {
				return err
			}
		} else if err := a.checkChannelsOfUser(userID, keep); err != nil {
			return err
		}
		if s.MaxChannelsPerGuest > 0 && len(keep) > s.MaxChannelsPerGuest {
			return errBadRequest("too_many_channels_keep", "channel_ids", "A guest may be in at most %d channels; choose which of the %d to keep.", s.MaxChannelsPerGuest, len(keep))
		}
		ok, err := a.store.Reserve(activeCounter, s.MaxActiveGuests)
		if err != nil {
			return err
		}
		if !ok {
			return errCapReached(s.MaxActiveGuests)
		}
		g := &store.Guest{UserID: userID, InvitedBy: actorID, CreatedAt: a.Now().UnixMilli(), ChannelIDs: keep, ExpiresAt: a.defaultExpiry()}
		if err := a.store.SaveGuest(g); err != nil {
			_ = a.store.Add(activeCounter, -1)
			return err
		}
		kept, err := a.members.MakeGuest(userID, keep)
		if err != nil {
			return err // the record stays: the user is a guest, the hooks guard them
		}
		g.ChannelIDs = kept
		if err := a.store.SaveGuest(g); err != nil {
			return err
		}
		if err := a.RevokeSessions(userID); err != nil {
			return err
		}
		a.postSystemMessage(kept, a.Tr("", "guest_accounts.notice.demoted", "%s is now a guest in this channel.", noticeName(u)))
		out = a.guestView(g, u)
		return nil
	}()
	a.Audit(actorID, "demote", userID, result(err), "")
	if err == nil {
		a.publishGuestsChanged(userID)
		a.publishChannelGuestsChanged(out.ChannelIDs...)
	}
	return out, err
}

// nonDefaultChannels lists the user's team channels except the server's
// default channels (town-square, off-topic and any configured extra).
func (a *App) nonDefaultChannels(userID string) ([]string, error) {
	_, ids, err := a.members.Channels(userID)
	if err != nil {
		return nil, err
	}
	defaults := []string{model.DefaultChannelName, "off-topic"}
	if cfg := a.api.GetConfig(); cfg != nil {
		defaults = append(defaults, cfg.TeamSettings.ExperimentalDefaultChannels...)
	}
	keep := []string{}
	for _, id := range ids {
		ch, appErr := a.api.GetChannel(id)
		if appErr != nil || slices.Contains(defaults, ch.Name) {
			continue
		}
		keep = append(keep, id)
	}
	return keep, nil
}

// checkChannelsOfUser makes sure every id is a team channel the user is in.
func (a *App) checkChannelsOfUser(userID string, ids []string) error {
	for _, id := range ids {
		if !policy.PlainID(id) {
			return errBadRequest("invalid_channel_id", "channel_ids", "channel_ids: %q is not a valid channel id.", id)
		}
		if _, appErr := a.api.GetChannelMember(id, userID); appErr != nil {
			return errBadRequest("user_not_channel_member", "channel_ids", "The user is not a member of channel %s.", id)
		}
	}
	return nil
}

// domainAllowed checks an email against the allowlist.
func (a *App) domainAllowed(email string) (bool, error) {
	ok, _, err := a.settings().AllowedDomains.AllowsEmail(email)
	return ok && err == nil, err
}

// defaultExpiry is the expiry for a new guest from the default lifetime.
func (a *App) defaultExpiry() int64 {
	if d := a.settings().DefaultAccountLifetime; d > 0 {
		return a.Now().Add(d).UnixMilli()
	}
	return 0
}

func result(err error) string {
	if err == nil {
		return "success"
	}
	var appErr *Error
	if errors.As(err, &appErr) {
		return "refused: " + appErr.Message
	}
	return "failed: " + err.Error()
}

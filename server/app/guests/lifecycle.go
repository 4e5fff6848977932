package guests

import (
	"slices"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// Deactivate deactivates a guest: core revokes every session at once. The
// reason says who did it, so the master switch restores only its own.
func (s *Service) Deactivate(actorID, userID, reason string) (*Guest, error) {
	out, channels, err := s.deactivate(actorID, userID, reason)
	s.kit.PublishChannelGuestsChanged(channels...)
	return out, err
}

// deactivate is Deactivate without the channel events.
func (s *Service) deactivate(actorID, userID, reason string) (*Guest, []string, error) {
	out, _, channels, err := s.DeactivateIf(actorID, userID, reason, nil)
	return out, channels, err
}

// DeactivateIf is Deactivate without the channel events, for a guest whose
// record, read under the user lock, satisfies due (nil: any record); due
// may also change an active guest's record, and the change is saved with
// the deactivation. It returns the guest's channels when the account went
// from active to deactivated (their guest counts changed), for the caller
// to publish (the master switch publishes each channel once for all the
// guests it deactivates). ran says
// whether due held and the deactivation was attempted; when it did not,
// nothing is changed or audited. Deciding and deactivating under one lock
// is what makes the decision hold: a check under one lock and a
// deactivation under the next let two overlapping runs of the expiry job
// both see a guest as due and both send the expiry notice. channels are
// the guest's channels when the account went from active to deactivated.
func (s *Service) DeactivateIf(actorID, userID, reason string, due func(*store.Guest) bool) (out *Guest, ran bool, channels []string, err error) {
	err = s.members.WithUserLock(userID, func() error {
		if due != nil {
			// A record that is gone (promoted meanwhile) is not due.
			if _, err := s.store.GetGuest(userID); errors.Is(err, store.ErrNotFound) {
				return nil
			}
		}
		g, err := s.getGuest(userID)
		if err != nil {
			return err
		}
		if due != nil && !due(g) {
			return nil
		}
		ran = true
		u, appErr := s.api.GetUser(userID)
		if appErr != nil {
			return appErr
		}
		if g.Deactivated == store.ReasonNone {
			g.Deactivated = reason
			if err := s.store.SaveGuest(g); err != nil {
				return err
			}
			if err := s.store.Add(store.ActiveGuests, -1); err != nil {
				return err
			}
		} else if reason == store.ReasonAdmin && g.Deactivated != reason {
			// An admin's deactivation wins over automatic ones: the switch
			// must not bring this guest back.
			g.Deactivated = reason
			if err := s.store.SaveGuest(g); err != nil {
				return err
			}
		}
		if u.DeleteAt == 0 {
			if appErr := s.api.UpdateUserActive(userID, false); appErr != nil {
				return appErr
			}
			u.DeleteAt = model.GetMillis()
			channels = g.ChannelIDs
		}
		out = s.View(g, u)
		return nil
	})
	if due != nil && !ran {
		return nil, false, nil, err
	}
	s.kit.Audit(actorID, "deactivate", userID, app.Result(err), reason)
	if err != nil {
		return nil, ran, nil, err
	}
	s.kit.PublishGuestsChanged(userID)
	return out, ran, channels, nil
}

// UserDeactivated records a deactivation done outside the plugin. Core
// delivers the hook asynchronously: by the time it runs the plugin may have
// reactivated the guest (the master switch turned off and on at once), so
// only a user still deactivated counts.
func (s *Service) UserDeactivated(userID string) {
	var channels []string
	defer func() { s.kit.PublishChannelGuestsChanged(channels...) }()
	_ = s.members.WithUserLock(userID, func() error {
		g, err := s.store.GetGuest(userID)
		if err != nil || g.Deactivated != store.ReasonNone {
			return nil // not a guest, or the plugin did it itself
		}
		if u, appErr := s.api.GetUser(userID); appErr == nil && u.DeleteAt == 0 {
			return nil // reactivated since: a stale event
		}
		channels = g.ChannelIDs // no longer counted as their guest
		g.Deactivated = store.ReasonAdmin
		if err := s.store.SaveGuest(g); err != nil {
			return err
		}
		s.kit.Audit("", "deactivated_outside_plugin", userID, "success", "")
		return s.store.Add(store.ActiveGuests, -1)
	})
}

// Activate reactivates a guest if the cap and the domain list allow.
// automatic restricts it to guests deactivated for that reason (switch,
// plugin disabled); "" reactivates whatever the reason (an admin).
func (s *Service) Activate(actorID, userID, onlyReason string) (*Guest, error) {
	out, channels, err := s.ActivateCollect(actorID, userID, onlyReason)
	s.kit.PublishChannelGuestsChanged(channels...)
	return out, err
}

// ActivateCollect is Activate without the channel events: it returns the
// guest's channels when the account went from deactivated to active, for
// the caller to publish (see DeactivateIf).
func (s *Service) ActivateCollect(actorID, userID, onlyReason string) (*Guest, []string, error) {
	release, gateErr := s.kit.Enter()
	if gateErr != nil {
		return nil, nil, gateErr
	}
	defer release()
	settings := s.kit.Settings()
	if !settings.EnableGuestAccounts {
		return nil, nil, app.ErrDisabled
	}
	var (
		out      *Guest
		channels []string
	)
	err := s.members.WithUserLock(userID, func() error {
		g, err := s.getGuest(userID)
		if err != nil {
			return err
		}
		if onlyReason != "" && g.Deactivated != onlyReason {
			return app.ErrConflict("not_deactivated_by", "Guest %s was not deactivated by %s.", userID, onlyReason)
		}
		u, appErr := s.api.GetUser(userID)
		if appErr != nil {
			return appErr
		}
		if ok, _ := s.kit.DomainAllowed(u.Email); !ok {
			return app.ErrForbidden("user_domain_not_allowed", "The email domain of %s is not in \"Allowed guest email domains\".", u.Email)
		}
		if g.ExpiresAt != 0 && g.ExpiresAt <= s.kit.Now().UnixMilli() {
			return app.ErrConflict("expired", "The guest account expired; set a later expiry date first.")
		}
		if g.Deactivated != store.ReasonNone {
			if err := s.reserve(settings.MaxActiveGuests); err != nil {
				return err
			}
			g.Deactivated = store.ReasonNone
			if err := s.store.SaveGuest(g); err != nil {
				_ = s.store.Add(store.ActiveGuests, -1)
				return err
			}
		}
		if u.DeleteAt != 0 {
			if appErr := s.api.UpdateUserActive(userID, true); appErr != nil {
				return appErr
			}
			u.DeleteAt = 0
			channels = g.ChannelIDs
		}
		if _, err := s.members.RepairRoleLocked(userID); err != nil {
			return err
		}
		out = s.View(g, u)
		return nil
	})
	s.kit.Audit(actorID, "activate", userID, app.Result(err), onlyReason)
	if err != nil {
		// A failure after the account was reactivated still changed the
		// channels' guests.
		return nil, channels, err
	}
	s.kit.PublishGuestsChanged(userID)
	return out, channels, nil
}

// Promote makes a guest a full member: memberships become ordinary ones,
// core adds the default channels, the registry record goes.
func (s *Service) Promote(actorID, userID string) error {
	var promotedIn []string
	err := func() error {
		g, err := s.getGuest(userID)
		if err != nil {
			return err
		}
		u, appErr := s.api.GetUser(userID)
		if appErr != nil {
			return appErr
		}
		if u.DeleteAt != 0 {
			return app.ErrConflict("deactivated", "Reactivate the guest before promoting them.")
		}
		// The record goes first: the isolation hooks would otherwise take
		// the new ordinary memberships for a guest's and remove them.
		if err := s.store.DeleteGuest(userID); err != nil {
			return err
		}
		if err := s.members.MakeMember(userID); err != nil {
			if serr := s.store.SaveGuest(g); serr != nil {
				s.api.LogError("Guest Accounts: a failed promotion could not restore the guest record", "user_id", userID, "error", serr.Error())
			}
			return err
		}
		if g.Deactivated == store.ReasonNone {
			if err := s.store.Add(store.ActiveGuests, -1); err != nil {
				return err
			}
		}
		_, channelIDs, _ := s.members.Channels(userID)
		s.kit.PostSystemMessage(channelIDs, s.kit.Tr("", "guest_accounts.notice.promoted", "%s is now a member of the organisation, no longer a guest.", app.NoticeName(u)))
		// Their memberships are ordinary ones now: one guest fewer there.
		promotedIn = append(append([]string{}, g.ChannelIDs...), channelIDs...)
		return nil
	}()
	s.kit.Audit(actorID, "promote", userID, app.Result(err), "")
	if err == nil {
		s.kit.PublishGuestsChanged(userID)
		s.kit.PublishChannelGuestsChanged(promotedIn...)
	}
	return err
}

// Demote converts a member into a guest who keeps only the channels in keep
// (nil: every current team channel except the default ones). Refused for
// system admins and bots. Sessions are revoked so the restrictions apply at
// once.
func (s *Service) Demote(actorID, userID string, keep []string) (*Guest, error) {
	settings := s.kit.Settings()
	var out *Guest
	err := func() error {
		if !settings.EnableGuestAccounts {
			return app.ErrDisabled
		}
		u, appErr := s.api.GetUser(userID)
		if appErr != nil {
			return app.ErrNotFound("user_not_found", "User %s does not exist.", userID)
		}
		if u.IsBot {
			return app.ErrBadRequest("demote_bot", "user_id", "Bots cannot be converted to guests.")
		}
		if u.IsSystemAdmin() {
			return app.ErrBadRequest("demote_admin", "user_id", "System admins cannot be converted to guests; remove their admin role first.")
		}
		if u.DeleteAt != 0 {
			return app.ErrConflict("deactivated_user", "Reactivate the user before converting them to a guest.")
		}
		if isGuest, err := s.kit.IsGuest(userID); err != nil {
			return err
		} else if isGuest {
			return app.ErrConflict("already_guest", "@%s is already a guest.", u.Username)
		}
		if ok, _ := s.kit.DomainAllowed(u.Email); !ok {
			return app.ErrForbidden("user_domain_not_allowed", "The email domain of %s is not in \"Allowed guest email domains\".", u.Email)
		}
		if keep == nil {
			var err error
			if keep, err = s.NonDefaultChannels(userID); err != nil {
				return err
			}
		} else if err := s.checkChannelsOfUser(userID, keep); err != nil {
			return err
		}
		if settings.MaxChannelsPerGuest > 0 && len(keep) > settings.MaxChannelsPerGuest {
			return app.ErrBadRequest("too_many_channels_keep", "channel_ids", "A guest may be in at most %d channels; choose which of the %d to keep.", settings.MaxChannelsPerGuest, len(keep))
		}
		if err := s.reserve(settings.MaxActiveGuests); err != nil {
			return err
		}
		var err error
		out, err = s.Convert(u, &store.Guest{UserID: userID, InvitedBy: actorID, CreatedAt: s.kit.Now().UnixMilli(), ChannelIDs: keep, ExpiresAt: s.kit.DefaultExpiry()}, true)
		return err
	}()
	s.kit.Audit(actorID, "demote", userID, app.Result(err), "")
	if err == nil {
		s.kit.PublishGuestsChanged(userID)
		s.kit.PublishChannelGuestsChanged(out.ChannelIDs...)
	}
	return out, err
}

// Convert makes u a guest with the record g, whose channels are the ones
// kept: it saves the record (giving the reserved place back to the counter
// if that fails), turns the memberships into guest ones, logs the user out
// (or, when g is recorded deactivated, deactivates the account) and tells
// the kept channels. Demote and the automatic rules use it.
func (s *Service) Convert(u *model.User, g *store.Guest, reserved bool) (*Guest, error) {
	if err := s.store.SaveGuest(g); err != nil {
		if reserved {
			_ = s.store.Add(store.ActiveGuests, -1)
		}
		return nil, err
	}
	kept, err := s.members.MakeGuest(u.Id, g.ChannelIDs)
	if err != nil {
		return nil, err // the record stays: the user is a guest, the hooks guard them
	}
	g.ChannelIDs = kept
	if err := s.store.SaveGuest(g); err != nil {
		return nil, err
	}
	if g.Deactivated != store.ReasonNone {
		if appErr := s.api.UpdateUserActive(u.Id, false); appErr != nil {
			return nil, appErr
		}
		u.DeleteAt = model.GetMillis()
	} else if err := s.revokeSessions(u.Id); err != nil {
		return nil, err
	}
	s.kit.PostSystemMessage(kept, s.kit.Tr("", "guest_accounts.notice.demoted", "%s is now a guest in this channel.", app.NoticeName(u)))
	return s.View(g, u), nil
}

// reserve takes a place under "Maximum active guests" (limit) for a guest
// about to be active.
func (s *Service) reserve(limit int) error {
	ok, err := s.store.Reserve(store.ActiveGuests, limit)
	if err != nil {
		return err
	}
	if !ok {
		return app.ErrCapReached(limit)
	}
	return nil
}

// revokeSessions logs the user out everywhere at once, without
// deactivating them (the new restrictions apply from the next login).
func (s *Service) revokeSessions(userID string) error {
	ids, err := s.core.SessionIDs(userID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if appErr := s.api.RevokeSession(id); appErr != nil {
			return errors.Wrap(appErr, "revoking a session")
		}
	}
	return nil
}

// NonDefaultChannels lists the user's team channels except the server's
// default channels (town-square, off-topic and any configured extra).
func (s *Service) NonDefaultChannels(userID string) ([]string, error) {
	_, ids, err := s.members.Channels(userID)
	if err != nil {
		return nil, err
	}
	defaults := []string{model.DefaultChannelName, "off-topic"}
	if cfg := s.api.GetConfig(); cfg != nil {
		defaults = append(defaults, cfg.TeamSettings.ExperimentalDefaultChannels...)
	}
	keep := []string{}
	for _, id := range ids {
		ch, appErr := s.api.GetChannel(id)
		if appErr != nil || slices.Contains(defaults, ch.Name) {
			continue
		}
		keep = append(keep, id)
	}
	return keep, nil
}

// checkChannelsOfUser makes sure every id is a team channel the user is in.
func (s *Service) checkChannelsOfUser(userID string, ids []string) error {
	for _, id := range ids {
		if !policy.PlainID(id) {
			return app.ErrBadRequest("invalid_channel_id", "channel_ids", "channel_ids: %q is not a valid channel id.", id)
		}
		if _, appErr := s.api.GetChannelMember(id, userID); appErr != nil {
			return app.ErrBadRequest("user_not_channel_member", "channel_ids", "The user is not a member of channel %s.", id)
		}
	}
	return nil
}

package app

import (
	"strings"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// The automatic guest rules ("Member email domains", "Sign-in methods that
// create guests") are the every-edition counterpart of core's LDAP guest
// filter and SAML guest attribute. They only ever demote, never promote: a
// new account that matches becomes a guest with no channels; existing
// accounts change only through an admin's explicit apply, after a dry run.

// maxRuleApply bounds one apply request.
const maxRuleApply = 500

// maxRulePreview bounds the candidates one preview lists.
const maxRulePreview = 1000

// Warning ids a rule candidate may carry.
const (
	// The address is outside "Allowed guest email domains": as a guest the
	// account cannot log in (fail closed) until an admin allows the domain.
	warnDomainNotAllowed = "domain_not_allowed"
	// Guest accounts are switched off: the guest is created deactivated and
	// the master switch brings them back.
	warnSwitchedOff = "guest_accounts_off"
)

// markCreating tells the UserHasBeenCreated hook that the plugin itself is
// creating this account as a guest (core calls the hook asynchronously, so
// it may arrive before the registry record is written). The returned func
// clears the mark.
func (a *App) markCreating(email string) func() {
	key := strings.ToLower(strings.TrimSpace(email))
	a.creating.Store(key, struct{}{})
	return func() { a.creating.Delete(key) }
}

func (a *App) isCreating(email string) bool {
	_, ok := a.creating.Load(strings.ToLower(strings.TrimSpace(email)))
	return ok
}

// ruleExempt says why the rules never touch this account ("" when they may):
// bots, system admins, remote (shared-channel) users, deactivated accounts
// and accounts that are already guests.
func (a *App) ruleExempt(u *model.User) (string, error) {
	switch {
	case u.IsBot:
		return "bot", nil
	case u.IsSystemAdmin():
		return "system_admin", nil
	case u.IsRemote():
		return "remote_user", nil
	case u.DeleteAt != 0:
		return "deactivated", nil
	}
	isGuest, err := a.IsGuest(u.Id)
	if err != nil {
		return "", err
	}
	if isGuest {
		return "already_guest", nil
	}
	return "", nil
}

// UserCreated applies the automatic rules to an account core has just
// created (the UserHasBeenCreated hook).
func (a *App) UserCreated(created *model.User) {
	s := a.settings()
	if created == nil || !s.RulesEnabled() || a.isCreating(created.Email) {
		return
	}
	// The hook's copy may be stale (the plugin may have registered or
	// deactivated the account meanwhile): decide on the current one.
	u, appErr := a.api.GetUser(created.Id)
	if appErr != nil {
		a.api.LogError("Guest Accounts: automatic guest rule: the new account could not be read", "user_id", created.Id, "error", appErr.Error())
		return
	}
	if a.isCreating(u.Email) {
		return
	}
	rule := policy.MatchGuestRule(s, u.Email, u.AuthService)
	if rule == policy.RuleNone {
		return
	}
	if why, err := a.ruleExempt(u); err != nil || why != "" {
		if err != nil {
			a.api.LogError("Guest Accounts: automatic guest rule: the registry could not be read", "user_id", u.Id, "error", err.Error())
		}
		return
	}
	if _, err := a.ruleDemote(systemActor, u, rule, []string{}, "rule_new_account"); err != nil {
		a.api.LogError("Guest Accounts: automatic guest rule could not make the new account a guest", "user_id", u.Id, "error", err.Error())
	}
}

// ruleDemote makes u a guest because rule matched, keeping the channels in
// keep (nil: the user's current non-default channels). Unlike an admin's
// demote it never leaves a matching account a member: past the cap or
// with guest accounts switched off the guest is created deactivated, and
// outside "Allowed guest email domains" the guest cannot log in.
func (a *App) ruleDemote(actorID string, u *model.User, rule policy.GuestRule, keep []string, action string) (*Guest, error) {
	details := "rule: " + string(rule)
	var out *Guest
	err := func() error {
		// Like an acceptance, a conversion makes a guest active: it must not
		// finish after a disable or switch-off has listed the registry.
		release, gateErr := a.enter()
		if gateErr != nil {
			return gateErr
		}
		defer release()
		s := a.settings() // read inside the gate: a switch-off drains first
		if keep == nil {
			var err error
			if keep, err = a.nonDefaultChannels(u.Id); err != nil {
				return err
			}
			if s.MaxChannelsPerGuest > 0 && len(keep) > s.MaxChannelsPerGuest {
				return errBadRequest("too_many_channels_rule", "keep_channels", "@%s is in %d channels and a guest may be in at most %d; convert them with /guest demote choosing the channels, or apply without keeping channels.", u.Username, len(keep), s.MaxChannelsPerGuest)
			}
		}
		g := &store.Guest{UserID: u.Id, CreatedAt: a.Now().UnixMilli(), ChannelIDs: keep, ExpiresAt: a.defaultExpiry(), Rule: string(rule)}
		reserved := false
		switch {
		case !s.EnableGuestAccounts:
			g.Deactivated = store.ReasonSwitch
		default:
			ok, err := a.store.Reserve(activeCounter, s.MaxActiveGuests)
			if err != nil {
				return err
			}
			if ok {
				reserved = true
			} else {
				g.Deactivated = store.ReasonCap
			}
		}
		if g.Deactivated != store.ReasonNone {
			details += "; deactivated: " + g.Deactivated
		}
		if ok, _ := a.domainAllowed(u.Email); !ok {
			details += "; " + warnDomainNotAllowed
		}
		if err := a.store.SaveGuest(g); err != nil {
			if reserved {
				_ = a.store.Add(activeCounter, -1)
			}
			return err
		}
		kept, err := a.members.MakeGuest(u.Id, keep)
		if err != nil {
			return err // the record stays: the user is a guest, the hooks guard them
		}
		g.ChannelIDs = kept
		if err := a.store.SaveGuest(g); err != nil {
			return err
		}
		if g.Deactivated != store.ReasonNone {
			if appErr := a.api.UpdateUserActive(u.Id, false); appErr != nil {
				return appErr
			}
			u.DeleteAt = model.GetMillis()
		} else if err := a.RevokeSessions(u.Id); err != nil {
			return err
		}
		a.postSystemMessage(kept, a.Tr("", "guest_accounts.notice.demoted", "%s is now a guest in this channel.", noticeName(u)))
		out = a.guestView(g, u)
		return nil
	}()
	a.Audit(actorID, action, u.Id, result(err), details)
	if err == nil {
		a.publishGuestsChanged(u.Id)
	}
	return out, err
}

// RuleCandidate is an existing account the rules would make a guest.
type RuleCandidate struct {
	UserID       string           `json:"user_id"`
	Username     string           `json:"username"`
	Email        string           `json:"email"`
	SignInMethod string           `json:"sign_in_method"`
	Rule         policy.GuestRule `json:"rule"`
	Warnings     []string         `json:"warnings"`
}

// RulesPreview is the dry run of "apply to existing accounts".
type RulesPreview struct {
	Enabled            bool            `json:"enabled"`
	MemberEmailDomains []string        `json:"member_email_domains"`
	GuestSignInMethods []string        `json:"guest_sign_in_methods"`
	Scanned            int             `json:"scanned"`
	Total              int             `json:"total"`
	Truncated          bool            `json:"truncated"`
	Candidates         []RuleCandidate `json:"candidates"`
}

// PreviewRules lists the active accounts the rules would make guests,
// changing nothing. The user list is read a page at a time.
func (a *App) PreviewRules() (*RulesPreview, error) {
	s := a.settings()
	p := &RulesPreview{
		Enabled: s.RulesEnabled(), MemberEmailDomains: s.MemberDomains.Entries(),
		GuestSignInMethods: s.GuestSignInMethods, Candidates: []RuleCandidate{},
	}
	if p.MemberEmailDomains == nil {
		p.MemberEmailDomains = []string{}
	}
	if p.GuestSignInMethods == nil {
		p.GuestSignInMethods = []string{}
	}
	if !p.Enabled {
		return p, nil
	}
	const perPage = 200
	for page := 0; ; page++ {
		users, appErr := a.api.GetUsers(&model.UserGetOptions{Page: page, PerPage: perPage, Active: true})
		if appErr != nil {
			return nil, appErr
		}
		for _, u := range users {
			p.Scanned++
			c, err := a.candidate(s, u)
			if err != nil {
				return nil, err
			}
			if c == nil {
				continue
			}
			p.Total++
			if len(p.Candidates) < maxRulePreview {
				p.Candidates = append(p.Candidates, *c)
			} else {
				p.Truncated = true
			}
		}
		if len(users) < perPage {
			return p, nil
		}
	}
}

// candidate evaluates one account; nil when the rules leave it alone.
func (a *App) candidate(s policy.Settings, u *model.User) (*RuleCandidate, error) {
	rule := policy.MatchGuestRule(s, u.Email, u.AuthService)
	if rule == policy.RuleNone {
		return nil, nil
	}
	if why, err := a.ruleExempt(u); err != nil || why != "" {
		return nil, err
	}
	c := &RuleCandidate{UserID: u.Id, Username: u.Username, Email: u.Email, SignInMethod: policy.SignInMethod(u.AuthService), Rule: rule, Warnings: []string{}}
	if ok, _ := a.domainAllowed(u.Email); !ok {
		c.Warnings = append(c.Warnings, warnDomainNotAllowed)
	}
	if !s.EnableGuestAccounts {
		c.Warnings = append(c.Warnings, warnSwitchedOff)
	}
	return c, nil
}

// ApplyRulesRequest is the admin's confirmation of a preview.
type ApplyRulesRequest struct {
	UserIDs []string `json:"user_ids"`
	// KeepChannels keeps each account's current channels other than the
	// default ones (subject to "Maximum channels per guest"); false leaves
	// them with no channels, as a new account.
	KeepChannels bool `json:"keep_channels"`
}

// ApplyRulesResult is one account's outcome.
type ApplyRulesResult struct {
	UserID  string `json:"user_id"`
	Status  string `json:"status"` // converted, not_matched, exempt, failed
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
	Guest   *Guest `json:"guest,omitempty"`
}

// ApplyRules converts the confirmed accounts, re-checking each against the
// rules now: an id the rules no longer match is reported, never converted.
func (a *App) ApplyRules(actorID string, req ApplyRulesRequest) ([]ApplyRulesResult, error) {
	s := a.settings()
	if !s.RulesEnabled() {
		return nil, errConflict("rules_off", "No automatic guest rule is set: fill in \"Member email domains\" or \"Sign-in methods that create guests\" first.")
	}
	if len(req.UserIDs) == 0 {
		return nil, errBadRequest("user_ids_required", "user_ids", "List the user ids to convert (from the preview).")
	}
	if len(req.UserIDs) > maxRuleApply {
		return nil, errBadRequest("too_many_user_ids", "user_ids", "At most %d accounts per request; %d were given.", maxRuleApply, len(req.UserIDs))
	}
	seen := map[string]bool{}
	for _, id := range req.UserIDs {
		if !policy.PlainID(id) {
			return nil, errBadRequest("invalid_user_ids", "user_ids", "user_ids: %q is not a valid user id.", id)
		}
		if seen[id] {
			return nil, errBadRequest("duplicate_user_id", "user_ids", "User id %s is listed twice.", id)
		}
		seen[id] = true
	}
	out := make([]ApplyRulesResult, 0, len(req.UserIDs))
	for _, id := range req.UserIDs {
		out = append(out, a.applyRuleTo(actorID, s, id, req.KeepChannels))
	}
	return out, nil
}

func (a *App) applyRuleTo(actorID string, s policy.Settings, userID string, keepChannels bool) ApplyRulesResult {
	r := ApplyRulesResult{UserID: userID}
	u, appErr := a.api.GetUser(userID)
	if appErr != nil {
		r.Status, r.Reason, r.Message = "failed", "user_not_found", a.TrUser(actorID, "guest_accounts.rules.user_not_found", "User %s does not exist.", userID)
		return r
	}
	rule := policy.MatchGuestRule(s, u.Email, u.AuthService)
	if rule == policy.RuleNone {
		r.Status, r.Message = "not_matched", a.TrUser(actorID, "guest_accounts.rules.not_matched", "@%s matches no automatic guest rule now; left unchanged.", u.Username)
		return r
	}
	why, err := a.ruleExempt(u)
	if err != nil {
		r.Status, r.Message = "failed", err.Error()
		return r
	}
	if why != "" {
		r.Status, r.Reason, r.Message = "exempt", why, a.TrUser(actorID, "guest_accounts.rules.exempt", "@%s is never converted by the rules (%s).", u.Username, strings.ReplaceAll(why, "_", " "))
		return r
	}
	var keep []string
	if !keepChannels {
		keep = []string{}
	}
	g, err := a.ruleDemote(actorID, u, rule, keep, "rule_apply")
	if err != nil {
		r.Status, r.Message = "failed", localized(err, a.TranslatorFor(a.UserLocale(actorID)))
		if e, ok := err.(*Error); ok {
			r.Reason = strings.TrimPrefix(e.ID, "guest_accounts.app.")
		}
		return r
	}
	r.Status, r.Guest = "converted", g
	return r
}

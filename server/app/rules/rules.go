// Package rules holds the automatic guest rules ("Member email domains",
// "Sign-in methods that create guests"): a new account that matches becomes
// a guest with no channels (UserHasBeenCreated), and existing accounts are
// converted only through an admin's dry run and confirmation.
//
// It owns the rule matching around policy.MatchGuestRule and its audit. It
// may call the Kit, the active-guest counter, policy, the plugin API
// through API, and the guests use cases through Guests (the conversion
// itself).
package rules

import (
	"errors"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app/guests"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// The automatic guest rules ("Member email domains", "Sign-in methods that
// create guests") are the every-edition counterpart of core's LDAP guest
// filter and SAML guest attribute. They only ever demote, never promote: a
// new account that matches becomes a guest with no channels; existing
// accounts change only through an admin's explicit apply, after a dry run.

// API is the part of the plugin API the rules use.
type API interface {
	GetUser(userID string) (*model.User, *model.AppError)
	GetUsers(options *model.UserGetOptions) ([]*model.User, *model.AppError)
	LogError(msg string, keyValuePairs ...any)
}

// Guests is what the rules need of the guest use cases.
type Guests interface {
	// Creating reports whether the plugin is creating this account as a
	// guest right now.
	Creating(email string) bool
	// NonDefaultChannels lists the user's channels other than the defaults.
	NonDefaultChannels(userID string) ([]string, error)
	// Convert makes u a guest with the record g.
	Convert(u *model.User, g *store.Guest, reserved bool) (*guests.Guest, error)
}

// Deps are what the Service needs.
type Deps struct {
	Kit    *app.Kit
	API    API
	Store  store.Counters
	Guests Guests
}

// Service runs the automatic guest rules.
type Service struct {
	kit    *app.Kit
	api    API
	store  store.Counters
	guests Guests
}

// New returns a Service.
func New(d Deps) *Service {
	return &Service{kit: d.Kit, api: d.API, store: d.Store, guests: d.Guests}
}

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

// ruleExempt says why the rules never touch this account ("" when they may):
// bots, system admins, remote (shared-channel) users, deactivated accounts
// and accounts that are already guests.
func (s *Service) ruleExempt(u *model.User) (string, error) {
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
	isGuest, err := s.kit.IsGuest(u.Id)
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
func (s *Service) UserCreated(created *model.User) {
	settings := s.kit.Settings()
	if created == nil || !settings.RulesEnabled() || s.guests.Creating(created.Email) {
		return
	}
	// The hook's copy may be stale (the plugin may have registered or
	// deactivated the account meanwhile): decide on the current one.
	u, appErr := s.api.GetUser(created.Id)
	if appErr != nil {
		s.api.LogError("Guest Accounts: automatic guest rule: the new account could not be read", "user_id", created.Id, "error", appErr.Error())
		return
	}
	if s.guests.Creating(u.Email) {
		return
	}
	rule := policy.MatchGuestRule(settings, u.Email, u.AuthService)
	if rule == policy.RuleNone {
		return
	}
	if why, err := s.ruleExempt(u); err != nil || why != "" {
		if err != nil {
			s.api.LogError("Guest Accounts: automatic guest rule: the registry could not be read", "user_id", u.Id, "error", err.Error())
		}
		return
	}
	if _, err := s.ruleDemote(app.SystemActor, u, rule, []string{}, "rule_new_account"); err != nil {
		s.api.LogError("Guest Accounts: automatic guest rule could not make the new account a guest", "user_id", u.Id, "error", err.Error())
	}
}

// ruleDemote makes u a guest because rule matched, keeping the channels in
// keep (nil: the user's current non-default channels). Unlike an admin's
// demote it never leaves a matching account a member: past the cap or
// with guest accounts switched off the guest is created deactivated, and
// outside "Allowed guest email domains" the guest cannot log in.
func (s *Service) ruleDemote(actorID string, u *model.User, rule policy.GuestRule, keep []string, action string) (*guests.Guest, error) {
	details := "rule: " + string(rule)
	var out *guests.Guest
	err := func() error {
		// Like an acceptance, a conversion makes a guest active: it must not
		// finish after a disable or switch-off has listed the registry.
		release, gateErr := s.kit.Enter()
		if gateErr != nil {
			return gateErr
		}
		defer release()
		settings := s.kit.Settings() // read inside the gate: a switch-off drains first
		if keep == nil {
			var err error
			if keep, err = s.guests.NonDefaultChannels(u.Id); err != nil {
				return err
			}
			if settings.MaxChannelsPerGuest > 0 && len(keep) > settings.MaxChannelsPerGuest {
				return app.ErrBadRequest("too_many_channels_rule", "keep_channels", "@%s is in %d channels and a guest may be in at most %d; convert them with /guest demote choosing the channels, or apply without keeping channels.", u.Username, len(keep), settings.MaxChannelsPerGuest)
			}
		}
		g := &store.Guest{UserID: u.Id, CreatedAt: s.kit.Now().UnixMilli(), ChannelIDs: keep, ExpiresAt: s.kit.DefaultExpiry(), Rule: string(rule)}
		reserved := false
		switch {
		case !settings.EnableGuestAccounts:
			g.Deactivated = store.ReasonSwitch
		default:
			ok, err := s.store.Reserve(store.ActiveGuests, settings.MaxActiveGuests)
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
		if ok, _ := s.kit.DomainAllowed(u.Email); !ok {
			details += "; " + warnDomainNotAllowed
		}
		var err error
		out, err = s.guests.Convert(u, g, reserved)
		return err
	}()
	s.kit.Audit(actorID, action, u.Id, app.Result(err), details)
	if err == nil {
		s.kit.PublishGuestsChanged(u.Id)
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

// Preview is the dry run of "apply to existing accounts".
type Preview struct {
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
func (s *Service) PreviewRules() (*Preview, error) {
	settings := s.kit.Settings()
	p := &Preview{
		Enabled: settings.RulesEnabled(), MemberEmailDomains: settings.MemberDomains.Entries(),
		GuestSignInMethods: settings.GuestSignInMethods, Candidates: []RuleCandidate{},
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
		users, appErr := s.api.GetUsers(&model.UserGetOptions{Page: page, PerPage: perPage, Active: true})
		if appErr != nil {
			return nil, appErr
		}
		for _, u := range users {
			p.Scanned++
			c, err := s.candidate(settings, u)
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
func (s *Service) candidate(settings policy.Settings, u *model.User) (*RuleCandidate, error) {
	rule := policy.MatchGuestRule(settings, u.Email, u.AuthService)
	if rule == policy.RuleNone {
		return nil, nil
	}
	if why, err := s.ruleExempt(u); err != nil || why != "" {
		return nil, err
	}
	c := &RuleCandidate{UserID: u.Id, Username: u.Username, Email: u.Email, SignInMethod: policy.SignInMethod(u.AuthService), Rule: rule, Warnings: []string{}}
	if ok, _ := s.kit.DomainAllowed(u.Email); !ok {
		c.Warnings = append(c.Warnings, warnDomainNotAllowed)
	}
	if !settings.EnableGuestAccounts {
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
	UserID  string        `json:"user_id"`
	Status  string        `json:"status"` // converted, not_matched, exempt, failed
	Reason  string        `json:"reason,omitempty"`
	Message string        `json:"message,omitempty"`
	Guest   *guests.Guest `json:"guest,omitempty"`
}

// ApplyRules converts the confirmed accounts, re-checking each against the
// rules now: an id the rules no longer match is reported, never converted.
func (s *Service) ApplyRules(actorID string, req ApplyRulesRequest) ([]ApplyRulesResult, error) {
	settings := s.kit.Settings()
	if !settings.RulesEnabled() {
		return nil, app.ErrConflict("rules_off", "No automatic guest rule is set: fill in \"Member email domains\" or \"Sign-in methods that create guests\" first.")
	}
	if len(req.UserIDs) == 0 {
		return nil, app.ErrBadRequest("user_ids_required", "user_ids", "List the user ids to convert (from the preview).")
	}
	if len(req.UserIDs) > maxRuleApply {
		return nil, app.ErrBadRequest("too_many_user_ids", "user_ids", "At most %d accounts per request; %d were given.", maxRuleApply, len(req.UserIDs))
	}
	seen := map[string]bool{}
	for _, id := range req.UserIDs {
		if !policy.PlainID(id) {
			return nil, app.ErrBadRequest("invalid_user_ids", "user_ids", "user_ids: %q is not a valid user id.", id)
		}
		if seen[id] {
			return nil, app.ErrBadRequest("duplicate_user_id", "user_ids", "User id %s is listed twice.", id)
		}
		seen[id] = true
	}
	out := make([]ApplyRulesResult, 0, len(req.UserIDs))
	for _, id := range req.UserIDs {
		out = append(out, s.applyRuleTo(actorID, settings, id, req.KeepChannels))
	}
	return out, nil
}

func (s *Service) applyRuleTo(actorID string, settings policy.Settings, userID string, keepChannels bool) ApplyRulesResult {
	r := ApplyRulesResult{UserID: userID}
	u, appErr := s.api.GetUser(userID)
	if appErr != nil {
		r.Status, r.Reason, r.Message = "failed", "user_not_found", s.kit.TrUser(actorID, "guest_accounts.rules.user_not_found", "User %s does not exist.", userID)
		return r
	}
	rule := policy.MatchGuestRule(settings, u.Email, u.AuthService)
	if rule == policy.RuleNone {
		r.Status, r.Message = "not_matched", s.kit.TrUser(actorID, "guest_accounts.rules.not_matched", "@%s matches no automatic guest rule now; left unchanged.", u.Username)
		return r
	}
	why, err := s.ruleExempt(u)
	if err != nil {
		r.Status, r.Message = "failed", err.Error()
		return r
	}
	if why != "" {
		r.Status, r.Reason, r.Message = "exempt", why, s.kit.TrUser(actorID, "guest_accounts.rules.exempt", "@%s is never converted by the rules (%s).", u.Username, strings.ReplaceAll(why, "_", " "))
		return r
	}
	var keep []string
	if !keepChannels {
		keep = []string{}
	}
	g, err := s.ruleDemote(actorID, u, rule, keep, "rule_apply")
	if err != nil {
		r.Status, r.Message = "failed", s.kit.LocalizedFor(actorID, err)
		if e := (*app.Error)(nil); errors.As(err, &e) {
			r.Reason = strings.TrimPrefix(e.ID, "guest_accounts.app.")
		}
		return r
	}
	r.Status, r.Guest = "converted", g
	return r
}

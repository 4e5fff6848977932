package policy

import "slices"

// GuestRule names the automatic guest rule that matched a new account.
type GuestRule string

// The automatic guest rules. RuleNone means the account stays as it is.
const (
	RuleNone          GuestRule = ""
	RuleMemberDomains GuestRule = "member_domains"
	RuleSignInMethod  GuestRule = "sign_in_method"
)

// SignInMethod maps a user's AuthService to the name the
// "Sign-in methods that create guests" setting uses: email-and-password
// accounts have an empty AuthService.
func SignInMethod(authService string) string {
	if authService == "" {
		return "email"
	}
	return authService
}

// RulesEnabled reports whether any automatic guest rule is configured.
func (s Settings) RulesEnabled() bool {
	return !s.MemberDomains.Empty() || len(s.GuestSignInMethods) > 0
}

// MatchGuestRule decides whether an account with this email and sign-in
// service becomes a guest under the automatic rules. The rules only ever
// demote: the caller never promotes on RuleNone. An address that cannot be
// parsed is outside every member domain (fail closed).
func MatchGuestRule(s Settings, email, authService string) GuestRule {
	if len(s.GuestSignInMethods) > 0 && slices.Contains(s.GuestSignInMethods, SignInMethod(authService)) {
		return RuleSignInMethod
	}
	if !s.MemberDomains.Empty() {
		if ok, _, err := s.MemberDomains.AllowsEmail(email); !ok || err != nil {
			return RuleMemberDomains
		}
	}
	return RuleNone
}

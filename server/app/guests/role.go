package guests

import (
	"time"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/memberships"
)

// The dedicated guest role (memberships.GuestRoleName) as the guest use
// cases see it: every new guest gets it at once, and the dashboard says
// which role guests hold and whether they fell back to system_user. The
// row itself is made at activation (background.EnsureGuestRole).

// creationMarkTTL bounds how long a crashed creation keeps its account's
// logins refused (the creation itself takes well under a second).
const creationMarkTTL = 2 * time.Minute

// GuestRole describes the system role guests hold outside role windows.
type GuestRole struct {
	// Role is that role: system_guest (licensed), the dedicated role, or
	// system_user (unlicensed, the dedicated role cannot be used).
	Role string `json:"role"`
	// Fallback is true when unlicensed guests hold system_user because the
	// dedicated role cannot be used; Problem says why.
	Fallback bool `json:"fallback"`
	// Problem is what went wrong with the dedicated role ("" when nothing).
	Problem string `json:"problem,omitempty"`
}

// GuestRole reports the guests' system role.
func (s *Service) GuestRole() GuestRole {
	st := s.members.RoleStatus()
	return GuestRole{
		Role:     s.members.GuestSystemRole(),
		Fallback: !s.kit.Licensed() && !st.InForce,
		Problem:  st.Problem,
	}
}

// guestRoleInForce reports whether unlicensed guests hold the dedicated
// role (core then refuses them teams, strangers and new channels).
func (s *Service) guestRoleInForce() bool {
	return s.members.GuestSystemRole() == memberships.GuestRoleName
}

// restrictNewAccount gives an account just created as a guest the guest's
// system role, before anything else: core creates every account as
// system_user, a role that lets a user create teams on an unlicensed
// server. Logins to the account are refused until its creation is over
// (the creation mark, see enforce's CheckLogin), so no session sees it as
// system_user.
func (s *Service) restrictNewAccount(userID string) error {
	return s.members.AssignGuestRole(userID)
}

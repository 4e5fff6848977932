package integration

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// refusal is what the test's trigger makes PostgreSQL answer to the
// plugin's insert of the role row.
const refusal = "test trigger: no new guest_accounts_guest role"

// refuseRoleInsert makes every insert of the dedicated role's row fail in
// the database, the way a real failure would reach the plugin (a trigger
// raising an error; no switch in the plugin's code), and removes the row,
// so the next activation has to create it. The cleanup drops the trigger
// and activates the plugin again, which creates the row afresh.
func refuseRoleInsert(th *testhelper.TestHelper) (drop func()) {
	th.T.Helper()
	_, err := th.Stack.SQL(th.Ctx, fmt.Sprintf(`
		CREATE OR REPLACE FUNCTION ga_test_refuse_role() RETURNS trigger AS $$
		BEGIN RAISE EXCEPTION '%s'; END $$ LANGUAGE plpgsql;
		CREATE TRIGGER ga_test_refuse_role BEFORE INSERT ON roles FOR EACH ROW
			WHEN (NEW.name = '%s') EXECUTE FUNCTION ga_test_refuse_role();
		DELETE FROM roles WHERE name = '%s';`, refusal, guestRole, guestRole))
	require.NoError(th.T, err, "installing the refusing trigger")
	dropped := false
	drop = func() {
		if dropped {
			return
		}
		dropped = true
		_, err := th.Stack.SQL(th.Ctx, "DROP TRIGGER IF EXISTS ga_test_refuse_role ON roles; DROP FUNCTION IF EXISTS ga_test_refuse_role();")
		require.NoError(th.T, err, "dropping the refusing trigger")
	}
	th.T.Cleanup(func() {
		if !dropped {
			drop()
			reenablePlugin(th)
		}
	})
	return drop
}

// When the role row cannot be created, guests fall back to system_user
// (the behaviour before the dedicated role), and the plugin says so: GET
// /stats (guest_role and the edition limits, in words), the server log and
// the audit log. Once the cause is gone, the next activation creates the
// row and moves the guests back onto it.
func TestRoleFallbackWhenTheRowCannotBeCreated(t *testing.T) {
	th := testhelper.Setup(t)
	_, before := createGuest(th, th.Channel.Id)
	waitSystemRole(th, before.Id, guestRole)
	others := otherRoles(th)
	drop := refuseRoleInsert(th)
	logFrom := logSize(th)

	reenablePlugin(th, before.Id)
	assert.Equal(t, 0, roleRowCount(th, guestRole), "the row exists although every insert fails")
	st := readStatsRole(th)
	assert.Equal(t, model.SystemUserRoleId, st.GuestRole.Role)
	assert.True(t, st.GuestRole.Fallback, "stats do not say the guests fell back")
	assert.Contains(t, st.GuestRole.Problem, refusal)
	enforced, note, ok := st.limit("guest_role")
	require.True(t, ok, "no guest_role edition limit: %+v", st.EditionLimits)
	assert.False(t, enforced)
	assert.Contains(t, note, "cannot be used")
	assert.Contains(t, note, refusal)
	assert.Contains(t, note, "guests hold system_user")
	for _, capability := range []string{"list_users", "create_direct_channel"} {
		enforced, _, ok := st.limit(capability)
		assert.True(t, ok, capability)
		assert.False(t, enforced, "%s is said to be enforced without the role", capability)
	}
	assert.True(t, logHas(th, logFrom, "the dedicated guest role cannot be used", refusal), "nothing in the server log")
	failed := auditEntries(th, "guest_role", guestRole)
	require.NotEmpty(t, failed)
	assert.True(t, strings.HasPrefix(failed[0].Result, "failed: "), "audit result %q", failed[0].Result)

	// Fallback: existing and new guests hold system_user.
	waitSystemRole(th, before.Id, model.SystemUserRoleId)
	_, during := createGuest(th, th.Channel.Id)
	requireSystemRole(th, during.Id, model.SystemUserRoleId)
	requireGuestMemberships(th, during.Id, th.Channel.Id)
	th.Login(during)

	// The cause goes; the next activation creates the row and moves both.
	drop()
	reenablePlugin(th, before.Id, during.Id)
	row := roleRow(th, guestRole)
	assert.False(t, row.BuiltIn)
	assert.Equal(t, roleRow(th, model.SystemGuestRoleId).perms(), row.perms())
	waitSystemRole(th, before.Id, guestRole)
	waitSystemRole(th, during.Id, guestRole)
	st = readStatsRole(th)
	assert.Equal(t, guestRole, st.GuestRole.Role)
	assert.False(t, st.GuestRole.Fallback)
	assert.Empty(t, st.GuestRole.Problem)
	enforced, _, _ = st.limit("guest_role")
	assert.True(t, enforced)
	assert.Equal(t, others, otherRoles(th), "another role row changed")
	_, resp, err := th.Login(during).CreateTeam(th.Ctx, &model.Team{Name: "t" + model.NewId()[:12], DisplayName: "x", Type: model.TeamOpen})
	require.Error(t, err)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
}

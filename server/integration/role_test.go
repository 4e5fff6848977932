package integration

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// The dedicated guest role's row is what core's own role store would
// write for a custom role: a fresh id, timestamps, not built in, not
// scheme-managed, and exactly system_guest's permissions (each once, each
// after a space); core itself serves it.
func TestRoleRowIsACopyOfSystemGuest(t *testing.T) {
	th := testhelper.Setup(t)
	row := roleRow(th, guestRole)
	guest := roleRow(th, model.SystemGuestRoleId)

	assert.Len(t, row.ID, 26)
	assert.True(t, model.IsValidId(row.ID), "id %q", row.ID)
	assert.False(t, row.BuiltIn, "BuiltIn")
	assert.False(t, row.SchemeManaged, "SchemeManaged")
	assert.Zero(t, row.DeleteAt)
	assert.NotZero(t, row.CreateAt)
	assert.GreaterOrEqual(t, row.UpdateAt, row.CreateAt)
	assert.NotEmpty(t, row.DisplayName)
	assert.LessOrEqual(t, len(row.DisplayName), model.RoleDisplayNameMaxLength)
	assert.LessOrEqual(t, len(row.Description), model.RoleDescriptionMaxLength)
	require.NotEmpty(t, guest.perms(), "system_guest has no permissions on this server")
	assert.Equal(t, guest.perms(), row.perms(), "permissions")
	// Core's role store writes each permission once, after a space.
	assert.Equal(t, " "+strings.Join(strings.Fields(guest.Permissions), " "), row.Permissions, "stored as core stores permissions")

	// Core knows it as a valid role (what PUT /users/{id}/roles checks).
	// (Core's role cache may hold an earlier row of the same name for up
	// to 30 minutes, with another id: the fallback test recreates it.)
	r, _, err := th.AdminClient.GetRoleByName(th.Ctx, guestRole)
	require.NoError(t, err)
	assert.Equal(t, guestRole, r.Name)
	assert.False(t, r.BuiltIn)
	assert.False(t, r.SchemeManaged)
	assert.ElementsMatch(t, guest.perms(), r.Permissions)
	assert.NoError(t, r.IsValidWithoutId(), "core's own validation refuses the row")
}

// Activating again (a server restart, then an admin's disable and enable)
// keeps the one row with its id; a row someone changed is set back to
// system_guest's permissions (audited), and no other role row changes.
func TestRoleActivationIsIdempotentAndResyncs(t *testing.T) {
	th := testhelper.Setup(t)
	_, g := createGuest(th, th.Channel.Id)
	before := roleRow(th, guestRole)
	others := otherRoles(th)

	restartServer(th)
	assert.Equal(t, 1, roleRowCount(th, guestRole))
	assert.Equal(t, before, roleRow(th, guestRole), "a restart changed the row")

	// Someone widens the role (say, by SQL or PATCH /roles): the next
	// activation puts system_guest's permissions back.
	_, err := th.Stack.SQL(th.Ctx, fmt.Sprintf("UPDATE roles SET permissions = permissions || ' create_team list_public_teams' WHERE name = '%s'", guestRole))
	require.NoError(t, err)
	audited := len(auditEntries(th, "guest_role", guestRole))
	reenablePlugin(th, g.Id)
	after := roleRow(th, guestRole)
	assert.Equal(t, 1, roleRowCount(th, guestRole))
	assert.Equal(t, before.ID, after.ID, "the row was replaced")
	assert.Equal(t, before.CreateAt, after.CreateAt)
	assert.Equal(t, before.perms(), after.perms(), "the widened permissions were not taken back")
	assert.Greater(t, after.UpdateAt, before.UpdateAt)
	entries := auditEntries(th, "guest_role", guestRole)
	require.Len(t, entries, audited+1, "the sync was not audited once")
	assert.Equal(t, "success", entries[0].Result)
	assert.Contains(t, entries[0].Details, "removed create_team list_public_teams")

	assert.Equal(t, others, otherRoles(th), "an activation changed another role row")
	waitSystemRole(th, g.Id, guestRole)
}

// A guest made before the dedicated role (system_user, as earlier versions
// left them) is moved onto it at activation, audited once for all; a guest
// left as system_guest by a crash inside a role window is repaired to it
// and reactivated (core deactivates system_guest users at start-up).
func TestRoleActivationMigratesOldGuests(t *testing.T) {
	th := testhelper.Setup(t)
	_, old := createGuest(th, th.Channel.Id)
	_, crashed := createGuest(th, th.Channel.Id)
	// The session first: core moves a user's sessions along with the role
	// (a guest signing in while not on the guest role is refused, see
	// TestRoleLoginMovesAGuestNotYetMoved).
	session := th.Login(old)
	// The login's asynchronous session refresh writes back the roles it
	// read, so a change made just after the login can be undone by it:
	// change the role until it stays.
	th.Eventually(func() bool {
		_, err := th.AdminClient.UpdateUserRoles(th.Ctx, old.Id, model.SystemUserRoleId)
		require.NoError(t, err)
		time.Sleep(time.Second)
		return userRoles(th, old.Id) == model.SystemUserRoleId
	}, "the old guest's role did not stay system_user")
	_, err := th.AdminClient.UpdateUserRoles(th.Ctx, crashed.Id, model.SystemGuestRoleId)
	require.NoError(t, err)
	migrations := len(auditEntries(th, "migrate_role", ""))
	// As after an upgrade from a version before the dedicated role: no
	// record of a full role check for this edition and role, so the
	// activation reads the whole registry (perf: otherwise it looks only
	// at the users core lists as system_guest).
	_, err = th.Stack.SQL(th.Ctx, fmt.Sprintf(`DELETE FROM pluginkeyvaluestore WHERE pluginid = '%s' AND pkey = 'reconcile/edition'`, testhelper.PluginID))
	require.NoError(t, err)

	restartServer(th)
	waitSystemRole(th, old.Id, guestRole)
	waitSystemRole(th, crashed.Id, guestRole)
	th.Eventually(func() bool {
		u, _, err := th.AdminClient.GetUser(th.Ctx, crashed.Id, "")
		return err == nil && u.DeleteAt == 0
	}, "the guest left in a window was not reactivated")
	assert.True(t, auditHas(th, "repair_role", crashed.Id))
	// The move runs in the background and is audited when it ends.
	th.Eventually(func() bool { return len(auditEntries(th, "migrate_role", "")) > migrations }, "the migration was not audited")
	entries := auditEntries(th, "migrate_role", "")
	assert.Equal(t, "success", entries[0].Result)
	assert.Contains(t, entries[0].Details, "now hold "+guestRole)

	// The old session now has the guest role's permissions: core refuses
	// what system_user allowed.
	_, resp, err := session.CreateTeam(th.Ctx, &model.Team{Name: "t" + model.NewId()[:12], DisplayName: "Guest team", Type: model.TeamOpen})
	require.Error(t, err, "the migrated guest's session still creates teams")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	_, _, err = session.CreatePost(th.Ctx, &model.Post{ChannelId: th.Channel.Id, Message: "still posting after the migration"})
	require.NoError(t, err)
	th.Login(crashed)
}

// A guest not yet on the guest role (an old guest the background move has
// not reached) who signs in is refused once, because core would build the
// session from the copy it read, and moved onto the role at once; the next
// sign-in passes with the guest role.
func TestRoleLoginMovesAGuestNotYetMoved(t *testing.T) {
	th := testhelper.Setup(t)
	_, g := createGuest(th, th.Channel.Id)
	_, err := th.AdminClient.UpdateUserRoles(th.Ctx, g.Id, model.SystemUserRoleId)
	require.NoError(t, err)

	_, _, err = th.Anonymous().Login(th.Ctx, g.Username, testhelper.UserPassword)
	require.Error(t, err, "a guest holding system_user signed in")
	requireSystemRole(th, g.Id, guestRole)
	me, _, err := th.Anonymous().Login(th.Ctx, g.Username, testhelper.UserPassword)
	require.NoError(t, err, "the next sign-in")
	assert.Equal(t, guestRole, me.Roles)
}

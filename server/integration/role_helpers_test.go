package integration

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/build/pluginctl"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// guestRole is the dedicated system role of guests on an unlicensed server
// (memberships.GuestRoleName; spelled out so a rename shows up here).
const guestRole = "guest_accounts_guest"

// dbRole is a row of core's Roles table as PostgreSQL returns it.
type dbRole struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	DisplayName   string `json:"displayname"`
	Description   string `json:"description"`
	Permissions   string `json:"permissions"`
	CreateAt      int64  `json:"createat"`
	UpdateAt      int64  `json:"updateat"`
	DeleteAt      int64  `json:"deleteat"`
	SchemeManaged bool   `json:"schememanaged"`
	BuiltIn       bool   `json:"builtin"`
}

// perms is the permission set, sorted.
func (r dbRole) perms() []string {
	p := strings.Fields(r.Permissions)
	sort.Strings(p)
	return p
}

// roleRows reads the Roles rows the condition selects, by name.
func roleRows(th *testhelper.TestHelper, where string) map[string]dbRole {
	th.T.Helper()
	out, err := th.Stack.SQL(th.Ctx, "SELECT row_to_json(r) FROM roles r WHERE "+where)
	require.NoError(th.T, err)
	rows := map[string]dbRole{}
	for _, line := range strings.Split(out, "\n") {
		if line == "" {
			continue
		}
		var r dbRole
		require.NoError(th.T, json.Unmarshal([]byte(line), &r), "a Roles row: %s", line)
		rows[r.Name] = r
	}
	return rows
}

// roleRow reads the one row of a role; the test fails when there is none.
func roleRow(th *testhelper.TestHelper, name string) dbRole {
	th.T.Helper()
	rows := roleRows(th, fmt.Sprintf("name = '%s'", name))
	r, ok := rows[name]
	require.True(th.T, ok, "no %s row in Roles", name)
	return r
}

// roleRowCount counts the rows named name (the name is unique in core's
// schema; counting proves it stayed so).
func roleRowCount(th *testhelper.TestHelper, name string) int {
	th.T.Helper()
	out, err := th.Stack.SQL(th.Ctx, fmt.Sprintf("SELECT count(*) FROM roles WHERE name = '%s'", name))
	require.NoError(th.T, err)
	var n int
	_, err = fmt.Sscan(out, &n)
	require.NoError(th.T, err)
	return n
}

// otherRoles snapshots every Roles row but the plugin's own.
func otherRoles(th *testhelper.TestHelper) map[string]dbRole {
	return roleRows(th, fmt.Sprintf("name <> '%s'", guestRole))
}

// restartServer restarts Mattermost (an activation of the plugin that, not
// being a disable, deactivates nobody) and waits for the plugin.
func restartServer(th *testhelper.TestHelper) {
	th.T.Helper()
	require.NoError(th.T, th.Stack.RestartMattermost(th.Ctx))
	require.NoError(th.T, pluginctl.WaitForPlugin(th.Ctx, th.AdminClient, testhelper.PluginID, model.PluginStateRunning))
}

// reenablePlugin disables and enables the plugin (an admin's activation):
// guests are deactivated while it is off and reinstated when it is back;
// it returns once every guest in ids is active again.
func reenablePlugin(th *testhelper.TestHelper, ids ...string) {
	th.T.Helper()
	_, err := th.AdminClient.DisablePlugin(th.Ctx, testhelper.PluginID)
	require.NoError(th.T, err)
	_, err = th.AdminClient.EnablePlugin(th.Ctx, testhelper.PluginID)
	require.NoError(th.T, err)
	require.NoError(th.T, pluginctl.WaitForPlugin(th.Ctx, th.AdminClient, testhelper.PluginID, model.PluginStateRunning))
	for _, id := range ids {
		th.Eventually(func() bool { return guestStatus(th, id).Status == "active" }, "guest %s was not reinstated", id)
	}
}

// userRoles reads a user's system roles as core has them.
func userRoles(th *testhelper.TestHelper, userID string) string {
	th.T.Helper()
	u, _, err := th.AdminClient.GetUser(th.Ctx, userID, "")
	require.NoError(th.T, err)
	return u.Roles
}

// waitSystemRole waits until the user holds exactly role (hooks and
// activation work asynchronously).
func waitSystemRole(th *testhelper.TestHelper, userID, role string) {
	th.T.Helper()
	th.Eventually(func() bool { return userRoles(th, userID) == role }, "user %s does not hold %s (has %q)", userID, role, userRoles(th, userID))
}

// statsRole is the guest-role part of GET /stats.
type statsRole struct {
	GuestRole struct {
		Role     string `json:"role"`
		Fallback bool   `json:"fallback"`
		Problem  string `json:"problem"`
	} `json:"guest_role"`
	EditionLimits []struct {
		Capability string `json:"capability"`
		Enforced   bool   `json:"enforced"`
		Note       string `json:"note"`
	} `json:"edition_limits"`
}

func (s statsRole) limit(capability string) (enforced bool, note string, ok bool) {
	for _, l := range s.EditionLimits {
		if l.Capability == capability {
			return l.Enforced, l.Note, true
		}
	}
	return false, "", false
}

func readStatsRole(th *testhelper.TestHelper) statsRole {
	th.T.Helper()
	resp := th.PluginRequest(th.AdminClient, http.MethodGet, "/stats", nil)
	require.Equal(th.T, http.StatusOK, resp.Status, "stats: %s", resp.Body)
	var s statsRole
	th.DecodeJSON(resp, &s)
	return s
}

// logHas reports whether the server log has a line containing every
// fragment, written after offset bytes.
func logHas(th *testhelper.TestHelper, offset int64, fragments ...string) bool {
	th.T.Helper()
	raw, err := os.ReadFile(th.Stack.LogPath())
	require.NoError(th.T, err)
	if int64(len(raw)) < offset {
		offset = 0 // the log was rotated or rewritten
	}
	for _, line := range strings.Split(string(raw[offset:]), "\n") {
		if !slices.ContainsFunc(fragments, func(f string) bool { return !strings.Contains(line, f) }) {
			return true
		}
	}
	return false
}

// logSize is where new log lines start.
func logSize(th *testhelper.TestHelper) int64 {
	th.T.Helper()
	fi, err := os.Stat(th.Stack.LogPath())
	require.NoError(th.T, err)
	return fi.Size()
}

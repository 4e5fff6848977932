package integration

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The user directory and the team list, read by a guest through every
// listing, search and lookup core offers: people sharing no channel with
// the guest are never returned, and their ids, addresses, usernames and
// positions appear in no answer; the people of the guest's channel are
// (the directory works). Team lookups refuse teams the guest is not in.
// Two answers are as for core's own licensed guests and asserted as
// measured edition limits: an open team looked up by its exact name, and a
// status looked up by user id.
func TestEscapeDirectoryAndTeamListing(t *testing.T) {
	fx := newEscape(t)
	th := fx.th
	teamID, chID := th.Team.Id, th.Channel.Id
	q := url.QueryEscape
	secretsFree := []attempt{
		{name: "GET /users", method: http.MethodGet, path: "/users?per_page=200", want: http.StatusOK},
		{name: "GET /users?in_team", method: http.MethodGet, path: "/users?per_page=200&in_team=" + teamID, want: http.StatusOK},
		{name: "GET /users?in_team&not_in_channel", method: http.MethodGet, path: "/users?in_team=" + teamID + "&not_in_channel=" + chID, want: http.StatusOK},
		{name: "GET /users?not_in_team", method: http.MethodGet, path: "/users?not_in_team=" + fx.openTeam.Id, want: http.StatusForbidden},
		{name: "GET /users?in_channel (public, not the guest's)", method: http.MethodGet, path: "/users?in_channel=" + fx.public.Id, want: http.StatusForbidden},
		{name: "GET /users?in_team (open team)", method: http.MethodGet, path: "/users?in_team=" + fx.openTeam.Id, want: http.StatusForbidden},
		{name: "GET /users?without_team", method: http.MethodGet, path: "/users?without_team=true", want: http.StatusForbidden},
		{name: "GET /users?active&role", method: http.MethodGet, path: "/users?active=true&role=system_user", want: http.StatusOK},
		{name: "POST /users/search (username)", method: http.MethodPost, path: "/users/search", body: map[string]any{"term": fx.stranger.Username}, want: http.StatusOK},
		{name: "POST /users/search (email, in team)", method: http.MethodPost, path: "/users/search", body: map[string]any{"term": fx.stranger.Email, "team_id": teamID}, want: http.StatusOK},
		{name: "POST /users/search (allow_inactive)", method: http.MethodPost, path: "/users/search", body: map[string]any{"term": "u", "allow_inactive": true, "limit": 100}, want: http.StatusOK},
		{name: "GET /users/autocomplete (team)", method: http.MethodGet, path: "/users/autocomplete?in_team=" + teamID + "&name=" + q(fx.stranger.Username[:5]), want: http.StatusOK},
		{name: "GET /users/autocomplete (channel)", method: http.MethodGet, path: "/users/autocomplete?in_team=" + teamID + "&in_channel=" + chID + "&name=" + q(fx.stranger.Username[:5]), want: http.StatusOK},
		{name: "GET /users/autocomplete (everyone)", method: http.MethodGet, path: "/users/autocomplete?name=" + q(fx.outsider.Username[:5]), want: http.StatusOK},
		{name: "GET /users/{stranger}", method: http.MethodGet, path: "/users/" + fx.stranger.Id, want: http.StatusForbidden},
		{name: "GET /users/{outsider}", method: http.MethodGet, path: "/users/" + fx.outsider.Id, want: http.StatusForbidden},
		{name: "GET /users/email/{stranger}", method: http.MethodGet, path: "/users/email/" + q(fx.stranger.Email), want: http.StatusForbidden},
		{name: "GET /users/username/{stranger}", method: http.MethodGet, path: "/users/username/" + fx.stranger.Username, want: http.StatusForbidden},
		{name: "POST /users/ids", method: http.MethodPost, path: "/users/ids", body: []string{fx.stranger.Id, fx.outsider.Id}, want: http.StatusOK},
		{name: "POST /users/usernames", method: http.MethodPost, path: "/users/usernames", body: []string{fx.stranger.Username, fx.outsider.Username}, want: http.StatusOK},
		{name: "GET /users/{stranger}/image", method: http.MethodGet, path: "/users/" + fx.stranger.Id + "/image", want: http.StatusForbidden},
		{name: "GET /users/{stranger}/teams", method: http.MethodGet, path: "/users/" + fx.stranger.Id + "/teams", want: http.StatusForbidden},
		{name: "GET /users/{stranger}/channels", method: http.MethodGet, path: "/users/" + fx.stranger.Id + "/channels", want: http.StatusForbidden},
		{name: "GET /users/known", method: http.MethodGet, path: "/users/known", want: http.StatusOK},
		{name: "GET /teams/{own}/members", method: http.MethodGet, path: "/teams/" + teamID + "/members", want: http.StatusOK},
		{name: "GET /teams/{own}/stats", method: http.MethodGet, path: "/teams/" + teamID + "/stats", want: http.StatusOK},
		{name: "GET /channels/{public}/members", method: http.MethodGet, path: "/channels/" + fx.public.Id + "/members", want: http.StatusForbidden},
		{name: "GET /teams", method: http.MethodGet, path: "/teams", want: http.StatusForbidden},
		{name: "POST /teams/search", method: http.MethodPost, path: "/teams/search", body: map[string]string{"term": fx.openTeam.Name}, want: http.StatusOK},
		{name: "GET /teams/{open}", method: http.MethodGet, path: "/teams/" + fx.openTeam.Id, want: http.StatusForbidden},
		{name: "GET /teams/{invite-only}", method: http.MethodGet, path: "/teams/" + fx.inviteTeam.Id, want: http.StatusForbidden},
		{name: "GET /teams/name/{invite-only}", method: http.MethodGet, path: "/teams/name/" + fx.inviteTeam.Name, want: http.StatusForbidden},
		{name: "GET /teams/{open}/members", method: http.MethodGet, path: "/teams/" + fx.openTeam.Id + "/members", want: http.StatusForbidden},
		{name: "GET /teams/{own}/members/{stranger}", method: http.MethodGet, path: "/teams/" + teamID + "/members/" + fx.stranger.Id, want: http.StatusForbidden},
		{name: "GET /teams/{open}/channels", method: http.MethodGet, path: "/teams/" + fx.openTeam.Id + "/channels", want: http.StatusForbidden},
	}
	answers := try(t, th, fx.gc, secretsFree)
	for _, a := range secretsFree {
		r := answers[a.name]
		assert.Empty(t, leaks(r.Body, fx.strangerSecrets()...), "%s leaked a stranger", a.name)
		assert.Empty(t, leaks(r.Body, fx.openTeam.Name, fx.inviteTeam.Name, fx.openTeam.Id, fx.inviteTeam.Id), "%s leaked another team", a.name)
	}

	// The directory still works for the people of the guest's channel.
	var listed []*model.User
	require.NoError(t, json.Unmarshal(answers["GET /users?in_team"].Body, &listed))
	assert.True(t, containsUser(listed, th.Member.Id), "the guest's channel co-member is missing from the directory")
	member := call(th, fx.gc, http.MethodGet, "/users/"+th.Member.Id, nil)
	assert.Equal(t, http.StatusOK, member.Status, "the guest cannot read a co-member's profile")

	// Measured edition limits, as for core's licensed guests: an open team
	// named exactly (without its invite id), and statuses by id.
	limits := try(t, th, fx.gc, []attempt{
		{name: "GET /teams/name/{open}", method: http.MethodGet, path: "/teams/name/" + fx.openTeam.Name, want: http.StatusOK},
		{name: "POST /users/status/ids", method: http.MethodPost, path: "/users/status/ids", body: []string{fx.stranger.Id}, want: http.StatusOK},
	})
	assert.Empty(t, leaks(limits["GET /teams/name/{open}"].Body, fx.openTeam.InviteId), "the open team's invite id")
	for name, r := range limits {
		assert.Empty(t, leaks(r.Body, fx.stranger.Email, fx.stranger.Username, strangerPosition, fx.outsider.Id), "%s leaked more than an id", name)
	}
}

package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/build/benchreport"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/build/pluginctl"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper"
)

// loadParams reads the sizes of the run; GA_BENCH_* override them.
//
// The defaults aim at the precision target (every ratio of Guest Accounts
// to the no-op plugin within ±3 %) on an idle 2-core machine: blocks of
// 800 posts per post workload and 200 joins take about 1.5 s each, a
// cycle of three configurations about 55 s with the switches. Most of the
// spread is between visits of a configuration, not within a block (a run
// with blocks twice as long was no more precise per cycle), so precision
// comes from cycles: after one warm-up cycle the run stops once the target
// is reached (at least 10 cycles), at 120 cycles, or after 110 minutes
// (73 cycles, 59 minutes, reached ±2.9 % for the widest workload; 91
// cycles of another run ±3.03 %).
func loadParams() benchreport.Params {
	p := benchreport.Params{
		Workers: 8, PostRequests: 800, JoinRequests: 200, MinCycles: 10, MaxCycles: 120, WarmupCycles: 1,
		BudgetS: 110 * 60, TargetHalfWidth: benchreport.TargetHalfWidth,
		Guests: 10000, Scale: []int{1000, 10000, 100000},
	}
	intEnv := func(name string, dst *int) {
		if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
			*dst = v
		}
	}
	intEnv("GA_BENCH_WORKERS", &p.Workers)
	intEnv("GA_BENCH_POSTS", &p.PostRequests)
	intEnv("GA_BENCH_JOINS", &p.JoinRequests)
	intEnv("GA_BENCH_MIN_CYCLES", &p.MinCycles)
	intEnv("GA_BENCH_MAX_CYCLES", &p.MaxCycles)
	intEnv("GA_BENCH_GUESTS", &p.Guests)
	if v, err := strconv.Atoi(os.Getenv("GA_BENCH_BUDGET_MIN")); err == nil && v > 0 {
		p.BudgetS = float64(v * 60)
	}
	if v := os.Getenv("GA_BENCH_SCALE"); v != "" {
		p.Scale = nil
		for _, f := range strings.Split(v, ",") {
			if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil && n > 0 {
				p.Scale = append(p.Scale, n)
			}
		}
	}
	p.MaxCycles = max(p.MaxCycles, p.MinCycles)
	p.PostRequests = max(p.PostRequests/p.Workers, 1) * p.Workers
	p.JoinRequests = max(p.JoinRequests/p.Workers, 1) * p.Workers
	return p
}

// actor is one user the benchmark acts as.
type actor struct {
	user *model.User
	c    *model.Client4
}

// world is what the benchmark sets up once on the shared stack.
type world struct {
	th       *testhelper.TestHelper
	p        benchreport.Params
	admin    *model.Client4
	members  []actor
	guests   []actor
	dms      []string // dms[i]: guest i with member i (they share a channel)
	gms      []string // gms[i]: guest i with member i and the helper's member
	joinable []string // joinable[i]: the public channel member i joins and leaves
	seed     *seeder
	// serverBin is the Mattermost binary, to find its process (cpu_test.go).
	serverBin string

	oursOn, noopOn bool
	seeded         int
	realGuests     registryRows
	oldSettings    map[string]any
}

// setSettings saves plugin settings through the config API (as the System
// Console does) and returns the previous values of those keys.
func (w *world) setSettings(ctx context.Context, values map[string]any) (map[string]any, error) {
	cfg, _, err := w.admin.GetConfig(ctx)
	if err != nil {
		return nil, errors.Wrap(err, "reading the server config")
	}
	if cfg.PluginSettings.Plugins == nil {
		cfg.PluginSettings.Plugins = map[string]map[string]any{}
	}
	settings := cfg.PluginSettings.Plugins[testhelper.PluginID]
	if settings == nil {
		settings = map[string]any{}
	}
	old := map[string]any{}
	for k, v := range values {
		old[k] = settings[k]
		settings[k] = v
	}
	cfg.PluginSettings.Plugins[testhelper.PluginID] = settings
	if _, _, err := w.admin.UpdateConfig(ctx, cfg); err != nil {
		return nil, errors.Wrap(err, "saving plugin settings")
	}
	return old, nil
}

func newWorld(ctx context.Context, th *testhelper.TestHelper, p benchreport.Params) (*world, error) {
	w := &world{th: th, p: p, admin: client(th.URL, th.AdminClient.AuthToken), oursOn: true,
		serverBin: filepath.Join(th.Stack.MattermostDir, "mattermost")}
	// Enabling the plugin answers once OnActivate returns, which walks the
	// registry: minutes with 100,000 guests on a busy machine.
	w.admin.HTTPClient.Timeout = 15 * time.Minute
	// Caps on, as a real installation has them (they are checked on every
	// creation and join). Restored by cleanup.
	var err error
	if w.oldSettings, err = w.setSettings(ctx, map[string]any{"maxactiveguests": 200000, "maxchannelsperguest": 20}); err != nil {
		return nil, err
	}
	for i := range p.Workers {
		u := th.CreateUser()
		th.AddTeamMember(th.Team.Id, u.Id)
		th.AddChannelMember(th.Channel.Id, u.Id)
		c, err := w.tokenClient(ctx, u.Id)
		if err != nil {
			return nil, err
		}
		w.members = append(w.members, actor{u, c})
		ch := th.CreateChannel(th.Team.Id, model.ChannelTypeOpen)
		w.joinable = append(w.joinable, ch.Id)

		id := model.NewId()[:10]
		status, body, err := pluginCall(ctx, w.admin, http.MethodPost, "/guests", map[string]any{
			"email": "g" + id + "@guests.bench.test", "username": "g" + id, "password": testhelper.UserPassword,
			"channel_ids": []string{th.Channel.Id},
		})
		if err != nil || status != http.StatusCreated {
			return nil, errors.Errorf("creating guest %d: %d %s %v", i, status, body, err)
		}
		var g struct {
			UserID string `json:"user_id"`
		}
		if err := json.Unmarshal(body, &g); err != nil {
			return nil, err
		}
		th.Track(g.UserID)
		gu, _, err := w.admin.GetUser(ctx, g.UserID, "")
		if err != nil {
			return nil, err
		}
		gc, err := w.tokenClient(ctx, g.UserID)
		if err != nil {
			return nil, err
		}
		w.guests = append(w.guests, actor{gu, gc})
		dm, _, err := c.CreateDirectChannel(ctx, u.Id, g.UserID)
		if err != nil {
			return nil, errors.Wrap(err, "opening a DM between a member and a guest")
		}
		w.dms = append(w.dms, dm.Id)
	}
	for i := range w.guests {
		gm, _, err := w.members[i].c.CreateGroupChannel(ctx, []string{w.members[i].user.Id, w.guests[i].user.Id, th.Member.Id})
		if err != nil {
			return nil, errors.Wrap(err, "opening a group message with a guest")
		}
		w.gms = append(w.gms, gm.Id)
	}
	seed, err := openSeeder(th.Stack.DataSource())
	if err != nil {
		return nil, err
	}
	w.seed = seed
	return w, nil
}

func (w *world) tokenClient(ctx context.Context, userID string) (*model.Client4, error) {
	tok, _, err := w.admin.CreateUserAccessToken(ctx, userID, "bench")
	if err != nil {
		return nil, errors.Wrap(err, "creating a personal access token")
	}
	return client(w.th.URL, tok.Token), nil
}

// config is one configuration of the server under measurement.
type config = benchreport.Config

// set brings the server into configuration c. The plugin is disabled the
// way an admin does it (REST disable). Disabling it deactivates every
// registered guest (fail closed), which would take the benchmark's own
// guests away: their registry records are taken out of the database
// before the disable and put back after the next enable, so the same
// users post in every configuration.
func (w *world) set(ctx context.Context, c config) error {
	if c.Ours != w.oursOn {
		if c.Ours {
			if err := setPlugin(ctx, w.admin, testhelper.PluginID, true); err != nil {
				return err
			}
			if err := w.seed.putBack(ctx, w.realGuests); err != nil {
				return err
			}
		} else {
			rows, err := w.seed.takeRealGuests(ctx)
			if err != nil {
				return err
			}
			if len(rows) > 0 {
				w.realGuests = rows
			}
			if err := setPlugin(ctx, w.admin, testhelper.PluginID, false); err != nil {
				return err
			}
		}
		w.oursOn, w.seeded = c.Ours, 0
		if err := w.seed.settle(ctx); err != nil {
			return err
		}
	}
	if c.Ours && c.Guests != w.seeded {
		if err := w.seed.setRegistry(ctx, c.Guests, w.th.Admin.Id, w.th.Team.Id, w.th.Channel.Id, false); err != nil {
			return err
		}
		w.seeded = c.Guests
		if err := w.seed.settle(ctx); err != nil {
			return err
		}
	}
	if c.Noop != w.noopOn {
		if err := setPlugin(ctx, w.admin, noopID, c.Noop); err != nil {
			return err
		}
		w.noopOn = c.Noop
	}
	return nil
}

// enableTimed enables Guest Accounts and returns how long until it runs
// (OnActivate, with its registry walks, included).
func (w *world) enableTimed(ctx context.Context) (time.Duration, error) {
	start := time.Now()
	if _, err := w.admin.EnablePlugin(ctx, testhelper.PluginID); err != nil {
		return 0, err
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	for {
		if err := pluginctl.WaitForPlugin(wctx, w.admin, testhelper.PluginID, model.PluginStateRunning); err == nil {
			return time.Since(start), nil
		} else if wctx.Err() != nil {
			return 0, err
		}
	}
}

// pluginCall calls the plugin's REST API.
func pluginCall(ctx context.Context, c *model.Client4, method, path string, body any) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		buf, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		r = bytes.NewReader(buf)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(c.URL, "/")+"/plugins/"+testhelper.PluginID+"/api/v1"+path, r)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.AuthToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.HTTPClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, err
}

// workload is one kind of request, made by N users at once.
type workload struct {
	Name string
	Join bool // measured with Params.JoinRequests, else PostRequests
	op   func(w *world) op
}

var workloads = []workload{
	{"member post", false, func(w *world) op { return postOp(w.members, func(int) string { return w.th.Channel.Id }) }},
	{"guest post", false, func(w *world) op { return postOp(w.guests, func(int) string { return w.th.Channel.Id }) }},
	{"guest DM post", false, func(w *world) op { return postOp(w.guests, func(i int) string { return w.dms[i] }) }},
	{"guest GM post", false, func(w *world) op { return postOp(w.guests, func(i int) string { return w.gms[i] }) }},
	{"member join (+ leave)", true, func(w *world) op {
		return func(ctx context.Context, i, _ int) (func() error, error) {
			m := w.members[i]
			if _, _, err := m.c.AddChannelMember(ctx, w.joinable[i], m.user.Id); err != nil {
				return nil, errors.Wrap(err, "joining")
			}
			return func() error {
				_, err := m.c.RemoveUserFromChannel(ctx, w.joinable[i], m.user.Id)
				return errors.Wrap(err, "leaving")
			}, nil
		}
	}},
}

func postOp(as []actor, channel func(i int) string) op {
	return func(ctx context.Context, i, n int) (func() error, error) {
		_, _, err := as[i].c.CreatePost(ctx, &model.Post{ChannelId: channel(i), Message: fmt.Sprintf("bench %d", n)})
		return nil, errors.Wrap(err, "posting")
	}
}

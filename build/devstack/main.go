// Command devstack runs a local Mattermost + PostgreSQL + SMTP sink with the
// plugin installed, for `make run` / `make stop`. State lives in a folder
// (default .run/) so data survives a stop; `make clean` removes it.
//
//	devstack up   -dir .run -bundle dist/guest-accounts-X.tar.gz
//	devstack down -dir .run
//	devstack smtp -addr 127.0.0.1:2525 -log .run/mail.log   (internal)
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/build/pluginctl"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper/smtpsink"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper/stack"
)

const (
	adminUser     = "admin"
	adminEmail    = "admin@localhost.test"
	adminPassword = "Admin-Passw0rd!"
	pluginID      = "guest-accounts"
)

func main() {
	if len(os.Args) < 2 {
		fail("usage: devstack up|down|smtp [flags]")
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	dir := fs.String("dir", ".run", "state folder")
	bundle := fs.String("bundle", "", "plugin bundle to install")
	standin := fs.String("standin", "webapp/dist/standin", "the stand-in client's files (webapp/dist/standin)")
	port := fs.Int("port", envInt("GA_PORT", 8065), "Mattermost port")
	dbPort := fs.Int("db-port", envInt("GA_DB_PORT", 55432), "PostgreSQL port")
	smtpPort := fs.Int("smtp-port", envInt("GA_SMTP_PORT", 2525), "SMTP sink port")
	addr := fs.String("addr", "", "smtp: listen address")
	logPath := fs.String("log", "", "smtp: mail log")
	_ = fs.Parse(os.Args[2:])
	abs, err := filepath.Abs(*dir)
	if err != nil {
		fail(err.Error())
	}
	switch os.Args[1] {
	case "up":
		up(abs, *bundle, *standin, *port, *dbPort, *smtpPort)
	case "down":
		if err := stack.StopDetached(abs); err != nil {
			fail(err.Error())
		}
		fmt.Println("Stopped the local Mattermost, its mail sink and PostgreSQL.")
	case "smtp":
		runSink(*addr, *logPath)
	default:
		fail("unknown command " + os.Args[1])
	}
}

func up(dir, bundle, standinDir string, port, dbPort, smtpPort int) {
	if bundle == "" {
		fail("-bundle is required")
	}
	if _, err := os.Stat(filepath.Join(dir, "mattermost.pid")); err == nil {
		fmt.Println("A local stack seems to be running already; stopping it first.")
		_ = stack.StopDetached(dir)
	}
	for _, p := range []int{port, dbPort, smtpPort} {
		if l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p)); err != nil {
			fail(fmt.Sprintf("port %d is in use: stop what uses it, or set GA_PORT / GA_DB_PORT / GA_SMTP_PORT", p))
		} else {
			l.Close()
		}
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		fail(err.Error())
	}
	if err := startSinkProcess(dir, smtpPort); err != nil {
		fail(err.Error())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	st, err := stack.Start(ctx, stack.Options{Dir: dir, Port: port, DBPort: dbPort, SMTPHost: "127.0.0.1", SMTPPort: smtpPort, Detached: true})
	if err != nil {
		_ = stack.StopDetached(dir)
		fail(err.Error())
	}
	c, err := pluginctl.EnsureAdmin(ctx, st.URL, adminUser, adminEmail, adminPassword)
	if err != nil {
		_ = stack.StopDetached(dir)
		fail(err.Error())
	}
	if err := pluginctl.InstallPlugin(ctx, c, bundle, pluginID); err != nil {
		_ = stack.StopDetached(dir)
		fail(err.Error())
	}
	if err := seedDemo(ctx, c); err != nil {
		_ = stack.StopDetached(dir)
		fail(err.Error())
	}
	page, err := installStandin(dir, standinDir)
	if err != nil {
		_ = stack.StopDetached(dir)
		fail(err.Error())
	}
	fmt.Printf(`
Mattermost is running with the Guest Accounts plugin enabled (team "demo",
channel "project" with the member "member" and the guest "guest"; their
password is the admin's).

  Plugin UI: %s%s
             (the stand-in client, signed in as the admin: System Console for
             the guest dashboard, the team menu for "Invite guests", a
             channel's header for its guests, a member for the Guest badge)
  URL:       %s
  Admin:     %s / %s
  API:       %s/plugins/%s/api/v1/stats
  Mail sink: 127.0.0.1:%d, received mail is appended to %s
  Logs:      %s

No Mattermost web client can be built here, so the stand-in page plays it;
docs/testing.md says how to use a real client instead. Stop with `+"`make stop`"+`.
`, st.URL, page, st.URL, adminUser, adminPassword, st.URL, pluginID, smtpPort,
		filepath.Join(dir, "mail.log"), filepath.Join(dir, "mattermost.log"))
}

// standinFolder is where the stand-in client lives in the server's client
// folder, which the server serves at /static/ (same origin as the API, so
// the session cookie and CSRF work as in the real client).
const standinFolder = "ga-standin"

// installStandin copies the stand-in client into the server's client folder,
// with the development admin's login next to it (it signs in with it), and
// points the server's root page at it. It returns the page's path.
func installStandin(dir, from string) (string, error) {
	target := filepath.Join(dir, "client", standinFolder)
	if err := os.MkdirAll(target, 0o750); err != nil {
		return "", err
	}
	for _, name := range []string{"standin.html", "host.js", "standin.css"} {
		data, err := os.ReadFile(filepath.Join(from, name))
		if err != nil {
			return "", fmt.Errorf("the stand-in client is not built: run `make webapp`: %w", err)
		}
		if err := os.WriteFile(filepath.Join(target, name), data, 0o600); err != nil {
			return "", err
		}
	}
	login := fmt.Sprintf(`{"login": %q, "password": %q}`, adminUser, adminPassword)
	if err := os.WriteFile(filepath.Join(target, "dev-login.json"), []byte(login), 0o600); err != nil {
		return "", err
	}
	page := "/static/" + standinFolder + "/standin.html?team=demo&channel=project"
	root := `<!doctype html><meta charset="utf-8"><title>Mattermost (development)</title>` +
		`<p>This development server has no Mattermost web client. <a href="` + page + `">Open the stand-in client with the Guest Accounts plugin</a>.</p>`
	return page, os.WriteFile(filepath.Join(dir, "client", "root.html"), []byte(root), 0o600)
}

// seedDemo gives the admin something to look at, once: a team "demo" with
// a channel "project" holding a member and a guest (made through the
// plugin's API), so the stand-in shows the badge and the channel indicator.
func seedDemo(ctx context.Context, c *model.Client4) error {
	if _, _, err := c.GetTeamByName(ctx, "demo", ""); err == nil {
		return nil
	}
	me, _, err := c.GetMe(ctx, "")
	if err != nil {
		return err
	}
	team, _, err := c.CreateTeam(ctx, &model.Team{Name: "demo", DisplayName: "Demo", Type: model.TeamOpen})
	if err != nil {
		return fmt.Errorf("creating the demo team: %w", err)
	}
	channel, _, err := c.CreateChannel(ctx, &model.Channel{TeamId: team.Id, Name: "project", DisplayName: "Project", Type: model.ChannelTypeOpen})
	if err != nil {
		return fmt.Errorf("creating the demo channel: %w", err)
	}
	member, _, err := c.CreateUser(ctx, &model.User{Username: "member", Email: "member@localhost.test", Password: adminPassword, EmailVerified: true, FirstName: "Mia", LastName: "Member"})
	if err != nil {
		return fmt.Errorf("creating the demo member: %w", err)
	}
	for _, id := range []string{me.Id, member.Id} {
		if _, _, err := c.AddTeamMember(ctx, team.Id, id); err != nil {
			return err
		}
		if _, _, err := c.AddChannelMember(ctx, channel.Id, id); err != nil {
			return err
		}
	}
	body, err := json.Marshal(map[string]any{
		"email": "guest@guest.localhost.test", "username": "guest", "first_name": "Gus", "last_name": "Guest",
		"password": adminPassword, "channel_ids": []string{channel.Id},
	})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL+"/plugins/"+pluginID+"/api/v1/guests", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.AuthToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("creating the demo guest: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("creating the demo guest: the plugin answered %s", resp.Status)
	}
	return nil
}

// startSinkProcess runs this program's `smtp` command detached.
func startSinkProcess(dir string, port int) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	logFile, err := os.OpenFile(filepath.Join(dir, "smtpsink.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer logFile.Close()
	cmd := exec.Command(self, "smtp", "-addr", fmt.Sprintf("127.0.0.1:%d", port), "-log", filepath.Join(dir, "mail.log"))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "smtpsink.pid"), []byte(strconv.Itoa(cmd.Process.Pid)), 0o600); err != nil {
		return err
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			conn.Close()
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("the SMTP sink did not start; see %s", logFile.Name())
}

func runSink(addr, logPath string) {
	sink, err := smtpsink.StartLogging(addr, logPath)
	if err != nil {
		fail(err.Error())
	}
	defer sink.Close()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "devstack:", msg)
	os.Exit(1)
}

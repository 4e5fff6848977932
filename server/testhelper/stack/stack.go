// Package stack starts and stops a real Mattermost server with a private
// PostgreSQL cluster, for the integration tests and for `make run`.
//
// The Mattermost binary and its i18n/templates/fonts come from the folder in
// GA_MATTERMOST_DIR (built by `make mattermost-server` from the pinned Go
// modules in build/testserver).
package stack

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/pkg/errors"
)

// Options say where and how to run the stack.
type Options struct {
	// Dir holds the PostgreSQL cluster, server config, data and logs. It is
	// reused when it already holds a stack (make run).
	Dir string
	// MattermostDir holds the mattermost binary, i18n/, templates/, fonts/.
	// Empty means GA_MATTERMOST_DIR.
	MattermostDir string
	// Port and DBPort; 0 picks a free loopback port.
	Port, DBPort int
	// SMTPHost and SMTPPort of the mail sink the server sends through.
	SMTPHost string
	SMTPPort int
	// Detached processes outlive this program (make run); otherwise they die
	// with it.
	Detached bool
	// Env is added to the server's (and so the plugin's) environment.
	Env []string
	// ExtraConfig is merged over the generated config.json (section → key →
	// value), for tests that need other server settings from the start.
	ExtraConfig map[string]map[string]any
}

// Stack is a running Mattermost + PostgreSQL.
type Stack struct {
	Options
	URL        string
	SocketPath string

	postgres   *exec.Cmd
	mattermost *exec.Cmd
	exited     chan error
	tempPgDir  string
}

// Start brings up PostgreSQL, then Mattermost, and returns when the server
// answers /api/v4/system/ping. On error everything started is stopped.
func Start(ctx context.Context, opts Options) (*Stack, error) {
	s := &Stack{Options: opts}
	if s.MattermostDir == "" {
		s.MattermostDir = os.Getenv("GA_MATTERMOST_DIR")
	}
	if s.MattermostDir == "" {
		return nil, errors.New("GA_MATTERMOST_DIR is not set: run the tests through `make test` (which builds the pinned Mattermost server into the cache and sets it)")
	}
	if _, err := os.Stat(filepath.Join(s.MattermostDir, "mattermost")); err != nil {
		return nil, errors.Errorf("no Mattermost server binary in %s: run `make mattermost-server`", s.MattermostDir)
	}
	if err := os.MkdirAll(s.Dir, 0o750); err != nil {
		return nil, errors.Wrap(err, "creating the stack folder")
	}
	var err error
	for _, p := range []*int{&s.Port, &s.DBPort} {
		if *p == 0 {
			if *p, err = FreePort(); err != nil {
				return nil, err
			}
		}
	}
	s.URL = fmt.Sprintf("http://127.0.0.1:%d", s.Port)
	s.SocketPath = filepath.Join(s.Dir, "mattermost_local.socket")
	if err := s.startPostgres(ctx); err != nil {
		_ = s.Stop() // the start-up error is the one to report
		return nil, err
	}
	if err := s.startMattermost(ctx); err != nil {
		_ = s.Stop() // the start-up error is the one to report
		return nil, err
	}
	return s, nil
}

// DataSource is the PostgreSQL connection string the server uses.
func (s *Stack) DataSource() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/mattermost?sslmode=disable&connect_timeout=10", s.DBPort)
}

func (s *Stack) prepareRunDir() error {
	for _, d := range []string{"config", "data", "plugins", "client/plugins", "logs"} {
		if err := os.MkdirAll(filepath.Join(s.Dir, d), 0o750); err != nil {
			return errors.Wrapf(err, "creating %s", d)
		}
	}
	root := filepath.Join(s.Dir, "client", "root.html")
	if _, err := os.Stat(root); err != nil {
		page := "<!doctype html><title>Mattermost</title><p>This test server has no web client; use the API, the System Console API or the plugin's pages.</p>"
		if err := os.WriteFile(root, []byte(page), 0o600); err != nil {
			return errors.Wrap(err, "writing client/root.html")
		}
	}
	// i18n is mandatory; templates and fonts are used for email and images.
	for _, d := range []string{"i18n", "templates", "fonts"} {
		link := filepath.Join(s.Dir, d)
		if _, err := os.Lstat(link); err == nil {
			continue
		}
		if err := os.Symlink(filepath.Join(s.MattermostDir, d), link); err != nil {
			return errors.Wrapf(err, "linking %s", d)
		}
	}
	return nil
}

// config is the server configuration written at every start; Mattermost
// fills in every default we do not name. Nothing is set through MM_*
// variables so that tests can change any setting through the config API.
func (s *Stack) config() map[string]map[string]any {
	smtpPort := ""
	if s.SMTPPort != 0 {
		smtpPort = fmt.Sprint(s.SMTPPort)
	}
	cfg := map[string]map[string]any{
		"ServiceSettings": {
			"SiteURL":                         s.URL,
			"ListenAddress":                   fmt.Sprintf("127.0.0.1:%d", s.Port),
			"EnableLocalMode":                 true,
			"LocalModeSocketLocation":         s.SocketPath,
			"EnableUserAccessTokens":          true,
			"EnableAPITeamDeletion":           true,
			"EnableAPIUserDeletion":           true,
			"EnableAPIChannelDeletion":        true,
			"MaximumLoginAttempts":            1000,
			"EnableSecurityFixAlert":          false,
			"EnableDeveloper":                 false,
			"EnableMultifactorAuthentication": true,
			// The tests act as many clients from one loopback address.
			"TrustedProxyIPHeader": []string{"X-Forwarded-For"},
		},
		"SqlSettings": {
			"DriverName":   "postgres",
			"DataSource":   s.DataSource(),
			"MaxOpenConns": 100,
			"MaxIdleConns": 20,
			"QueryTimeout": 30,
		},
		"TeamSettings": {
			"EnableOpenServer":   true,
			"EnableUserCreation": true,
			"MaxUsersPerTeam":    100000,
			"SiteName":           "Guest Accounts Test",
		},
		"PluginSettings": {
			"Enable":                      true,
			"EnableUploads":               true,
			"Directory":                   filepath.Join(s.Dir, "plugins"),
			"ClientDirectory":             filepath.Join(s.Dir, "client", "plugins"),
			"EnableMarketplace":           false,
			"EnableRemoteMarketplace":     false,
			"AutomaticPrepackagedPlugins": false,
			"RequirePluginSignature":      false,
			"EnableHealthCheck":           true,
		},
		"FileSettings": {
			"DriverName": "local",
			"Directory":  filepath.Join(s.Dir, "data") + "/",
		},
		"EmailSettings": {
			"SendEmailNotifications":            s.SMTPPort != 0,
			"RequireEmailVerification":          false,
			"FeedbackEmail":                     "mattermost@guest-accounts.test",
			"FeedbackName":                      "Mattermost",
			"ReplyToAddress":                    "mattermost@guest-accounts.test",
			"SMTPServer":                        s.SMTPHost,
			"SMTPPort":                          smtpPort,
			"ConnectionSecurity":                "",
			"EnableSMTPAuth":                    false,
			"SkipServerCertificateVerification": true,
			"SendPushNotifications":             false,
		},
		"LogSettings": {
			"EnableConsole":     true,
			"ConsoleLevel":      "INFO",
			"ConsoleJson":       true,
			"EnableFile":        true,
			"FileLevel":         "INFO",
			"FileLocation":      filepath.Join(s.Dir, "logs"),
			"EnableDiagnostics": false,
		},
		"AnnouncementSettings": {"AdminNoticesEnabled": false, "UserNoticesEnabled": false},
		"RateLimitSettings":    {"Enable": false},
		"MetricsSettings":      {"Enable": false},
		"PasswordSettings":     {"MinimumLength": 8},
	}
	for section, values := range s.ExtraConfig {
		if cfg[section] == nil {
			cfg[section] = map[string]any{}
		}
		for k, v := range values {
			cfg[section][k] = v
		}
	}
	return cfg
}

// writeConfig merges the generated settings over an existing config.json (a
// reused make-run folder keeps what the admin changed elsewhere).
func (s *Stack) writeConfig() (string, error) {
	path := filepath.Join(s.Dir, "config", "config.json")
	existing := map[string]map[string]any{}
	if raw, err := os.ReadFile(path); err == nil {
		_ = json.Unmarshal(raw, &existing)
	}
	for section, values := range s.config() {
		if existing[section] == nil {
			existing[section] = map[string]any{}
		}
		for k, v := range values {
			existing[section][k] = v
		}
	}
	raw, err := json.MarshalIndent(existing, "", "  ")
	if err != nil {
		return "", errors.Wrap(err, "encoding config.json")
	}
	return path, errors.Wrap(os.WriteFile(path, raw, 0o600), "writing config.json")
}

func (s *Stack) startMattermost(ctx context.Context) error {
	if err := s.prepareRunDir(); err != nil {
		return err
	}
	cfgPath, err := s.writeConfig()
	if err != nil {
		return err
	}
	logFile, err := os.OpenFile(filepath.Join(s.Dir, "mattermost.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return errors.Wrap(err, "opening the Mattermost log")
	}
	defer logFile.Close()
	_ = os.Remove(s.SocketPath)
	cmd := exec.Command(filepath.Join(s.MattermostDir, "mattermost"), "server", "--config", cfgPath) //nolint:gosec // G204: the pinned server the developer built
	cmd.Dir = s.Dir
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	// Only what the server needs from our environment: no MM_* overrides leak
	// in, so every setting stays editable through the config API.
	cmd.Env = append([]string{"HOME=" + os.Getenv("HOME"), "PATH=" + os.Getenv("PATH"), "TMPDIR=" + os.TempDir()}, s.Env...)
	cmd.SysProcAttr = s.procAttr()
	if err := cmd.Start(); err != nil {
		return errors.Wrap(err, "starting Mattermost")
	}
	s.mattermost = cmd
	s.writePid("mattermost", cmd.Process.Pid)
	s.exited = make(chan error, 1)
	if !s.Detached {
		go func() { s.exited <- cmd.Wait() }()
	}
	alive := func() error {
		select {
		case err := <-s.exited:
			s.exited <- err
			return errors.Errorf("Mattermost exited during start-up (%v); see %s", err, logFile.Name())
		default:
			return nil
		}
	}
	if err := waitHTTP(ctx, s.URL+"/api/v4/system/ping", 3*time.Minute, alive); err != nil {
		return errors.Wrapf(err, "Mattermost did not become ready; see %s", logFile.Name())
	}
	return nil
}

// StopMattermost stops only the server (to restart it against the same
// database).
func (s *Stack) StopMattermost() error {
	if s.mattermost == nil || s.mattermost.Process == nil {
		return nil
	}
	err := s.stopChild(s.mattermost, s.exited, 60*time.Second)
	s.mattermost = nil
	_ = os.Remove(filepath.Join(s.Dir, "mattermost.pid"))
	return err
}

// RestartMattermost stops and starts the server on the same port and
// database, as an admin's restart would.
func (s *Stack) RestartMattermost(ctx context.Context) error {
	if err := s.StopMattermost(); err != nil {
		return err
	}
	return s.startMattermost(ctx)
}

// Stop stops Mattermost, then PostgreSQL. Safe to call more than once.
func (s *Stack) Stop() error {
	err := s.StopMattermost()
	if s.postgres != nil && s.postgres.Process != nil {
		done := make(chan error, 1)
		go func() { done <- s.postgres.Wait() }()
		if perr := s.stopChild(s.postgres, done, 60*time.Second); perr != nil && err == nil {
			err = perr
		}
		s.postgres = nil
		_ = os.Remove(filepath.Join(s.Dir, "postgres.pid"))
	}
	if s.tempPgDir != "" {
		_ = os.RemoveAll(s.tempPgDir)
		s.tempPgDir = ""
	}
	return err
}

func (s *Stack) stopChild(cmd *exec.Cmd, done chan error, timeout time.Duration) error {
	if s.Detached {
		return stopPid(cmd.Process.Pid, timeout)
	}
	_ = cmd.Process.Signal(os.Interrupt)
	select {
	case <-done: //nolint:errcheck // the exit status after an interrupt says nothing new
		return nil
	case <-time.After(timeout):
		_ = cmd.Process.Kill()
		<-done //nolint:errcheck // killed: the error below says so
		return errors.Errorf("%s did not stop within %s and was killed", filepath.Base(cmd.Path), timeout)
	}
}

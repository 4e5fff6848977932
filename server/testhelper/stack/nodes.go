package stack

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/pkg/errors"
)

// StartNode starts another Mattermost server on this stack's PostgreSQL
// database, as a second node of a cluster would run: its own folder (config
// file, data, plugins, logs), its own port, the same database. opts.Dir is
// required; DBPort is this stack's; MattermostDir and the SMTP sink default
// to this stack's. The node's Stop stops only its server.
//
// Mattermost Team Edition without a license has no clustering: the nodes do
// not tell each other about config, plugin or cache changes. Tests use this
// to measure what still holds (what lives only in the database).
func (s *Stack) StartNode(ctx context.Context, opts Options) (*Stack, error) {
	if opts.Dir == "" {
		return nil, errors.New("StartNode: a folder for the node is required")
	}
	if s.postgres == nil {
		return nil, errors.New("StartNode: this stack's PostgreSQL is not running")
	}
	node := &Stack{Options: opts}
	node.DBPort = s.DBPort
	if node.MattermostDir == "" {
		node.MattermostDir = s.MattermostDir
	}
	if node.SMTPHost == "" && node.SMTPPort == 0 {
		node.SMTPHost, node.SMTPPort = s.SMTPHost, s.SMTPPort
	}
	if err := os.MkdirAll(node.Dir, 0o750); err != nil {
		return nil, errors.Wrap(err, "creating the node folder")
	}
	if node.Port == 0 {
		var err error
		if node.Port, err = FreePort(); err != nil {
			return nil, err
		}
	}
	node.URL = "http://127.0.0.1:" + strconv.Itoa(node.Port)
	node.SocketPath = filepath.Join(node.Dir, "mattermost_local.socket")
	if err := node.startMattermost(ctx); err != nil {
		_ = node.StopMattermost()
		return nil, err
	}
	return node, nil
}

// KillMattermost ends the server and its plugin processes with SIGKILL, as
// a crash would: no graceful shutdown, plugins get no OnDeactivate. StartMattermost
// brings it back on the same port and database.
func (s *Stack) KillMattermost() error {
	if s.mattermost == nil || s.mattermost.Process == nil {
		return nil
	}
	// The whole process group: the server and its plugin processes, as
	// when a container or machine dies.
	if err := syscall.Kill(-s.mattermost.Process.Pid, syscall.SIGKILL); err != nil {
		if err := s.mattermost.Process.Kill(); err != nil {
			return errors.Wrap(err, "killing Mattermost")
		}
	}
	if !s.Detached {
		<-s.exited //nolint:errcheck // "signal: killed": the kill above, nothing to report
	}
	s.mattermost = nil
	_ = os.Remove(filepath.Join(s.Dir, "mattermost.pid"))
	return nil
}

// StartMattermost starts the server again after StopMattermost or
// KillMattermost (same port, folder and database).
func (s *Stack) StartMattermost(ctx context.Context) error {
	if s.mattermost != nil {
		return errors.New("Mattermost is already running")
	}
	return s.startMattermost(ctx)
}

// StopPostgres stops the database (fast shutdown: clients are cut off at
// once, committed work is kept), leaving its files; StartPostgres starts it
// again on the same port. The servers keep running meanwhile, as through a
// database outage.
func (s *Stack) StopPostgres() error {
	if s.postgres == nil || s.postgres.Process == nil {
		return nil
	}
	done := make(chan error, 1)
	go func() { done <- s.postgres.Wait() }()
	err := s.stopChild(s.postgres, done, 60*time.Second)
	s.postgres = nil
	_ = os.Remove(filepath.Join(s.Dir, "postgres.pid"))
	return err
}

// StartPostgres starts the database stopped by StopPostgres.
func (s *Stack) StartPostgres(ctx context.Context) error {
	if s.postgres != nil {
		return errors.New("PostgreSQL is already running")
	}
	return s.startPostgres(ctx)
}

// SQL runs one statement with psql against the mattermost database and
// returns its unaligned, tuples-only output (fields separated by '|').
// Tests use it to read what the API does not show (the plugin's KV rows).
func (s *Stack) SQL(ctx context.Context, query string) (string, error) {
	psql, err := findPostgresBin("psql")
	if err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, psql, "-h", "127.0.0.1", "-p", strconv.Itoa(s.DBPort), "-U", "postgres",
		"-d", "mattermost", "-At", "-v", "ON_ERROR_STOP=1", "-c", query)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", errors.Wrapf(err, "psql: %s", out)
	}
	return strings.TrimRight(string(out), "\n"), nil
}

// LogPath is the server's console log (JSON lines).
func (s *Stack) LogPath() string { return filepath.Join(s.Dir, "mattermost.log") }

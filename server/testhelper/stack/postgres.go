package stack

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/pkg/errors"
)

// postgresBinDirs are searched for initdb/postgres when they are not on PATH.
var postgresBinDirs = []string{"/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin"}

func findPostgresBin(name string) (string, error) {
	if env := os.Getenv("GA_POSTGRES_BIN"); env != "" {
		p := filepath.Join(env, name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	for _, dir := range postgresBinDirs {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	return "", errors.Errorf("PostgreSQL's %s was not found: install it with `apt-get install -y postgresql` (the Makefile's `deps` target does) or set GA_POSTGRES_BIN", name)
}

// postgresCredential returns the credential postgres must run under: it
// refuses to run as root, so root runs it as the `postgres` system user.
func postgresCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, errors.Wrap(err, "running as root needs the `postgres` system user (created by the postgresql package)")
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, errors.Wrapf(err, "the postgres user's id %q", u.Uid)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, errors.Wrapf(err, "the postgres group's id %q", u.Gid)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func chownTree(path string, cred *syscall.Credential) error {
	if cred == nil {
		return nil
	}
	return filepath.Walk(path, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, int(cred.Uid), int(cred.Gid)) //nolint:gosec // G122: Lchown follows no link, in a fresh directory of our own
	})
}

// startPostgres creates (if needed) and starts a private cluster on a
// loopback port. It returns once the server accepts connections.
func (s *Stack) startPostgres(ctx context.Context) error {
	initdb, err := findPostgresBin("initdb")
	if err != nil {
		return err
	}
	postgres, err := findPostgresBin("postgres")
	if err != nil {
		return err
	}
	cred, err := postgresCredential()
	if err != nil {
		return err
	}
	pgDir, err := s.postgresDir(cred)
	if err != nil {
		return err
	}
	dataDir := filepath.Join(pgDir, "data")
	if err := chownTree(pgDir, cred); err != nil {
		return errors.Wrap(err, "handing the PostgreSQL folder to the postgres user")
	}
	if _, err := os.Stat(filepath.Join(dataDir, "PG_VERSION")); err != nil {
		cmd := exec.CommandContext(ctx, initdb, "-D", dataDir, "--auth=trust", "--username=postgres", "--encoding=UTF8", "--locale=C", "--no-sync")
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		if out, err := cmd.CombinedOutput(); err != nil {
			return errors.Wrapf(err, "initdb failed: %s", out)
		}
	}
	logFile, err := os.OpenFile(filepath.Join(pgDir, "postgres.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return errors.Wrap(err, "opening the PostgreSQL log")
	}
	defer logFile.Close()
	if cred != nil {
		_ = os.Chown(logFile.Name(), int(cred.Uid), int(cred.Gid))
	}
	args := []string{
		"-D", dataDir,
		"-p", strconv.Itoa(s.DBPort),
		"-k", pgDir,
		"-c", "listen_addresses=127.0.0.1",
		"-c", "fsync=off",
		"-c", "synchronous_commit=off",
		"-c", "full_page_writes=off",
		"-c", "max_connections=300",
		"-c", "shared_buffers=128MB",
	}
	cmd := exec.Command(postgres, args...)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = s.procAttr()
	cmd.SysProcAttr.Credential = cred
	if err := cmd.Start(); err != nil {
		return errors.Wrap(err, "starting PostgreSQL")
	}
	s.postgres = cmd
	s.writePid("postgres", cmd.Process.Pid)
	if err := waitTCP(ctx, fmt.Sprintf("127.0.0.1:%d", s.DBPort), 60*time.Second); err != nil {
		return errors.Wrapf(err, "PostgreSQL did not start; see %s", filepath.Join(pgDir, "postgres.log"))
	}
	return s.createDatabase(ctx)
}

// postgresDir is where the cluster lives. A test stack's folder (from
// t.TempDir) is private to root, which the postgres user cannot enter, so
// its cluster goes into a temporary folder of its own, removed at Stop.
func (s *Stack) postgresDir(cred *syscall.Credential) (string, error) {
	dir := filepath.Join(s.Dir, "pg")
	if s.tempPgDir != "" {
		return s.tempPgDir, nil // started again after StopPostgres
	}
	if cred != nil && !s.Detached {
		tmp, err := os.MkdirTemp("", "guest-accounts-pg-")
		if err != nil {
			return "", errors.Wrap(err, "creating the PostgreSQL folder")
		}
		s.tempPgDir = tmp
		dir = tmp
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", errors.Wrap(err, "creating the PostgreSQL folder")
	}
	return dir, nil
}

// createDatabase creates the mattermost database once; PostgreSQL may need
// a moment after the port opens before it accepts queries.
func (s *Stack) createDatabase(ctx context.Context) error {
	createdb, err := findPostgresBin("createdb")
	if err != nil {
		return err
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		cmd := exec.CommandContext(ctx, createdb, "-h", "127.0.0.1", "-p", strconv.Itoa(s.DBPort), "-U", "postgres", "mattermost")
		out, err := cmd.CombinedOutput()
		if err == nil || containsAny(string(out), "already exists") {
			return nil
		}
		if time.Now().After(deadline) {
			return errors.Wrapf(err, "creating the mattermost database: %s", out)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Package coresql implements store.Core: the plugin's few statements on
// core's own tables, through the plugin's database handle (PostgreSQL, the
// one database Mattermost 11 supports).
package coresql

import (
	"database/sql"
	"strconv"
	"strings"

	"github.com/lib/pq"
	"github.com/pkg/errors"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// DB is the plugin's database handle (pluginapi.Client.Store).
type DB interface {
	GetMasterDB() (*sql.DB, error)
	DriverName() string
}

// Store runs the statements on the master database.
type Store struct {
	db DB
}

var _ store.Core = (*Store)(nil)

// New returns a Store on the plugin's database handle.
func New(db DB) *Store {
	return &Store{db: db}
}

func (s *Store) master() (*sql.DB, error) {
	if s.db == nil {
		return nil, errors.New("no database handle")
	}
	if d := s.db.DriverName(); d != "postgres" {
		return nil, errors.Errorf("database driver %q is not supported (PostgreSQL only)", d)
	}
	db, err := s.db.GetMasterDB()
	return db, errors.Wrap(err, "opening the database")
}

// GetCoreRole reads a role row by name.
func (s *Store) GetCoreRole(name string) (*store.CoreRole, error) {
	db, err := s.master()
	if err != nil {
		return nil, err
	}
	// Rows from before a column existed may hold NULL there.
	row := db.QueryRow(`SELECT Id, Name, COALESCE(DisplayName, ''), COALESCE(Description, ''), COALESCE(Permissions, ''),
		COALESCE(CreateAt, 0), COALESCE(UpdateAt, 0), COALESCE(DeleteAt, 0), COALESCE(SchemeManaged, false), COALESCE(BuiltIn, false)
		FROM Roles WHERE Name = $1`, name)
	var r store.CoreRole
	var perms string
	err = row.Scan(&r.ID, &r.Name, &r.DisplayName, &r.Description, &perms, &r.CreateAt, &r.UpdateAt, &r.DeleteAt, &r.SchemeManaged, &r.BuiltIn)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, errors.Wrapf(err, "reading role %s", name)
	}
	r.Permissions = strings.Fields(perms)
	return &r, nil
}

// CreateCoreRole inserts the row unless the name is taken.
func (s *Store) CreateCoreRole(r *store.CoreRole) (bool, error) {
	db, err := s.master()
	if err != nil {
		return false, err
	}
	res, err := db.Exec(`INSERT INTO Roles (Id, Name, DisplayName, Description, Permissions, CreateAt, UpdateAt, DeleteAt, SchemeManaged, BuiltIn)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (Name) DO NOTHING`,
		r.ID, r.Name, r.DisplayName, r.Description, PermissionsColumn(r.Permissions),
		r.CreateAt, r.UpdateAt, r.DeleteAt, r.SchemeManaged, r.BuiltIn)
	if err != nil {
		return false, errors.Wrapf(err, "creating role %s", r.Name)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, errors.Wrap(err, "counting the inserted roles")
	}
	return n == 1, nil
}

// SetCoreRolePermissions updates a role row the plugin may own.
func (s *Store) SetCoreRolePermissions(name string, permissions []string, updateAt int64) error {
	db, err := s.master()
	if err != nil {
		return err
	}
	res, err := db.Exec(`UPDATE Roles SET Permissions = $2, UpdateAt = $3, DeleteAt = 0
		WHERE Name = $1 AND NOT COALESCE(BuiltIn, false) AND NOT COALESCE(SchemeManaged, false)`,
		name, PermissionsColumn(permissions), updateAt)
	if err != nil {
		return errors.Wrapf(err, "updating role %s", name)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return errors.Wrap(err, "counting the updated roles")
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// PermissionsColumn writes permissions as core's role store does: each
// once, in order, each preceded by a space.
func PermissionsColumn(permissions []string) string {
	seen := make(map[string]bool, len(permissions))
	var b strings.Builder
	for _, p := range permissions {
		if p == "" || seen[p] {
			continue
		}
		seen[p] = true
		b.WriteString(" ")
		b.WriteString(p)
	}
	return b.String()
}

// SetSessionsGuest sets the is_guest property of the users' sessions (a
// jsonb column since core's 6.1 schema) where it differs.
func (s *Store) SetSessionsGuest(userIDs []string, isGuest bool) ([]store.CoreSession, error) {
	if len(userIDs) == 0 {
		return nil, nil
	}
	db, err := s.master()
	if err != nil {
		return nil, err
	}
	rows, err := db.Query(`UPDATE Sessions SET Props = COALESCE(Props, '{}'::jsonb) || jsonb_build_object('is_guest', $2::text)
		WHERE UserId = ANY($1) AND (Props->>'is_guest') IS DISTINCT FROM $2::text
		RETURNING Id, UserId, ExpiresAt`, pq.Array(userIDs), strconv.FormatBool(isGuest))
	if err != nil {
		return nil, errors.Wrap(err, "marking sessions")
	}
	defer rows.Close()
	var changed []store.CoreSession
	for rows.Next() {
		var cs store.CoreSession
		if err := rows.Scan(&cs.ID, &cs.UserID, &cs.ExpiresAt); err != nil {
			return nil, errors.Wrap(err, "reading a marked session")
		}
		changed = append(changed, cs)
	}
	return changed, errors.Wrap(rows.Err(), "marking sessions")
}

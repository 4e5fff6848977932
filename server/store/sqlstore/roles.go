package sqlstore

import (
	"database/sql"
	"strings"

	"github.com/pkg/errors"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// GetCoreRole reads a role row by name.
func (s *Store) GetCoreRole(name string) (*store.CoreRole, error) {
	db, err := s.db()
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
	db, err := s.db()
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
	db, err := s.db()
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

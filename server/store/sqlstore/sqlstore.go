// Package sqlstore implements store.Core: reads of core's Sessions and
// Users tables, and the dedicated guest role's row in Roles (roles.go),
// through the database handle core lends plugins. It may call database/sql
// only; the one row it writes is the plugin's own role, never a built-in
// or scheme-managed one.
package sqlstore

import (
	"database/sql"
	"strconv"

	"github.com/lib/pq"
	"github.com/pkg/errors"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

// Store reads core's tables.
type Store struct {
	open func() (*sql.DB, error)
}

var _ store.Core = (*Store)(nil)

// New returns a Store on the database handle open returns (pluginapi's
// Client.Store.GetMasterDB). A nil open answers every read with an error.
func New(open func() (*sql.DB, error)) *Store {
	return &Store{open: open}
}

func (s *Store) db() (*sql.DB, error) {
	if s.open == nil {
		return nil, errors.New("no database access")
	}
	db, err := s.open()
	if err != nil {
		return nil, errors.Wrap(err, "opening the database")
	}
	return db, nil
}

// SessionIDs lists the ids of the user's sessions.
func (s *Store) SessionIDs(userID string) ([]string, error) {
	db, err := s.db()
	if err != nil {
		return nil, err
	}
	rows, err := db.Query("SELECT Id FROM Sessions WHERE UserId = $1", userID)
	if err != nil {
		return nil, errors.Wrap(err, "listing the user's sessions")
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, errors.Wrap(err, "reading a session id")
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, errors.Wrap(err, "listing the user's sessions")
	}
	return ids, nil
}

// UserActive reads the user's DeleteAt.
func (s *Store) UserActive(userID string) (bool, error) {
	db, err := s.db()
	if err != nil {
		return false, err
	}
	var deleteAt int64
	if err := db.QueryRow("SELECT DeleteAt FROM Users WHERE Id = $1", userID).Scan(&deleteAt); err != nil {
		return false, errors.Wrap(err, "reading the user")
	}
	return deleteAt == 0, nil
}

// SetSessionsGuest sets the is_guest property of the users' sessions (a
// jsonb column since core's 6.1 schema) where it differs.
func (s *Store) SetSessionsGuest(userIDs []string, isGuest bool) ([]store.CoreSession, error) {
	if len(userIDs) == 0 {
		return nil, nil
	}
	db, err := s.db()
	if err != nil {
		return nil, err
	}
	rows, err := db.Query(`UPDATE Sessions SET Props = COALESCE(Props, '{}'::jsonb) || jsonb_build_object('is_guest', $2::text)
		WHERE UserId = ANY($1) AND (Props->>'is_guest') IS DISTINCT FROM $2::text
		RETURNING Id, UserId, ExpiresAt`, pq.Array(userIDs), strconv.FormatBool(isGuest))
	if err != nil {
		return nil, errors.Wrap(err, "marking sessions")
	}
	return scanChanged(rows)
}

// MarkRoleSessionsGuest sets is_guest on the sessions of the active users
// holding one of the system roles, where it is not set: one statement
// joining Sessions to Users, which reads nothing of the plugin's registry.
func (s *Store) MarkRoleSessionsGuest(roles []string) ([]store.CoreSession, error) {
	if len(roles) == 0 {
		return nil, nil
	}
	db, err := s.db()
	if err != nil {
		return nil, err
	}
	rows, err := db.Query(`UPDATE Sessions s SET Props = COALESCE(s.Props, '{}'::jsonb) || jsonb_build_object('is_guest', 'true')
		FROM Users u
		WHERE u.Id = s.UserId AND u.DeleteAt = 0 AND string_to_array(u.Roles, ' ') && $1::text[]
			AND (s.Props->>'is_guest') IS DISTINCT FROM 'true'
		RETURNING s.Id, s.UserId, s.ExpiresAt`, pq.Array(roles))
	if err != nil {
		return nil, errors.Wrap(err, "marking the sessions of the guests' roles")
	}
	return scanChanged(rows)
}

// scanChanged reads the sessions an UPDATE … RETURNING Id, UserId,
// ExpiresAt changed.
func scanChanged(rows *sql.Rows) ([]store.CoreSession, error) {
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

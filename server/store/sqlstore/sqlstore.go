// Package sqlstore implements store.Core: reads of core's Sessions and
// Users tables through the database handle core lends plugins. It may
// call database/sql only; nothing here writes to core's tables.
package sqlstore

import (
	"database/sql"

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

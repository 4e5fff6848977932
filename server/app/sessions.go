package app

import (
	"github.com/pkg/errors"
)

// RevokeSessions logs the user out everywhere at once, without
// deactivating them (demote: the new restrictions apply from the next
// login). The plugin API can revoke a session by id but not list them, so
// the ids come from the database.
func (a *App) RevokeSessions(userID string) error {
	if a.client == nil {
		return errors.New("no database access to list sessions")
	}
	db, err := a.client.Store.GetMasterDB()
	if err != nil {
		return errors.Wrap(err, "opening the database")
	}
	rows, err := db.Query("SELECT Id FROM Sessions WHERE UserId = $1", userID)
	if err != nil {
		return errors.Wrap(err, "listing the user's sessions")
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return errors.Wrap(err, "reading a session id")
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return errors.Wrap(err, "listing the user's sessions")
	}
	for _, id := range ids {
		if appErr := a.api.RevokeSession(id); appErr != nil {
			return errors.Wrap(appErr, "revoking a session")
		}
	}
	return nil
}

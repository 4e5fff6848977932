package store

// Core reads what the plugin API does not answer from core's own tables,
// through the database handle core lends plugins. It is the only SQL on
// core's tables outside the KV store implementation; sqlstore implements
// it.
type Core interface {
	// SessionIDs lists the ids of the user's sessions (the plugin API can
	// revoke a session by id but cannot list them).
	SessionIDs(userID string) ([]string, error)
	// UserActive reads whether the user is active from the database, past
	// core's user cache (which another node cannot invalidate without
	// clustering).
	UserActive(userID string) (bool, error)
}

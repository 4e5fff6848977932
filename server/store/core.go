package store

// Core is what the plugin does on core's own tables, through the database
// handle core lends plugins, where the plugin API has no call: reading a
// user's sessions and active flag, marking guests' sessions as core marks
// its own guests', and the dedicated guest role's row
// (core has no role-creation API on an unlicensed server). It is the only
// SQL on core's tables outside the KV store implementation; sqlstore
// implements it. The plugin writes only the row it owns; it never changes
// a built-in or scheme-managed role.
type Core interface {
	// SessionIDs lists the ids of the user's sessions (the plugin API can
	// revoke a session by id but cannot list them).
	SessionIDs(userID string) ([]string, error)
	// UserActive reads whether the user is active from the database, past
	// core's user cache (which another node cannot invalidate without
	// clustering).
	UserActive(userID string) (bool, error)
	// SetSessionsGuest sets the is_guest property of every session of the
	// listed users to isGuest, as core does for its own guests when it
	// promotes or demotes them, and returns the sessions it changed. Core
	// reads the property from the database when a session is not in its
	// cache; the caller refreshes that cache.
	SetSessionsGuest(userIDs []string, isGuest bool) ([]CoreSession, error)
	// MarkRoleSessionsGuest sets is_guest on every session of the active
	// users holding one of the system roles, where it is not set, and
	// returns the sessions it changed (the caller refreshes core's cache).
	MarkRoleSessionsGuest(roles []string) ([]CoreSession, error)
	CoreRoles
}

// CoreSession is a session SetSessionsGuest or MarkRoleSessionsGuest
// changed.
type CoreSession struct {
	ID        string
	UserID    string
	ExpiresAt int64
}

// CoreRole is a row of core's Roles table (core's model.Role as stored).
type CoreRole struct {
	ID            string
	Name          string
	DisplayName   string
	Description   string
	Permissions   []string
	CreateAt      int64
	UpdateAt      int64
	DeleteAt      int64
	SchemeManaged bool
	BuiltIn       bool
}

// CoreRoles reads and writes rows of core's Roles table.
type CoreRoles interface {
	// GetCoreRole returns the role named name from the database (never from
	// core's role cache); ErrNotFound when there is none.
	GetCoreRole(name string) (*CoreRole, error)
	// CreateCoreRole inserts the row unless a role of that name exists. The
	// table's unique name decides between nodes inserting at once: exactly
	// one insert wins, the others report false.
	CreateCoreRole(r *CoreRole) (bool, error)
	// SetCoreRolePermissions sets the permissions (and UpdateAt, and
	// DeleteAt back to 0) of the role named name, only if that role is
	// neither built in nor scheme-managed; ErrNotFound when no such row.
	SetCoreRolePermissions(name string, permissions []string, updateAt int64) error
}

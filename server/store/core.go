package store

// Core's own tables. The plugin API has no call for a few things the
// plugin needs (creating a role on an unlicensed server, listing a user's
// sessions, reading past core's user cache), so the plugin reaches core's
// tables through its database handle. Everything it does there goes
// through the interfaces below (implemented by store/coresql), so the SQL
// on tables the plugin does not own lives in one place. The plugin writes
// only rows it owns; it never changes a built-in or scheme-managed role.

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

// CoreSessions marks rows of core's Sessions table.
type CoreSessions interface {
	// SetSessionsGuest sets the is_guest property of every session of the
	// listed users to isGuest, as core does for its own guests when it
	// promotes or demotes them, and returns the sessions it changed. Core
	// reads the property from the database when a session is not in its
	// cache; the caller refreshes that cache.
	SetSessionsGuest(userIDs []string, isGuest bool) ([]CoreSession, error)
}

// CoreSession is a session the plugin changed.
type CoreSession struct {
	ID        string
	UserID    string
	ExpiresAt int64
}

// Core is everything the plugin does on core's tables.
type Core interface {
	CoreRoles
	CoreSessions
}

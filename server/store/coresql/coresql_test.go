package coresql

import (
	"database/sql"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPermissionsColumnIsWhatCoreWrites(t *testing.T) {
	// Core's role store: each permission once, in order, after a space.
	assert.Equal(t, " create_direct_channel create_group_channel", PermissionsColumn([]string{"create_direct_channel", "create_group_channel", "create_direct_channel", ""}))
	assert.Equal(t, "", PermissionsColumn(nil))
}

func TestOnlyPostgres(t *testing.T) {
	_, err := New(fakeDB("mysql")).GetCoreRole("x")
	assert.ErrorContains(t, err, `database driver "mysql" is not supported`)
	_, err = New(nil).GetCoreRole("x")
	assert.ErrorContains(t, err, "no database handle")
}

type fakeDB string

func (f fakeDB) GetMasterDB() (*sql.DB, error) { return nil, errors.New("not used") }
func (f fakeDB) DriverName() string            { return string(f) }

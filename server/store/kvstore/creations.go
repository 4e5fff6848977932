package kvstore

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/pluginapi"
	"github.com/pkg/errors"
)

// creatingPrefix keys the marks of accounts being created:
// `creating/<sha256 of the lower-case email>` (no address in a key).
const creatingPrefix = "creating/"

func creatingKey(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return creatingPrefix + hex.EncodeToString(sum[:])
}

// MarkCreating records a creation in progress, expiring after ttl.
func (s *Store) MarkCreating(email string, ttl time.Duration) error {
	_, err := s.kv.Set(creatingKey(email), []byte("1"), pluginapi.SetExpiry(ttl))
	return errors.Wrap(err, "marking an account being created")
}

// ClearCreating removes the mark.
func (s *Store) ClearCreating(email string) error {
	return errors.Wrap(s.kv.Delete(creatingKey(email)), "clearing the mark of an account being created")
}

// IsCreating reports whether a creation is in progress for the email.
func (s *Store) IsCreating(email string) (bool, error) {
	var raw []byte
	if err := s.kv.Get(creatingKey(email), &raw); err != nil {
		return false, errors.Wrap(err, "reading the mark of an account being created")
	}
	return raw != nil, nil
}

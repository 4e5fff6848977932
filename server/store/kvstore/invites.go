package kvstore

import (
	"encoding/json"

	"github.com/mattermost/mattermost/server/public/pluginapi"
	"github.com/pkg/errors"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
)

const (
	invitePrefix   = "invite/"
	inviteIDPrefix = "inviteid/"
)

func retentionOpt(seconds int64) pluginapi.KVSetOption {
	return func(o *pluginapi.KVSetOptions) { o.ExpireInSeconds = seconds }
}

// CreateInvite stores a new invitation and its index entries; it refuses
// to overwrite one.
func (s *Store) CreateInvite(inv *store.Invite, retention int64) error {
	raw, err := json.Marshal(inv)
	if err != nil {
		return errors.Wrap(err, "encoding the invitation")
	}
	var reindexed error
	ok, err := s.indexInvite(nil, inv, retention, func() (bool, error) {
		return s.kv.Set(invitePrefix+inv.TokenHash, raw, pluginapi.SetAtomic(nil), retentionOpt(retention))
	}, func() { reindexed = s.ReindexInvite(inv.ID, inv.TokenHash, retention) })
	if err != nil {
		return errors.Wrap(err, "saving the invitation")
	}
	if !ok {
		return errors.Wrap(store.ErrConflict, "an invitation with this token exists")
	}
	inv.SetRaw(raw)
	return reindexed
}

// ReindexInvite points the invitation id at a token hash.
func (s *Store) ReindexInvite(id, hash string, retention int64) error {
	_, err := s.kv.Set(inviteIDPrefix+id, []byte(hash), retentionOpt(retention))
	return errors.Wrap(err, "indexing the invitation")
}

// GetInviteByHash reads an invitation by token hash.
func (s *Store) GetInviteByHash(hash string) (*store.Invite, error) {
	var raw []byte
	if err := s.kv.Get(invitePrefix+hash, &raw); err != nil {
		return nil, errors.Wrap(err, "reading the invitation")
	}
	if raw == nil {
		return nil, store.ErrNotFound
	}
	var inv store.Invite
	if err := json.Unmarshal(raw, &inv); err != nil {
		return nil, errors.Wrap(err, "decoding the invitation")
	}
	inv.SetRaw(raw)
	return &inv, nil
}

// GetInviteByID reads an invitation by id.
func (s *Store) GetInviteByID(id string) (*store.Invite, error) {
	var hash []byte
	if err := s.kv.Get(inviteIDPrefix+id, &hash); err != nil {
		return nil, errors.Wrap(err, "reading the invitation index")
	}
	if hash == nil {
		return nil, store.ErrNotFound
	}
	return s.GetInviteByHash(string(hash))
}

// UpdateInvite compares and sets.
func (s *Store) UpdateInvite(old, next *store.Invite, retention int64) (bool, error) {
	raw, err := json.Marshal(next)
	if err != nil {
		return false, errors.Wrap(err, "encoding the invitation")
	}
	ok, err := s.indexInvite(old, next, retention, func() (bool, error) {
		return s.kv.Set(invitePrefix+next.TokenHash, raw, pluginapi.SetAtomic(old.Raw()), retentionOpt(retention))
	}, nil)
	if err != nil {
		return false, errors.Wrap(err, "updating the invitation")
	}
	if ok {
		next.SetRaw(raw)
	}
	return ok, nil
}

// ForEachInvite calls fn for every stored invitation.
func (s *Store) ForEachInvite(fn func(*store.Invite) error) error {
	return s.walk(invitePrefix, func(key string, raw []byte) error {
		var inv store.Invite
		if err := json.Unmarshal(raw, &inv); err != nil {
			return errors.Wrapf(err, "decoding the invitation %s", key)
		}
		inv.SetRaw(raw)
		return fn(&inv)
	})
}

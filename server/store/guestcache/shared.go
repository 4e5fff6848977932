package guestcache

import (
	"time"
)

// The DM/GM rule's answers. A guest may message only people who share one
// of the guest's channels; asking core costs two calls, so a yes is kept
// per (guest, other user) for SharedTTL and dropped earlier, on this node,
// as soon as anything that could end it is reported (ForgetShared: a leave
// or removal of either user, a new membership or record change of the
// guest through Invalidate; ChannelArchived). A check that started before
// any of these never stores its answer: every answer carries both users'
// generations and the archive epoch from before the check. A no is never
// kept.

const (
	// SharedTTL bounds how long a yes is trusted without asking core: a
	// leave handled by another node, or an archive on a server without the
	// archive message reaching this node, takes effect here within it.
	SharedTTL = 5 * time.Second
	// archivingFor covers the moment between core's archive message
	// (posted before the channel is marked deleted) and the mark.
	archivingFor = 10 * time.Second
)

// SharedCheck is what a check read before asking core (RememberShared
// stores its yes only if nothing changed since).
type SharedCheck struct {
	expires    int64
	genA, genB uint64
	epoch      uint64
}

// BeforeShared reads the users' generations and the archive epoch before
// a check.
func (c *Store) BeforeShared(guestID, otherID string) SharedCheck {
	c.sharedMu.RLock()
	defer c.sharedMu.RUnlock()
	return SharedCheck{genA: c.userGen[guestID], genB: c.userGen[otherID], epoch: c.epoch}
}

// SharedKnown reports whether guest and other were found to share a
// channel within SharedTTL, with nothing about either changed since.
func (c *Store) SharedKnown(guestID, otherID string) bool {
	now := c.now()
	c.sharedMu.RLock()
	defer c.sharedMu.RUnlock()
	e, ok := c.shared[[2]string{guestID, otherID}]
	return ok && now < e.expires && e.genA == c.userGen[guestID] && e.genB == c.userGen[otherID] && e.epoch == c.epoch
}

// RememberShared stores a yes checked with what was read before the check
// (dead at once if either user or the epoch moved meanwhile).
func (c *Store) RememberShared(guestID, otherID string, before SharedCheck) {
	now := c.now()
	c.sharedMu.Lock()
	defer c.sharedMu.Unlock()
	if len(c.shared) >= c.max {
		for k, e := range c.shared {
			if now >= e.expires {
				delete(c.shared, k)
			}
		}
		if len(c.shared) >= c.max {
			c.shared = map[[2]string]SharedCheck{}
		}
	}
	if len(c.userGen) >= 2*c.max {
		// Generations only matter for live answers: start over with both
		// (the answer in hand is not kept: its generations are gone).
		c.userGen, c.shared = map[string]uint64{}, map[[2]string]SharedCheck{}
		return
	}
	before.expires = now + int64(c.sharedTTL)
	c.shared[[2]string{guestID, otherID}] = before
}

// ForgetShared drops every answer involving the user (guest or not) and
// stops checks in flight from storing theirs: one map write.
func (c *Store) ForgetShared(userID string) {
	c.sharedMu.Lock()
	c.userGen[userID]++
	c.sharedMu.Unlock()
}

// ChannelArchived drops every answer and keeps the channel from counting
// as shared while core finishes archiving it.
func (c *Store) ChannelArchived(channelID string) {
	now := c.now()
	c.sharedMu.Lock()
	defer c.sharedMu.Unlock()
	c.epoch++
	for id, until := range c.archiving {
		if now >= until {
			delete(c.archiving, id)
		}
	}
	c.archiving[channelID] = now + int64(archivingFor)
}

// BeingArchived reports whether the channel's archive began here moments
// ago.
func (c *Store) BeingArchived(channelID string) bool {
	now := c.now()
	c.sharedMu.RLock()
	defer c.sharedMu.RUnlock()
	until, ok := c.archiving[channelID]
	return ok && now < until
}

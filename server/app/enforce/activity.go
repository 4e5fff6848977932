package enforce

import (
	"time"
)

// The guest list sorts by last activity from an index the store keeps
// (store.Guest.LastActiveAt): core's own LastActivityAt lives in its
// Status table, which has no index to sort 100,000 guests by. The plugin
// records when it sees a guest sign in or post, at most every
// activityEvery per guest and node (one record write in the background);
// every other time costs one in-memory lookup. The invites use cases
// record sign-ups the same way (NoteActivity).

const (
	// activityEvery is how stale the recorded activity may be: the list's
	// order by last activity is right to within it.
	activityEvery = 5 * time.Minute
	// activityWriters bounds the background writes in flight; beyond it an
	// activity is dropped and noted again at the guest's next post.
	activityWriters = 4
)

// NoteActivity records that the guest is active now (hot path: one map
// lookup unless the last record from this node is activityEvery old).
func (s *Service) NoteActivity(userID string) {
	now := s.kit.Now().UnixMilli()
	if last, ok := s.activity.Load(userID); ok {
		if at, _ := last.(int64); now-at < activityEvery.Milliseconds() {
			return
		}
	}
	select {
	case s.activityWriters <- struct{}{}:
	default:
		return // busy: the next post tries again
	}
	s.activity.Store(userID, now)
	s.background.Add(1)
	go func() {
		defer s.background.Done()
		defer func() { <-s.activityWriters }()
		if err := s.cache.TouchGuest(userID, now); err != nil {
			s.activity.Delete(userID)
			s.api.LogWarn("Guest Accounts: could not record a guest's activity", "user_id", userID, "error", err.Error())
		}
	}()
}

// Close waits for the activity writes in flight.
func (s *Service) Close() { s.background.Wait() }

package app

import (
	"time"
)

// The guest list sorts by last activity from an index the store keeps
// (store.Guest.LastActiveAt): core's own LastActivityAt lives in its
// Status table, which has no index to sort 100,000 guests by. The plugin
// records when it sees a guest sign up, sign in or post, at most once
// every activityEvery per guest and node (one record write in the
// background); every other time costs one in-memory lookup.

const (
	// activityEvery is how stale the recorded activity may be: the list's
	// order by last activity is right to within it.
	activityEvery = 5 * time.Minute
	// activityWriters bounds the background writes in flight; beyond it an
	// activity is dropped and noted again at the guest's next post.
	activityWriters = 4
)

// noteActivity records that the guest is active now (hot path: one map
// lookup unless the last record from this node is activityEvery old).
func (a *App) noteActivity(userID string) {
	now := a.Now().UnixMilli()
	if last, ok := a.activity.Load(userID); ok && now-last.(int64) < activityEvery.Milliseconds() {
		return
	}
	select {
	case a.activityWriters <- struct{}{}:
	default:
		return // busy: the next post tries again
	}
	a.activity.Store(userID, now)
	a.background.Add(1)
	go func() {
		defer a.background.Done()
		defer func() { <-a.activityWriters }()
		if err := a.store.TouchGuest(userID, now); err != nil {
			a.activity.Delete(userID)
			a.api.LogWarn("Guest Accounts: could not record a guest's activity", "user_id", userID, "error", err.Error())
		}
	}()
}

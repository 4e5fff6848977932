package app

import (
	"time"
)

// The guest list sorts by last activity from an index the store keeps
// (store.Guest.LastActiveHour): core's own LastActivityAt lives in its
// Status table, which has no index to sort 100,000 guests by. The plugin
// records, to the hour, when it sees a guest sign in or post: the first
// time in an hour on each node costs one record write in the background;
// every other time one in-memory lookup.

// activityWriters bounds the background writes in flight; beyond it an
// activity is dropped and noted again at the guest's next post.
const activityWriters = 4

// noteActivity records that the guest is active now (hot path: one map
// lookup unless this hour is new for the guest on this node).
func (a *App) noteActivity(userID string) {
	hour := a.Now().Truncate(time.Hour).UnixMilli()
	if last, ok := a.activity.Load(userID); ok && last.(int64) >= hour {
		return
	}
	select {
	case a.activityWriters <- struct{}{}:
	default:
		return // busy: the next post tries again
	}
	a.activity.Store(userID, hour)
	a.background.Add(1)
	go func() {
		defer a.background.Done()
		defer func() { <-a.activityWriters }()
		if err := a.store.TouchGuest(userID, hour); err != nil {
			a.activity.Delete(userID)
			a.api.LogWarn("Guest Accounts: could not record a guest's activity", "user_id", userID, "error", err.Error())
		}
	}()
}

// Package jobs runs the plugin's scheduled background jobs. Each job runs
// once across a cluster: pluginapi's scheduler holds a cluster mutex while
// the job body runs and records in the KV store when it last finished, so
// the next run anywhere in the cluster waits for the interval from then.
package jobs

import (
	"runtime/debug"
	"time"

	"github.com/mattermost/mattermost/server/public/pluginapi/cluster"
	"github.com/pkg/errors"
)

// Expiry job: deactivates expired guests and sends expiry reminders.
const (
	ExpiryKey      = "guest_expiry"
	ExpiryInterval = 5 * time.Minute
)

// IndexKey names the index upkeep job: it builds the store's indexes after
// an upgrade, repairs interrupted writes, sweeps expired invitations and
// follows profile changes.
const IndexKey = "guest_index"

// Job is a scheduled job; Close stops it on this node (waiting for a run
// in progress to finish).
type Job interface {
	Close() error
}

// API is the part of the plugin API the scheduler needs.
type API interface {
	cluster.JobPluginAPI
}

// Schedule runs body every interval (measured from the end of the last run
// anywhere in the cluster), at most one node at a time. A panic in body is
// logged and does not stop the schedule.
func Schedule(api API, key string, interval time.Duration, body func()) (Job, error) {
	if interval <= 0 {
		return nil, errors.New("jobs.Schedule: the interval must be positive")
	}
	safe := func() {
		defer func() {
			if rec := recover(); rec != nil {
				api.LogError("Guest Accounts: scheduled job panicked", "job", key, "panic", rec, "stack", string(debug.Stack()))
			}
		}()
		body()
	}
	job, err := cluster.Schedule(api, key, cluster.MakeWaitForInterval(interval), safe)
	if err != nil {
		return nil, errors.Wrapf(err, "scheduling the %s job", key)
	}
	return job, nil
}

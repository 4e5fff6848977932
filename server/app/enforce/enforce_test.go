package enforce

import (
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/pluginapi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store/guestcache"
	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/store/kvstore"
)

// hotPathApp is a Service whose caches already know the poster and
// channel: what a member posting in an ordinary channel costs after the
// first post.
func hotPathApp(b *testing.B) (*Service, *model.Post) {
	c := guestcache.New(kvstore.NewWithKV(&pluginapi.MemoryStore{}), nil)
	a := &Service{cache: c, channels: newChannelCache(), kit: &app.Kit{}}
	post := &model.Post{UserId: model.NewId(), ChannelId: model.NewId(), Message: "hello"}
	a.channels.entries[post.ChannelId] = ordinaryChannel
	_, err := c.Cached(post.UserId)
	require.ErrorIs(b, err, store.ErrNotFound)
	return a, post
}

// BenchmarkCheckPostMember is MessageWillBePosted's decision for a member
// in an open channel (the common case): target < 1 µs, 0 allocations.
func BenchmarkCheckPostMember(b *testing.B) {
	a, post := hotPathApp(b)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if a.CheckPost(post) != "" {
			b.Fatal("refused")
		}
	}
}

// BenchmarkCheckPostMemberParallel is the same under contention (every
// core posting at once).
func BenchmarkCheckPostMemberParallel(b *testing.B) {
	a, post := hotPathApp(b)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if a.CheckPost(post) != "" {
				b.Fatal("refused")
			}
		}
	})
}

// BenchmarkMayBeGuest is the join, team and edit hooks' first question for
// a non-guest.
func BenchmarkMayBeGuest(b *testing.B) {
	a, post := hotPathApp(b)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if a.MayBeGuest(post.UserId) {
			b.Fatal("guest")
		}
	}
}

func TestDownloadKind(t *testing.T) {
	assert.Equal(t, policy.DownloadFile, downloadKind(model.FileDownloadTypeFile))
	assert.Equal(t, policy.DownloadThumbnail, downloadKind(model.FileDownloadTypeThumbnail))
	assert.Equal(t, policy.DownloadPreview, downloadKind(model.FileDownloadTypePreview))
	assert.Equal(t, policy.DownloadPublic, downloadKind(model.FileDownloadTypePublic))
	assert.Equal(t, policy.DownloadFile, downloadKind("something new"), "an unknown kind is treated as the file itself")
}

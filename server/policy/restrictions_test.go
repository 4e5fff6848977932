package policy

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func ptr(b bool) *bool { return &b }

func TestEffective(t *testing.T) {
	defaults := DefaultRestrictions()
	allFalse := Overrides{ptr(false), ptr(false), ptr(false), ptr(false), ptr(false), ptr(false)}
	allTrue := Overrides{ptr(true), ptr(true), ptr(true), ptr(true), ptr(true), ptr(true)}
	tests := []struct {
		name     string
		defaults Restrictions
		o        Overrides
		want     Restrictions
	}{
		{"no overrides", defaults, Overrides{}, defaults},
		{"all off", defaults, allFalse, Restrictions{}},
		{"all on", Restrictions{}, allTrue, Restrictions{true, true, true, true, true, true}},
		{"one off", defaults, Overrides{UploadFiles: ptr(false)}, Restrictions{false, true, true, true, false, true}},
		{"one on", defaults, Overrides{CreatePrivateChannels: ptr(true)}, Restrictions{true, true, true, true, true, true}},
		{"override equal to default", defaults, Overrides{React: ptr(true)}, defaults},
		{"dm off", defaults, Overrides{DirectMessages: ptr(false)}, Restrictions{true, true, true, true, false, false}},
		{"download and edit", defaults, Overrides{DownloadFiles: ptr(false), EditOwnPosts: ptr(false)}, Restrictions{true, false, false, true, false, true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Effective(tc.defaults, tc.o))
		})
	}
	assert.True(t, Overrides{}.IsZero())
	assert.False(t, Overrides{React: ptr(true)}.IsZero())
	assert.False(t, Overrides{DirectMessages: ptr(false)}.IsZero())
}

func TestRestrictionsJSON(t *testing.T) {
	buf, err := json.Marshal(Restrictions{UploadFiles: true, DirectMessages: true})
	require.NoError(t, err)
	assert.JSONEq(t, `{"upload_files":true,"download_files":false,"edit_own_posts":false,"react":false,"create_private_channels":false,"direct_messages":true}`, string(buf))

	buf, err = json.Marshal(Overrides{React: ptr(false)})
	require.NoError(t, err)
	assert.JSONEq(t, `{"upload_files":null,"download_files":null,"edit_own_posts":null,"react":false,"create_private_channels":null,"direct_messages":null}`, string(buf))

	var o Overrides
	require.NoError(t, json.Unmarshal([]byte(`{"upload_files":false,"react":null,"direct_messages":true}`), &o))
	assert.Equal(t, Overrides{UploadFiles: ptr(false), DirectMessages: ptr(true)}, o)
}

func TestEffectiveDoesNotAllocate(t *testing.T) {
	o := Overrides{UploadFiles: ptr(false), DirectMessages: ptr(true)}
	d := DefaultRestrictions()
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = Effective(d, o) }))
}

func BenchmarkEffective(b *testing.B) {
	o := Overrides{UploadFiles: ptr(false), React: ptr(true), DirectMessages: ptr(false)}
	d := DefaultRestrictions()
	var sink Restrictions
	b.ReportAllocs()
	for b.Loop() {
		sink = Effective(d, o)
	}
	_ = sink
}

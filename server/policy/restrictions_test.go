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

func TestRestrictionsAllows(t *testing.T) {
	none := Restrictions{}
	all := Restrictions{true, true, true, true, true, true}
	for _, act := range []Restriction{UploadFiles, DownloadFiles, EditOwnPosts, React, CreatePrivateChannels, DirectMessages} {
		assert.True(t, all.Allows(act), "action %d with everything allowed", act)
		assert.False(t, none.Allows(act), "action %d with everything off", act)
	}
	// Each action reads its own field, and only it.
	assert.True(t, Restrictions{DownloadFiles: true}.Allows(DownloadFiles))
	assert.False(t, Restrictions{DownloadFiles: true}.Allows(UploadFiles))
	assert.True(t, Restrictions{CreatePrivateChannels: true}.Allows(CreatePrivateChannels))
	assert.False(t, Restrictions{CreatePrivateChannels: true}.Allows(React))
	assert.False(t, all.Allows(NumRestrictions), "an unknown restriction is not allowed")
}

func TestRestrictionRefuses(t *testing.T) {
	noDownload := Effective(DefaultRestrictions(), Overrides{DownloadFiles: ptr(false)})
	tests := []struct {
		name string
		who  RegistryAnswer
		r    Restrictions
		act  Restriction
		want bool
	}{
		{"member, even with nothing allowed", NotAGuest, Restrictions{}, DownloadFiles, false},
		{"guest allowed by default", AGuest, DefaultRestrictions(), DownloadFiles, false},
		{"guest with downloads off", AGuest, noDownload, DownloadFiles, true},
		{"guest with downloads off may still upload", AGuest, noDownload, UploadFiles, false},
		{"guest, private channels off by default", AGuest, DefaultRestrictions(), CreatePrivateChannels, true},
		{"unreadable registry: refused even when allowed", RegistryUnreadable, DefaultRestrictions(), DownloadFiles, true},
		{"unreadable registry: reactions refused", RegistryUnreadable, Restrictions{React: true}, React, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, RestrictionRefuses(tc.who, tc.r, tc.act))
		})
	}
}

func TestDownloadDecision(t *testing.T) {
	off := Effective(DefaultRestrictions(), Overrides{DownloadFiles: ptr(false)})
	on := DefaultRestrictions()
	tests := []struct {
		name            string
		who             RegistryAnswer
		r               Restrictions
		kind            DownloadKind
		refuse, explain bool
	}{
		{"member downloads", NotAGuest, Restrictions{}, DownloadFile, false, false},
		{"guest allowed", AGuest, on, DownloadFile, false, false},
		{"guest allowed, thumbnail", AGuest, on, DownloadThumbnail, false, false},
		{"guest refused the file: told why", AGuest, off, DownloadFile, true, true},
		{"guest refused a thumbnail: not told", AGuest, off, DownloadThumbnail, true, false},
		{"guest refused a preview: not told", AGuest, off, DownloadPreview, true, false},
		{"public link: no user to refuse", AGuest, off, DownloadPublic, false, false},
		{"unreadable registry: refused and told", RegistryUnreadable, on, DownloadFile, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			refuse, explain := DownloadDecision(tc.who, tc.r, tc.kind)
			assert.Equal(t, tc.refuse, refuse, "refuse")
			assert.Equal(t, tc.explain, explain, "explain")
		})
	}
}

func TestUndoPrivateChannel(t *testing.T) {
	def := DefaultRestrictions() // private channels off
	allowed := Effective(def, Overrides{CreatePrivateChannels: ptr(true)})
	tests := []struct {
		name                string
		private, hasCreator bool
		who                 RegistryAnswer
		r                   Restrictions
		want                bool
	}{
		{"guest's private channel, not allowed", true, true, AGuest, def, true},
		{"guest's private channel, allowed for them", true, true, AGuest, allowed, false},
		{"guest's public channel", false, true, AGuest, def, false},
		{"member's private channel", true, true, NotAGuest, def, false},
		{"private channel without a creator", true, false, AGuest, def, false},
		{"creator unknown to an unreadable registry", true, true, RegistryUnreadable, allowed, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, UndoPrivateChannel(tc.private, tc.hasCreator, tc.who, tc.r))
		})
	}
}

func TestRestrictionDecisionsDoNotAllocate(t *testing.T) {
	r := DefaultRestrictions()
	assert.Zero(t, testing.AllocsPerRun(100, func() {
		_ = RestrictionRefuses(AGuest, r, DownloadFiles)
		_, _ = DownloadDecision(AGuest, r, DownloadFile)
		_ = UndoPrivateChannel(true, true, AGuest, r)
	}))
}

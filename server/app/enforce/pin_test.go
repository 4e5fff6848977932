package enforce

import (
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"
)

func TestPinOnly(t *testing.T) {
	old := &model.Post{Id: "p", Message: "hello", FileIds: model.StringArray{"f"}}
	old.AddProp("from_bot", "false")
	same := func(edit func(p *model.Post)) *model.Post {
		p := old.Clone()
		p.IsPinned = true
		if edit != nil {
			edit(p)
		}
		return p
	}
	assert.True(t, pinOnly(old, same(nil)), "a pin")
	unpinned := old.Clone()
	pinnedOld := same(nil)
	assert.True(t, pinOnly(pinnedOld, unpinned), "an unpin")
	assert.False(t, pinOnly(old, old.Clone()), "nothing changed: not a pin")
	assert.False(t, pinOnly(old, same(func(p *model.Post) { p.Message = "edited" })), "a pin with a new message")
	assert.False(t, pinOnly(old, same(func(p *model.Post) { p.FileIds = nil })), "a pin that drops a file")
	assert.False(t, pinOnly(old, same(func(p *model.Post) { p.AddProp("attachments", "x") })), "a pin with new props")
	assert.False(t, pinOnly(old, same(func(p *model.Post) { p.Type = model.PostTypeMe })), "a pin with a new type")
	assert.False(t, pinOnly(nil, same(nil)), "no old post")
}

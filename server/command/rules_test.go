package command

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/app/rules"
)

func preview(ids ...string) *rules.Preview {
	p := &rules.Preview{Enabled: true}
	for _, id := range ids {
		p.Candidates = append(p.Candidates, rules.RuleCandidate{UserID: id})
	}
	return p
}

func TestPreviewCodeNamesTheListNotItsOrder(t *testing.T) {
	ab := previewCode(preview("aaaaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbbbb"))
	assert.True(t, isPreviewCode(ab), ab)
	assert.Equal(t, ab, previewCode(preview("bbbbbbbbbbbbbbbbbbbbbbbbbb", "aaaaaaaaaaaaaaaaaaaaaaaaaa")), "the order of the list does not matter")
	assert.NotEqual(t, ab, previewCode(preview("aaaaaaaaaaaaaaaaaaaaaaaaaa")), "one account fewer is another list")
	assert.NotEqual(t, ab, previewCode(preview("aaaaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbbbb", "cccccccccccccccccccccccccc")), "one account more is another list")
	// The ids are joined with a separator: moving a letter from one id to
	// the next is another list.
	assert.NotEqual(t, previewCode(preview("ab", "c")), previewCode(preview("a", "bc")))
}

func TestIsPreviewCode(t *testing.T) {
	for _, ok := range []string{"0123abcd", "deadbeef"} {
		assert.True(t, isPreviewCode(ok), ok)
	}
	for _, bad := range []string{"", "deadbee", "deadbeef0", "DEADBEEF", "deadbeeg", "--no-channels", "apply"} {
		assert.False(t, isPreviewCode(bad), bad)
	}
}

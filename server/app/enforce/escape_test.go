package enforce

import (
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/assert"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/policy"
)

// policy cannot import core's model; its copies of core's post types must
// stay equal to core's.
func TestChannelChangePostTypesAreCores(t *testing.T) {
	for _, typ := range []string{model.PostTypeHeaderChange, model.PostTypePurposeChange, model.PostTypeDisplaynameChange} {
		assert.True(t, policy.IsChannelChangePost(typ), typ)
	}
	for _, typ := range []string{model.PostTypeJoinChannel, model.PostTypeLeaveChannel, model.PostTypeAddToChannel, model.PostTypeRemoveFromChannel, ""} {
		assert.False(t, policy.IsChannelChangePost(typ), typ)
	}
}

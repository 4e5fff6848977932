package main

import (
	"io"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"
)

// FileWillBeUploaded is called by core before an uploaded file is stored; a
// non-empty reason refuses the upload. Guests' upload restriction and the
// DM rule apply.
func (p *Plugin) FileWillBeUploaded(_ *plugin.Context, info *model.FileInfo, _ io.Reader, _ io.Writer) (*model.FileInfo, string) {
	if p.app == nil || info == nil {
		return nil, ""
	}
	return nil, p.app.CheckUpload(info.CreatorId, info.ChannelId)
}

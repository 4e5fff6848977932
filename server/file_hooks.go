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
	reason := p.app.enforce.CheckUpload(info.CreatorId, info.ChannelId)
	p.app.kit.ExplainRefusal(info.CreatorId, info.ChannelId, reason)
	return nil, reason
}

// FileWillBeDownloaded is called by core before a file is served (11.5 and
// later; 11.4 never calls it — see Edition limits). A non-empty reason
// refuses the download; the guest is told why in the file's channel.
func (p *Plugin) FileWillBeDownloaded(_ *plugin.Context, info *model.FileInfo, userID string, kind model.FileDownloadType) string {
	if p.app == nil || info == nil {
		return ""
	}
	return p.app.enforce.CheckDownload(userID, info.ChannelId, kind)
}

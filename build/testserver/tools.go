//go:build tools

// Package testserver pins the Mattermost server version the real-server tests
// run against. It is built with
// `go build github.com/mattermost/mattermost/server/v8/cmd/mattermost`.
package testserver

import (
	_ "github.com/mattermost/mattermost/server/v8/cmd/mattermost"
)

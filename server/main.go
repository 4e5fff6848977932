// Package main is the server side of the Guest Accounts plugin: thin hook
// methods that translate core's events and ask the app layer what to do.
package main

import (
	"github.com/mattermost/mattermost/server/public/plugin"
)

func main() {
	plugin.ClientMain(&Plugin{})
}

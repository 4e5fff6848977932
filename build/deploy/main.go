// Command deploy uploads the plugin bundle to an existing Mattermost server
// and enables it: `make deploy` with MM_SERVICESETTINGS_SITEURL and
// MM_ADMIN_TOKEN (a system admin's personal access token), or
// MM_ADMIN_USERNAME and MM_ADMIN_PASSWORD.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/build/pluginctl"
)

func main() {
	if len(os.Args) != 3 {
		fail("usage: deploy <plugin id> <bundle.tar.gz>")
	}
	pluginID, bundle := os.Args[1], os.Args[2]
	url := os.Getenv("MM_SERVICESETTINGS_SITEURL")
	if url == "" {
		fail("set MM_SERVICESETTINGS_SITEURL to the server's address, e.g. https://chat.example.com")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c := model.NewAPIv4Client(url)
	switch {
	case os.Getenv("MM_ADMIN_TOKEN") != "":
		c.SetToken(os.Getenv("MM_ADMIN_TOKEN"))
	case os.Getenv("MM_ADMIN_USERNAME") != "":
		if _, _, err := c.Login(ctx, os.Getenv("MM_ADMIN_USERNAME"), os.Getenv("MM_ADMIN_PASSWORD")); err != nil {
			fail("logging in: " + err.Error())
		}
	default:
		fail("set MM_ADMIN_TOKEN (a system admin's personal access token), or MM_ADMIN_USERNAME and MM_ADMIN_PASSWORD")
	}
	if err := pluginctl.InstallPlugin(ctx, c, bundle, pluginID); err != nil {
		fail(err.Error())
	}
	fmt.Printf("%s installed and enabled on %s\n", pluginID, url)
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "deploy:", msg)
	os.Exit(1)
}

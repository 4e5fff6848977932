package main

import (
	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"
)

// UserWillLogIn is called by core before a login completes; a non-empty
// answer refuses it with that message. Guests whose email domain is no
// longer allowed, or whom the plugin keeps deactivated, are refused.
func (p *Plugin) UserWillLogIn(_ *plugin.Context, user *model.User) string {
	if p.app == nil {
		return ""
	}
	return p.app.enforce.CheckLogin(user)
}

// UserHasBeenDeactivated is called by core after any deactivation: an
// admin deactivating a guest outside the plugin is recorded as such (the
// master switch will not bring them back) and frees a cap slot.
func (p *Plugin) UserHasBeenDeactivated(_ *plugin.Context, user *model.User) {
	if p.app == nil {
		return
	}
	p.app.guests.UserDeactivated(user.Id)
}

// UserHasBeenCreated is called by core after an account is created (sign-up,
// SSO, LDAP, an admin, the API): the automatic guest rules may make it a
// guest with no channels.
func (p *Plugin) UserHasBeenCreated(_ *plugin.Context, user *model.User) {
	if p.app == nil {
		return
	}
	p.app.rules.UserCreated(user)
}

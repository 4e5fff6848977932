package browsertest

import "github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper/smtpsink"

type smtpMessage = smtpsink.Message

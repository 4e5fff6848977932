// Command smtpsink runs the test SMTP sink for a developer's local stack: it
// listens on a loopback address and appends every message it receives
// (header fields, text part and links) to a log file, until SIGINT or
// SIGTERM.
//
//	smtpsink -addr 127.0.0.1:2525 -log .run/mail.log
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/guest-accounts/mattermost-plugin-guest-accounts/server/testhelper/smtpsink"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:2525", "loopback host:port to listen on")
	logPath := flag.String("log", "mail.log", "file the received messages are appended to")
	flag.Parse()

	sink, err := smtpsink.StartLogging(*addr, *logPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("smtpsink: listening on %s, appending mail to %s\n", sink.Addr(), *logPath)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	if err := sink.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "smtpsink:", err)
		os.Exit(1)
	}
}

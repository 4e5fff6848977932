package api

import (
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// limiter is a small fixed-window rate limiter per client address, for the
// anonymous accept endpoint (token guessing). Per node; the token space
// (256 bits) is the real defence, this keeps the logs and database quiet.
type limiter struct {
	mu     sync.Mutex
	window time.Duration
	max    int
	counts map[string]*window
}

type window struct {
	start time.Time
	n     int
}

func newLimiter(limit int, per time.Duration) *limiter {
	return &limiter{window: per, max: limit, counts: map[string]*window{}}
}

func (l *limiter) allow(key string) bool {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.counts) > 10000 {
		for k, w := range l.counts {
			if now.Sub(w.start) > l.window {
				delete(l.counts, k)
			}
		}
	}
	w := l.counts[key]
	if w == nil || now.Sub(w.start) > l.window {
		l.counts[key] = &window{start: now, n: 1}
		return true
	}
	w.n++
	return w.n <= l.max
}

// clientAddr is the caller's address: from a header only when the server
// trusts it (ServiceSettings.TrustedProxyIPHeader, as core itself does),
// else the connection's address. An untrusted X-Forwarded-For would let
// anyone dodge the limit.
func clientAddr(r *http.Request, trusted []string) string {
	for _, name := range trusted {
		if v := strings.TrimSpace(strings.Split(r.Header.Get(name), ",")[0]); v != "" {
			return v
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

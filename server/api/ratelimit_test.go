package api

import (
	"net/http/httptest"
	"testing"
	"time"
)

func TestClientAddrTrustsHeadersOnlyWhenConfigured(t *testing.T) {
	r := httptest.NewRequest("POST", "/", nil)
	r.RemoteAddr = "192.0.2.7:5555"
	r.Header.Set("X-Forwarded-For", "203.0.113.9, 10.0.0.1")
	if got := clientAddr(r, nil); got != "192.0.2.7" {
		t.Fatalf("untrusted header used: %q", got)
	}
	if got := clientAddr(r, []string{"X-Forwarded-For"}); got != "203.0.113.9" {
		t.Fatalf("trusted header ignored: %q", got)
	}
}

func TestLimiter(t *testing.T) {
	l := newLimiter(3, time.Minute)
	for i := 0; i < 3; i++ {
		if !l.allow("a") {
			t.Fatalf("request %d refused under the limit", i+1)
		}
	}
	if l.allow("a") {
		t.Fatal("the fourth request passed a limit of 3")
	}
	if !l.allow("b") {
		t.Fatal("another client was limited")
	}
}

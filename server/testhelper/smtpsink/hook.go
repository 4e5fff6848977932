package smtpsink

// OnMessage calls fn with every message received from now on, before the
// sender's DATA command is answered: the sending server waits until fn
// returns, so a test can act at a precise point of a run that sends mail
// (stop the database mid-run, for instance). fn must not call the sink; it
// runs after any earlier hook. The returned function removes it.
func (s *Sink) OnMessage(fn func(Message)) (restore func()) {
	s.mu.Lock()
	prev := s.onMessage
	if prev != nil {
		s.onMessage = func(m Message) { prev(m); fn(m) }
	} else {
		s.onMessage = fn
	}
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		s.onMessage = prev
		s.mu.Unlock()
	}
}

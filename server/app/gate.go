package app

// The gate keeps fail-closed exact while acceptances and other operations
// that make a guest active are in flight: core calls OnDeactivate while the
// plugin's HTTP handlers still run and kills the process right after it
// returns (docs/measured-facts.md, "Two nodes").

// Enter lets an operation that can make a guest active run, unless the
// plugin is closing; the caller must call the returned release.
func (k *Kit) Enter() (release func(), err error) {
	k.gate.RLock()
	if k.closing {
		k.gate.RUnlock()
		return nil, ErrDisabled
	}
	return k.gate.RUnlock, nil
}

// BeginClose waits for the operations in flight and refuses new ones. The
// plugin calls it first thing in OnDeactivate.
func (k *Kit) BeginClose() {
	k.gate.Lock()
	k.closing = true
	k.gate.Unlock()
}

// Drain waits for the operations in flight (those that start later see the
// settings as they are now).
func (k *Kit) Drain() {
	k.gate.Lock()
	k.gate.Unlock() //nolint:staticcheck // an empty critical section: a barrier
}

package app

// The gate keeps fail-closed exact while acceptances and other operations
// that make a guest active are in flight. Measured on 11.4: when an admin
// disables the plugin, core calls OnDeactivate while the plugin's HTTP
// handlers are still running and kills the plugin process right after it
// returns. Without the gate an acceptance finishing after SwitchOff listed
// the registry left an active guest with the plugin off, and one cut off
// between creating the user and saving the registry record left a full
// member account the registry never knew.

// enter lets an operation that can make a guest active run, unless the
// plugin is closing; the caller must call the returned release.
func (a *App) enter() (release func(), err error) {
	a.gate.RLock()
	if a.closing {
		a.gate.RUnlock()
		return nil, errDisabled
	}
	return a.gate.RUnlock, nil
}

// BeginClose waits for the operations in flight and refuses new ones. The
// plugin calls it first thing in OnDeactivate.
func (a *App) BeginClose() {
	a.gate.Lock()
	a.closing = true
	a.gate.Unlock()
}

// drain waits for the operations in flight (those that start later see the
// settings as they are now).
func (a *App) drain() {
	a.gate.Lock()
	a.gate.Unlock() //nolint:staticcheck // an empty critical section: a barrier
}

package app

// DetectEdition decides whether core's own guest accounts can be used: a
// license with the guest feature and core guest accounts switched on. It
// reports whether the answer changed.
func (k *Kit) DetectEdition() bool {
	licensed := false
	if lic := k.api.GetLicense(); lic != nil && lic.Features != nil && lic.Features.GuestAccounts != nil && *lic.Features.GuestAccounts {
		cfg := k.api.GetConfig()
		licensed = cfg != nil && cfg.GuestAccountsSettings.Enable != nil && *cfg.GuestAccountsSettings.Enable
	}
	k.editionMu.Lock()
	changed := k.licensed != licensed
	k.licensed = licensed
	k.editionMu.Unlock()
	return changed
}

// Licensed reports whether core's native guest role is in use.
func (k *Kit) Licensed() bool {
	k.editionMu.RLock()
	defer k.editionMu.RUnlock()
	return k.licensed
}

// DownloadHook reports whether this server calls FileWillBeDownloaded.
func (k *Kit) DownloadHook() bool { return k.downloadHook }

// JoinEnforcement says how guest joins are checked on this server:
// "before" (veto hooks, 11.7+) or "after" (undone once core reports them).
func (k *Kit) JoinEnforcement() string {
	if k.vetoHooks {
		return "before"
	}
	return "after"
}

// ServerVersion is the Mattermost server's version.
func (k *Kit) ServerVersion() string { return k.api.GetServerVersion() }

// Package policy holds the plugin's pure decisions: the guest email domain
// allowlist and address parser, invitation tokens, typed settings, who may
// invite, caps, per-guest restrictions, the direct-message rule and expiry.
//
// It imports neither the Mattermost plugin API nor its model package: every
// function takes plain values and answers with plain values, so it is fast,
// deterministic and tested in isolation (table tests, fuzz targets,
// benchmarks). The functions on the hot path of a hook (AllowList.Allows on
// a canonical domain, DMAllowed, CapAllows, Effective, ExpiryState) do not
// allocate.
package policy

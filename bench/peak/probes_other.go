//go:build !amd64 || purego

package peak

// probes lists the probes this build can run: only the pure-Go one off
// amd64 (a NEON probe is future work) and in purego builds.
func probes() map[string]probe {
	return map[string]probe{"generic": {lanes: 1, run: fmaGeneric}}
}

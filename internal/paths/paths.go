// Package paths is gokern's one registry of kernel paths: the instruction
// sets it has kernels for (generic, avx2, avx512, neon), which of them this
// CPU and build can run, and which one is active.
//
// Every family of kernels (package kernels' SGEMM, element-wise and Adam
// kernels, package conv's implicit-convolution run kernels) keeps its
// implementations in a [Family], one per path, registered from the init
// function of the file that holds them, the way crypto/internal/impl
// registers implementations per package. Selecting a path therefore selects
// all of its kernels at once, and a family finds its active kernels by the
// path's index, never by its name. Names are only for the boundary: the
// GOKERN_KERNELS variable, command-line flags and test names.
package paths

import (
	"fmt"
	"strings"
	"sync/atomic"
)

// Path is one kernel path. The four values below are the only ones; compare
// them by pointer.
type Path struct {
	// Name is the path's name in GOKERN_KERNELS, flags and test names.
	Name string
	// priority orders the available paths when choosing the default:
	// higher wins.
	priority int
	// index is the path's slot in every Family.
	index int
	// missing says why this CPU or build cannot run the path ("CPU lacks
	// AVX512F"), or is empty when it can. The arch files set it at init.
	missing string
}

// The known paths, in the order tests visit them: the reference first.
var (
	Generic = &Path{Name: "generic", priority: 0, index: 0}
	AVX2    = &Path{Name: "avx2", priority: 10, index: 1}
	AVX512  = &Path{Name: "avx512", priority: 20, index: 2}
	NEON    = &Path{Name: "neon", priority: 10, index: 3}
)

var all = [...]*Path{Generic, AVX2, AVX512, NEON}

// Available reports whether this CPU and build can run the path.
func (p *Path) Available() bool { return p.missing == "" }

// Missing says why this CPU or build cannot run the path, naming the
// missing CPU features ("CPU lacks AVX512F, AVX512BW") or the build ("not
// built for arm64"); it is empty when the path is available.
func (p *Path) Missing() string { return p.missing }

func (p *Path) String() string { return p.Name }

// All returns every known path, available here or not, generic first.
func All() []*Path { return all[:] }

// Best returns the highest-priority available path: the default.
func Best() *Path {
	b := Generic
	for _, p := range all {
		if p.Available() && p.priority > b.priority {
			b = p
		}
	}
	return b
}

// Lookup returns the path with the given name, or nil.
func Lookup(name string) *Path {
	for _, p := range all {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// active is the path every family runs.
var active atomic.Pointer[Path]

func init() { active.Store(Best()) }

// Active returns the path in use.
func Active() *Path { return active.Load() }

// Select makes p the active path of every family. It changes nothing and
// returns an error when this CPU or build cannot run p. Calls already
// running finish on the path they started with.
func Select(p *Path) error {
	if !p.Available() {
		return fmt.Errorf("gokern: kernel path %q cannot run here: %s (available: %s)", p.Name, p.missing, strings.Join(Names(true), ", "))
	}
	active.Store(p)
	return nil
}

// Names lists the names of the known paths, or of the available ones only,
// generic first.
func Names(availableOnly bool) []string {
	var names []string
	for _, p := range all {
		if !availableOnly || p.Available() {
			names = append(names, p.Name)
		}
	}
	return names
}

// A Family holds one family's kernels, one *T per path. A path a family
// registers nothing for has nil kernels; the family then runs its own
// fallback (package conv's Go loops) or, for families that must be complete
// (package kernels' backends), registers every path its architecture builds.
// The zero Family is empty and ready to use.
type Family[T any] struct {
	byPath [len(all)]*T
}

// Register installs k as the family's kernels for path p. It is meant for
// init functions.
func (f *Family[T]) Register(p *Path, k *T) { f.byPath[p.index] = k }

// Of returns the family's kernels for path p, or nil.
func (f *Family[T]) Of(p *Path) *T { return f.byPath[p.index] }

// Active returns the family's kernels for the active path, or nil: one
// atomic load and one array index, cheap enough for every kernel call.
func (f *Family[T]) Active() *T { return f.byPath[active.Load().index] }

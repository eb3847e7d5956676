package allocs

import (
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

var sink []byte

// allocateOnce is a function the stacks must name.
//
//go:noinline
func allocateOnce() { sink = make([]byte, 64) }

func TestCountNamesEachAllocation(t *testing.T) {
	r := Count(7, allocateOnce)
	if r.Ours() != 7 {
		t.Fatalf("Count saw %d allocations of ours in 7 runs of one each: %v", r.Ours(), r)
	}
	if len(r.Stacks) == 0 || !strings.Contains(strings.Join(r.Stacks, "\n"), "allocs.allocateOnce") {
		t.Errorf("no stack names allocateOnce: %v", r)
	}
}

func TestCountNothing(t *testing.T) {
	x := 0
	if r := Count(100, func() { x++ }); r.Ours() != 0 || len(r.Stacks) != 0 {
		t.Errorf("a function that allocates nothing: %v", r)
	}
}

type hasM interface{ M() }

// generation makes each call of freshTypes name its fields apart.
var generation int

// freshTypes returns a value of each of n struct types made for the call,
// so that a type assertion's cache has not seen them, however many times
// the test runs in one process.
func freshTypes(n int) []any {
	generation++
	values := make([]any, n)
	for i := range values {
		typ := reflect.StructOf([]reflect.StructField{{Name: fmt.Sprintf("F%d_%d", generation, i), Type: reflect.TypeFor[int]()}})
		values[i] = reflect.New(typ).Elem().Interface()
	}
	return values
}

// TestCountLeavesOutTypeAssertCaches runs one type assertion over 64 new
// types a million times: its call site's cache is rebuilt at random (a miss
// in 1024, fewer as it grows), and testing.AllocsPerRun would blame that on
// the code.
func TestCountLeavesOutTypeAssertCaches(t *testing.T) {
	values := freshTypes(64)
	implemented := 0
	r := Count(1, func() {
		for i := range 1000000 {
			if _, ok := values[i%len(values)].(hasM); ok {
				implemented++
			}
		}
	})
	if implemented != 0 {
		t.Fatalf("%d assertions held for types without methods", implemented)
	}
	if r.RuntimeCaches == 0 {
		t.Errorf("a million assertions over 64 new types never rebuilt the cache: %v", r)
	}
	if r.Ours() != 0 {
		t.Errorf("the cache's allocations were counted as the code's: %v", r)
	}
}

// TestCountLeavesOutSudogs makes the runtime create sudogs: 1024 goroutines
// wake from a channel together, which leaves their sudogs free in the
// runtime's caches, most of them in the central one; a GC drops that; then
// the 1024 park again, and the per-P caches cannot cover them.
func TestCountLeavesOutSudogs(t *testing.T) {
	const workers, rounds = 1024, 21
	gates := make([]chan struct{}, rounds)
	for k := range gates {
		gates[k] = make(chan struct{})
	}
	var woke, released, parking atomic.Int64
	var done sync.WaitGroup
	for range workers {
		done.Go(func() {
			for k := range gates {
				<-gates[k]
				woke.Add(1)
				for released.Load() <= int64(k) {
					runtime.Gosched()
				}
				parking.Add(1)
			}
		})
	}
	parking.Store(workers)
	next := 0
	round := func() {
		k := next
		next++
		// All but the few just about to have parked on gates[k]: wake them.
		for parking.Load() < int64(next*workers) {
			runtime.Gosched()
		}
		close(gates[k])
		for woke.Load() < int64(next*workers) {
			runtime.Gosched()
		}
		runtime.GC()
		released.Store(int64(next))
	}
	round()
	r := Count(rounds-3, round)
	round()
	done.Wait()
	if r.RuntimeCaches == 0 {
		t.Errorf("%d rounds of parking %d goroutines made no sudog: %v", r.Runs, workers, r)
	}
	if r.Ours() != 0 {
		t.Errorf("parking on channels was counted as the code's: %v", r)
	}
	t.Logf("%d sudogs", r.RuntimeCaches)
}

package parallel

import "sync"

// FreeList recycles *T values between calls, so per-call job state can
// live on the heap without a per-call allocation. It grows to the largest
// number of values out at once. The zero value is ready to use.
type FreeList[T any] struct {
	mu    sync.Mutex
	items []*T
}

// Get returns a recycled value, or a new zero one.
func (f *FreeList[T]) Get() *T {
	f.mu.Lock()
	defer f.mu.Unlock()
	if n := len(f.items); n > 0 {
		v := f.items[n-1]
		f.items = f.items[:n-1]
		return v
	}
	return new(T)
}

// Put returns v to the list. The caller must not use v afterwards and
// should clear references it no longer needs kept alive.
func (f *FreeList[T]) Put(v *T) {
	f.mu.Lock()
	f.items = append(f.items, v)
	f.mu.Unlock()
}

package parallel

import (
	"runtime"
	"time"
)

// spinFor is how long a worker polls for its next region, and a caller for
// its helpers to finish, before parking. Parking and being woken costs the
// waker a futex call and the sleeper 100+ us before it runs again on a
// virtual machine, where the wake-up goes through the hypervisor; a
// training step's regions are 1-20 ms of work each and follow each other
// within microseconds, so a short poll almost always catches the next one.
// The bound keeps an idle pool from holding a core for longer than that: a
// program that stops calling gokern has its workers parked within spinFor.
const spinFor = 200 * time.Microsecond

// spinUntil polls done until it reports true or spinFor has passed, and
// reports whether done did. It polls only while every participant can
// have a P of its own (Threads() <= GOMAXPROCS, and more than one): a
// poller sharing its P would keep the goroutine it waits for off it, so
// there it looks once and returns.
func spinUntil(done func() bool) bool {
	if p := runtime.GOMAXPROCS(0); p < 2 || Threads() > p {
		return done()
	}
	var start time.Time
	for i := 0; ; i++ {
		if done() {
			return true
		}
		// Read the clock every 64 polls only: a poll is a few ns, a clock
		// read tens on some virtual machines.
		if i%64 == 0 {
			now := time.Now()
			if i == 0 {
				start = now
			} else if now.Sub(start) > spinFor {
				return false
			}
		}
	}
}

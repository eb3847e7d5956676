package gan

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// PauseEnv names the environment variable of the crash tests: set to
// POINT#N, a process pauses for ever the N-th time it reaches the save
// point POINT (see savePoint), after saying so on stderr, so that a test
// can kill it there with SIGKILL and check that the run resumes. Points
// are the steps of SaveCheckpoint ("begin", "generator", ...,
// "new to checkpoint") and "iteration", after each iteration's hooks.
const PauseEnv = "GOKERN_GAN_PAUSE_AT"

var pause struct {
	once  sync.Once
	point string
	n     int
	seen  int
}

// saveFault, when set by a test, makes the save point it returns an error
// for fail, as a full disk would.
var saveFault func(point string) error

// savePoint is where a save or an iteration may be interrupted in tests.
func savePoint(point string) error {
	pause.once.Do(func() {
		p, n, ok := strings.Cut(os.Getenv(PauseEnv), "#")
		if k, err := strconv.Atoi(n); ok && err == nil && k > 0 {
			pause.point, pause.n = p, k
		}
	})
	if pause.point == point {
		if pause.seen++; pause.seen == pause.n {
			fmt.Fprintf(os.Stderr, "gokern: paused at %s#%d\n", point, pause.n)
			for {
				time.Sleep(time.Hour)
			}
		}
	}
	if saveFault != nil {
		return saveFault(point)
	}
	return nil
}

//go:build unix

package cifar10

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestFIFO: a named pipe where a batch should be is refused at once
// (opening it would block until a writer came).
func TestFIFO(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, batchName(1)), 0o644); err != nil {
		t.Skip("mkfifo:", err)
	}
	fifoArchive := filepath.Join(t.TempDir(), ArchiveName)
	if err := syscall.Mkfifo(fifoArchive, 0o644); err != nil {
		t.Skip("mkfifo:", err)
	}
	for _, path := range []string{dir, fifoArchive} {
		done := make(chan error, 1)
		go func() { _, err := load3(path); done <- err }()
		select {
		case err := <-done:
			wantErr(t, err, "not a regular file")
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: Load blocks on a FIFO", path)
		}
	}
}

// Package atomicfile writes files so that a crash leaves either the old
// file or the complete new one, never a torn mix: the content goes to a
// temporary file in the same folder, is synced, and is renamed over the
// target, and the folder is synced so the rename itself survives.
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// Perm is the mode of the files Write creates: os.CreateTemp's 0600 would
// make outputs such as images unreadable to other users.
const Perm = 0o644

// Write creates or replaces path with what fill writes into the file.
func Write(path string, fill func(f *os.File) error) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
			err = fmt.Errorf("writing %s: %w", path, err)
		}
	}()
	if err = fill(f); err != nil {
		return err
	}
	if err = f.Chmod(Perm); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return err
	}
	// Make the rename durable; a folder that cannot be synced (some file
	// systems refuse) does not make the write fail.
	if d, derr := os.Open(dir); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

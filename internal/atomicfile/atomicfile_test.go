package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteReplacesWholeFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.bin")
	for _, content := range []string{"first version", "second"} {
		if err := Write(path, func(f *os.File) error {
			_, err := f.WriteString(content)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != content {
			t.Fatalf("read %q, %v; want %q", got, err, content)
		}
		fi, _ := os.Stat(path)
		if fi.Mode().Perm() != Perm {
			t.Fatalf("mode %v, want %v", fi.Mode().Perm(), os.FileMode(Perm))
		}
	}
}

func TestFailedFillKeepsOldFileAndLeavesNoTemp(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.bin")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := Write(path, func(f *os.File) error {
		f.WriteString("partial")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Fatalf("old file changed to %q", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
}

func TestMissingFolder(t *testing.T) {
	err := Write(filepath.Join(t.TempDir(), "no", "such", "x"), func(*os.File) error { return nil })
	if err == nil {
		t.Fatal("Write into a missing folder succeeded")
	}
}

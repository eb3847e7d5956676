package cifar10

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDownload(t *testing.T) {
	l, p := fixture(3, 0)
	archive := filepath.Join(t.TempDir(), "src.tar.gz")
	writeArchive(t, archive, []tarEntry{{"cifar-10-batches-bin/data_batch_1.bin", batchBytes(t, l, p)}})
	body, _ := os.ReadFile(archive)
	sum := md5.Sum(body)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/cifar-10-binary.tar.gz":
			w.Write(body)
		case "/short":
			w.Header().Set("Content-Length", "1000000")
			w.Write(body)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	ctx := context.Background()

	t.Run("ok", func(t *testing.T) {
		dst := filepath.Join(t.TempDir(), "cache", ArchiveName)
		var bar bytes.Buffer
		err := Download(ctx, dst, DownloadOptions{URL: srv.URL + "/cifar-10-binary.tar.gz", MD5: hex.EncodeToString(sum[:]), Progress: &bar})
		if err != nil {
			t.Fatal(err)
		}
		if bar.Len() == 0 {
			t.Error("no progress bar output")
		}
		c, err := load3(dst)
		if err != nil {
			t.Fatal(err)
		}
		checkImages(t, c, l, p)
		leftovers(t, filepath.Dir(dst), 1)
	})
	t.Run("checksum mismatch", func(t *testing.T) {
		dst := filepath.Join(t.TempDir(), ArchiveName)
		err := Download(ctx, dst, DownloadOptions{URL: srv.URL + "/cifar-10-binary.tar.gz"}) // official MD5
		if !errors.Is(err, ErrChecksum) || !strings.Contains(err.Error(), MD5) {
			t.Fatalf("err = %v, want a checksum mismatch naming %s", err, MD5)
		}
		if _, err := os.Stat(dst); !os.IsNotExist(err) {
			t.Error("a file that failed verification was kept")
		}
		leftovers(t, filepath.Dir(dst), 0)
	})
	t.Run("not found", func(t *testing.T) {
		dst := filepath.Join(t.TempDir(), ArchiveName)
		err := Download(ctx, dst, DownloadOptions{URL: srv.URL + "/missing"})
		if err == nil || !strings.Contains(err.Error(), "404") {
			t.Fatalf("err = %v, want 404", err)
		}
		leftovers(t, filepath.Dir(dst), 0)
	})
	t.Run("short body", func(t *testing.T) {
		dst := filepath.Join(t.TempDir(), ArchiveName)
		err := Download(ctx, dst, DownloadOptions{URL: srv.URL + "/short", MD5: hex.EncodeToString(sum[:])})
		if err == nil {
			t.Fatal("truncated download accepted")
		}
		leftovers(t, filepath.Dir(dst), 0)
	})
	t.Run("no server", func(t *testing.T) {
		dst := filepath.Join(t.TempDir(), ArchiveName)
		err := Download(ctx, dst, DownloadOptions{URL: "http://127.0.0.1:1/x"})
		if err == nil {
			t.Fatal("download from a closed port succeeded")
		}
	})
}

// leftovers fails unless dir holds exactly want files: no temporary
// files may remain.
func leftovers(t *testing.T, dir string, want int) {
	t.Helper()
	es, _ := os.ReadDir(dir)
	if len(es) != want {
		var names []string
		for _, e := range es {
			names = append(names, e.Name())
		}
		t.Errorf("%s holds %v, want %d files", dir, names, want)
	}
}

func TestFindCachedCIFAR10(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", home)
	t.Setenv("HOME", home)
	if p, ok := FindCached(); ok {
		t.Fatalf("found %s in an empty cache", p)
	}
	dir, err := CacheDir()
	if err != nil {
		t.Skip(err)
	}
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, ArchiveName), []byte("x"), 0o644)
	if p, ok := FindCached(); !ok || filepath.Base(p) != ArchiveName {
		t.Fatalf("FindCached = %q, %v", p, ok)
	}
	os.Mkdir(filepath.Join(dir, FolderName), 0o755)
	if p, ok := FindCached(); !ok || filepath.Base(p) != FolderName {
		t.Fatalf("FindCached = %q, %v; want the folder first", p, ok)
	}
}

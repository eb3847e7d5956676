package cifar10

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
)

// The official CIFAR-10 binary release and the MD5 sum its home page
// publishes for it.
const (
	URL = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
	MD5 = "c32a1d4ab5d03f1284b67883e8d87530"
)

// CacheDir returns the folder gokern keeps downloaded data in:
// os.UserCacheDir()/gokern.
func CacheDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "gokern"), nil
}

// FindCached returns the CIFAR-10 copy in the cache folder, unpacked
// folder first, then the archive, and false when there is neither.
func FindCached() (string, bool) {
	dir, err := CacheDir()
	if err != nil {
		return "", false
	}
	if st, err := os.Stat(filepath.Join(dir, FolderName)); err == nil && st.IsDir() {
		return filepath.Join(dir, FolderName), true
	}
	if st, err := os.Stat(filepath.Join(dir, ArchiveName)); err == nil && st.Mode().IsRegular() {
		return filepath.Join(dir, ArchiveName), true
	}
	return "", false
}

// DownloadOptions configures Download. Zero fields take the official values.
type DownloadOptions struct {
	URL      string       // default URL
	MD5      string       // expected hex MD5 of the whole file; default MD5
	Progress io.Writer    // where the progress bar goes; nil for none
	Client   *http.Client // default http.DefaultClient
}

// ErrChecksum is wrapped by the error Download returns when the file it
// fetched does not have the expected MD5 sum.
var ErrChecksum = errors.New("checksum mismatch")

// Download fetches the archive to dst, verifying its MD5 before it appears:
// the bytes go to a temporary file beside dst that is renamed into place only
// when complete and correct, so dst is never a partial or corrupt file.
func Download(ctx context.Context, dst string, opt DownloadOptions) (err error) {
	if opt.URL == "" {
		opt.URL = URL
	}
	if opt.MD5 == "" {
		opt.MD5 = MD5
	}
	if opt.Client == nil {
		opt.Client = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, opt.URL, nil)
	if err != nil {
		return fmt.Errorf("download %s: %w", opt.URL, err)
	}
	resp, err := opt.Client.Do(req)
	if err != nil {
		return fmt.Errorf("download: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("download %s: %s", opt.URL, resp.Status)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("download: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), filepath.Base(dst)+".*.part")
	if err != nil {
		return fmt.Errorf("download: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	sum := md5.New()
	w := io.MultiWriter(tmp, sum)
	if opt.Progress != nil {
		bar := progressbar.NewOptions64(resp.ContentLength,
			progressbar.OptionSetWriter(opt.Progress),
			progressbar.OptionSetDescription("downloading "+filepath.Base(dst)),
			progressbar.OptionShowBytes(true),
			progressbar.OptionShowTotalBytes(true),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(opt.Progress) }),
		)
		defer bar.Finish()
		w = io.MultiWriter(w, bar)
	}
	n, err := io.Copy(w, resp.Body)
	if err != nil {
		return fmt.Errorf("download %s: after %d bytes: %w", opt.URL, n, err)
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		return fmt.Errorf("download %s: got %d of %d bytes", opt.URL, n, resp.ContentLength)
	}
	if got := hex.EncodeToString(sum.Sum(nil)); !strings.EqualFold(got, opt.MD5) {
		return fmt.Errorf("download %s: %w: MD5 %s, want %s (file discarded)", opt.URL, ErrChecksum, got, opt.MD5)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("download: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("download: %w", err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return fmt.Errorf("download: %w", err)
	}
	return nil
}

// Package cifar10 reads the CIFAR-10 training images the DCGAN of package
// gan learns from, and stands in for them when they are absent.
//
// Load reads the official binary release as it is: a cifar-10-batches-bin
// folder, the cifar-10-binary.tar.gz archive (without unpacking it), or a
// folder that holds either, such as the cache. The images stay bytes, as
// the release stores them, and Set.Image converts one to NHWC float32 in
// [-1, 1] on demand. Errors name the file and, for bad contents, the byte
// offset.
//
// Download fetches the archive into CacheDir and verifies its MD5 before
// it appears; FindCached finds a cached copy. NewSynthetic is a built-in,
// deterministic image set for machines without CIFAR-10, so that training
// and its tests run with no data on disk.
package cifar10

package main

import (
	"syscall"
	"testing"
)

// readOnlyDir returns a new directory on a read-only file system, the one
// place root cannot write: a tmpfs mounted read-only over a temporary
// directory, unmounted when the test ends. It reports false where this
// process may not mount.
func readOnlyDir(t *testing.T) (string, bool) {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", syscall.MS_RDONLY, "mode=0755"); err != nil {
		t.Logf("mounting a read-only tmpfs: %v", err)
		return "", false
	}
	t.Cleanup(func() { _ = syscall.Unmount(dir, 0) })
	return dir, true
}

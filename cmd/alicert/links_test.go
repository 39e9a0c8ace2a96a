package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alicert/alicert/cmd/alicert/internal/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// refusedOnce checks that a run failed with one line on stderr that names
// what and says what to fix.
func refusedOnce(t *testing.T, r result, what, fix string) {
	t.Helper()
	assert.Equal(t, exitFailure, r.code, r.stderr)
	assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %q", r.stderr)
	assert.Contains(t, r.stderr, what)
	assert.Contains(t, r.stderr, fix)
}

// noFileHolds fails when a file under dir holds secret.
func noFileHolds(t *testing.T, dir, secret string) {
	t.Helper()
	require.NoError(t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Type()&fs.ModeSymlink != 0 {
			return err
		}
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.NotContains(t, string(b), secret, path)
		return nil
	}))
}

// TestPlantedCertificateFileLinkIsNotCopied: chain.pem (or another of the
// files a run keeps as the previous version) linked to another user's file
// is refused, not copied into a version readable by all.
func TestPlantedCertificateFileLinkIsNotCopied(t *testing.T) {
	t.Parallel()
	for _, name := range []string{store.ChainFile, store.FullchainFile, store.CertFile, store.KeyFile} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			secret := filepath.Join(t.TempDir(), "shadow")
			require.NoError(t, os.WriteFile(secret, []byte("root-only-secret-material"), 0o600))
			dir := t.TempDir()
			require.NoError(t, os.Symlink(secret, filepath.Join(dir, name)))

			r := runCmd(t, nil, "get", "-fake", "-out", dir)
			refusedOnce(t, r, filepath.Join(dir, name)+" is a symbolic link alicert did not make", "remove the link")
			noFileHolds(t, dir, "root-only-secret-material")
			target, err := os.Readlink(filepath.Join(dir, name))
			require.NoError(t, err)
			assert.Equal(t, secret, target, "the link is left as it was")
		})
	}
}

// TestPlantedLockLinkIsNotFollowed: a lock file linked to a missing path
// does not make the run create that path.
func TestPlantedLockLinkIsNotFollowed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	elsewhere := filepath.Join(t.TempDir(), "created-by-alicert")
	require.NoError(t, os.Symlink(elsewhere, filepath.Join(dir, store.LockFile)))

	r := runCmd(t, nil, "get", "-fake", "-out", dir)
	refusedOnce(t, r, filepath.Join(dir, store.LockFile)+" is a symbolic link alicert did not make", "remove the link")
	assert.NoFileExists(t, elsewhere)

	r = runCmd(t, nil, "obtain", "-fake", "-domain", "www.example.com", "-out", dir)
	refusedOnce(t, r, store.LockFile+" is a symbolic link", "remove the link")
	assert.NoFileExists(t, elsewhere)
}

// TestPlantedVersionsLinkIsNotEmptied: .alicert linked to a directory
// elsewhere does not get that directory's subdirectories removed as what
// an interrupted run left behind.
func TestPlantedVersionsLinkIsNotEmptied(t *testing.T) {
	t.Parallel()
	backup := t.TempDir()
	for _, v := range []string{"5", "6"} {
		require.NoError(t, os.Mkdir(filepath.Join(backup, v), 0o700))
		require.NoError(t, os.WriteFile(filepath.Join(backup, v, "data"), []byte("backup"), 0o600))
	}
	dir := t.TempDir()
	require.NoError(t, os.Symlink(backup, filepath.Join(dir, store.VersionsDir)))

	for _, args := range [][]string{
		{"get", "-fake", "-out", dir},
		{"obtain", "-fake", "-domain", "www.example.com", "-out", dir},
	} {
		r := runCmd(t, nil, args...)
		refusedOnce(t, r, filepath.Join(dir, store.VersionsDir)+" is a symbolic link alicert did not make", "remove the link")
		assert.FileExists(t, filepath.Join(backup, "5", "data"), args[0])
		assert.FileExists(t, filepath.Join(backup, "6", "data"), args[0])
	}
}

// TestPlantedStateLinkIsNotRead: the state file is read only as a file of
// its own.
func TestPlantedStateLinkIsNotRead(t *testing.T) {
	t.Parallel()
	elsewhere := filepath.Join(t.TempDir(), "state.json")
	require.NoError(t, os.WriteFile(elsewhere, []byte(`{"domain":"www.example.com","order_id":42}`), 0o600))
	dir := t.TempDir()
	require.NoError(t, os.Symlink(elsewhere, filepath.Join(dir, store.StateFile)))

	r := runCmd(t, nil, "obtain", "-fake", "-domain", "www.example.com", "-out", dir)
	refusedOnce(t, r, filepath.Join(dir, store.StateFile)+" is a symbolic link alicert did not make", "remove the link")
}

// TestOutOthersCanWriteIsRefused: an -out, or a directory above it, that
// other users can write to without the sticky bit is refused before
// anything is written; with the sticky bit it is used.
func TestOutOthersCanWriteIsRefused(t *testing.T) {
	t.Parallel()
	open := filepath.Join(t.TempDir(), "open")
	require.NoError(t, os.Mkdir(open, 0o755))
	require.NoError(t, os.Chmod(open, 0o777))
	r := runCmd(t, nil, "get", "-fake", "-out", open)
	refusedOnce(t, r, open+" can be written by other users (mode -rwxrwxrwx) and has no sticky bit", "chmod go-w "+open)
	entries, err := os.ReadDir(open)
	require.NoError(t, err)
	assert.Empty(t, entries, "nothing written, not even the lock")

	below := filepath.Join(open, "certs")
	require.NoError(t, os.Mkdir(below, 0o755))
	r = runCmd(t, nil, "obtain", "-fake", "-domain", "www.example.com", "-out", below)
	refusedOnce(t, r, "-out "+below+" is not safe: "+open+" can be written by other users", "chmod go-w "+open)

	groupOnly := filepath.Join(t.TempDir(), "group")
	require.NoError(t, os.Mkdir(groupOnly, 0o755))
	require.NoError(t, os.Chmod(groupOnly, 0o770))
	r = runCmd(t, nil, "get", "-fake", "-out", groupOnly)
	refusedOnce(t, r, groupOnly+" can be written by other users", "chmod go-w")

	require.NoError(t, os.Chmod(open, 0o777|fs.ModeSticky))
	r = runCmd(t, nil, "get", "-fake", "-out", below)
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.FileExists(t, filepath.Join(below, store.CertFile))
}

// TestPlantedOrderKeyLinkIsNotRead: the key an order was placed with is
// read back only from the file alicert wrote, not through a link put in
// its place.
func TestPlantedOrderKeyLinkIsNotRead(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	dir := t.TempDir()
	args := []string{"obtain", "-fake", "-domain", "example.com", "-out", dir}
	code, stderr := crashRun(t, srv, "created for a ec256 key", args...)
	require.Equal(t, exitFailure, code, stderr)
	st, err := store.LoadState(dir)
	require.NoError(t, err)
	elsewhere := filepath.Join(t.TempDir(), "other.key.pem")
	require.NoError(t, os.Rename(filepath.Join(dir, st.KeyFile), elsewhere))
	require.NoError(t, os.Symlink(elsewhere, filepath.Join(dir, st.KeyFile)))

	r := runCmd(t, srv, args...)
	assert.Equal(t, exitFailure, r.code, r.stderr)
	assert.Contains(t, r.stderr, filepath.Join(dir, st.KeyFile)+" is a symbolic link alicert did not make")
	assert.NoFileExists(t, filepath.Join(dir, store.KeyFile))
}

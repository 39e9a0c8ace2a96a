package store

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Links in the output directory: alicert follows only those it makes
// itself (each top-level certificate file to .alicert/live/<file>, and
// .alicert/live to a version). Any other link found where alicert reads,
// copies, locks or removes is refused rather than followed: in a directory
// others could once write to, it may point at a file of another user
// (copied into a version readable by all), a path to create, or a
// directory to empty.

// plantedLink is the error for a link alicert did not make.
func plantedLink(path string) error {
	target, _ := os.Readlink(path)
	return fmt.Errorf("%s is a symbolic link alicert did not make (to %s), and alicert does not follow it; "+
		"remove the link, or put the file itself there, and rerun", path, target)
}

// notOurs is the error for a file alicert makes that another user owns.
func notOurs(path, owner string) error {
	return fmt.Errorf("%s belongs to another user (%s), not to the user running alicert; remove it and rerun", path, owner)
}

// readOwn reads the file at path, refusing to follow a link at path and
// anything but a regular file. The file opened is checked to be the one
// looked at, so that a link swapped in between is not followed either.
func readOwn(path string) ([]byte, error) {
	before, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	switch {
	case before.Mode()&fs.ModeSymlink != 0:
		return nil, plantedLink(path)
	case !before.Mode().IsRegular():
		return nil, fmt.Errorf("%s is not a file (%s); remove it and rerun", path, before.Mode().Type())
	}
	f, err := os.OpenFile(path, os.O_RDONLY|noFollow, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	after, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !os.SameFile(before, after) {
		return nil, fmt.Errorf("%s changed while alicert opened it; rerun", path)
	}
	return io.ReadAll(f)
}

// checkOwnDir refuses the versions directory when it is a link, not a
// directory, or another user's; a missing one is fine.
func checkOwnDir(path string) error {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case fi.Mode()&fs.ModeSymlink != 0:
		return plantedLink(path)
	case !fi.IsDir():
		return fmt.Errorf("%s is not a directory; alicert keeps the certificate versions there: move it away and rerun", path)
	}
	if owner := ownedByOthers(fi); owner != "" {
		return notOurs(path, owner)
	}
	return nil
}

// ownLink reports whether the top-level file name in dir is the link
// alicert makes into the live version. A link to anywhere else is an
// error; a plain file, or no file, is not ours and no error.
func ownLink(dir, name string) (bool, error) {
	path := filepath.Join(dir, name)
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		return false, nil
	}
	if t, err := os.Readlink(path); err != nil || t != LinkTarget(name) {
		return false, plantedLink(path)
	}
	return true, nil
}

package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// The checks obtain makes before it orders: each failure it can foresee
// stops it while stopping costs nothing, not after a certificate was
// bought.

// PrepareOut makes sure dir is a directory, creating it when it does not
// exist, that no other user can change (trustOut). Whether files can be
// created there is ProbeWrite's to check, once the run holds the directory.
func PrepareOut(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case err == nil && !fi.IsDir():
		return fmt.Errorf("-out %s is not a directory", dir)
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("-out %s cannot be created: %v", dir, err)
		}
	case err != nil:
		return fmt.Errorf("-out %s cannot be used: %v", dir, errors.Unwrap(err))
	}
	return trustOut(dir)
}

// ProbeWrite creates and removes a file in dir: the only sure test that
// files can be created there (permissions, a read-only mount, ACLs).
func ProbeWrite(dir, what string) error {
	f, err := os.CreateTemp(dir, ".alicert-probe.tmp-*")
	if err != nil {
		return fmt.Errorf("%s is not writable: %v", what, errors.Unwrap(err))
	}
	f.Close()
	return os.Remove(f.Name())
}

// CheckTargets makes sure the certificate files can be replaced in dir:
// each existing one is a file or the link alicert makes (not a directory,
// or a link to elsewhere) and can be read, to be kept as the previous
// version; the versions directory, when it exists, is a writable directory
// of the user's own, not a link. extra names files a version holds besides
// PairFiles (CAFile), checked alike.
func CheckTargets(dir string, extra ...string) error {
	for _, name := range append(PairFiles(), extra...) {
		path := filepath.Join(dir, name)
		fi, err := os.Lstat(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue
		case err != nil:
			return err
		case fi.Mode()&fs.ModeSymlink != 0:
			if _, err := ownLink(dir, name); err != nil {
				return err
			}
			continue // replaced by a rename
		case !fi.Mode().IsRegular():
			return fmt.Errorf("%s is not a file (%s); %s cannot be written there", path, fi.Mode().Type(), name)
		}
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("%s cannot be read: %v", path, errors.Unwrap(err))
		}
		f.Close()
	}
	vdir := filepath.Join(dir, VersionsDir)
	if err := checkOwnDir(vdir); err != nil {
		return err
	}
	if _, err := os.Lstat(vdir); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return ProbeWrite(vdir, vdir)
}

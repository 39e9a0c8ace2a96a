//go:build unix

package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// LockDir takes an exclusive flock on dir's lock file, waiting at most wait
// for another holder to let go. The lock is the open file's: it goes with
// the process, so a run that crashes never leaves the directory locked.
// unlock releases it.
func LockDir(ctx context.Context, dir string, wait time.Duration) (unlock func(), err error) {
	path := filepath.Join(dir, LockFile)
	// O_NOFOLLOW: through a link planted as the lock file, the open would
	// create whatever path the link names.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0o600)
	if errors.Is(err, syscall.ELOOP) {
		return nil, plantedLink(path)
	}
	if err != nil {
		return nil, err
	}
	if err := checkLockFile(f, path); err != nil {
		f.Close()
		return nil, err
	}
	deadline := time.Now().Add(wait)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case err == nil:
			return func() {
				_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
				f.Close()
			}, nil
		case errors.Is(err, syscall.EINTR):
			continue
		case !errors.Is(err, syscall.EWOULDBLOCK):
			f.Close()
			return nil, &os.PathError{Op: "flock", Path: path, Err: err}
		}
		left := time.Until(deadline)
		if left <= 0 {
			f.Close()
			return nil, lockedError(path, wait)
		}
		t := time.NewTimer(min(left, lockPoll))
		select {
		case <-ctx.Done():
			t.Stop()
			f.Close()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// checkLockFile refuses a lock file that is not a regular file (a FIFO or
// a device planted there) or that another user made.
func checkLockFile(f *os.File, path string) error {
	fi, err := f.Stat()
	switch {
	case err != nil:
		return err
	case !fi.Mode().IsRegular():
		return fmt.Errorf("%s is not a file (%s); remove it and rerun", path, fi.Mode().Type())
	}
	if owner := ownedByOthers(fi); owner != "" {
		return notOurs(path, owner)
	}
	return nil
}

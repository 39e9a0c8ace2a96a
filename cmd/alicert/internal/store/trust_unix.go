//go:build unix

package store

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// trustOut refuses an output directory that another user could change:
// dir, or a directory above it, that a user other than the owner can write
// to without the sticky bit (which keeps others from renaming or removing
// what they do not own, as in /tmp), or that belongs to another user
// than the one running alicert and root. Such a user could put a link
// where alicert writes, or swap the directory itself. These are the rules
// of ssh's StrictModes and of certbot for their own directories.
func trustOut(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("-out %s cannot be used: %v", dir, err)
	}
	resolved, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return fmt.Errorf("-out %s cannot be used: %v", dir, err)
	}
	// The directories above -out as written hold the links that lead to
	// it; those above where it really is hold it.
	if err := trustAbove(dir, abs); err != nil {
		return err
	}
	return trustAbove(dir, resolved)
}

// trustAbove checks path and every directory above it for trustOut.
func trustAbove(dir, path string) error {
	for p := path; ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("-out %s cannot be used: %v", dir, err)
		}
		if problem := othersCanChange(fi); problem != "" {
			return fmt.Errorf("-out %s is not safe: %s %s; make it writable by its owner only (chmod go-w %s) "+
				"or give it the sticky bit (chmod +t %s), or use another -out", dir, p, problem, p, p)
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}

// othersCanChange says how a user other than the one running alicert (and
// root) can change the directory of fi; "" when none can.
func othersCanChange(fi fs.FileInfo) string {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() && st.Uid != 0 {
		return fmt.Sprintf("belongs to another user (uid %d)", st.Uid)
	}
	if fi.Mode().Perm()&0o022 != 0 && fi.Mode()&fs.ModeSticky == 0 {
		return fmt.Sprintf("can be written by other users (mode %s) and has no sticky bit", fi.Mode().Perm())
	}
	return ""
}

// ownedByOthers says which other user owns fi, a file alicert makes in the
// output directory (the lock, the state, the versions directory); "" when
// it is the user running alicert's (or root's). In a directory with the
// sticky bit, another user can create such a file first.
func ownedByOthers(fi fs.FileInfo) string {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() && st.Uid != 0 {
		return fmt.Sprintf("uid %d", st.Uid)
	}
	return ""
}

// noFollow is the open flag that makes opening a symbolic link fail.
const noFollow = syscall.O_NOFOLLOW

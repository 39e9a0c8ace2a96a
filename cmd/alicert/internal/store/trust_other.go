//go:build !unix

package store

import "io/fs"

// trustOut checks nothing where file modes do not say who can write (the
// ACLs of Windows): there, the user must keep -out their own.
func trustOut(string) error { return nil }

// ownedByOthers knows no owner where file modes do not say it.
func ownedByOthers(fs.FileInfo) string { return "" }

// noFollow is no flag where O_NOFOLLOW does not exist; readOwn's checks
// of the file before and after opening it stand in for it.
const noFollow = 0

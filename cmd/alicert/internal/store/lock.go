package store

import (
	"errors"
	"fmt"
	"time"
)

// LockFile is the file in the output directory that obtain holds an
// exclusive lock on for its whole run, so that two runs (cron and a person,
// say) never both order for one directory.
const LockFile = ".alicert.lock"

// DefaultLockWait is how long obtain waits for another run to release the
// output directory before it gives up (-lock-wait).
const DefaultLockWait = 5 * time.Second

// lockPoll is the time between attempts to take the lock.
const lockPoll = 20 * time.Millisecond

// ErrLocked reports that another run holds the lock.
var ErrLocked = errors.New("another alicert run holds the lock")

// lockedError says which lock was held, and for how long obtain waited.
func lockedError(path string, wait time.Duration) error {
	return fmt.Errorf("%w on %s (waited %s)", ErrLocked, path, wait)
}

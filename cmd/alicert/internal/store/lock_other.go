//go:build !unix

package store

import (
	"context"
	"time"
)

// LockDir takes no lock where flock does not exist: there, two runs on one
// output directory are not kept apart, and the user must not start them
// together.
func LockDir(_ context.Context, _ string, _ time.Duration) (unlock func(), err error) {
	return func() {}, nil
}

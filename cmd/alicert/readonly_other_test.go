//go:build !linux

package main

import "testing"

// readOnlyDir is Linux's read-only tmpfs elsewhere: none.
func readOnlyDir(t *testing.T) (string, bool) { return "", false }

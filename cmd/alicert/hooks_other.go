//go:build !unix

package main

import "os/exec"

// ownProcessGroup leaves cmd as it is: its cancellation kills the shell,
// and hookWaitDelay bounds the wait for what it started.
func ownProcessGroup(*exec.Cmd) {}

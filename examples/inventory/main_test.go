package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestInventoryFake runs the example as a user would, against the seeded
// fake, and checks the report: the one certificate expiring in 5 days
// comes first, and every listed one expires within the window.
func TestInventoryFake(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), nil, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d; stderr: %s", code, stderr.String())
	}
	out := stdout.String()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	// Of the 500 seeded certificates (see alicerttest.WithCertificates),
	// those started 60 to 79 days ago (20 in every 80, 120 in all) and the
	// first, which expires in 5 days.
	if !strings.HasPrefix(lines[0], "121 of 500 certificates expire within 720h0m0s.") {
		t.Fatalf("summary line: %q\n%s", lines[0], out)
	}
	if !strings.HasPrefix(lines[1], "ID ") || !strings.Contains(lines[2], "site-00001.example.com") {
		t.Fatalf("the soonest expiry is not first:\n%s", out)
	}
	if !strings.Contains(lines[2], " 4 ") && !strings.Contains(lines[2], " 5 ") {
		t.Errorf("site-00001 should have about 5 days left: %q", lines[2])
	}
	if len(lines) != 2+121 {
		t.Errorf("got %d rows, want 121", len(lines)-2)
	}
	if strings.Contains(out, "PRIVATE KEY") {
		t.Error("a private key was printed")
	}
}

func TestInventoryWindow(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"-within", "168h"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d; stderr: %s", code, stderr.String())
	}
	if !strings.HasPrefix(stdout.String(), "1 of 500 certificates expire within 168h0m0s.") {
		t.Fatalf("got:\n%s", stdout.String())
	}
}

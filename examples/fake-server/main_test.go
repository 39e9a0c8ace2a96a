package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestFakeServerExample runs the example as a user would: it builds
// alicert, starts alicert fake and runs obtain and list against it.
func TestFakeServerExample(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), nil, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d; stderr: %s", code, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"alicert fake serves http://127.0.0.1:", "$ alicert obtain", "shop.example.com",
		"the fake holds 1 order(s), 1 certificate(s), 0 DNS record(s)"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestFakeServerExampleBadBinary: a binary that is not there fails the
// run with exit 1.
func TestFakeServerExampleBadBinary(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"-alicert", "/nonexistent/alicert"}, &stdout, &stderr); code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
}

package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestDeployFake runs the example against the fake and checks what it
// prints.
func TestDeployFake(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), nil, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d; stderr: %s", code, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"CDN   www.example.com", "SLB   lb-bp1example"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "success"); n != 2 {
		t.Errorf("%d resources succeeded, want 2:\n%s", n, out)
	}
	if !strings.Contains(stderr.String(), "job 8888: success") {
		t.Errorf("no progress on stderr:\n%s", stderr.String())
	}
}

package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestCsrFake runs the example against the fake and checks what it prints.
func TestCsrFake(t *testing.T) {
	var stdout, stderr bytes.Buffer
	args := []string{"-cn", "www.example.org", "-san", "a.example.org,b.example.org"}
	if code := run(t.Context(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d; stderr: %s", code, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"CSR ", "CN=www.example.org", "a.example.org", "b.example.org", "ECDSA"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "PRIVATE KEY") {
		t.Error("the key was printed")
	}
}

// TestCsrBadInput checks that bad flags give the validation error, exit 1.
func TestCsrBadInput(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"-alg", "RSA", "-size", "1024"}, &stdout, &stderr); code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	if !strings.Contains(stderr.String(), "KeySize") {
		t.Errorf("stderr does not name KeySize: %s", stderr.String())
	}
}

// TestCsrFlagsAreForgiving checks that -alg is case-insensitive and that
// empty entries of -san (a trailing comma, a double comma) are dropped.
func TestCsrFlagsAreForgiving(t *testing.T) {
	var stdout, stderr bytes.Buffer
	args := []string{"-alg", "ecc", "-cn", "www.example.org", "-san", " a.example.org,,b.example.org, "}
	if code := run(t.Context(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d; stderr: %s", code, stderr.String())
	}
	for _, want := range []string{"SANs:    www.example.org, a.example.org, b.example.org\n", "Key:     ECDSA"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, stdout.String())
		}
	}
}

package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestKMSCertificateFake runs the whole round trip against the fake.
func TestKMSCertificateFake(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"-cn", "svc.example.net"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d; stderr: %s", code, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"KMS certificate ", "acs:kms:", "CN=svc.example.net", "signed the CSR", "Uploaded the certificate"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

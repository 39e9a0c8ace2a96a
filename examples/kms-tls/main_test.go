package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestKMSTLSFake runs the example as a user would, for both key types and
// both TLS versions, and checks what it reports: the handshake succeeded
// and cost one AsymmetricSign.
func TestKMSTLSFake(t *testing.T) {
	for _, tc := range []struct {
		spec, version, wantVersion, wantSchemes string
	}{
		{"EC_P256", "1.3", "TLS 1.3", "[ECDSAWithP256AndSHA256]"},
		{"EC_P256", "1.2", "TLS 1.2", "[ECDSAWithP256AndSHA256]"},
		{"RSA_2048", "1.3", "TLS 1.3", "[PSSWithSHA256 PKCS1WithSHA256]"},
		{"RSA_2048", "1.2", "TLS 1.2", "[PSSWithSHA256 PKCS1WithSHA256]"},
	} {
		t.Run(tc.spec+"/"+tc.version, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(t.Context(), []string{"-spec", tc.spec, "-tls", tc.version}, &stdout, &stderr); code != 0 {
				t.Fatalf("exit code %d; stderr: %s", code, stderr.String())
			}
			out := stdout.String()
			for _, want := range []string{
				"KMS key key-", "(" + tc.spec + ")", "Certificate for kms-tls.example.com, signature schemes " + tc.wantSchemes,
				tc.wantVersion + ", TLS_", ": hello from a server whose key is in KMS",
				"KMS AsymmetricSign requests for the handshake: 1\n",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
			if strings.Contains(out, "PRIVATE KEY") {
				t.Error("a private key was printed")
			}
		})
	}
}

// TestKMSTLSBadFlags checks that a wrong flag stops before anything runs.
func TestKMSTLSBadFlags(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"-tls", "1.1"}, &stdout, &stderr); code != 2 {
		t.Fatalf("exit code %d, want 2", code)
	}
	if !strings.Contains(stderr.String(), "use 1.2 or 1.3") {
		t.Errorf("stderr: %s", stderr.String())
	}
}

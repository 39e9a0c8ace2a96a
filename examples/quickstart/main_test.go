package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/alicert/alicert/alicerttest"
)

// TestQuickstartFake runs the example as a user would, against the fake,
// and checks the files it writes.
func TestQuickstartFake(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"-out", dir, "-domain", "shop.example.com"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit code %d; stderr: %s", code, stderr.String())
	}
	for _, want := range []string{"Order ", `_dnsauth.shop.example.com. TXT "`, "state: domain_verify", "state: certificate", "Wrote "} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, stdout.String())
		}
	}

	certPEM, err := os.ReadFile(filepath.Join(dir, "cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(certPEM)
	if block == nil {
		t.Fatal("cert.pem holds no PEM block")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if err := cert.VerifyHostname("shop.example.com"); err != nil {
		t.Errorf("certificate is not for the domain: %v", err)
	}

	info, err := os.Stat(filepath.Join(dir, "key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("key.pem mode = %o, want 600", mode)
	}
	keyPEM, _ := os.ReadFile(filepath.Join(dir, "key.pem"))
	if block, _ := pem.Decode(keyPEM); block == nil || !strings.Contains(block.Type, "PRIVATE KEY") {
		t.Errorf("key.pem holds no private key block")
	}
	if strings.Contains(stdout.String(), "PRIVATE KEY") {
		t.Error("the key was printed")
	}
}

// TestQuickstartNoOverwrite checks that existing files are kept without -force.
func TestQuickstartNoOverwrite(t *testing.T) {
	dir := t.TempDir()
	keyPath := filepath.Join(dir, "key.pem")
	if err := os.WriteFile(keyPath, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"-out", dir}, &stdout, &stderr); code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	if !strings.Contains(stderr.String(), "-force") {
		t.Errorf("stderr does not mention -force: %s", stderr.String())
	}
	if got, _ := os.ReadFile(keyPath); string(got) != "keep me" {
		t.Errorf("key.pem was overwritten")
	}

	stdout.Reset()
	stderr.Reset()
	if code := run(t.Context(), []string{"-out", dir, "-force"}, &stdout, &stderr); code != 0 {
		t.Fatalf("with -force: exit code %d; stderr: %s", code, stderr.String())
	}
	if got, _ := os.ReadFile(keyPath); string(got) == "keep me" {
		t.Errorf("key.pem was not replaced with -force")
	}
}

// TestQuickstartRealNeedsADomain checks that -real never orders the default
// domain on someone's plan: it stops before any call (the context is
// cancelled, so a call could not go out either).
func TestQuickstartRealNeedsADomain(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var stdout, stderr bytes.Buffer
	if code := run(ctx, []string{"-real", "-out", t.TempDir()}, &stdout, &stderr); code != 2 {
		t.Fatalf("exit code %d, want 2; stderr: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "-real needs -domain") {
		t.Errorf("stderr does not ask for -domain: %s", stderr.String())
	}
}

// TestQuickstartWritesTheKeyFirst checks that a failure to write key.pem
// leaves no cert.pem behind: a certificate without its key is of no use.
func TestQuickstartWritesTheKeyFirst(t *testing.T) {
	dir := t.TempDir()
	// A non-empty directory where key.pem goes: the rename onto it fails.
	if err := os.MkdirAll(filepath.Join(dir, "key.pem", "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"-out", dir, "-force"}, &stdout, &stderr); code != 1 {
		t.Fatalf("exit code %d, want 1; stderr: %s", code, stderr.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "cert.pem")); err == nil {
		t.Error("cert.pem was written although key.pem could not be")
	}
}

// TestQuickstartRealNeedsContactDetails checks that -real never sends an
// order the service would refuse: without the applicant's contact details
// it stops before any call.
func TestQuickstartRealNeedsContactDetails(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	env := map[string]string{"ALICERT_PHONE": "13800000000"}
	var stdout, stderr bytes.Buffer
	code := runWith(ctx, []string{"-real", "-domain", "www.example.com", "-username", "A Name", "-out", t.TempDir()},
		func(k string) string { return env[k] }, nil, &stdout, &stderr)
	if code != 2 {
		t.Fatalf("exit code %d, want 2; stderr: %s", code, stderr.String())
	}
	msg := stderr.String()
	if !strings.Contains(msg, "-email") || strings.Contains(msg, "-username,") || strings.Contains(msg, "-phone") {
		t.Errorf("stderr does not name exactly the missing -email: %s", msg)
	}
	if strings.Count(msg, "\n") != 1 {
		t.Errorf("not one line: %q", msg)
	}
}

// TestQuickstartSendsContactDetails checks that the order carries the
// contact details: the given ones, or the fake's placeholders.
func TestQuickstartSendsContactDetails(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want [3]string
	}{
		{"placeholders", nil, nil, [3]string{fakeUsername, fakePhone, fakeEmail}},
		{"environment and flags", map[string]string{"ALICERT_USERNAME": "Env Name", "ALICERT_EMAIL": "env@example.com"},
			[]string{"-phone", "13700000000"}, [3]string{"Env Name", "13700000000", "env@example.com"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := alicerttest.NewServer()
			defer srv.Close()
			var stdout, stderr bytes.Buffer
			args := append([]string{"-out", t.TempDir()}, tc.args...)
			if code := runWith(t.Context(), args, func(k string) string { return tc.env[k] }, srv, &stdout, &stderr); code != 0 {
				t.Fatalf("exit code %d; stderr: %s", code, stderr.String())
			}
			var got [][3]string
			for _, r := range srv.Requests() {
				if r.Action == "CreateCertificateRequest" {
					got = append(got, [3]string{r.Params.Get("Username"), r.Params.Get("Phone"), r.Params.Get("Email")})
				}
			}
			if len(got) != 1 || got[0] != tc.want {
				t.Errorf("orders sent with %v, want one with %v", got, tc.want)
			}
		})
	}
}

// TestQuickstartMatchesREADME runs the example as README.md shows it, from
// an empty directory, and compares its output with the README's, ids,
// record values, the test CA's name and dates masked.
func TestQuickstartMatchesREADME(t *testing.T) {
	doc, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(doc), "go run ./examples/quickstart\n```\n")
	if !ok {
		t.Fatal("README.md does not show go run ./examples/quickstart")
	}
	_, after, _ = strings.Cut(after, "```text\n")
	want, _, _ := strings.Cut(after, "```\n")

	t.Chdir(t.TempDir())
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), nil, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d; stderr: %s", code, stderr.String())
	}
	if got := quickstartMask(stdout.String()); got != quickstartMask(want) {
		t.Errorf("output (masked):\n%s\nREADME.md shows (masked):\n%s", got, quickstartMask(want))
	}
}

// quickstartMask hides what differs from run to run.
func quickstartMask(s string) string {
	for _, m := range []struct{ re, with string }{
		{`\d{4}-\d\d-\d\d`, "<date>"},
		{`CA [0-9a-f]{8}`, "CA <name>"},
		{`"[0-9a-f]{32}"`, `"<value>"`},
		{`\d{5,}`, "<id>"},
	} {
		s = regexp.MustCompile(m.re).ReplaceAllString(s, m.with)
	}
	return s
}

package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
)

// TestPrivateCAFake runs the example as a user would, against the fake:
// two certificates, then a mutual TLS handshake that verifies both.
func TestPrivateCAFake(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), nil, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d; stderr: %s", code, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{
		"Using the in-process fake Private CA", "  server certificate ", " for localhost, valid until ",
		"  client certificate ", " for device-0001.example.internal, valid until ",
		`Trusting only the root "alicerttest Root CA `,
		`; the server verified client "device-0001.example.internal", the client verified server "localhost"`,
		"Server said: hello device-0001.example.internal\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "PRIVATE KEY") {
		t.Error("a private key was printed")
	}
}

// TestPrivateCAReal runs -real the way it reaches your Private CA: the
// client from the environment (credentials, ALICERT_CAS_ENDPOINT), and -ca.
// A fake plays the account here, as alicert fake does for a user.
func TestPrivateCAReal(t *testing.T) {
	srv := alicerttest.NewServer(alicerttest.WithPrivateCA())
	defer srv.Close()
	id, secret := srv.Credentials()
	t.Setenv("HOME", t.TempDir()) // no CLI profile of the machine's
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", id)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", secret)
	t.Setenv(alicert.EnvCASEndpoint, srv.URL)

	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"-real", "-ca", srv.PrivateCA().SubCAIdentifier, "-validity", "2h"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d; stderr: %s", code, stderr.String())
	}
	if strings.Contains(stdout.String(), "in-process fake") {
		t.Errorf("-real used a fake of its own:\n%s", stdout.String())
	}
	if n := srv.RequestCount("CreateCustomCertificate"); n != 2 {
		t.Errorf("%d certificates issued by the account's sub-CA, want 2", n)
	}
	if !strings.Contains(stdout.String(), "Server said: hello device-0001.example.internal") {
		t.Errorf("no handshake:\n%s", stdout.String())
	}
}

// TestPrivateCARealNeedsACA: -real without -ca stops before any call (the
// context is cancelled, so a call could not go out either).
func TestPrivateCARealNeedsACA(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var stdout, stderr bytes.Buffer
	if code := run(ctx, []string{"-real"}, &stdout, &stderr); code != 2 {
		t.Fatalf("exit code %d, want 2; stderr: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "-real needs -ca") {
		t.Errorf("stderr does not ask for -ca: %s", stderr.String())
	}
}

// TestPrivateCAHandshakeVerifies: the handshake holds only between
// certificates of the trusted root, and a client certificate is one for
// clients only: each side's check is real.
func TestPrivateCAHandshakeVerifies(t *testing.T) {
	ours := alicerttest.NewServer(alicerttest.WithPrivateCA())
	defer ours.Close()
	other := alicerttest.NewServer(alicerttest.WithPrivateCA())
	defer other.Close()
	issueFrom := func(srv *alicerttest.Server, name string, usage x509.ExtKeyUsage) issued {
		client, err := alicert.NewClient(srv.ClientOptions()...)
		if err != nil {
			t.Fatal(err)
		}
		c, err := issue(t.Context(), client, srv.PrivateCA().SubCAIdentifier, name, usage, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	server := issueFrom(ours, serverName, x509.ExtKeyUsageServerAuth)
	client := issueFrom(ours, clientName, x509.ExtKeyUsageClientAuth)
	stranger := issueFrom(other, clientName, x509.ExtKeyUsageClientAuth)

	if _, _, _, err := handshake(server.pair, client.pair, ours.PrivateCA().Roots()); err != nil {
		t.Fatalf("the handshake of two certificates of the root: %v", err)
	}
	if _, _, _, err := handshake(server.pair, stranger.pair, ours.PrivateCA().Roots()); err == nil {
		t.Error("a client certificate of another root was accepted")
	}
	if _, _, _, err := handshake(server.pair, client.pair, other.PrivateCA().Roots()); err == nil {
		t.Error("the client accepted a server of a root it does not trust")
	}
	if _, _, _, err := handshake(client.pair, client.pair, ours.PrivateCA().Roots()); err == nil {
		t.Error("a certificate for clients only served as a server's")
	}
}

// TestPrivateCAMatchesREADME runs the example as README.md shows it and
// compares its output with the README's, identifiers, dates and the fake
// root's name masked.
func TestPrivateCAMatchesREADME(t *testing.T) {
	doc, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(doc), "go run ./examples/private-ca\n```\n")
	if !ok {
		t.Fatal("README.md does not show go run ./examples/private-ca")
	}
	_, after, _ = strings.Cut(after, "```text\n")
	want, _, _ := strings.Cut(after, "```\n")

	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), nil, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d; stderr: %s", code, stderr.String())
	}
	if got := readmeMask(stdout.String()); got != readmeMask(want) {
		t.Errorf("output (masked):\n%s\nREADME.md shows (masked):\n%s", got, readmeMask(want))
	}
}

// readmeMask hides what differs from run to run.
func readmeMask(s string) string {
	for _, m := range []struct{ re, with string }{
		{`\b[0-9a-f]{32}\b`, "<id>"},
		{`CA [0-9a-f]{8}\b`, "CA <name>"},
		{`\d{4}-\d\d-\d\d`, "<date>"},
	} {
		s = regexp.MustCompile(m.re).ReplaceAllString(s, m.with)
	}
	return s
}

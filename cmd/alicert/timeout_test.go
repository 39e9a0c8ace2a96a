package main

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	"github.com/alicert/alicert/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// silentService returns a service that answers no request (but those
// answered lists by action) until the test ends.
func silentService(t *testing.T, answered map[string]testkit.Reply) *testkit.Server {
	t.Helper()
	release := make(chan struct{})
	srv := testkit.NewServer(t, func(r testkit.Request) testkit.Reply {
		if reply, ok := answered[r.Action()]; ok {
			return reply
		}
		<-release
		return testkit.JSON(500, `{"Code":"InternalError"}`)
	})
	t.Cleanup(func() { close(release) }) // runs before the server closes
	return srv
}

// runUnbounded runs the command line with c and fails the test, rather
// than hanging it, when the command has not ended long after its -timeout:
// a look-up outside -timeout never ends against a silent service.
func runUnbounded(t *testing.T, c *cli, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	c.stdout, c.stderr, c.now = &stdout, &stderr, time.Now
	if c.getenv == nil {
		c.getenv = testEnv(t)
	}
	done := make(chan int, 1)
	go func() { done <- c.run(t.Context(), args) }()
	select {
	case code := <-done:
		return result{code, stdout.String(), stderr.String()}
	case <-time.After(time.Minute):
		t.Fatalf("alicert %v still runs a minute after its -timeout: a look-up is not under it", args)
		return result{}
	}
}

// Every verb that calls the service has a -timeout, and a service that
// never answers makes it fail then, without sending what comes after the
// look-up.
func TestEveryVerbLookUpRunsUnderTimeout(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fake := newFake(t)
	certPath, keyPath := signedPair(t, fake, dir, "site.example.com")
	subCAAnswered := map[string]testkit.Reply{"DescribeCACertificate": testkit.JSON(200, `{"RequestId":"R","Certificate":`+
		`{"Identifier":"sub","CertificateType":"SUB_ROOT","Status":"ISSUE","CertRemainingCount":5,"AfterDate":4102444800000}}`)}
	csrAnswered := map[string]testkit.Reply{"CreateCsr": testkit.JSON(200, `{"RequestId":"R","CsrId":7,"Csr":"-----BEGIN CERTIFICATE REQUEST-----\nMA==\n-----END CERTIFICATE REQUEST-----\n"}`)}
	for _, tc := range []struct {
		name     string
		answered map[string]testkit.Reply
		args     []string
		code     int
		never    string // an action that must not be sent
	}{
		{"list", nil, []string{"list"}, exitFailure, ""},
		{"get", nil, []string{"get", "-cert", "5", "-out", t.TempDir()}, exitFailure, ""},
		{"upload", nil, []string{"upload", "-name", "site", "-cert", certPath, "-key", keyPath}, exitFailure, "UploadUserCertificate"},
		{"status", nil, []string{"status", "-order", "5"}, exitFailure, ""},
		{"quota", nil, []string{"quota"}, exitFailure, ""},
		{"csr", csrAnswered, []string{"csr", "-cn", "example.com", "-country", "CN", "-province", "Zhejiang", "-locality", "Hangzhou",
			"-key", filepath.Join(t.TempDir(), "csr.key")}, exitFailure, ""},
		{"revoke", nil, []string{"revoke", "-order", "5", "-yes"}, exitOutcomeUnknown, ""},
		{"delete", nil, []string{"delete", "-cert", "5", "-yes"}, exitFailure, ""},
		{"pca list", nil, []string{"pca", "list"}, exitFailure, ""},
		{"pca list -certs", nil, []string{"pca", "list", "-certs"}, exitFailure, ""},
		{"pca issue", nil, []string{"pca", "issue", "-ca", "sub", "-domain", "a.internal", "-out", t.TempDir()}, exitFailure, "CreateCustomCertificate"},
		{"pca issue, the signing", subCAAnswered, []string{"pca", "issue", "-ca", "sub", "-domain", "a.internal", "-out", t.TempDir()},
			exitOutcomeUnknown, ""},
		{"pca revoke", nil, []string{"pca", "revoke", "-id", "x", "-yes"}, exitFailure, "CreateRevokeClientCertificate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := silentService(t, tc.answered)
			// Long enough for the checks before the look-up on a loaded
			// machine (the race detector, other tests): the look-up must
			// have been sent when the time runs out.
			r := runUnbounded(t, scripted(srv), append(tc.args, "-timeout", "1s")...)
			assert.Equal(t, tc.code, r.code, r.stderr)
			assert.Contains(t, r.stderr, "deadline exceeded")
			assert.Positive(t, srv.Attempts())
			if tc.never != "" {
				assert.Zero(t, srv.Calls(tc.never))
			}
		})
	}
}

// TestVerbTimeoutMustBePositive: a -timeout of zero is a usage error, and
// nothing is sent.
func TestVerbTimeoutMustBePositive(t *testing.T) {
	t.Parallel()
	for _, verb := range [][]string{{"list"}, {"get", "-cert", "5"}, {"upload", "-name", "n", "-cert", "c", "-key", "k"},
		{"status", "-order", "5"}, {"quota"}, {"csr", "-cn", "example.com"}, {"revoke", "-order", "5", "-yes"}, {"delete", "-cert", "5", "-yes"},
		{"pca", "list"}, {"pca", "issue", "-ca", "sub", "-domain", "a.internal"}, {"pca", "revoke", "-id", "x", "-yes"}} {
		srv := testkit.NewScripted(t)
		r := runCLI(t, scripted(srv), append(verb, "-timeout", "0s")...)
		assert.Equal(t, exitUsage, r.code, "%s: %s", verb[0], r.stderr)
		assert.Contains(t, r.stderr, "-timeout must be positive", verb[0])
		assert.Zero(t, srv.Attempts(), verb[0])
	}
}

// obtain -deploy's look-ups run under -timeout: carrying on with a
// deployment stopped before its upload, or before its resources were
// found, against a service that never answers, fails at -timeout; the
// upload and the job are never sent.
func TestObtainDeployLookUpsRunUnderTimeout(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		crashAt, lookUp string
	}{
		{"installed", "ListUserCertificateOrder"}, // the upload's look-up by name
		{"cert id", "ListCloudResources"},         // the resources serving the old certificate
	} {
		t.Run(tc.crashAt, func(t *testing.T) {
			t.Parallel()
			fake := rolloutFake(t)
			dir := t.TempDir()
			code, _ := crashAt(t, fake, dir, tc.crashAt, deployArgs(dir)...)
			require.Equal(t, -1, code)

			srv := silentService(t, nil)
			c := scripted(srv)
			c.fake = fake // the state file is a -fake run's; the scripted service answers instead
			r := runUnbounded(t, c, deployArgs(dir, "-timeout", "1s")...)
			assert.Equal(t, exitFailure, r.code, r.stderr)
			assert.Contains(t, r.stderr, "deadline exceeded")
			assert.Positive(t, srv.Calls(tc.lookUp), "%v", srv.Requests())
			assert.Zero(t, srv.Calls("UploadUserCertificate"))
			assert.Zero(t, srv.Calls("CreateDeploymentJob"))
		})
	}
}

// TestObtainChecksTheDNSZoneFirst: -dns-zone is checked by the library's
// domain rules before anything is locked or sent: a zone that would fail
// only once the order exists costs nothing.
func TestObtainChecksTheDNSZoneFirst(t *testing.T) {
	t.Parallel()
	for _, zone := range []string{"example.com.", " example.com", "*.example.com", "example.org", "localhost"} {
		srv := testkit.NewScripted(t)
		dir := t.TempDir()
		r := runCLI(t, scripted(srv), "obtain", "-domain", "www.example.com", "-dns-zone", zone, "-out", dir,
			"-username", "A", "-phone", "13800000000", "-email", "a@example.com")
		assert.Equal(t, exitUsage, r.code, "%q: %s", zone, r.stderr)
		assert.Contains(t, r.stderr, "-dns-zone", zone)
		assert.Zero(t, srv.Attempts(), zone)
		oneLine(t, r.stderr)
	}
}

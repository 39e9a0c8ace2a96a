package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alicert/alicert/alicerttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUploadRerunAfterUnknownOutcomeUploadsOnce(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	certPath, keyPath := signedPair(t, srv, t.TempDir(), "site.example.com")
	args := []string{"upload", "-fake", "-name", "site", "-cert", certPath, "-key", keyPath}
	srv.InjectFault("UploadUserCertificate", alicerttest.Fault{Kind: alicerttest.FaultResetAfterAct}, 1)

	r := runCmd(t, srv, args...)
	require.Equal(t, exitOutcomeUnknown, r.code, r.stderr)
	assert.Contains(t, r.stderr, "rerun the same command")
	assert.Equal(t, 1, srv.CertificateCount(), "the service stored it")

	// The rerun finds it under its name instead of uploading again.
	r = runCmd(t, srv, args...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "site is already uploaded as certificate ")
	assert.Contains(t, r.stdout, "nothing to do")
	assert.Equal(t, 1, srv.CertificateCount())
	assert.Equal(t, 1, srv.RequestCount("UploadUserCertificate"))

	// From cron: -q prints nothing when there is nothing to do.
	r = runCmd(t, srv, append(args, "-q")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Empty(t, r.stdout+r.stderr)
	assert.Equal(t, 1, srv.RequestCount("UploadUserCertificate"))
}

func TestUploadJSONAndTheNameOfAnotherCertificate(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	dir := t.TempDir()
	certPath, keyPath := signedPair(t, srv, dir, "site.example.com")
	r := runCmd(t, srv, "upload", "-fake", "-name", "site", "-cert", certPath, "-key", keyPath, "-json")
	require.Equal(t, exitOK, r.code, r.stderr)
	var res uploadResult
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &res))
	assert.Positive(t, res.CertID)
	assert.True(t, res.Uploaded)
	assert.Equal(t, "site", res.Name)
	assert.Equal(t, []string{"site.example.com"}, res.Domains)

	// The listing shows it as uploaded.
	r = runCmd(t, srv, "list", "-fake", "-json")
	require.Equal(t, exitOK, r.code, r.stderr)
	var listed []listedCert
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &listed))
	require.Len(t, listed, 1)
	assert.Equal(t, res.CertID, listed[0].CertID)
	assert.True(t, listed[0].Uploaded)

	// Another certificate under the same name: refused before sending,
	// with what to do.
	otherCert, otherKey := signedPair(t, srv, dir, "other.example.com")
	r = runCmd(t, srv, "upload", "-fake", "-name", "site", "-cert", otherCert, "-key", otherKey)
	require.Equal(t, exitFailure, r.code, r.stderr)
	assert.Contains(t, r.stderr, `the name "site" is taken by certificate`)
	assert.Contains(t, r.stderr, "choose another -name")
	assert.Equal(t, 1, srv.RequestCount("UploadUserCertificate"))
	assert.Equal(t, 1, srv.CertificateCount())
}

func TestUploadChecksThePairBeforeSending(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	dir := t.TempDir()
	certPath, keyPath := signedPair(t, srv, dir, "site.example.com")
	_, otherKey := signedPair(t, srv, dir, "other.example.com")
	notPEM := filepath.Join(dir, "notes.txt")
	require.NoError(t, os.WriteFile(notPEM, []byte("hello"), 0o644))
	key, err := os.ReadFile(otherKey)
	require.NoError(t, err)

	for _, tc := range []struct {
		args []string
		flag string
	}{
		{[]string{"-cert", certPath, "-key", keyPath}, "-name is required"},
		{[]string{"-name", strings.Repeat("n", 65), "-cert", certPath, "-key", keyPath}, "-name is 65 characters long"},
		{[]string{"-name", "site", "-key", keyPath}, "-cert is required"},
		{[]string{"-name", "site", "-cert", certPath}, "-key is required"},
		{[]string{"-name", "site", "-cert", filepath.Join(dir, "missing.pem"), "-key", keyPath}, "-cert " + filepath.Join(dir, "missing.pem") + " cannot be read"},
		{[]string{"-name", "site", "-cert", notPEM, "-key", keyPath}, "-cert " + notPEM + " does not hold a PEM certificate"},
		{[]string{"-name", "site", "-cert", certPath, "-key", otherKey}, "-key " + otherKey + " is not the private key of the certificate"},
	} {
		r := runCmd(t, srv, append([]string{"upload", "-fake"}, tc.args...)...)
		usageLine(t, r, "upload", tc.flag)
		assert.NotContains(t, r.stderr, strings.TrimSpace(string(key)))
		assert.NotContains(t, r.stderr, "PRIVATE KEY")
	}
	assert.Empty(t, srv.Requests(), "nothing was sent")
}

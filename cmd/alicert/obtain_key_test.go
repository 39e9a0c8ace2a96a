package main

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
	"github.com/alicert/alicert/cmd/alicert/internal/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// keyOf reads the private key PEM file at path (key.pem through its link
// included).
func keyOf(t *testing.T, path string) crypto.Signer {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	k, err := store.ParseKeyPEM(b)
	require.NoError(t, err)
	return k
}

// assertSameKey asserts that want and got are one public key.
func assertSameKey(t *testing.T, want, got crypto.PublicKey, msgAndArgs ...any) {
	t.Helper()
	k, ok := want.(interface{ Equal(crypto.PublicKey) bool })
	require.True(t, ok, "%T has no Equal method", want)
	assert.True(t, k.Equal(got), msgAndArgs...)
}

// orderKeyFiles lists the order key files in dir.
func orderKeyFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var out []string
	for _, e := range entries {
		if store.IsOrderKeyName(e.Name()) {
			out = append(out, e.Name())
		}
	}
	return out
}

// crashRun runs the command line against srv and cancels it as soon as a
// line containing at is printed: a crash right after that step. It
// returns the exit code and stderr.
func crashRun(t *testing.T, srv *alicerttest.Server, at string, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	stderr := &crashWriter{at: at, cancel: cancel}
	c := &cli{fake: srv, stdout: &bytes.Buffer{}, stderr: stderr, now: time.Now, getenv: testEnv(t)}
	code := c.run(ctx, args)
	require.Contains(t, stderr.buf.String(), at, "the run got to the step")
	return code, stderr.buf.String()
}

func TestObtainMakesItsOwnKey(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		keyType string
		check   func(t *testing.T, pub crypto.PublicKey)
	}{
		{"", func(t *testing.T, pub crypto.PublicKey) {
			assert.Equal(t, elliptic.P256(), pub.(*ecdsa.PublicKey).Curve)
		}},
		{"ec384", func(t *testing.T, pub crypto.PublicKey) {
			assert.Equal(t, elliptic.P384(), pub.(*ecdsa.PublicKey).Curve)
		}},
		{"rsa2048", func(t *testing.T, pub crypto.PublicKey) { assert.Equal(t, 2048, pub.(*rsa.PublicKey).N.BitLen()) }},
		{"rsa3072", func(t *testing.T, pub crypto.PublicKey) { assert.Equal(t, 3072, pub.(*rsa.PublicKey).N.BitLen()) }},
	} {
		t.Run("type "+tc.keyType, func(t *testing.T) {
			t.Parallel()
			srv := newFake(t)
			dir := t.TempDir()
			args := []string{"obtain", "-fake", "-domain", "example.com", "-out", dir}
			if tc.keyType != "" {
				args = append(args, "-key-type", tc.keyType)
			}
			r := runCmd(t, srv, args...)
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.Contains(t, r.stderr, "key made here")
			leaf := checkFiles(t, dir, "example.com", srv.CAPool())
			key := keyOf(t, filepath.Join(dir, store.KeyFile))
			assertSameKey(t, key.Public(), leaf.PublicKey, "the leaf holds the key made here")
			tc.check(t, leaf.PublicKey)
			assert.Equal(t, 1, srv.RequestCount("CreateCertificateWithCsrRequest"))
			assert.Zero(t, srv.RequestCount("CreateCertificateRequest"), "the service never made a key")
			assert.Empty(t, orderKeyFiles(t, dir), "the order's key file goes once key.pem holds it")
		})
	}
}

func TestObtainResumesAnOrderWithItsKey(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	dir := t.TempDir()
	args := []string{"obtain", "-fake", "-domain", "example.com", "-out", dir}

	// A crash right after the order was created.
	code, stderr := crashRun(t, srv, "created for a ec256 key", args...)
	require.Equal(t, exitFailure, code, stderr)
	st, err := store.LoadState(dir)
	require.NoError(t, err)
	require.Positive(t, st.OrderID)
	require.NotEmpty(t, st.KeyFile, "the state file names the order's key")
	fi, err := os.Stat(filepath.Join(dir, st.KeyFile))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	key := keyOf(t, filepath.Join(dir, st.KeyFile))
	assert.NoFileExists(t, filepath.Join(dir, store.KeyFile))

	r := runCmd(t, srv, args...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stderr, "resuming order")
	assert.Len(t, creates(srv), 1, "no second order")
	leaf := checkFiles(t, dir, "example.com", srv.CAPool())
	assertSameKey(t, key.Public(), leaf.PublicKey, "the resumed order is finished with the key it was placed with")
	assertSameKey(t, key.Public(), keyOf(t, filepath.Join(dir, store.KeyFile)).Public())
	assert.Empty(t, orderKeyFiles(t, dir))
}

func TestObtainResumedOrderWithoutItsKeyFile(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	dir := t.TempDir()
	args := []string{"obtain", "-fake", "-domain", "example.com", "-out", dir}
	code, stderr := crashRun(t, srv, "created for a ec256 key", args...)
	require.Equal(t, exitFailure, code, stderr)
	st, err := store.LoadState(dir)
	require.NoError(t, err)
	require.NoError(t, os.Remove(filepath.Join(dir, st.KeyFile)))

	r := runCmd(t, srv, args...)
	require.Equal(t, exitFailure, r.code, r.stderr)
	assert.Contains(t, r.stderr, "cannot be finished without it")
	assert.Contains(t, r.stderr, "-new-order")
	assert.Len(t, creates(srv), 1)
}

func TestObtainKeySourceService(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	dir := t.TempDir()
	r := runCmd(t, srv, "obtain", "-fake", "-domain", "example.com", "-out", dir, "-key-source", "service")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stderr, "the service makes the key")
	checkFiles(t, dir, "example.com", srv.CAPool())
	assert.Equal(t, 1, srv.RequestCount("CreateCertificateRequest"))
	assert.Zero(t, srv.RequestCount("CreateCertificateWithCsrRequest"))
	assert.Empty(t, orderKeyFiles(t, dir))
}

// newKMSKey creates a signing key in srv and returns its id.
func newKMSKey(t *testing.T, srv *alicerttest.Server, spec string) string {
	t.Helper()
	cl, err := alicert.NewClient(srv.ClientOptions()...)
	require.NoError(t, err)
	out, err := cl.KMS.CreateKey(t.Context(), &alicert.CreateKeyInput{KeySpec: spec, KeyUsage: alicert.KeyUsageSignVerify})
	require.NoError(t, err)
	return out.KeyMetadata.KeyID
}

// kmsPublicKey asks srv for the public key of keyID's primary version.
func kmsPublicKey(t *testing.T, srv *alicerttest.Server, keyID string) crypto.PublicKey {
	t.Helper()
	cl, err := alicert.NewClient(srv.ClientOptions()...)
	require.NoError(t, err)
	s, err := alicert.NewKMSSigner(t.Context(), cl, keyID, "")
	require.NoError(t, err)
	return s.Public()
}

func TestObtainWithAKMSKey(t *testing.T) {
	t.Parallel()
	for _, spec := range []string{"EC_P256", "RSA_2048"} {
		t.Run(spec, func(t *testing.T) {
			t.Parallel()
			srv := newFake(t)
			keyID := newKMSKey(t, srv, spec)
			dir := t.TempDir()
			args := []string{"obtain", "-fake", "-domain", "example.com", "-out", dir, "-kms-key", keyID}
			r := runCmd(t, srv, args...)
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.Contains(t, r.stdout, "signer.TLSCertificate(chainPEM)")
			assert.Contains(t, r.stdout, keyID)
			assert.NoFileExists(t, filepath.Join(dir, store.KeyFile), "the key stays in KMS")
			assert.Empty(t, orderKeyFiles(t, dir))
			assert.NoFileExists(t, filepath.Join(dir, store.StateFile))

			leaf := readCerts(t, filepath.Join(dir, store.CertFile))[0]
			assertSameKey(t, kmsPublicKey(t, srv, keyID), leaf.PublicKey, "cert.pem holds the KMS key")
			full := readCerts(t, filepath.Join(dir, store.FullchainFile))
			assert.Equal(t, leaf, full[0])
			assert.Positive(t, srv.RequestCount("AsymmetricSign"), "KMS signed the certificate request")
			assert.Equal(t, 1, srv.RequestCount("CreateCertificateWithCsrRequest"))

			// The certificate holds the KMS key: nothing to do.
			r = runCmd(t, srv, args...)
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.Contains(t, r.stdout, "nothing to do")
			assert.Len(t, creates(srv), 1)

			// Another KMS key: the certificate does not hold it. (EC: the
			// fake's RSA keys of one size share their material.)
			other := newKMSKey(t, srv, "EC_P256")
			r = runCmd(t, srv, "obtain", "-fake", "-domain", "example.com", "-out", dir, "-kms-key", other)
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.Contains(t, r.stderr, "does not hold the public key of KMS key "+other, r.stdout)
			leaf = readCerts(t, filepath.Join(dir, store.CertFile))[0]
			assertSameKey(t, kmsPublicKey(t, srv, other), leaf.PublicKey)
		})
	}
}

func TestObtainKMSKeyReplacesALocalKeyPair(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	dir := t.TempDir()
	r := runCmd(t, srv, "obtain", "-fake", "-domain", "example.com", "-out", dir)
	require.Equal(t, exitOK, r.code, r.stderr)
	require.FileExists(t, filepath.Join(dir, store.KeyFile))

	keyID := newKMSKey(t, srv, "EC_P256")
	r = runCmd(t, srv, "obtain", "-fake", "-domain", "example.com", "-out", dir, "-kms-key", keyID)
	require.Equal(t, exitOK, r.code, r.stderr)
	_, err := os.Lstat(filepath.Join(dir, store.KeyFile))
	assert.ErrorIs(t, err, os.ErrNotExist, "the key.pem of the old pair goes with it")
	leaf := readCerts(t, filepath.Join(dir, store.CertFile))[0]
	assertSameKey(t, kmsPublicKey(t, srv, keyID), leaf.PublicKey)
}

func TestObtainFakeKMSKeyIsCreated(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"fake", "key-the-fake-does-not-hold"} {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			srv := newFake(t)
			dir := t.TempDir()
			r := runCmd(t, srv, "obtain", "-fake", "-domain", "example.com", "-out", dir, "-kms-key", id)
			require.Equal(t, exitOK, r.code, r.stderr)
			require.Equal(t, 1, srv.KMSKeyCount())
			assert.Contains(t, r.stderr, "created EC P-256 key")
			assert.NoFileExists(t, filepath.Join(dir, store.KeyFile))
			leaf := readCerts(t, filepath.Join(dir, store.CertFile))[0]
			_, ok := leaf.PublicKey.(*ecdsa.PublicKey)
			assert.True(t, ok)
		})
	}
	// The fake of a plain -fake run starts empty: "fake" works there.
	t.Run("a fresh fake", func(t *testing.T) {
		t.Parallel()
		r := runCmd(t, nil, "obtain", "-fake", "-domain", "example.com", "-out", t.TempDir(), "-kms-key", "fake")
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Contains(t, r.stdout, "signer.TLSCertificate(chainPEM)")
	})
}

func TestObtainKeyFlagUsageErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-key-type", "ec521"}, `-key-type "ec521": want one of ec256, ec384, rsa2048, rsa3072`},
		{[]string{"-key-source", "kms"}, `-key-source "kms"`},
		{[]string{"-kms-key", "k", "-key-source", "local"}, "-kms-key and -key-source exclude each other"},
		{[]string{"-kms-key", "k", "-key-type", "ec384"}, "-key-type sets the key alicert makes"},
		{[]string{"-key-source", "service", "-key-type", "ec384"}, "-key-type sets the key alicert makes"},
		{[]string{"-kms-key", "k", "-deploy"}, "-deploy and -kms-key exclude each other"},
		{[]string{"-rollback"}, "-rollback needs -deploy"},
	} {
		dir := filepath.Join(t.TempDir(), "out")
		r := runCmd(t, nil, append([]string{"obtain", "-fake", "-domain", "example.com", "-out", dir}, tc.args...)...)
		assert.Equal(t, exitUsage, r.code, "%v", tc.args)
		oneLine(t, r.stderr)
		assert.Contains(t, r.stderr, tc.want, "%v", tc.args)
		assert.NoDirExists(t, dir, "nothing was done")
	}
	help := runCmd(t, nil, "help", "obtain")
	for _, want := range []string{"-key-type", "-key-source", "-kms-key", "-deploy", "-rollback", "TLSCertificate", "Exit codes"} {
		assert.Contains(t, help.stdout, want)
	}
	assert.True(t, strings.Contains(help.stdout, "alicert-<domain>-<serial>"), "the upload name is documented")
}

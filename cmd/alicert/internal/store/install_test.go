package store

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/alicert/alicert/alicerttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newFake is a fake account whose test CA signs the pairs of these tests.
func newFake(t *testing.T) *alicerttest.Server {
	t.Helper()
	srv := alicerttest.NewServer()
	t.Cleanup(srv.Close)
	return srv
}

// fakePair is a certificate for domain, valid for validity, that srv's test
// CA signed, and its key.
func fakePair(t *testing.T, srv *alicerttest.Server, domain string, validity time.Duration) (cert, key []byte) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: domain}, DNSNames: []string{domain},
	}, k)
	require.NoError(t, err)
	c, err := srv.SignCSR(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})), validity)
	require.NoError(t, err)
	kder, err := x509.MarshalPKCS8PrivateKey(k)
	require.NoError(t, err)
	return []byte(c), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
}

// pairIs reports which of the pairs the certificate files of dir load as:
// "old", "new", or "" when they do not load as a pair.
func pairIs(t *testing.T, dir string, old, new []byte) string {
	t.Helper()
	for _, name := range []string{CertFile, FullchainFile} {
		if _, err := tls.LoadX509KeyPair(filepath.Join(dir, name), filepath.Join(dir, KeyFile)); err != nil {
			return ""
		}
	}
	got, err := os.ReadFile(filepath.Join(dir, CertFile))
	require.NoError(t, err)
	switch {
	case bytes.Equal(got, old):
		return "old"
	case bytes.Equal(got, new):
		return "new"
	}
	t.Fatalf("cert.pem holds neither pair:\n%s", got)
	return ""
}

// pairOutFiles are the files of a pair, as install takes them.
func pairOutFiles(cert, key []byte) []File {
	return []File{{Name: KeyFile, Data: key, Perm: 0o600}, {Name: ChainFile, Data: nil, Perm: 0o644}, {Name: FullchainFile, Data: cert, Perm: 0o644}, {Name: CertFile, Data: cert, Perm: 0o644}}
}

func TestInstallKeepsAMatchingPairAtEveryStep(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	oldCert, oldKey := fakePair(t, srv, "example.com", 24*time.Hour)
	newCert, newKey := fakePair(t, srv, "example.com", 90*24*time.Hour)
	errCrash := errors.New("injected crash")

	layouts := []struct {
		name  string
		setup func(t *testing.T, dir string)
	}{
		{"empty", func(t *testing.T, dir string) {}},
		{"plain files", func(t *testing.T, dir string) { writePair(t, dir, oldCert, oldKey) }},
		{"linked", func(t *testing.T, dir string) {
			require.NoError(t, (&Installer{Dir: dir}).Install(pairOutFiles(oldCert, oldKey)))
		}},
		{"linked, cert.pem copied over by hand", func(t *testing.T, dir string) {
			require.NoError(t, (&Installer{Dir: dir}).Install(pairOutFiles(oldCert, oldKey)))
			require.NoError(t, os.Remove(filepath.Join(dir, CertFile)))
			require.NoError(t, os.WriteFile(filepath.Join(dir, CertFile), oldCert, 0o644))
		}},
	}
	for _, l := range layouts {
		t.Run(l.name, func(t *testing.T) {
			t.Parallel()
			// The steps of an undisturbed replacement.
			var steps []string
			dir := t.TempDir()
			l.setup(t, dir)
			require.NoError(t, (&Installer{Dir: dir, Hook: func(s string) error { steps = append(steps, s); return nil }}).Install(pairOutFiles(newCert, newKey)))
			require.Equal(t, "new", pairIs(t, dir, oldCert, newCert))
			require.Greater(t, len(steps), 5, "%v", steps)

			for i, step := range steps {
				dir := t.TempDir()
				l.setup(t, dir)
				before := pairIs(t, dir, oldCert, newCert)
				n := 0
				in := &Installer{Dir: dir, Hook: func(string) error {
					n++
					if n == i+1 {
						return errCrash
					}
					return nil
				}}
				err := in.Install(pairOutFiles(newCert, newKey))
				require.ErrorIs(t, err, errCrash, "step %d %q", i, step)
				got := pairIs(t, dir, oldCert, newCert)
				assert.Contains(t, []string{before, "new"}, got, "stopped before step %d %q", i, step)
				if before == "old" {
					assert.NotEmpty(t, got, "stopped before step %d %q: the pair no longer loads", i, step)
				}

				// The next run cleans up and finishes the job.
				in.Hook = nil
				_, err = in.RemoveLeftovers()
				require.NoError(t, err)
				require.NoError(t, in.Install(pairOutFiles(newCert, newKey)), "after step %d %q", i, step)
				assert.Equal(t, "new", pairIs(t, dir, oldCert, newCert))
				assert.LessOrEqual(t, len(in.Versions()), 2, "old versions are removed")
				fi, err := os.Stat(filepath.Join(dir, KeyFile))
				require.NoError(t, err)
				assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
			}
		})
	}
}

func TestInstallRefusesAKeyOfAnotherCertificate(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	oldCert, oldKey := fakePair(t, srv, "example.com", 24*time.Hour)
	newCert, _ := fakePair(t, srv, "example.com", 90*24*time.Hour)
	_, otherKey := fakePair(t, srv, "example.com", 90*24*time.Hour)
	dir := t.TempDir()
	writePair(t, dir, oldCert, oldKey)
	for _, key := range [][]byte{otherKey, []byte("not a key"), nil} {
		err := (&Installer{Dir: dir}).Install(pairOutFiles(newCert, key))
		require.ErrorContains(t, err, "does not belong to the certificate")
		assert.Equal(t, "old", pairIs(t, dir, oldCert, newCert))
	}
	assert.NoDirExists(t, filepath.Join(dir, VersionsDir), "nothing was touched")
}

// writePair writes cert.pem, fullchain.pem and key.pem into dir as plain
// files, as an earlier alicert or a person did.
func writePair(t *testing.T, dir string, cert, key []byte) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(dir, CertFile), cert, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, FullchainFile), cert, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, KeyFile), key, 0o600))
}

// With CA, ca.pem is a file of the version like the pair's: a link into
// the live version, switched with the pair, and never missing from it.
func TestInstallWithTheCASwitchesItWithThePair(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	oldCert, oldKey := fakePair(t, srv, "example.com", 24*time.Hour)
	newCert, newKey := fakePair(t, srv, "example.com", 90*24*time.Hour)
	dir := t.TempDir()
	in := &Installer{Dir: dir, CA: true}
	withCA := func(cert, key []byte, ca string) []File {
		return append(pairOutFiles(cert, key), File{Name: CAFile, Data: []byte(ca), Perm: 0o644})
	}

	require.ErrorContains(t, in.Install(pairOutFiles(oldCert, oldKey)), "no ca.pem among the files")
	assert.NoDirExists(t, filepath.Join(dir, VersionsDir), "nothing was touched")

	require.NoError(t, in.Install(withCA(oldCert, oldKey, "old root")))
	require.NoError(t, in.Install(withCA(newCert, newKey, "new root")))
	assert.Equal(t, "new", pairIs(t, dir, oldCert, newCert))
	target, err := os.Readlink(filepath.Join(dir, CAFile))
	require.NoError(t, err)
	assert.Equal(t, LinkTarget(CAFile), target)
	got, err := os.ReadFile(filepath.Join(dir, CAFile))
	require.NoError(t, err)
	assert.Equal(t, "new root", string(got))
	prev, err := os.ReadFile(filepath.Join(dir, VersionsDir, "1", CAFile))
	require.NoError(t, err)
	assert.Equal(t, "old root", string(prev), "the previous version keeps its CA")

	// A version without the CA (obtain's, after pca issue's) leaves no
	// ca.pem link naming nothing.
	require.NoError(t, (&Installer{Dir: dir}).Install(pairOutFiles(oldCert, oldKey)))
	assert.Equal(t, "old", pairIs(t, dir, oldCert, newCert))
	_, err = os.Lstat(filepath.Join(dir, CAFile))
	assert.ErrorIs(t, err, os.ErrNotExist)

	// A planted ca.pem link is refused before anything is written.
	other := t.TempDir()
	require.NoError(t, os.Symlink(filepath.Join(t.TempDir(), "elsewhere"), filepath.Join(other, CAFile)))
	require.ErrorContains(t, CheckTargets(other, CAFile), "is a symbolic link alicert did not make")
	require.NoError(t, CheckTargets(other), "without the extra name, ca.pem is none of the pair's business")
}

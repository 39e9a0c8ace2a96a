package main

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/alicert/alicert"
)

// Where the certificate's key comes from (-key-source, -kms-key).
const (
	// keySourceLocal: alicert makes the key, and the service never sees it.
	keySourceLocal = "local"
	// keySourceService: the service makes the key and returns it with the
	// certificate.
	keySourceService = "service"
)

// keyTypes are the -key-type values, in the order -h lists them.
var keyTypes = []string{"ec256", "ec384", "rsa2048", "rsa3072"}

// generateKey makes a private key of one of keyTypes.
func generateKey(keyType string) (crypto.Signer, error) {
	switch keyType {
	case "ec256":
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "ec384":
		return ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "rsa2048":
		return rsa.GenerateKey(rand.Reader, 2048)
	case "rsa3072":
		return rsa.GenerateKey(rand.Reader, 3072)
	}
	return nil, fmt.Errorf("-key-type %q: want one of %s", keyType, strings.Join(keyTypes, ", "))
}

// orderKeyName is the name of the file holding the key of an order created
// at t: unique for each order the directory sees, so that the key of an
// abandoned order is never taken for the next one's.
func orderKeyName(t time.Time) string {
	return "alicert-order-" + t.UTC().Format("20060102T150405.000000000Z") + ".key.pem"
}

// isOrderKeyName reports whether name can be a file orderKeyName made: a
// plain name in the directory, never a path elsewhere.
func isOrderKeyName(name string) bool {
	return strings.HasPrefix(name, "alicert-order-") && strings.HasSuffix(name, ".key.pem") &&
		filepath.Base(name) == name && !strings.ContainsAny(name, `/\`) && name != "." && name != ".."
}

// saveOrderKey writes key into dir as name, mode 0600, atomically and
// synced: it must outlive a crash right after the order is sent.
func saveOrderKey(dir, name string, key crypto.Signer) error {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	return writeFiles(dir, []outFile{{name, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600}})
}

// loadOrderKey reads the key an order was placed with: the file alicert
// wrote, never through a link.
func loadOrderKey(dir, name string) (crypto.Signer, []byte, error) {
	b, err := readOwn(filepath.Join(dir, name))
	if err != nil {
		return nil, nil, err
	}
	signer, err := parseKeyPEM(b)
	if err != nil {
		return nil, nil, err
	}
	return signer, b, nil
}

// parseKeyPEM parses a PKCS #8 private key PEM block that can sign.
func parseKeyPEM(b []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, errors.New("it holds no PKCS #8 private key")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("it does not parse: %v", err)
	}
	signer, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("it holds a %T, which cannot sign", k)
	}
	return signer, nil
}

// removeOrderKey deletes an order's key file once the key is installed (or
// the order abandoned); a missing one is fine.
func removeOrderKey(dir, name string) {
	if isOrderKeyName(name) {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return
		}
		syncDir(dir)
	}
}

// fakeKMSKey is the -kms-key value that, with -fake, always asks for a new
// key in the fake.
const fakeKMSKey = "fake"

// kmsSigner returns the signer of the KMS key id (version "" is the
// primary one). With -fake, a key the fake does not hold, and the id
// "fake", are replaced by a new EC P-256 key created in the fake, which the
// run names on stderr: a fresh fake holds no key, and a new user has no id
// to give. The look-ups run under lookups (bounded by -timeout), the
// fake's key creation under ctx.
func (r *obtainRun) kmsSigner(ctx, lookups context.Context, cl *alicert.Client, id, version string) (*alicert.KMSSigner, error) {
	if !r.f.fake || id != fakeKMSKey {
		s, err := alicert.NewKMSSigner(lookups, cl, id, version)
		var e *alicert.APIError
		if err == nil || !r.f.fake || !errors.As(err, &e) || !strings.Contains(e.Code, "NotFound") {
			return s, err
		}
	}
	created, err := cl.KMS.CreateKey(ctx, &alicert.CreateKeyInput{KeySpec: "EC_P256", KeyUsage: alicert.KeyUsageSignVerify,
		Description: "alicert obtain -fake -kms-key " + id})
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(r.info, "alicert: -fake: KMS key %q is not in the fake; created EC P-256 key %s there in its place\n",
		id, created.KeyMetadata.KeyID)
	return alicert.NewKMSSigner(lookups, cl, created.KeyMetadata.KeyID, "")
}

// validKeyType reports whether t is one of keyTypes.
func validKeyType(t string) bool { return slices.Contains(keyTypes, t) }

// newKey picks the key of a new order and records it in st: the -kms-key
// signer, or a key made here and written to its file before anything is
// sent, or none with -key-source service. It returns the exit code to stop
// with when the key cannot be had.
func (r *obtainRun) newKey(st *state) (code int, stop bool) {
	c, f, dir := r.c, r.f, r.f.out
	switch {
	case r.kms != nil:
		r.key = r.kms
		st.KMSKey, st.KMSKeyVersion = r.kms.KeyID(), r.kms.KeyVersionID()
	case f.keySource == keySourceLocal:
		key, err := generateKey(f.keyType)
		if err != nil {
			return c.failf(exitFailure, "making a %s key: %v; nothing was ordered", f.keyType, err), true
		}
		name := orderKeyName(c.now())
		if err := saveOrderKey(dir, name, key); err != nil {
			return c.failf(exitFailure, "writing the new key to %s: %v; nothing was ordered", filepath.Join(dir, name), err), true
		}
		_, pemBytes, err := loadOrderKey(dir, name)
		if err != nil {
			removeOrderKey(dir, name)
			return c.failf(exitFailure, "reading back the new key %s: %v; nothing was ordered", filepath.Join(dir, name), err), true
		}
		r.key, r.keyPEM, st.KeyFile = key, pemBytes, name
	}
	return 0, false
}

// resumeKey takes the key a resumed order was placed with from the state
// file prev into st: its key file, or its KMS key. An order the state file
// records no key for (the state of an older alicert, or -order without
// one) is taken to hold the service's key.
func (r *obtainRun) resumeKey(ctx context.Context, cl *alicert.Client, prev, st *state) (code int, stop bool) {
	c, dir := r.c, r.f.out
	switch {
	case prev == nil:
	case prev.KeyFile != "":
		key, pemBytes, err := loadOrderKey(dir, prev.KeyFile)
		if err != nil {
			return c.failf(exitFailure, "the key of order %d, %s, cannot be read: %v; the order cannot be finished without it: "+
				"rerun with -new-order to order again", st.OrderID, filepath.Join(dir, prev.KeyFile), err), true
		}
		r.key, r.keyPEM, st.KeyFile = key, pemBytes, prev.KeyFile
	case prev.KMSKey != "":
		s := r.kms
		if s == nil || s.KeyID() != prev.KMSKey || s.KeyVersionID() != prev.KMSKeyVersion {
			var err error
			if s, err = alicert.NewKMSSigner(ctx, cl, prev.KMSKey, prev.KMSKeyVersion); err != nil {
				return c.failf(exitFailure, "the KMS key of order %d, %s: %v; rerun to try again", st.OrderID, prev.KMSKey, err), true
			}
		}
		r.key, r.kms = s, s
		st.KMSKey, st.KMSKeyVersion = prev.KMSKey, prev.KMSKeyVersion
	}
	return 0, false
}

// removeStrayOrderKeys removes the key files of orders the state file st no
// longer names: a run that stopped between installing a key and forgetting
// its order leaves one, and a private key should not lie about.
func removeStrayOrderKeys(dir string, st *state) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if n := e.Name(); isOrderKeyName(n) && (st == nil || st.KeyFile != n) {
			removeOrderKey(dir, n)
		}
	}
}

// pairProblem says what keeps dir's certificate files from working, or ""
// when they work: with -kms-key, cert.pem and fullchain.pem must hold the
// KMS key's public key (there is no key.pem); otherwise they must load as a
// pair with key.pem.
func (r *obtainRun) pairProblem(dir string) string {
	if r.kms == nil {
		return pairProblem(dir)
	}
	for _, name := range []string{certFile, fullchainFile} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return fmt.Sprintf("%s cannot be read (%v)", name, err)
		}
		if _, err := alicert.ParseCertificates(string(b)); err != nil {
			return fmt.Sprintf("%s: %v", name, err)
		}
		// The check a server loading it makes: the leaf must hold the KMS
		// key's public key.
		if _, err := r.kms.TLSCertificate(b); err != nil {
			return fmt.Sprintf("%s does not hold the public key of KMS key %s", name, r.kms.KeyID())
		}
	}
	return ""
}

// keyNote says, for the progress line of a new order, which key it holds.
func (r *obtainRun) keyNote(st *state) string {
	switch {
	case st.KMSKey != "":
		return fmt.Sprintf(" for KMS key %s (version %s)", st.KMSKey, st.KMSKeyVersion)
	case st.KeyFile != "":
		return fmt.Sprintf(" for a %s key made here, kept in %s (mode 0600) until the certificate is written",
			r.f.keyType, filepath.Join(r.f.out, st.KeyFile))
	}
	return " (the service makes the key)"
}

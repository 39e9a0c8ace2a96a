package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/cmd/alicert/internal/store"
)

// Where the certificate's key comes from (-key-source, -kms-key).
const (
	// keySourceLocal: alicert makes the key, and the service never sees it.
	keySourceLocal = "local"
	// keySourceService: the service makes the key and returns it with the
	// certificate.
	keySourceService = "service"
)

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

// newKey picks the key of a new order and records it in st: the -kms-key
// signer, or a key made here and written to its file before anything is
// sent, or none with -key-source service. It returns the exit code to stop
// with when the key cannot be had.
func (r *obtainRun) newKey(st *store.State) (code int, stop bool) {
	c, f, dir := r.c, r.f, r.f.out
	switch {
	case r.kms != nil:
		r.key = r.kms
		st.KMSKey, st.KMSKeyVersion = r.kms.KeyID(), r.kms.KeyVersionID()
	case f.keySource == keySourceLocal:
		key, err := store.GenerateKey(f.keyType)
		if err != nil {
			return c.failf(exitFailure, "making a %s key: %v; nothing was ordered", f.keyType, err), true
		}
		name := store.OrderKeyName(c.now())
		if err := store.SaveOrderKey(dir, name, key); err != nil {
			return c.failf(exitFailure, "writing the new key to %s: %v; nothing was ordered", filepath.Join(dir, name), err), true
		}
		_, pemBytes, err := store.LoadOrderKey(dir, name)
		if err != nil {
			store.RemoveOrderKey(dir, name)
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
func (r *obtainRun) resumeKey(ctx context.Context, cl *alicert.Client, prev, st *store.State) (code int, stop bool) {
	c, dir := r.c, r.f.out
	switch {
	case prev == nil:
	case prev.KeyFile != "":
		key, pemBytes, err := store.LoadOrderKey(dir, prev.KeyFile)
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

// pairProblem says what keeps dir's certificate files from working, or ""
// when they work: with -kms-key, cert.pem and fullchain.pem must hold the
// KMS key's public key (there is no key.pem); otherwise they must load as a
// pair with key.pem.
func (r *obtainRun) pairProblem(dir string) string {
	if r.kms == nil {
		return store.PairProblem(dir)
	}
	for _, name := range []string{store.CertFile, store.FullchainFile} {
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
func (r *obtainRun) keyNote(st *store.State) string {
	switch {
	case st.KMSKey != "":
		return fmt.Sprintf(" for KMS key %s (version %s)", st.KMSKey, st.KMSKeyVersion)
	case st.KeyFile != "":
		return fmt.Sprintf(" for a %s key made here, kept in %s (mode 0600) until the certificate is written",
			r.f.keyType, filepath.Join(r.f.out, st.KeyFile))
	}
	return " (the service makes the key)"
}

package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/cmd/alicert/internal/store"
)

// finish writes the files and the state after Obtain and picks the exit
// code. prev is the state file as the run found it, and from says where
// the order id came from.
func (r *obtainRun) finish(ctx context.Context, inst *store.Installer, prev *store.State, from string, st *store.State, out *alicert.ObtainOutput, err error) int {
	c, f, dir := r.c, r.f, r.f.out
	var invalid *alicert.ValidationError
	switch {
	case out == nil && errors.As(err, &invalid):
		return c.validationUsage(r.fs, invalid, obtainFlagOf())
	case out == nil && errors.Is(err, alicert.ErrVerifyFailed):
		// The failed order stays in the state file: a rerun from cron
		// fails the same way instead of buying a new order every day
		// while the cause (a DNS or CAA problem, say) lasts.
		st.Note = "the order failed verification; fix the cause, then rerun with -new-order to order again"
		_ = store.SaveState(dir, st)
		return c.failf(exitFailure, "%v\nalicert: order %d cannot be completed; fix the cause (the DNS record, CAA records, the domain), "+
			"then rerun with -new-order to order again", err, st.OrderID)
	case out == nil && unknownOrder(err):
		// Rerunning would ask again and get the same answer.
		st.Note = "the service does not know this order; rerun with -new-order to order again"
		_ = store.SaveState(dir, st)
		return c.failf(exitFailure, "%v\nalicert: order %d cannot be resumed; rerun with -new-order to order again", err, st.OrderID)
	case out == nil:
		return c.failf(exitFailure, "%v\nalicert: rerun to resume order %d (recorded in %s)", err, st.OrderID, filepath.Join(dir, store.StateFile))
	}

	code := exitOK
	if err != nil { // issued, but the record could not be removed
		c.errorf("%v", err)
		code = exitCleanupFailed
	}
	leaf := out.Leaf()
	if leaf == nil {
		return c.failf(exitFailure, "order %d is issued but its certificate is empty; rerun to fetch it again", out.OrderID)
	}
	if !alicert.CoversDomain(leaf, f.domain) {
		// An order resumed with -order for another domain: its
		// certificate is of no use here, and the state file forgets it.
		if from == "(-order)" {
			if prev != nil {
				_ = store.SaveState(dir, prev)
			} else {
				_ = store.RemoveState(dir)
			}
		}
		return c.failf(exitFailure, "order %d is for %s, not %s; %s was left as it was",
			out.OrderID, store.Names(leaf), f.domain, filepath.Join(dir, store.CertFile))
	}
	r.warnLifetime(leaf)
	key := r.outKey(out)
	files := store.CertFiles(out, key, "")
	check := store.CheckPair
	if key == nil {
		check = store.CheckChain // Obtain checked that the leaf holds the KMS key
	}
	if err := check(files); err != nil {
		return c.failf(exitFailure, "order %d: %v; rerun to fetch it again", out.OrderID, err)
	}
	r.result.OrderID, r.result.CertID, r.result.NotAfter = out.OrderID, out.CertID, jsonTime(leaf.NotAfter)
	if why := r.keepReason(dir, leaf); why != "" {
		r.result.Outcome = "kept_aside"
		return c.keptAside(dir, st, out, key, why)
	}
	inst.Keyless = key == nil
	r.hookDue(st, leaf.SerialNumber.Text(16), out.OrderID)
	if f.deploy {
		// Recorded before the switch: a run stopped between the switch
		// and the deployment's first step finds it here, and carries on.
		if code, stop := r.recordRollout(st, out); stop {
			return code
		}
	} else if st.DeployHook != nil {
		// Recorded before the switch, as a deployment is: a run
		// stopped after it runs the hook.
		c.crashPoint("record hook")
		if err := store.SaveState(dir, st); err != nil {
			return c.failf(exitFailure, "order %d is issued, but its deploy hook could not be recorded (%v); %s is as it was: "+
				"rerun to install it", out.OrderID, err, store.CertFile)
		}
	}
	if werr := inst.Install(files); werr != nil {
		return c.failf(exitFailure, "order %d is issued but writing the files failed: %v; the files in %s are as they were; "+
			"rerun to write them", out.OrderID, werr, dir)
	}
	r.result.Outcome = "written"
	fmt.Fprintf(c.stdout, "certificate for %s (order %d) valid until %s written to %s\n",
		f.domain, out.OrderID, leaf.NotAfter.UTC().Format(time.RFC3339), dir)
	if r.kms != nil {
		printKMSUsage(c.stdout, dir, r.kms)
	}
	if !f.deploy && st.DeployHook != nil {
		c.crashPoint("installed")
		next := &store.State{Domain: st.Domain, Fake: st.Fake, CertID: st.CertID, DeployHook: st.DeployHook}
		r.save(next)
		store.RemoveOrderKey(dir, st.KeyFile) // installed as key.pem
		r.payHook(ctx, next)
		return code
	}
	if !f.deploy {
		_ = store.RemoveState(dir)
		store.RemoveOrderKey(dir, st.KeyFile)
		return code
	}
	return r.startRollout(ctx, st, out, code)
}

// outKey is the PEM of the issued certificate's private key: the key
// alicert made, or the service's; nil for a key in KMS.
func (r *obtainRun) outKey(out *alicert.ObtainOutput) []byte {
	switch {
	case r.keyPEM != nil:
		return r.keyPEM
	case r.key != nil:
		return nil
	}
	return []byte(out.PrivateKey)
}

// printKMSUsage tells how a Go server serves the certificate whose key
// stays in KMS.
func printKMSUsage(w io.Writer, dir string, s *alicert.KMSSigner) {
	fmt.Fprintf(w, `the private key stays in KMS (key %s, version %s): there is no key.pem. A Go server loads the certificate with:
	signer, err := alicert.NewKMSSigner(ctx, client, %q, %q)
	chainPEM, err := os.ReadFile(%q)
	cert, err := signer.TLSCertificate(chainPEM)
	server.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
`, s.KeyID(), s.KeyVersionID(), s.KeyID(), s.KeyVersionID(), filepath.Join(dir, store.FullchainFile))
}

// warnLifetime warns, once a run, when -renew-within is not shorter than
// leaf's lifetime: the certificate would be due for renewal as soon as it
// is issued, and every run would order another.
func (r *obtainRun) warnLifetime(leaf *x509.Certificate) {
	within := time.Duration(r.f.renewWithin)
	lifetime := leaf.NotAfter.Sub(leaf.NotBefore)
	if r.lifetimeWarned || within < lifetime {
		return
	}
	r.lifetimeWarned = true
	r.c.errorf("WARNING: -renew-within %s is not shorter than the certificate's lifetime (%s): every run will order "+
		"a new certificate; use a shorter -renew-within, such as a third of the lifetime", formatDays(within), formatDays(lifetime.Round(day)))
}

// keptAside writes an issued certificate that may not replace cert.pem to
// the *.new.pem files, keeps the order in the state file, and fails: the
// certificate was bought, and the user decides what to do with it.
func (c *cli) keptAside(dir string, st *store.State, out *alicert.ObtainOutput, key []byte, why string) int {
	files := store.CertFiles(out, key, store.NewSuffix)
	if err := store.WriteFiles(dir, files); err != nil {
		return c.failf(exitFailure, "kept %s: %s; and writing the new certificate of order %d aside failed: %v; "+
			"rerun to fetch it again", filepath.Join(dir, store.CertFile), why, out.OrderID, err)
	}
	st.Note = "order issued, but its certificate was written to the *" + store.NewSuffix + " files: cert.pem " + why +
		"; a rerun fetches it again; delete this file to forget the order"
	_ = store.SaveState(dir, st)
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = f.Name
	}
	return c.failf(exitFailure, "kept %s: %s.\nalicert: the new certificate of order %d (valid until %s) was written to %s in %s (the key with mode 0600); "+
		"move them over the *.pem files to use it.\nalicert: %s still names order %d, so a rerun fetches it again; delete it to forget the order",
		filepath.Join(dir, store.CertFile), why, out.OrderID, out.Leaf().NotAfter.UTC().Format(time.RFC3339), strings.Join(names, ", "), dir,
		filepath.Join(dir, store.StateFile), out.OrderID)
}

// keepReason says why dir's cert.pem must not be replaced by leaf, for
// the run's domain, or returns "" when it may be. It looks again at
// cert.pem, which may have changed while the order was waiting.
func (r *obtainRun) keepReason(dir string, leaf *x509.Certificate) string {
	f := r.f
	old, err := store.ExistingCert(dir)
	switch {
	case err != nil:
		return fmt.Sprintf("it cannot be read (%v)", err)
	case old == nil, !f.fake && !r.c.localEndpoint(f.common) && store.IssuedByTestCA(old):
		return ""
	case f.fake && !store.IssuedByTestCA(old):
		return "the fake's test CA did not issue it, and -fake never replaces a real certificate"
	case !alicert.CoversDomain(old, f.domain):
		return fmt.Sprintf("it is for %s, not %s", store.Names(old), f.domain)
	case r.pairProblem(dir) != "":
		return "" // no working pair to keep
	case old.NotAfter.After(leaf.NotAfter):
		return fmt.Sprintf("it expires later (%s) than the new certificate (%s)",
			old.NotAfter.UTC().Format(time.RFC3339), leaf.NotAfter.UTC().Format(time.RFC3339))
	}
	return ""
}

package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/cmd/alicert/internal/store"
)

// getFlags are get's flags.
type getFlags struct {
	common
	cert     int64
	out      string
	lockWait time.Duration
	timeout  time.Duration
	json     bool
	quiet    bool
	// otherDomain allows replacing a certificate of other names.
	otherDomain bool
}

const getDescription = `Fetches certificate -cert (its id, as list shows it) and writes cert.pem
(the certificate), chain.pem (its issuers), fullchain.pem (both) and key.pem
(mode 0600) into -out, the same way obtain does: the four files are
replaced together with one rename, so that cert.pem and key.pem always load
as a pair, and the previous version is kept under .alicert. A key the
service returns that does not belong to the certificate is refused, and
nothing is written.

A certificate ordered with a key of one's own (obtain's default) has no key
in the service: get then writes no key.pem and says so. A key.pem already
in -out is kept when it is the certificate's key (a certificate renewed
with the same key, say), and refused otherwise.

Like obtain, get never silently replaces the certificate of another domain:
when cert.pem in -out serves a name that -cert does not cover, nothing is
written (exit 2), unless -replace-other-domain says to replace it.

-timeout (default 10m) bounds the fetch: a service that never answers
makes get fail then, and nothing is written.

One run at a time holds -out (the lock obtain takes): another run waits up to
-lock-wait, then exits 5 without doing anything.

Exit codes: 0 written; 1 failure (the files in -out are as they were);
2 usage, or -out holds another domain's certificate (nothing was written); 5 another run holds -out (nothing was done).

Credentials as for obtain. With -fake, -cert defaults to the fake's
certificate that expires within days; -fake never replaces a certificate a
real CA issued.
`

func (c *cli) get(ctx context.Context, args []string) int {
	f := getFlags{lockWait: store.DefaultLockWait}
	fs := c.newFlagSet("get", "get -cert ID [-out DIR] [flags]", getDescription)
	f.register(fs, fakeVerbUsage+"; -cert defaults to the one expiring soon")
	fs.Int64Var(&f.cert, "cert", 0, "the certificate's id, as list shows it (required)")
	fs.StringVar(&f.out, "out", ".", "directory for cert.pem, chain.pem, fullchain.pem and key.pem")
	fs.DurationVar(&f.lockWait, "lock-wait", store.DefaultLockWait, "how long to wait for another alicert run on -out to finish before exiting 5")
	fs.BoolVar(&f.json, "json", false, "print what was written as JSON")
	fs.BoolVar(&f.quiet, "q", false, "quiet: print nothing when all went well")
	fs.BoolVar(&f.otherDomain, "replace-other-domain", false, "replace cert.pem in -out even when it serves names -cert does not cover")
	timeoutVar(fs, &f.timeout, "give up fetching the certificate after this long (nothing is written then)")
	if code, stop := c.parse(fs, args); stop {
		return code
	}
	if code, stop := c.checkTimeout(fs, f.timeout); stop {
		return code
	}
	switch {
	case f.cert < 0 || f.cert == 0 && (!f.fake || c.fake != nil):
		return c.usageError(fs, "-cert is required: the id of the certificate, as 'alicert list' shows it")
	case strings.TrimSpace(f.out) == "":
		return c.usageError(fs, "-out must name a directory")
	case f.lockWait < 0:
		return c.usageError(fs, "-lock-wait must not be negative")
	}
	if err := store.PrepareOut(f.out); err != nil {
		return c.failf(exitFailure, "%v; nothing was written", err)
	}
	unlock, err := store.LockDir(ctx, f.out, f.lockWait)
	switch {
	case errors.Is(err, store.ErrLocked):
		return c.failf(exitLocked, "%v: another run is using -out %s; nothing was done", err, f.out)
	case err != nil:
		return c.failf(exitFailure, "locking -out %s: %v; nothing was written", f.out, err)
	}
	defer unlock()
	return c.getLocked(ctx, &f)
}

// getLocked is get, once it holds the output directory.
func (c *cli) getLocked(ctx context.Context, f *getFlags) int {
	dir := f.out
	if err := store.ProbeWrite(dir, "-out "+dir); err != nil {
		return c.failf(exitFailure, "%v; nothing was written", err)
	}
	inst := &store.Installer{Dir: dir, Hook: c.installHook}
	removed, err := inst.RemoveLeftovers()
	for _, name := range removed {
		if !f.quiet {
			c.errorf("removed %s, left behind by an interrupted run", filepath.Join(dir, name))
		}
	}
	if err != nil {
		return c.failf(exitFailure, "removing the files an interrupted run left in %s: %v; nothing was written", dir, err)
	}
	if err := store.CheckTargets(dir); err != nil {
		return c.failf(exitFailure, "%v; nothing was written", err)
	}
	if f.fake {
		// -fake writes a certificate of the test CA: never over a real one.
		existing, err := store.ExistingCert(dir)
		if err != nil {
			return c.failf(exitFailure, "%v; nothing was written", err)
		}
		if existing != nil && !store.IssuedByTestCA(existing) {
			return c.failf(exitFailure, "%s holds a certificate for %s that a real CA issued; -fake never replaces it: use another -out",
				filepath.Join(dir, store.CertFile), store.Names(existing))
		}
	}

	cl, release, seed, err := c.verbClient(ctx, f.common)
	if err != nil {
		return c.failf(exitUsage, "%v", err)
	}
	defer release()
	if f.cert == 0 && seed != nil {
		f.cert = seed.soon
		if !f.quiet {
			c.errorf("-fake: fetching the fake's certificate %d, which expires within days", f.cert)
		}
	}
	lookup, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	detail, err := cl.CAS.GetUserCertificateDetail(lookup, &alicert.GetUserCertificateDetailInput{CertID: f.cert})
	if err != nil {
		return c.failf(exitFailure, "%v", err)
	}
	chain, err := alicert.ParseCertificates(detail.Cert)
	if err != nil {
		return c.failf(exitFailure, "certificate %d: the service returned a certificate that does not parse (%v); nothing was written", f.cert, err)
	}
	if code, stop := c.guardOtherDomain(f, chain[0]); stop {
		return code
	}
	files := []store.File{
		{Name: store.ChainFile, Data: store.EncodeCerts(chain[1:]), Perm: 0o644},
		{Name: store.FullchainFile, Data: store.EncodeCerts(chain), Perm: 0o644},
		{Name: store.CertFile, Data: store.EncodeCerts(chain[:1]), Perm: 0o644},
	}
	keyNote := ""
	switch {
	case detail.Key != "":
		files = append([]store.File{{Name: store.KeyFile, Data: []byte(detail.Key), Perm: 0o600}}, files...)
	default:
		var code int
		if files, keyNote, code = c.ownKeyFiles(dir, f.cert, files); code >= 0 {
			return code
		}
	}
	if keyNote == noKeyNote {
		// No key to pair: each file is replaced on its own.
		err = store.WriteFiles(dir, files)
	} else {
		err = inst.Install(files)
	}
	if err != nil {
		return c.failf(exitFailure, "certificate %d: %v; the files in %s are as they were", f.cert, err, dir)
	}
	return c.printGot(f, detail, chain[0], files, keyNote)
}

// guardOtherDomain refuses, as obtain does, to replace a cert.pem that
// serves a name leaf does not cover (see alicert.CoversDomain), unless
// -replace-other-domain says to. It returns the exit code to stop with.
func (c *cli) guardOtherDomain(f *getFlags, leaf *x509.Certificate) (code int, stop bool) {
	if f.otherDomain {
		return 0, false
	}
	old, err := store.ExistingCert(f.out)
	if err != nil {
		return c.failf(exitFailure, "%v; nothing was written", err), true
	}
	if old == nil {
		return 0, false
	}
	served := old.DNSNames
	if len(served) == 0 {
		served = []string{old.Subject.CommonName}
	}
	for _, name := range served {
		if !alicert.CoversDomain(leaf, name) {
			return c.failf(exitUsage, "%s holds a certificate for %s, and certificate %d (for %s) does not cover %s; nothing was written: "+
				"use another -out, or add -replace-other-domain to replace it", filepath.Join(f.out, store.CertFile), store.Names(old), f.cert, store.Names(leaf), name), true
		}
	}
	return 0, false
}

// Notes on the key of a certificate the service holds no key for.
const (
	noKeyNote   = "no key.pem written: the service holds no private key for this certificate (it was ordered with a key of its own, which stays where it was made)"
	keptKeyNote = "key.pem kept: the service holds no private key for this certificate, and key.pem in -out is its key"
)

// ownKeyFiles handles a certificate the service has no key for: a key.pem
// in dir that is its key is written with it, as a pair; one that is not is
// refused (code >= 0 is the exit code to stop with); without one, only the
// certificate files are written.
func (c *cli) ownKeyFiles(dir string, cert int64, files []store.File) ([]store.File, string, int) {
	key, err := os.ReadFile(filepath.Join(dir, store.KeyFile))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return files, noKeyNote, -1
	case err != nil:
		return nil, "", c.failf(exitFailure, "reading %s: %v; nothing was written", filepath.Join(dir, store.KeyFile), err)
	}
	withKey := append([]store.File{{Name: store.KeyFile, Data: key, Perm: 0o600}}, files...)
	if err := store.CheckPair(withKey); err != nil {
		return nil, "", c.failf(exitFailure, "certificate %d has no key in the service, and %s is not its key; nothing was written: "+
			"use another -out, or move key.pem away", cert, filepath.Join(dir, store.KeyFile))
	}
	return withKey, keptKeyNote, -1
}

// gotResult is the JSON form of get's result.
type gotResult struct {
	CertID   int64    `json:"cert_id"`
	Name     string   `json:"name"`
	Domains  []string `json:"domains"`
	NotAfter string   `json:"not_after"`
	Dir      string   `json:"dir"`
	Files    []string `json:"files"`
	// KeyWritten is false when the service holds no key: key.pem is then
	// absent, or kept as it was.
	KeyWritten bool   `json:"key_written"`
	Note       string `json:"note,omitempty"`
}

// printGot prints what get wrote.
func (c *cli) printGot(f *getFlags, detail *alicert.GetUserCertificateDetailOutput, leaf *x509.Certificate, files []store.File, note string) int {
	res := gotResult{
		CertID: f.cert, Name: detail.Name, Domains: leaf.DNSNames, NotAfter: jsonTime(leaf.NotAfter), Dir: f.out,
		KeyWritten: note == "", Note: note,
	}
	for _, file := range files {
		res.Files = append(res.Files, file.Name)
	}
	var err error
	switch {
	case f.json:
		err = writeJSON(c.stdout, res)
	case !f.quiet:
		if note != "" {
			c.errorf("%s", note)
		}
		_, err = fmt.Fprintf(c.stdout, "certificate %d (%s) valid until %s written to %s\n",
			f.cert, shown(store.Names(leaf)), leaf.NotAfter.UTC().Format(time.RFC3339), f.out)
	}
	if err != nil {
		return c.failf(exitFailure, "%v", err)
	}
	return exitOK
}

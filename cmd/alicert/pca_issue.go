package main

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/cmd/alicert/internal/store"
)

// pcaIssueFlags are pca issue's flags.
type pcaIssueFlags struct {
	common
	ca       string
	domains  domainList
	csrFile  string
	out      string
	days     int
	duration daysValue
	usage    string
	keyType  string
	customID string
	// otherDomain allows replacing a certificate of other names.
	otherDomain bool
	lockWait    time.Duration
	timeout     time.Duration
	json        bool
	quiet       bool
}

// domainList is -domain, which may be given more than once.
type domainList []string

func (d *domainList) String() string { return strings.Join(*d, ",") }

func (d *domainList) Set(s string) error {
	*d = append(*d, s)
	return nil
}

const pcaIssueDescription = `Has sub-CA -ca sign a certificate, in one synchronous call, and writes it
into -out as obtain writes its files: cert.pem (the certificate), chain.pem
(the sub-CA, and any CA between it and the root), fullchain.pem (both),
key.pem (mode 0600) and ca.pem (the root CA, which peers trust).

The five files are links into .alicert/live and switch together with one
rename, so that cert.pem and key.pem always load as a pair and ca.pem is
the root they chain to; the previous version is kept under .alicert.

The names: -domain NAME (repeat it for more: a DNS name, *.name or an IP
address; internal names such as db.internal or localhost are fine; the
first is also the subject's common name), or -csr FILE, a certificate
request of your own (PEM) whose subject and names the certificate takes.
With -domain the key is made here (-key-type ec256, ec384, rsa2048 or
rsa3072; ec256 by default) and never leaves the machine: only a request
signed by it is sent. With -csr no key.pem is written, the key staying with
whoever made the request; a key.pem already in -out is kept when it is the
request's key, and refused otherwise.

-usage says what the certificate is for: server (the default), client, or
server,client (mTLS peers that are both). -days N (90 by default) or
-duration (days "30d" or a Go duration "36h", to the second) is its
validity, which may not outlast the sub-CA's.

Everything is checked before anything costs quota: the flags and names,
the request's signature, -out and its files (a link alicert did not make is
refused), then the sub-CA, with a read (DescribeCACertificate): a sub-CA,
in use (status ISSUE), with quota left, and valid for longer than the
certificate. What comes back is checked too: the certificate must hold the
key, the names and the usages asked for, and verify against the root for
them.

Each certificate gets a custom identifier (-custom-id, by default a new
alicert-<time>-<random> one), printed before the request is sent. The
request is a create, never repeated once it may have reached the service:
after an unknown outcome (exit 3) nothing is written; find the certificate
with 'alicert pca list -certs -custom-id ID' (or among the Private CA's
certificates in the console) before issuing again, and revoke it there
('alicert pca revoke -id IDENTIFIER -yes'): a key made here was never
written. -timeout (default 10m) bounds the look-up and the request, each
on its own.

Like obtain, it never silently replaces the certificate of other names:
when cert.pem in -out serves a name this one does not, nothing is sent
(exit 2) unless -replace-other-domain says to replace it. A directory where
obtain keeps an order or a deployment (its state file) is refused.

One run at a time holds -out (the lock obtain takes): another run waits up
to -lock-wait, then exits 5 without doing anything.

Exit codes: 0 written; 1 failure (nothing was issued; or the certificate was
issued but failed a check or could not be written, and the message names it
to revoke); 2 usage, or -out holds another name's certificate (nothing was
sent); 3 outcome unknown: the certificate may have been issued; 5 another
run holds -out (nothing was done).

Credentials as for obtain. With -fake, -ca defaults to the fake's sub-CA;
-fake never replaces a certificate a real CA issued.
`

// pcaDefaultDays is -days' default: a short life, renewed by running the
// command again, as the certificates of an internal CA usually have.
const pcaDefaultDays = 90

// pcaMaxDays bounds -days: a validity that a time.Duration holds. The
// sub-CA's own validity, checked before signing, is the real bound.
const pcaMaxDays = 100_000

// pcaMaxCSRBytes bounds what -csr reads: a certificate request is a few
// kilobytes at most.
const pcaMaxCSRBytes = 64 << 10

func (c *cli) pcaIssue(ctx context.Context, args []string) int {
	f := pcaIssueFlags{lockWait: store.DefaultLockWait}
	fs := c.newFlagSet("pca issue", "pca issue -ca ID (-domain NAME [-domain NAME...] | -csr FILE) [-out DIR] "+
		"[-days N | -duration D] [-usage server|client|server,client] [flags]", pcaIssueDescription)
	f.register(fs, fakePCAUsage+"; -ca defaults to its sub-CA")
	fs.StringVar(&f.ca, "ca", "", "the sub-CA that signs: its identifier, as 'alicert pca list' shows it (required)")
	fs.Var(&f.domains, "domain", "a name the certificate is for: a DNS name, *.name or an IP address; repeat it for more")
	fs.StringVar(&f.csrFile, "csr", "", "a certificate request (PEM) of your own to sign instead of -domain: its names and its key (no key.pem is written)")
	fs.StringVar(&f.out, "out", ".", "directory for cert.pem, chain.pem, fullchain.pem, key.pem and ca.pem")
	fs.IntVar(&f.days, "days", pcaDefaultDays, "validity in days")
	fs.Var(&f.duration, "duration", `validity instead of -days: days ("30d") or a duration ("36h"), to the second`)
	fs.StringVar(&f.usage, "usage", "server", "what the certificate is for: server, client, or server,client")
	fs.StringVar(&f.keyType, "key-type", "ec256", "the key alicert makes with -domain: "+strings.Join(store.KeyTypes, ", "))
	fs.StringVar(&f.customID, "custom-id", "", "the certificate's custom identifier, to find it after an unknown outcome (default: a new one, printed)")
	fs.BoolVar(&f.otherDomain, "replace-other-domain", false, "replace cert.pem in -out even when it serves names this certificate does not")
	fs.DurationVar(&f.lockWait, "lock-wait", store.DefaultLockWait, "how long to wait for another alicert run on -out to finish before exiting 5")
	fs.BoolVar(&f.json, "json", false, "print what was issued and written as JSON")
	fs.BoolVar(&f.quiet, "q", false, "quiet: print nothing when all went well")
	timeoutVar(fs, &f.timeout, "give up the sub-CA's look-up, or the signing, after this long "+
		"(once the request may have reached the service, the outcome is unknown: exit 3)")
	if code, stop := c.parse(fs, args); stop {
		return code
	}
	if code, stop := c.checkTimeout(fs, f.timeout); stop {
		return code
	}
	req, msg := f.request(fs, c.now())
	if msg != "" {
		return c.usageError(fs, "%s", msg)
	}
	if err := store.PrepareOut(f.out); err != nil {
		return c.failf(exitFailure, "%v; nothing was issued", err)
	}
	unlock, err := store.LockDir(ctx, f.out, f.lockWait)
	switch {
	case errors.Is(err, store.ErrLocked):
		return c.failf(exitLocked, "%v: another run is using -out %s; nothing was done", err, f.out)
	case err != nil:
		return c.failf(exitFailure, "locking -out %s: %v; nothing was issued", f.out, err)
	}
	defer unlock()
	return c.pcaIssueLocked(ctx, fs, &f, req)
}

// pcaRequest is what pca issue asks for, checked.
type pcaRequest struct {
	// dns and ips are the names; cn the subject's common name.
	dns []string
	ips []net.IP
	cn  string
	// csrPEM is -csr's request, and csr that request parsed; both empty
	// with -domain, where the key and its request are made once the
	// directory and the sub-CA have been checked.
	csrPEM string
	csr    *x509.CertificateRequest
	// usages are the extended key usages, words their -usage names.
	usages []x509.ExtKeyUsage
	words  []string
	// validity is the certificate's lifetime from now.
	validity time.Duration
	customID string
}

// request checks the flags, and -csr's request, and returns what they ask
// for, or what is wrong with them. Nothing is sent, locked or written.
func (f *pcaIssueFlags) request(fs *flag.FlagSet, now time.Time) (*pcaRequest, string) {
	switch {
	case f.ca == "" && !f.fake:
		return nil, "-ca is required: the identifier of the sub-CA that signs, as 'alicert pca list' shows it"
	case f.ca != "" && !printableWord(f.ca):
		return nil, fmt.Sprintf("-ca %s is not a CA identifier", quoteArg(f.ca))
	case len(f.domains) > 0 && f.csrFile != "":
		return nil, "-domain and -csr exclude each other: with -csr the names are the request's"
	case len(f.domains) == 0 && f.csrFile == "":
		return nil, "-domain or -csr is required: the names the certificate is for"
	case f.csrFile != "" && flagSet(fs, "key-type"):
		return nil, "-key-type sets the key alicert makes with -domain; with -csr the key is the request's"
	case !store.ValidKeyType(f.keyType):
		return nil, fmt.Sprintf("-key-type %s: want one of %s", quoteArg(f.keyType), strings.Join(store.KeyTypes, ", "))
	case strings.TrimSpace(f.out) == "":
		return nil, "-out must name a directory"
	case f.lockWait < 0:
		return nil, "-lock-wait must not be negative"
	case f.customID != "" && !printableWord(f.customID):
		return nil, fmt.Sprintf("-custom-id %s: use printable ASCII without spaces", quoteArg(f.customID))
	}
	req := &pcaRequest{customID: f.customID}
	if req.customID == "" {
		req.customID = newCustomID(now)
	}
	var msg string
	if req.validity, msg = f.validity(fs); msg != "" {
		return nil, msg
	}
	if req.usages, req.words, msg = parseUsage(f.usage); msg != "" {
		return nil, msg
	}
	if f.csrFile != "" {
		msg = req.readCSR(f.csrFile)
	} else {
		msg = req.setNames(f.domains)
	}
	if msg != "" {
		return nil, msg
	}
	return req, ""
}

// validity is -days', or -duration's, lifetime.
func (f *pcaIssueFlags) validity(fs *flag.FlagSet) (time.Duration, string) {
	if flagSet(fs, "duration") {
		d := time.Duration(f.duration)
		switch {
		case flagSet(fs, "days"):
			return 0, "-days and -duration exclude each other"
		case d <= 0:
			return 0, "-duration must be positive"
		case d < time.Second:
			return 0, fmt.Sprintf("-duration %s is under a second, the finest validity the service takes", d)
		}
		return d, ""
	}
	if f.days <= 0 || f.days > pcaMaxDays {
		return 0, fmt.Sprintf("-days %d: want a positive number of days, at most %d", f.days, pcaMaxDays)
	}
	return time.Duration(f.days) * day, ""
}

// parseUsage parses -usage: server, client, or both, comma-separated.
func parseUsage(s string) ([]x509.ExtKeyUsage, []string, string) {
	byWord := map[string]x509.ExtKeyUsage{"server": x509.ExtKeyUsageServerAuth, "client": x509.ExtKeyUsageClientAuth}
	var usages []x509.ExtKeyUsage
	var words []string
	for _, w := range splitList(strings.ToLower(s)) {
		u, ok := byWord[w]
		if !ok {
			return nil, nil, fmt.Sprintf("-usage %s: want server, client, or server,client", quoteArg(w))
		}
		if !slices.Contains(usages, u) {
			usages, words = append(usages, u), append(words, w)
		}
	}
	if len(usages) == 0 {
		return nil, nil, "-usage is empty: want server, client, or server,client"
	}
	return usages, words, ""
}

// setNames takes -domain's names: IP addresses, and DNS names (the first
// name is the common name).
func (r *pcaRequest) setNames(names []string) string {
	seen := map[string]bool{}
	for _, name := range names {
		if problem := pcaNameProblem(name); problem != "" {
			return "-domain " + quoteArg(name) + ": " + problem
		}
		key := strings.ToLower(name)
		if seen[key] {
			return "-domain " + quoteArg(name) + " is given twice"
		}
		seen[key] = true
		if ip := net.ParseIP(name); ip != nil {
			r.ips = append(r.ips, ip)
		} else {
			r.dns = append(r.dns, name)
		}
	}
	r.cn = names[0]
	return ""
}

// pcaNameProblem says what keeps name from being a name of a Private CA
// certificate, or "": an IP address, or a DNS name of letters, digits,
// hyphens and underscores in labels of 1 to 63, 253 characters at most,
// whose leftmost label may be a wildcard. Unlike a public CA's, one label
// (localhost) and internal domains are fine.
func pcaNameProblem(name string) string {
	if net.ParseIP(name) != nil {
		return ""
	}
	host := strings.TrimPrefix(name, "*.")
	switch {
	case name == "":
		return "is empty"
	case len(name) > 253:
		return fmt.Sprintf("is %d characters long; a DNS name has at most 253", len(name))
	case strings.HasSuffix(name, "."):
		return "ends with a dot; leave the trailing dot out"
	}
	for _, label := range strings.Split(host, ".") {
		switch {
		case label == "":
			return "has an empty label"
		case len(label) > 63:
			return "has a label longer than 63 characters"
		case strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-"):
			return "has a label that starts or ends with a hyphen"
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				if r == '*' {
					return "a wildcard must be the whole leftmost label, as in *.example.com"
				}
				if r > 0x7f {
					return "is not ASCII: give an internationalized name in its punycode (xn--) form"
				}
				return "is not a DNS name or an IP address (letters, digits, hyphens and dots only)"
			}
		}
	}
	return ""
}

// readCSR reads and checks -csr's request, and takes its names.
func (r *pcaRequest) readCSR(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Sprintf("-csr %s cannot be read: %v", path, errors.Unwrap(err))
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, pcaMaxCSRBytes+1))
	switch {
	case err != nil:
		return fmt.Sprintf("-csr %s cannot be read: %v", path, err)
	case len(b) > pcaMaxCSRBytes:
		return fmt.Sprintf("-csr %s is larger than %d KiB: not a certificate request", path, pcaMaxCSRBytes>>10)
	}
	csr, err := alicert.ParseCSR(string(b))
	if err != nil {
		return fmt.Sprintf("-csr %s: %s", path, strings.TrimPrefix(unprefixed(err.Error()), "ParseCSR: "))
	}
	if err := csr.CheckSignature(); err != nil {
		return fmt.Sprintf("-csr %s: its signature does not verify (%v)", path, err)
	}
	r.csrPEM, r.csr = string(b), csr
	r.dns, r.ips, r.cn = csr.DNSNames, csr.IPAddresses, csr.Subject.CommonName
	return ""
}

// printableWord reports printable ASCII without spaces, what an
// identifier typed on a command line is.
func printableWord(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return s != ""
}

// newCustomID is the custom identifier of an issue at now: the time, to
// find it in a list, and 32 random bits, so that two issues never share it.
func newCustomID(now time.Time) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return "alicert-" + now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b)
}

// names are the request's names, DNS names first, for messages.
func (r *pcaRequest) names() []string {
	names := slices.Clone(r.dns)
	for _, ip := range r.ips {
		names = append(names, ip.String())
	}
	if len(names) == 0 && r.cn != "" {
		names = append(names, r.cn)
	}
	return names
}

// covers reports whether the certificate asked for serves name, as
// alicert.CoversDomain judges a DNS name (a wildcard covers one label).
func (r *pcaRequest) covers(name string) bool {
	if ip := net.ParseIP(name); ip != nil {
		return slices.ContainsFunc(r.ips, ip.Equal)
	}
	return alicert.CoversDomain(&x509.Certificate{DNSNames: r.dns}, name) || strings.EqualFold(name, r.cn)
}

// pcaIssueLocked is pca issue, once it holds the output directory.
func (c *cli) pcaIssueLocked(ctx context.Context, fs *flag.FlagSet, f *pcaIssueFlags, req *pcaRequest) int {
	keyPEM, code, stop := c.pcaCheckOut(f, req)
	if stop {
		return code
	}
	cl, release, fk, err := c.pcaClient(ctx, f.common)
	if err != nil {
		return c.failf(exitUsage, "%v", err)
	}
	defer release()
	if f.ca == "" {
		if fk == nil || fk.subCA == "" {
			return c.usageError(fs, "-ca is required: the fake has no sub-CA to default to")
		}
		f.ca = fk.subCA
		if !f.quiet {
			c.errorf("-fake: issuing from the fake's sub-CA %s", f.ca)
		}
	}
	if code, stop := c.pcaCheckSubCA(ctx, fs, cl, f, req); stop {
		return code
	}
	csrPEM := req.csrPEM
	if csrPEM == "" {
		key, err := store.GenerateKey(f.keyType)
		if err == nil {
			csrPEM, err = pcaCSR(key, req.names())
		}
		if err == nil {
			keyPEM, err = store.EncodeKey(key)
		}
		if err != nil {
			return c.failf(exitFailure, "making a %s key and its request: %v; nothing was issued", f.keyType, err)
		}
	}
	if !f.quiet {
		c.errorf("issuing a certificate for %s from sub-CA %s, valid %s, for %s use: custom identifier %s",
			joinNames(req.names()), f.ca, formatDays(req.validity), strings.Join(req.words, " and "), req.customID)
	}
	signCtx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	out, err := cl.PCA.SignCSR(signCtx, &alicert.SignCSRInput{
		CAIdentifier: f.ca, CSR: csrPEM, Duration: req.validity, ExtKeyUsages: req.usages, CustomIdentifier: req.customID,
	})
	if code, stop := c.pcaSignFailed(fs, f, req, err); stop {
		return code
	}
	return c.pcaInstall(f, req, out, keyPEM)
}

// pcaCheckOut makes the checks of -out that decide, before anything is
// sent, whether the certificate can be written there; with -csr it
// returns the key.pem of -out to keep, when it is the request's key.
func (c *cli) pcaCheckOut(f *pcaIssueFlags, req *pcaRequest) (keyPEM []byte, code int, stop bool) {
	dir := f.out
	if err := store.ProbeWrite(dir, "-out "+dir); err != nil {
		return nil, c.failf(exitFailure, "%v; nothing was issued", err), true
	}
	inst := &store.Installer{Dir: dir}
	removed, err := inst.RemoveLeftovers()
	for _, name := range removed {
		if !f.quiet {
			c.errorf("removed %s, left behind by an interrupted run", filepath.Join(dir, name))
		}
	}
	if err != nil {
		return nil, c.failf(exitFailure, "removing the files an interrupted run left in %s: %v; nothing was issued", dir, err), true
	}
	if err := store.CheckTargets(dir, store.CAFile); err != nil {
		return nil, c.failf(exitFailure, "%v; nothing was issued", err), true
	}
	st, err := store.LoadState(dir)
	switch {
	case err != nil:
		return nil, c.failf(exitFailure, "%v; nothing was issued", err), true
	case st != nil:
		return nil, c.failf(exitFailure, "%s: obtain keeps an order or a deployment for %s in -out %s; nothing was issued: use another -out",
			filepath.Join(dir, store.StateFile), st.Domain, dir), true
	}
	if code, stop := c.pcaGuardExisting(f, req); stop {
		return nil, code, true
	}
	if req.csr == nil {
		return nil, 0, false
	}
	path := filepath.Join(dir, store.KeyFile)
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, 0, false
	case err != nil:
		return nil, c.failf(exitFailure, "reading %s: %v; nothing was issued", path, err), true
	case !keyHolds(b, req.csr.PublicKey):
		return nil, c.failf(exitFailure, "%s is not the key of -csr's request, and would no longer match cert.pem; nothing was issued: "+
			"use another -out, or move key.pem away", path), true
	}
	return b, 0, false
}

// pcaGuardExisting refuses, as obtain and get do, to replace a cert.pem
// that a real CA issued with -fake, or that serves a name the request does
// not, unless -replace-other-domain says to.
func (c *cli) pcaGuardExisting(f *pcaIssueFlags, req *pcaRequest) (code int, stop bool) {
	old, err := store.ExistingCert(f.out)
	switch {
	case err != nil:
		return c.failf(exitFailure, "%v; nothing was issued", err), true
	case old == nil:
		return 0, false
	case f.fake && !store.IssuedByTestCA(old):
		return c.failf(exitFailure, "%s holds a certificate for %s that a real CA issued; -fake never replaces it: use another -out",
			filepath.Join(f.out, store.CertFile), store.Names(old)), true
	case f.otherDomain:
		return 0, false
	}
	served := slices.Clone(old.DNSNames)
	for _, ip := range old.IPAddresses {
		served = append(served, ip.String())
	}
	if len(served) == 0 && old.Subject.CommonName != "" {
		served = append(served, old.Subject.CommonName)
	}
	for _, name := range served {
		if !req.covers(name) {
			return c.failf(exitUsage, "%s holds a certificate for %s, and this one (for %s) does not cover %s; nothing was issued: "+
				"use another -out, or add -replace-other-domain to replace it", filepath.Join(f.out, store.CertFile), store.Names(old),
				joinNames(req.names()), name), true
		}
	}
	return 0, false
}

// keyHolds reports whether keyPEM is a private key (PKCS #8, SEC 1 or
// PKCS #1) whose public half is pub.
func keyHolds(keyPEM []byte, pub crypto.PublicKey) bool {
	block, _ := pem.Decode(keyPEM)
	if block == nil {
		return false
	}
	var k any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		k, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		k, err = x509.ParseECPrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		k, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	default:
		return false
	}
	signer, ok := k.(crypto.Signer)
	if err != nil || !ok {
		return false
	}
	mine, ok := signer.Public().(interface{ Equal(crypto.PublicKey) bool })
	return ok && mine.Equal(pub)
}

// pcaCheckSubCA reads the sub-CA and refuses, before anything costs
// quota, one that cannot issue the certificate: a root ("Only subordinate
// CA certificates can issue server certificates", the models of the
// certificate creates), one not in use (status other than ISSUE), one with
// no quota left (CertRemainingCount), or one that ends before the
// certificate would ("This period cannot exceed the validity period of
// the instance", CreateCustomCertificate's Validity).
func (c *cli) pcaCheckSubCA(ctx context.Context, fs *flag.FlagSet, cl *alicert.Client, f *pcaIssueFlags, req *pcaRequest) (code int, stop bool) {
	lookup, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	d, err := cl.PCA.DescribeCACertificate(lookup, &alicert.DescribeCACertificateInput{Identifier: f.ca})
	if err != nil {
		return c.failf(exitFailure, "looking up sub-CA %s: %v; nothing was issued", f.ca, err), true
	}
	ca := d.Certificate
	end := ca.NotAfter()
	switch {
	case ca.CertificateType == "ROOT":
		return c.usageError(fs, "-ca %s is a root CA, and only a sub-CA issues certificates: give one of its sub-CAs (alicert pca list)", f.ca), true
	case ca.Status != "ISSUE":
		return c.failf(exitFailure, "sub-CA %s has status %s, not ISSUE: it issues nothing; nothing was issued", f.ca, ca.Status), true
	case ca.CertRemainingCount <= 0:
		return c.failf(exitFailure, "sub-CA %s has no certificate quota left (%d of %d issued): add quota in the console; nothing was issued",
			f.ca, ca.CertIssuedCount, ca.CertTotalCount), true
	case !end.IsZero() && c.now().Add(req.validity).After(end):
		return c.usageError(fs, "-days: the certificate would end after sub-CA %s, which ends %s; ask for at most %d days",
			f.ca, end.UTC().Format(time.RFC3339), max(0, int64(end.Sub(c.now())/day))), true
	}
	return 0, false
}

// pcaSignFailed reports a failed SignCSR, if err is one, and returns the
// exit code to stop with.
func (c *cli) pcaSignFailed(fs *flag.FlagSet, f *pcaIssueFlags, req *pcaRequest, err error) (code int, stop bool) {
	var invalid *alicert.ValidationError
	var issued *alicert.IssuedCertificateError
	switch {
	case err == nil:
		return 0, false
	case errors.As(err, &invalid):
		return c.validationUsage(fs, invalid, pcaFlagNames), true
	case errors.Is(err, alicert.ErrOutcomeUnknown):
		return c.failf(exitOutcomeUnknown, "%v; the certificate may have been issued, with custom identifier %s: look for it with "+
			"'alicert pca list -certs -custom-id %s' (or among the Private CA's certificates in the console) before issuing again, "+
			"and revoke it if it is there (alicert pca revoke -id IDENTIFIER -yes); nothing was written to %s",
			err, req.customID, req.customID, f.out), true
	case errors.As(err, &issued):
		return c.failf(exitFailure, "%v (alicert pca revoke -id %s -yes); nothing was written to %s", err, issued.Identifier, f.out), true
	}
	return c.failf(exitFailure, "%v; nothing was issued", err), true
}

// pcaInstall writes the certificate, its chain, its key (when there is
// one) and the root into -out as one version, and prints what it did.
func (c *cli) pcaInstall(f *pcaIssueFlags, req *pcaRequest, out *alicert.SignCSROutput, keyPEM []byte) int {
	files := []store.File{
		{Name: store.ChainFile, Data: []byte(out.ChainPEM), Perm: 0o644},
		{Name: store.FullchainFile, Data: []byte(out.FullChainPEM()), Perm: 0o644},
		{Name: store.CAFile, Data: []byte(out.CAPEM), Perm: 0o644},
		{Name: store.CertFile, Data: []byte(out.CertificatePEM), Perm: 0o644},
	}
	note := ""
	switch {
	case req.csr == nil:
		files = append([]store.File{{Name: store.KeyFile, Data: keyPEM, Perm: 0o600}}, files...)
	case keyPEM != nil:
		files = append([]store.File{{Name: store.KeyFile, Data: keyPEM, Perm: 0o600}}, files...)
		note = "key.pem kept: it is the key of -csr's request"
	default:
		note = "no key.pem written: the key stays with whoever made -csr's request"
	}
	inst := &store.Installer{Dir: f.out, Hook: c.installHook, CA: true, Keyless: keyPEM == nil}
	if err := inst.Install(files); err != nil {
		lost := ""
		if req.csr == nil {
			lost = ", and its key, made here, was never saved"
		}
		return c.failf(exitFailure, "certificate %s was issued but not written: %v; the files in %s are as they were%s: "+
			"revoke it (alicert pca revoke -id %s -yes) and issue again", out.Identifier, err, f.out, lost, out.Identifier)
	}
	return c.printIssued(f, req, out, files, note)
}

// pcaIssued is the JSON form of pca issue's result.
type pcaIssued struct {
	Identifier       string   `json:"identifier"`
	CustomIdentifier string   `json:"custom_identifier"`
	CA               string   `json:"ca"`
	CommonName       string   `json:"common_name"`
	Names            []string `json:"names"`
	Usages           []string `json:"usages"`
	SerialNumber     string   `json:"serial_number"`
	NotBefore        string   `json:"not_before"`
	NotAfter         string   `json:"not_after"`
	Dir              string   `json:"dir"`
	Files            []string `json:"files"`
	// KeyWritten is false with -csr: key.pem is then absent, or kept.
	KeyWritten bool   `json:"key_written"`
	Note       string `json:"note,omitempty"`
}

// printIssued prints what pca issue wrote.
func (c *cli) printIssued(f *pcaIssueFlags, req *pcaRequest, out *alicert.SignCSROutput, files []store.File, note string) int {
	leaf := out.Certificate
	res := pcaIssued{
		Identifier: out.Identifier, CustomIdentifier: req.customID, CA: f.ca, CommonName: leaf.Subject.CommonName,
		Names: certNames(leaf), Usages: req.words, SerialNumber: hex.EncodeToString(leaf.SerialNumber.Bytes()),
		NotBefore: jsonTime(leaf.NotBefore), NotAfter: jsonTime(leaf.NotAfter), Dir: f.out, KeyWritten: req.csr == nil, Note: note,
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
		_, err = fmt.Fprintf(c.stdout, "certificate %s for %s (%s) valid until %s written to %s, with its CA in %s\n",
			out.Identifier, joinNames(res.Names), strings.Join(req.words, ", "), leaf.NotAfter.UTC().Format(time.RFC3339), f.out, store.CAFile)
	}
	if err != nil {
		return c.failf(exitFailure, "%v", err)
	}
	return exitOK
}

// certNames are a certificate's DNS names and IP addresses.
func certNames(leaf *x509.Certificate) []string {
	names := slices.Clone(leaf.DNSNames)
	for _, ip := range leaf.IPAddresses {
		names = append(names, ip.String())
	}
	return names
}

// pcaCSR is a certificate request signed by key for names (IP addresses
// and DNS names), the first of them its common name.
func pcaCSR(key crypto.Signer, names []string) (string, error) {
	tmpl := &x509.CertificateRequest{Subject: pkix.Name{CommonName: names[0]}}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, tmpl, key)
	if err != nil {
		return "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})), nil
}

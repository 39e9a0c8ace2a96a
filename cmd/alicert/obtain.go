package main

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/cmd/alicert/internal/store"
)

// obtainFlags are obtain's flags.
type obtainFlags struct {
	common
	domain      string
	dns         string
	zone        string
	out         string
	product     string
	email       string
	username    string
	phone       string
	order       int64
	newOrder    bool
	poll        time.Duration
	renewWithin daysValue
	timeout     time.Duration
	lockWait    time.Duration
	quiet       bool
	keyType     string
	keySource   string
	kmsKey      string
	deploy      bool
	rollback    bool
}

// obtainFlagOf maps the fields of ObtainInput and
// CreateCertificateRequestInput to the flags that set them, so that a
// refused value is reported by its flag.
func obtainFlagOf() map[string]string {
	return map[string]string{
		"Domain": "domain", "ProductCode": "product", "Username": "username", "Phone": "phone", "Email": "email",
		"OrderID": "order", "PollInterval": "poll", "DNS": "dns", "ValidateType": "dns",
		"Csr": "domain", "Key": "key-type", "MaxWait": "timeout",
	}
}

func (c *cli) obtain(ctx context.Context, args []string) int {
	f := obtainFlags{renewWithin: daysValue(30 * day)}
	fs := c.newFlagSet("obtain", "obtain -domain example.com -username NAME -phone PHONE -email ADDRESS [-out dir] [flags]", obtainHelp)
	f.register(fs, "run against an in-process fake of the services, with a throwaway test CA. Its state file is marked fake: "+
		"a real run refuses it (and -fake refuses a real one); a real run replaces a certificate of the test CA, "+
		"and -fake never replaces a real certificate. Contact details default to placeholders")
	fs.StringVar(&f.domain, "domain", "", "the domain to certify, such as example.com or *.example.com (required)")
	fs.StringVar(&f.dns, "dns", "alidns", `where to publish the DNS validation record: "alidns" (Alibaba Cloud DNS)`)
	fs.StringVar(&f.zone, "dns-zone", "", "the Alibaba Cloud DNS domain holding the record (default: found from the name)")
	fs.StringVar(&f.out, "out", ".", "directory for cert.pem, chain.pem, fullchain.pem, key.pem and the state file")
	fs.StringVar(&f.keyType, "key-type", "ec256", "the key alicert makes for the certificate: "+strings.Join(store.KeyTypes, ", "))
	fs.StringVar(&f.keySource, "key-source", keySourceLocal, `who makes the key: "local" (alicert, here; the service never sees it) or "service"`)
	fs.StringVar(&f.kmsKey, "kms-key", "", "sign the certificate request with this KMS key (id or alias), which never leaves KMS: "+
		`no key.pem is written. With -fake, "fake" or an id the fake does not hold creates an EC P-256 key in the fake`)
	fs.BoolVar(&f.deploy, "deploy", false, "after a renewal, put the new certificate on every cloud resource (CDN, load balancers...) "+
		"that served the previous one, uploading it to Certificate Management Service first when needed")
	fs.BoolVar(&f.rollback, "rollback", false, "with -deploy: roll the resources that failed back to their previous certificate")
	fs.StringVar(&f.product, "product", "", "certificate product code, such as digicert-free-1-free (default: the service's)")
	fs.StringVar(&f.username, "username", c.getenv("ALICERT_USERNAME"), "applicant name (required; default $ALICERT_USERNAME)")
	fs.StringVar(&f.phone, "phone", c.getenv("ALICERT_PHONE"), "applicant phone number (required; default $ALICERT_PHONE)")
	fs.StringVar(&f.email, "email", c.getenv("ALICERT_EMAIL"), "applicant contact email (required; default $ALICERT_EMAIL)")
	fs.Int64Var(&f.order, "order", 0, "resume this existing order instead of creating one")
	fs.BoolVar(&f.newOrder, "new-order", false, "create a new order even though the state file says an earlier one may exist")
	fs.DurationVar(&f.poll, "poll", 0, "fixed time between state reads while waiting; 0 adapts: about 2s, 4s, 8s, 16s, then 30s (10ms with -fake unless set)")
	fs.Var(&f.renewWithin, "renew-within", `do nothing while cert.pem is valid for longer than this, in days ("30d") or as a duration ("720h"); 0 always orders`)
	fs.DurationVar(&f.timeout, "timeout", time.Hour, "give up waiting for validation and issuance after this long (a rerun resumes the order); "+
		"it bounds the look-ups before the order, and with -deploy the deployment's look-ups and job, each on its own; "+
		"it does not cut short the order request, the upload, nor the DNS record's removal")
	fs.DurationVar(&f.lockWait, "lock-wait", store.DefaultLockWait, "how long to wait for another alicert run on -out to finish before exiting 5")
	fs.BoolVar(&f.quiet, "q", false, "quiet: no progress; nothing at all when there is nothing to do (for cron)")
	if code, stop := c.parse(fs, args); stop {
		return code
	}
	switch {
	case strings.TrimSpace(f.domain) == "":
		return c.usageError(fs, "-domain is required")
	case f.dns != "alidns":
		return c.usageError(fs, "-dns %q: the only DNS provider is alidns", f.dns)
	case f.order < 0:
		return c.usageError(fs, "-order must be a positive order id")
	case f.order > 0 && f.newOrder:
		return c.usageError(fs, "-order and -new-order exclude each other")
	case f.poll < 0 || f.timeout <= 0 || f.lockWait < 0:
		return c.usageError(fs, "-timeout must be positive, -poll and -lock-wait not negative")
	}
	if msg := f.keyProblem(fs); msg != "" {
		return c.usageError(fs, "%s", msg)
	}
	if missing := f.missingContacts(); len(missing) > 0 {
		if !f.fake {
			// Checked before any credentials are looked up: the service
			// refuses an order without them.
			return c.usageError(fs, "a certificate order needs the applicant's contact details: set %s", strings.Join(missing, ", "))
		}
		f.fillPlaceholders()
	}
	if f.fake && !flagSet(fs, "poll") {
		f.poll = fakePollInterval
	}
	// The whole input is checked by the library's rules before anything
	// is made, locked or sent: a domain the order would refuse costs
	// nothing and leaves nothing on disk.
	var invalid *alicert.ValidationError
	if err := (&obtainRun{f: &f}).obtainInput(alicert.NewAlidnsProvider(nil)).Validate(); errors.As(err, &invalid) {
		return c.validationUsage(fs, invalid, obtainFlagOf())
	}
	if msg := zoneProblem(f.zone, f.domain); msg != "" {
		return c.usageError(fs, "%s", msg)
	}
	return c.runObtain(ctx, fs, &f)
}

// zoneProblem says what is wrong with -dns-zone, or "": it is checked by
// the library's domain rules (those of ObtainInput.Domain), is no
// wildcard, and holds domain's validation record. Without the check a
// zone the provider refuses would fail only once the order exists.
func zoneProblem(zone, domain string) string {
	if zone == "" {
		return ""
	}
	var invalid *alicert.ValidationError
	err := (&alicert.ObtainInput{Domain: zone, ValidateType: alicert.ValidateDNS, DNS: alicert.NewAlidnsProvider(nil)}).Validate()
	if errors.As(err, &invalid) {
		for _, fe := range invalid.Fields {
			if fe.Field == "Domain" {
				return "-dns-zone: " + fe.Problem
			}
		}
	}
	if strings.HasPrefix(zone, "*.") {
		return fmt.Sprintf("-dns-zone %q is a wildcard; give the domain hosted in Alibaba Cloud DNS, like example.com", zone)
	}
	name := strings.ToLower(strings.TrimPrefix(domain, "*."))
	if z := strings.ToLower(zone); name != z && !strings.HasSuffix(name, "."+z) {
		return fmt.Sprintf("-dns-zone %s does not hold %s: the validation record goes under -domain, in its zone", zone, domain)
	}
	return ""
}

// keyProblem says what is wrong with the key and deployment flags, or "".
func (f *obtainFlags) keyProblem(fs *flag.FlagSet) string {
	switch {
	case !store.ValidKeyType(f.keyType):
		return fmt.Sprintf("-key-type %q: want one of %s", f.keyType, strings.Join(store.KeyTypes, ", "))
	case f.keySource != keySourceLocal && f.keySource != keySourceService:
		return fmt.Sprintf("-key-source %q: want %q or %q", f.keySource, keySourceLocal, keySourceService)
	case f.kmsKey != "" && flagSet(fs, "key-source"):
		return "-kms-key and -key-source exclude each other: the key is the KMS key"
	case flagSet(fs, "key-type") && (f.kmsKey != "" || f.keySource == keySourceService):
		return "-key-type sets the key alicert makes; it excludes -kms-key and -key-source service"
	case f.kmsKey != "" && strings.TrimSpace(f.kmsKey) != f.kmsKey:
		return fmt.Sprintf("-kms-key %q: a key id or alias has no spaces around it", f.kmsKey)
	case f.deploy && f.kmsKey != "":
		return "-deploy and -kms-key exclude each other: cloud resources need the certificate's key, which stays in KMS"
	case f.rollback && !f.deploy:
		return "-rollback needs -deploy"
	}
	return ""
}

// missingContacts lists the contact flags without a value.
func (f *obtainFlags) missingContacts() []string {
	var missing []string
	for _, fl := range []struct{ name, env, v string }{
		{"username", "ALICERT_USERNAME", f.username}, {"phone", "ALICERT_PHONE", f.phone}, {"email", "ALICERT_EMAIL", f.email},
	} {
		if strings.TrimSpace(fl.v) == "" {
			missing = append(missing, "-"+fl.name+" (or $"+fl.env+")")
		}
	}
	return missing
}

// fillPlaceholders gives a -fake run the contact details it lacks.
func (f *obtainFlags) fillPlaceholders() {
	for _, fl := range []struct {
		v           *string
		placeholder string
	}{{&f.username, fakeUsername}, {&f.phone, fakePhone}, {&f.email, fakeEmail}} {
		if strings.TrimSpace(*fl.v) == "" {
			*fl.v = fl.placeholder
		}
	}
}

// obtainHelp is obtain's description in -h.
const obtainHelp = `Orders a DV certificate for -domain, publishes the DNS validation record in
Alibaba Cloud DNS, waits for issuance, removes the record, and writes
cert.pem, chain.pem, fullchain.pem and key.pem (mode 0600) into -out. The
four files are links into .alicert/live, a link to the version in use
(.alicert/1, .alicert/2, ...), which one rename switches: cert.pem,
fullchain.pem and key.pem always load as a matching pair, the old one or
the new one. Plain files from earlier runs are moved into that layout.

It does nothing while cert.pem and key.pem load as a pair for -domain and
cert.pem is valid for longer than -renew-within; a missing or unmatched
key.pem is reported and a new certificate obtained. It never replaces a
certificate that expires later: the new one then goes to the *.new.pem
files. Before ordering it checks that -out and its files can be written
and that Alibaba Cloud DNS hosts the domain's zone.

The applicant's contact details are required for a new order: -username,
-phone and -email, or ALICERT_USERNAME, ALICERT_PHONE and ALICERT_EMAIL.

The key: by default alicert makes it here (-key-type, ec256 by default) and
orders with a certificate request signed by it, so the service never sees
the private key. The key is written to alicert-order-<time>.key.pem in -out
(mode 0600, synced) before the order is sent, the state file names it, and
a resumed order finishes with it; it becomes key.pem with the certificate.
-key-source service lets the service make the key instead, as alicert did
before. -kms-key KEY_ID signs the request with a KMS key, which never leaves
KMS: no key.pem is written, and cert.pem counts as working when it holds
that key's public key. A Go server then serves it with
  signer, _ := alicert.NewKMSSigner(ctx, client, KEY_ID, "")
  cert, _ := signer.TLSCertificate(chainPEM) // fullchain.pem's content
With -fake, -kms-key "fake", or any id the fake does not hold (a fresh fake
holds none), creates an EC P-256 key in the fake and uses it.

-deploy: after a renewal, the new certificate goes wherever the previous one
was. When Certificate Management Service does not hold it with its key yet
(a key made here or in KMS), it is uploaded as alicert-<domain>-<serial>,
looked up by that name first so that it is never uploaded twice; then one
deployment job puts it on every cloud resource serving the previous
certificate (whose id the state file keeps from the last -deploy), or, the
first time, on every resource bound to -domain. Each step is recorded in
the state file as it is done (the certificate id, the resources and the job
name, the job id), and a rerun with -deploy carries on from there: it
neither uploads nor deploys twice; the job's name lets a rerun find it.
Resources that fail are named, exit 1; -rollback puts their previous
certificate back first, and a rerun tries them again. -fake -deploy runs
against a fake account with a CDN domain and a load balancer listener for
-domain serving an old certificate. -deploy and -kms-key exclude each other:
cloud resources need the key.

One run at a time holds -out (a lock on .alicert.lock there): another run
waits up to -lock-wait, then exits 5 without doing anything.

alicert-state.json in -out records the order as soon as it exists, and a
rerun resumes it instead of ordering again. When the result of the order
request is unknown (exit 3), an order may exist: find it in the console and
rerun with -order ID, or rerun with -new-order to order again anyway (it may
cost a second certificate). An order that failed verification, or that the
service does not know, also needs -new-order. A damaged state file is
refused: remove it (noting the order it names) and rerun.

-timeout bounds the wait for validation and issuance, and, each on its
own, the look-ups before the order (the KMS key, the DNS zone) and with
-deploy the deployment (its look-ups and its job). The order request and the upload
run to their end, so that a timeout never leaves their outcome unknown; a
job cut short is found by its name on the rerun. -dns-zone is checked by
the library's domain rules before anything is done.

Credentials come from the Alibaba Cloud default chain: ALIBABA_CLOUD_ACCESS_KEY_ID
and ALIBABA_CLOUD_ACCESS_KEY_SECRET, the CLI profile, the ECS RAM role, ...

Exit codes: 0 done, or nothing to do; 1 failure (a rerun resumes the order
in the state file, or the deployment), or the certificate was kept aside in
*.new.pem, or some resources did not take it (named on stderr); 2 usage;
3 outcome unknown (an order, an upload or a deployment job may exist; a
rerun with -deploy settles the last two by their names); 4 certificate
written but the DNS record not removed; 5 another run holds -out (nothing
was done).
`

// flagSet reports whether the flag was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	found := false
	fs.Visit(func(fl *flag.Flag) { found = found || fl.Name == name })
	return found
}

// obtainRun is one run of obtain.
type obtainRun struct {
	c  *cli
	fs *flag.FlagSet
	f  *obtainFlags
	// info receives progress: stderr, or nothing with -q.
	info io.Writer
	// lifetimeWarned is set once -renew-within was found too long.
	lifetimeWarned bool

	// cl is the client, once made (see client), and release frees it.
	cl      *alicert.Client
	release func()
	// kms is the signer of -kms-key: cert.pem works when it holds its key.
	kms *alicert.KMSSigner
	// key is the key the order is placed with (nil: the service's), and
	// keyPEM the PEM of a key alicert made, for key.pem.
	key    crypto.Signer
	keyPEM []byte
}

// client returns the run's client, made on first use. A -fake run with
// -deploy gets a fake account with a contact, and a CDN domain and a load
// balancer listener serving an old certificate for the domain.
func (r *obtainRun) client() (*alicert.Client, error) {
	if r.cl != nil {
		return r.cl, nil
	}
	c := r.c
	client := c.client
	if r.f.fake && r.f.deploy && c.fake == nil {
		client = func(g common) (*alicert.Client, func(), error) { return c.fakeDeployClient(g, r.f.domain) }
	}
	cl, release, err := client(r.f.common)
	if err != nil {
		return nil, err
	}
	r.cl, r.release = cl, release
	return cl, nil
}

func (c *cli) runObtain(ctx context.Context, fs *flag.FlagSet, f *obtainFlags) int {
	r := &obtainRun{c: c, fs: fs, f: f, info: c.stderr}
	if f.quiet {
		r.info = io.Discard
	}
	dir := f.out
	if err := store.PrepareOut(dir); err != nil {
		return c.failf(exitFailure, "%v; nothing was ordered", err)
	}
	unlock, err := store.LockDir(ctx, dir, f.lockWait)
	switch {
	case errors.Is(err, store.ErrLocked):
		return c.failf(exitLocked, "%v: another run is using -out %s; nothing was done", err, dir)
	case err != nil:
		return c.failf(exitFailure, "locking -out %s: %v; nothing was ordered", dir, err)
	}
	defer unlock()
	defer func() {
		if r.release != nil {
			r.release()
		}
	}()
	return r.locked(ctx)
}

// locked is the run, once it holds the output directory.
func (r *obtainRun) locked(ctx context.Context) int {
	c, f, dir := r.c, r.f, r.f.out
	// -timeout bounds the look-ups before the order (the KMS key, the
	// DNS zone); the order and its waiting go by Obtain's MaxWait, and a
	// deployment has a -timeout of its own (see rollout).
	lookups, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	if err := store.ProbeWrite(dir, "-out "+dir); err != nil {
		return c.failf(exitFailure, "%v; nothing was ordered", err)
	}
	inst := &store.Installer{Dir: dir, Hook: c.installHook}
	removed, err := inst.RemoveLeftovers()
	for _, name := range removed {
		fmt.Fprintf(r.info, "alicert: removed %s, left behind by an interrupted run\n", filepath.Join(dir, name))
	}
	if err != nil {
		return c.failf(exitFailure, "removing the files an interrupted run left in %s: %v; nothing was ordered", dir, err)
	}
	if err := store.CheckTargets(dir); err != nil {
		return c.failf(exitFailure, "%v; nothing was ordered", err)
	}
	st, err := store.LoadState(dir)
	if err != nil {
		return c.failf(exitFailure, "%v", err)
	}
	switch {
	case st != nil && !strings.EqualFold(st.Domain, f.domain):
		return c.failf(exitUsage, "%s holds the state of an order for %s, not %s; use another -out directory",
			filepath.Join(dir, store.StateFile), st.Domain, f.domain)
	case st != nil && st.Fake && !f.fake:
		return c.failf(exitUsage, "%s holds the state of a -fake run, whose order exists only in that run's fake; "+
			"delete it or use another -out directory", filepath.Join(dir, store.StateFile))
	case st != nil && !st.Fake && f.fake:
		return c.failf(exitUsage, "%s holds the state of a real run, which -fake cannot resume; use another -out directory",
			filepath.Join(dir, store.StateFile))
	}
	store.RemoveStrayOrderKeys(dir, st)
	// installing says the state file records an issued certificate that a
	// run stopped before making live: it is installed now, whatever
	// -renew-within says, since it was bought to replace cert.pem.
	installing := false
	if st != nil && st.Rollout != nil {
		switch {
		case st.OrderID > 0 && !rolloutLive(dir, st.Rollout):
			// Stopped before the switch: the order is resumed, its
			// certificate installed, and the deployment recorded again.
			fmt.Fprintf(r.info, "alicert: order %d was issued but its certificate is not in %s yet: installing it\n",
				st.OrderID, store.CertFile)
			st.Rollout, installing = nil, true
		case f.deploy:
			return r.resumeRollout(ctx, st)
		default:
			fmt.Fprintf(r.info, "alicert: %s records an unfinished deployment of the certificate in %s; rerun with -deploy to finish it\n",
				filepath.Join(dir, store.StateFile), store.CertFile)
		}
	}
	if f.kmsKey != "" {
		// Made before the renewal check: cert.pem works only when it holds
		// the KMS key's public key.
		cl, err := r.client()
		if err != nil {
			return c.failf(exitUsage, "%v", err)
		}
		if r.kms, err = r.kmsSigner(ctx, lookups, cl, f.kmsKey, ""); err != nil {
			return c.failf(exitFailure, "-kms-key %s: %v; nothing was ordered", f.kmsKey, err)
		}
	}
	existing, code, stop := r.checkExisting(dir)
	if stop {
		return code
	}

	orderID, from := f.order, "(-order)"
	switch {
	case orderID > 0:
	case st != nil && st.OrderID > 0 && !f.newOrder:
		orderID, from = st.OrderID, "from "+filepath.Join(dir, store.StateFile)
	case st.Pending() && !f.newOrder:
		return c.failf(exitOutcomeUnknown, "%s", unknownOutcomeAdvice(dir, st))
	}
	// Checked on every path, resuming included: while cert.pem is valid
	// for longer than -renew-within there is nothing to renew, and an
	// order in the state file can wait there.
	renewWithin := time.Duration(f.renewWithin)
	if !installing && existing != nil && renewWithin > 0 && existing.NotAfter.Sub(c.now()) > renewWithin {
		if !f.quiet {
			fmt.Fprintf(c.stdout, "%s is valid until %s, more than -renew-within %s away: nothing to do",
				filepath.Join(dir, store.CertFile), existing.NotAfter.UTC().Format(time.RFC3339), formatDays(renewWithin))
			if orderID > 0 {
				fmt.Fprintf(c.stdout, " (order %d not resumed; -renew-within 0 resumes it now)", orderID)
			}
			fmt.Fprintln(c.stdout)
		}
		return exitOK
	}
	if orderID > 0 {
		fmt.Fprintf(r.info, "alicert: resuming order %d %s\n", orderID, from)
	}

	cl, err := r.client()
	if err != nil {
		return c.failf(exitUsage, "%v", err)
	}

	dns := alicert.NewAlidnsProvider(cl)
	dns.Zone = f.zone
	newState := &store.State{Domain: f.domain, OrderID: orderID, Fake: f.fake}
	if st != nil {
		newState.CertID = st.CertID // what the next deployment replaces
	}
	if orderID == 0 {
		if err := checkZone(lookups, cl, f.domain, f.zone); err != nil {
			return c.failf(exitFailure, "%v; nothing was ordered", err)
		}
		if code, stop := r.prepareOrder(st, newState); stop {
			return code
		}
	} else {
		if code, stop := r.resumeKey(lookups, cl, st, newState); stop {
			return code
		}
		newState.Note = "order in progress; a rerun resumes it"
		if err := store.SaveState(dir, newState); err != nil {
			return c.failf(exitFailure, "writing the state file: %v", err)
		}
	}

	// -timeout is Obtain's MaxWait: it bounds the waiting only, so that it
	// never cuts the order request short and leaves its outcome unknown.
	p := &progress{w: r.info, dir: dir, state: newState, keyNote: r.keyNote(newState), crashPoint: c.crashPoint}
	in := r.obtainInput(dns)
	in.OrderID, in.Progress, in.Key = newState.OrderID, p.event, r.key
	out, err := cl.CAS.Obtain(ctx, in)
	c.crashPoint("obtained")
	if orderID == 0 && newState.OrderID == 0 {
		// No order exists, or the outcome of its request is unknown.
		return r.notOrdered(newState, err)
	}
	if out == nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		return c.failf(exitFailure, "order %d: gave up waiting for validation and issuance after -timeout %s; the order goes on: "+
			"rerun to resume order %d (recorded in %s)", newState.OrderID, f.timeout, newState.OrderID, filepath.Join(dir, store.StateFile))
	}
	return r.finish(ctx, inst, st, from, newState, out, err)
}

// obtainInput is Obtain's input for the flags, without the order id, the
// key and the progress of a run: what the flags are checked against before
// anything is done (with an Alidns provider of no client, which checking
// does not call).
func (r *obtainRun) obtainInput(dns *alicert.AlidnsProvider) *alicert.ObtainInput {
	f := r.f
	return &alicert.ObtainInput{
		Domain: f.domain, ProductCode: f.product, Email: f.email, Username: f.username, Phone: f.phone,
		ValidateType: alicert.ValidateDNS, OrderID: f.order, PollInterval: f.poll, MaxWait: f.timeout, DNS: dns,
	}
}

// prepareOrder readies a new order: it picks its key and records in the
// state file, before Obtain sends the request, the key and that the
// request is about to go out. prev is the state file as the run found it.
// It returns the exit code to stop with when no order can be placed.
func (r *obtainRun) prepareOrder(prev, st *store.State) (code int, stop bool) {
	c, dir := r.c, r.f.out
	if code, stop := r.newKey(st); stop {
		return code, true
	}
	// Recorded before the request goes out: if this process dies before
	// the answer arrives, the rerun knows an order may exist, and has its
	// key.
	st.CreateSentAt = c.now().UTC()
	st.Note = "the order request was sent; if order_id is missing its outcome is unknown: " +
		"find the order in the console and rerun with -order ID"
	if err := store.SaveState(dir, st); err != nil {
		store.RemoveOrderKey(dir, st.KeyFile)
		return c.failf(exitFailure, "writing the state file (nothing was ordered): %v", err), true
	}
	if prev != nil && prev.KeyFile != st.KeyFile {
		store.RemoveOrderKey(dir, prev.KeyFile) // the key of an order given up
	}
	return 0, false
}

// notOrdered picks the exit code when Obtain created no order: err says
// why, and whether the request may have reached the service. A refused or
// unsent request leaves nothing to resume, and the state file and key go.
func (r *obtainRun) notOrdered(st *store.State, err error) int {
	c, dir := r.c, r.f.out
	var invalid *alicert.ValidationError
	switch {
	case errors.Is(err, alicert.ErrOutcomeUnknown):
		c.errorf("%v", err)
		return c.failf(exitOutcomeUnknown, "%s", unknownOutcomeAdvice(dir, st))
	case err == nil:
		err = errors.New("the order request reported no order")
	}
	_ = store.RemoveState(dir)
	store.RemoveOrderKey(dir, st.KeyFile)
	if errors.As(err, &invalid) {
		// A flag value the library refused before sending anything.
		return c.validationUsage(r.fs, invalid, obtainFlagOf())
	}
	return c.failf(exitFailure, "%v", err)
}

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
	if why := r.keepReason(dir, leaf); why != "" {
		return c.keptAside(dir, st, out, key, why)
	}
	inst.Keyless = key == nil
	if f.deploy {
		// Recorded before the switch: a run stopped between the switch
		// and the deployment's first step finds it here, and carries on.
		if code, stop := r.recordRollout(st, out); stop {
			return code
		}
	}
	if werr := inst.Install(files); werr != nil {
		return c.failf(exitFailure, "order %d is issued but writing the files failed: %v; the files in %s are as they were; "+
			"rerun to write them", out.OrderID, werr, dir)
	}
	fmt.Fprintf(c.stdout, "certificate for %s (order %d) valid until %s written to %s\n",
		f.domain, out.OrderID, leaf.NotAfter.UTC().Format(time.RFC3339), dir)
	if r.kms != nil {
		printKMSUsage(c.stdout, dir, r.kms)
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
	case old == nil, !f.fake && store.IssuedByTestCA(old):
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

// unknownOrder reports whether err is DescribeCertificateState refusing the
// order id itself (InvalidParameter for an id it does not know, say): a 4xx
// other than throttling and other than the credential and signature
// failures, which say nothing about the order.
func unknownOrder(err error) bool {
	var e *alicert.APIError
	if !errors.As(err, &e) || e.Operation != "DescribeCertificateState" || e.Throttled() {
		return false
	}
	if e.StatusCode < 400 || e.StatusCode > 499 || e.StatusCode == 401 || e.StatusCode == 403 {
		return false
	}
	for _, auth := range []string{"InvalidAccessKeyId", "SignatureDoesNotMatch", "SignatureNonceUsed", "IncompleteSignature",
		"InvalidTimeStamp", "InvalidSecurityToken", "MissingSecurityToken", "Forbidden", "NoPermission"} {
		if strings.HasPrefix(e.Code, auth) {
			return false
		}
	}
	return true
}

// checkExisting reads dir's cert.pem before anything is ordered. It returns
// the certificate the run must weigh (nil when there is none, when a real
// run finds one the test CA of a -fake run issued, which it replaces, or
// when it does not load as a pair with key.pem), or the exit code to stop
// with.
func (r *obtainRun) checkExisting(dir string) (leaf *x509.Certificate, code int, stop bool) {
	c, f := r.c, r.f
	path := filepath.Join(dir, store.CertFile)
	leaf, err := store.ExistingCert(dir)
	switch {
	case err != nil:
		return nil, c.failf(exitFailure, "%v\nalicert: nothing was ordered; move %s away (or fix it) and rerun", err, path), true
	case leaf == nil:
		return nil, 0, false
	case !f.fake && store.IssuedByTestCA(leaf):
		fmt.Fprintf(c.stderr, "alicert: %s was issued by the test CA of a -fake run; it will be replaced\n", path)
		return nil, 0, false
	case f.fake && !store.IssuedByTestCA(leaf):
		return nil, c.failf(exitUsage, "%s holds a certificate the fake's test CA did not issue, and -fake never replaces a real certificate; "+
			"use another -out directory", path), true
	case !alicert.CoversDomain(leaf, f.domain):
		return nil, c.failf(exitUsage, "%s holds a certificate for %s, not %s; use another -out directory",
			path, store.Names(leaf), f.domain), true
	}
	if problem := r.pairProblem(dir); problem != "" {
		// Not a working certificate, however long it is valid: a server
		// cannot load it.
		c.errorf("%s: %s; obtaining a new certificate", dir, problem)
		return nil, 0, false
	}
	r.warnLifetime(leaf)
	return leaf, 0, false
}

// unknownOutcomeAdvice tells the user how to settle a create of unknown
// outcome.
func unknownOutcomeAdvice(dir string, st *store.State) string {
	return fmt.Sprintf("a certificate order for %s may have been created at %s, but its outcome is unknown "+
		"(recorded in %s).\nFind it in the Certificate Management Service console (certificate orders for %s created at that time) "+
		"and rerun with -order ID to finish it, or rerun with -new-order to order again anyway (it may cost a second certificate)",
		st.Domain, st.CreateSentAt.Format(time.RFC3339), filepath.Join(dir, store.StateFile), st.Domain)
}

// progress prints Obtain's steps and records the order id in the state
// file as soon as it is known.
type progress struct {
	w     io.Writer
	dir   string
	state *store.State
	last  alicert.CertificateState
	// keyNote says which key a new order holds (see obtainRun.keyNote).
	keyNote string
	// crashPoint is cli.crashPoint.
	crashPoint func(step string)
}

func (p *progress) event(e alicert.ObtainEvent) {
	w := p.w
	switch e.Stage {
	case alicert.StageOrdered:
		p.state.OrderID = e.OrderID
		p.state.Note = "order in progress; a rerun resumes it"
		if err := store.SaveState(p.dir, p.state); err != nil {
			fmt.Fprintf(w, "alicert: WARNING: could not record order %d in the state file (%v); after a failure, rerun with -order %d\n",
				e.OrderID, err, e.OrderID)
		}
		fmt.Fprintf(w, "alicert: ordering a certificate for %s: order %d created%s\n", p.state.Domain, e.OrderID, p.keyNote)
		p.crashPoint("ordered")
	case alicert.StageResuming:
		p.state.OrderID = e.OrderID
	case alicert.StagePresenting:
		fmt.Fprintf(w, "alicert: adding DNS record %s\n", shown(fmt.Sprint(e.Record)))
	case alicert.StagePresented:
		fmt.Fprintf(w, "alicert: DNS record in place; waiting for the CA\n")
	case alicert.StageWaiting:
		if e.State != p.last {
			fmt.Fprintf(w, "alicert: order %d: %s\n", e.OrderID, shown(string(e.State)))
			p.last = e.State
		}
	case alicert.StageIssued:
		fmt.Fprintf(w, "alicert: order %d issued\n", e.OrderID)
	case alicert.StageCleaningUp:
		fmt.Fprintf(w, "alicert: removing DNS record %s\n", shown(fmt.Sprint(e.Record)))
	case alicert.StageCleanedUp:
		if e.Err != nil {
			// The error itself is printed once Obtain returns.
			fmt.Fprintf(w, "alicert: could not remove the DNS record\n")
		}
	}
}

// checkZone makes sure the account hosts, in Alibaba Cloud DNS, a zone that
// can hold domain's validation record (zone itself when set): the zone
// lookup of AlidnsProvider, done before ordering. An input the library
// refuses is left to the order, which reports it by field.
func checkZone(ctx context.Context, cl *alicert.Client, domain, zone string) error {
	d := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(domain), "."))
	d = strings.TrimPrefix(d, "*.")
	name := "_dnsauth." + d
	cands := []string{strings.ToLower(strings.TrimSuffix(strings.TrimSpace(zone), "."))}
	if cands[0] == "" {
		cands = nil
		labels := strings.Split(d, ".")
		for i := 0; i <= len(labels)-2; i++ {
			cands = append(cands, strings.Join(labels[i:], "."))
		}
	}
	for _, cand := range cands {
		_, err := cl.DNS.DescribeSubDomainRecords(ctx, &alicert.DescribeSubDomainRecordsInput{
			SubDomain: name, DomainName: cand, Type: "TXT", PageSize: 1,
		})
		var ve *alicert.ValidationError
		switch {
		case err == nil, errors.As(err, &ve):
			return nil
		case alicert.IsDNSZoneNotFound(err):
			continue
		}
		return fmt.Errorf("checking that Alibaba Cloud DNS hosts the zone of %s: %w", domain, err)
	}
	if len(cands) == 0 {
		return nil
	}
	if zone != "" {
		return fmt.Errorf("-dns-zone %s is not hosted in this account's Alibaba Cloud DNS", zone)
	}
	return fmt.Errorf("no zone holding %s is hosted in this account's Alibaba Cloud DNS (looked for %s); "+
		"add the zone there, or name it with -dns-zone", domain, strings.Join(cands, ", "))
}

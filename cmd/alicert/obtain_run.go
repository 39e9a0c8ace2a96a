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
	// hookCode is the exit code of a failed -deploy-hook: the run goes on
	// (the certificate stays installed), and ends with it.
	hookCode int
	// result is what -json prints once the run ends.
	result obtainResult
}

// obtainResult is obtain's -json output: what the run did.
type obtainResult struct {
	Domain string `json:"domain"`
	Dir    string `json:"dir"`
	// Outcome is "written" (a new certificate is in place), "not_due"
	// (nothing to do), "kept_aside" (written to the *.new.pem files),
	// "done" (an earlier run's deployment finished) or "failed".
	Outcome    string        `json:"outcome"`
	OrderID    int64         `json:"order_id,omitempty"`
	CertID     int64         `json:"cert_id,omitempty"`
	NotAfter   string        `json:"not_after,omitempty"`
	Deployment *deployResult `json:"deployment,omitempty"`
	ExitCode   int           `json:"exit_code"`
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
	switch {
	case r.f.fake && c.fake == nil && r.f.validationHook != "":
		client = func(g common) (*alicert.Client, func(), error) { return c.fakeHookClient(g, r.f) }
	case r.f.fake && r.f.deploy && c.fake == nil:
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
	if !f.json {
		return c.obtainRun(ctx, fs, f, nil)
	}
	// With -json the lines of the result give way to one JSON object.
	quiet := *c
	quiet.stdout = io.Discard
	var res obtainResult
	code := quiet.obtainRun(ctx, fs, f, &res)
	res.Domain, res.Dir, res.ExitCode = f.domain, f.out, code
	switch {
	case res.Outcome != "":
	case code == exitOK:
		res.Outcome = "done"
	default:
		res.Outcome = "failed"
	}
	if err := writeJSON(c.stdout, res); err != nil {
		return c.failf(exitFailure, "%v", err)
	}
	return code
}

// obtainRun runs obtain; res, when set, receives what -json prints.
func (c *cli) obtainRun(ctx context.Context, fs *flag.FlagSet, f *obtainFlags, res *obtainResult) int {
	r := &obtainRun{c: c, fs: fs, f: f, info: c.stderr}
	if res != nil {
		defer func() { *res = r.result }()
	}
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
	if code := r.locked(ctx); code != exitOK {
		return code
	}
	return r.hookCode
}

// locked is the run, once it holds the output directory.
func (r *obtainRun) locked(ctx context.Context) int {
	c, f := r.c, r.f
	// -timeout bounds the look-ups before the order (the KMS key, the
	// DNS zone); the order and its waiting go by Obtain's MaxWait, and a
	// deployment has a -timeout of its own (see rollout).
	lookups, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	inst, code, stop := r.readyDir()
	if stop {
		return code
	}
	st, code, stop := r.readState()
	if stop {
		return code
	}
	st, hookInstalling := r.owedHook(ctx, st)
	installing, code, stop := r.unfinishedRollout(ctx, st)
	if stop {
		return code
	}
	installing = installing || hookInstalling
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
	existing, code, stop := r.checkExisting(f.out)
	if stop {
		return code
	}
	orderID, from := f.order, "(-order)"
	switch {
	case orderID > 0:
	case st != nil && st.OrderID > 0 && !f.newOrder:
		orderID, from = st.OrderID, "from "+filepath.Join(f.out, store.StateFile)
	case st.Pending() && !f.newOrder:
		return c.failf(exitOutcomeUnknown, "%s", unknownOutcomeAdvice(f.out, st))
	}
	if !installing && r.notDue(existing, orderID) {
		return exitOK
	}
	if orderID > 0 {
		fmt.Fprintf(r.info, "alicert: resuming order %d %s\n", orderID, from)
	}
	return r.order(ctx, lookups, inst, st, orderID, from)
}

// readyDir checks that the run can write the output directory, and
// removes what an interrupted run left there. It returns the directory's
// installer, or the exit code to stop with.
func (r *obtainRun) readyDir() (inst *store.Installer, code int, stop bool) {
	c, dir := r.c, r.f.out
	if err := store.ProbeWrite(dir, "-out "+dir); err != nil {
		return nil, c.failf(exitFailure, "%v; nothing was ordered", err), true
	}
	inst = &store.Installer{Dir: dir, Hook: c.installHook}
	removed, err := inst.RemoveLeftovers()
	for _, name := range removed {
		fmt.Fprintf(r.info, "alicert: removed %s, left behind by an interrupted run\n", filepath.Join(dir, name))
	}
	if err != nil {
		return nil, c.failf(exitFailure, "removing the files an interrupted run left in %s: %v; nothing was ordered", dir, err), true
	}
	if err := store.CheckTargets(dir); err != nil {
		return nil, c.failf(exitFailure, "%v; nothing was ordered", err), true
	}
	return inst, 0, false
}

// readState reads the state file (nil when there is none), refusing one of
// another domain or of the other kind of run (-fake or real), and removes
// the key files of orders it does not name.
func (r *obtainRun) readState() (st *store.State, code int, stop bool) {
	c, f, dir := r.c, r.f, r.f.out
	st, err := store.LoadState(dir)
	if err != nil {
		return nil, c.failf(exitFailure, "%v", err), true
	}
	switch {
	case st != nil && !strings.EqualFold(st.Domain, f.domain):
		return nil, c.failf(exitUsage, "%s holds the state of an order for %s, not %s; use another -out directory",
			filepath.Join(dir, store.StateFile), st.Domain, f.domain), true
	case st != nil && st.Fake && !f.fake:
		return nil, c.failf(exitUsage, "%s holds the state of a -fake run, whose order exists only in that run's fake; "+
			"delete it or use another -out directory", filepath.Join(dir, store.StateFile)), true
	case st != nil && !st.Fake && f.fake:
		return nil, c.failf(exitUsage, "%s holds the state of a real run, which -fake cannot resume; use another -out directory",
			filepath.Join(dir, store.StateFile)), true
	}
	store.RemoveStrayOrderKeys(dir, st)
	return st, 0, false
}

// unfinishedRollout handles a deployment the state file st records. With
// -deploy, one whose certificate is live is carried on (stop, with its
// exit code). installing says the state file records an issued
// certificate that a run stopped before making live: it is installed now,
// whatever -renew-within says, since it was bought to replace cert.pem.
func (r *obtainRun) unfinishedRollout(ctx context.Context, st *store.State) (installing bool, code int, stop bool) {
	dir := r.f.out
	if st == nil || st.Rollout == nil {
		return false, 0, false
	}
	switch {
	case st.OrderID > 0 && !rolloutLive(dir, st.Rollout):
		// Stopped before the switch: the order is resumed, its
		// certificate installed, and the deployment recorded again.
		fmt.Fprintf(r.info, "alicert: order %d was issued but its certificate is not in %s yet: installing it\n",
			st.OrderID, store.CertFile)
		st.Rollout = nil
		return true, 0, false
	case r.f.deploy:
		return false, r.resumeRollout(ctx, st), true
	}
	fmt.Fprintf(r.info, "alicert: %s records an unfinished deployment of the certificate in %s; rerun with -deploy to finish it\n",
		filepath.Join(dir, store.StateFile), store.CertFile)
	return false, 0, false
}

// notDue reports, saying so unless -q, that the existing certificate is
// valid for longer than -renew-within: there is nothing to renew, and an
// order in the state file (orderID) can wait. It is checked on every
// path, resuming included.
func (r *obtainRun) notDue(existing *x509.Certificate, orderID int64) bool {
	c, f := r.c, r.f
	renewWithin := time.Duration(f.renewWithin)
	if existing == nil || renewWithin <= 0 || existing.NotAfter.Sub(c.now()) <= renewWithin {
		return false
	}
	r.result.Outcome, r.result.NotAfter = "not_due", jsonTime(existing.NotAfter)
	if !f.quiet {
		fmt.Fprintf(c.stdout, "%s is valid until %s, more than -renew-within %s away: nothing to do",
			filepath.Join(f.out, store.CertFile), existing.NotAfter.UTC().Format(time.RFC3339), formatDays(renewWithin))
		if orderID > 0 {
			fmt.Fprintf(c.stdout, " (order %d not resumed; -renew-within 0 resumes it now)", orderID)
		}
		fmt.Fprintln(c.stdout)
	}
	return true
}

// order places a new order (orderID 0) or resumes orderID, waits for it
// through Obtain, and finishes the run. prev is the state file as the run
// found it, and from says where orderID came from.
func (r *obtainRun) order(ctx, lookups context.Context, inst *store.Installer, prev *store.State, orderID int64, from string) int {
	c, f, dir := r.c, r.f, r.f.out
	cl, err := r.client()
	if err != nil {
		return c.failf(exitUsage, "%v", err)
	}
	newState := &store.State{Domain: f.domain, OrderID: orderID, Fake: f.fake}
	if prev != nil {
		newState.CertID = prev.CertID // what the next deployment replaces
	}
	if orderID == 0 {
		if err := r.checkZone(lookups, cl); err != nil {
			return c.failf(exitFailure, "%v; nothing was ordered", err)
		}
		if code, stop := r.prepareOrder(prev, newState); stop {
			return code
		}
	} else {
		if code, stop := r.resumeKey(lookups, cl, prev, newState); stop {
			return code
		}
		newState.Note = "order in progress; a rerun resumes it"
		if err := store.SaveState(dir, newState); err != nil {
			return c.failf(exitFailure, "writing the state file: %v", err)
		}
	}

	// -timeout is Obtain's MaxWait: it bounds the waiting only, so that it
	// never cuts the order request short and leaves its outcome unknown.
	p := &progress{w: r.info, dir: dir, state: newState, keyNote: r.keyNote(newState), crashPoint: c.crashPoint, now: c.now}
	in := r.obtainInput(cl)
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
	return r.finish(ctx, inst, prev, from, newState, out, err)
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
	case !f.fake && !c.localEndpoint(f.common) && store.IssuedByTestCA(leaf):
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
	// now is cli.now; since is the first state read of the wait, and
	// lastLine when the last line about it was printed.
	now             func() time.Time
	since, lastLine time.Time
}

// waitProgressEvery is the longest a wait goes without a line of progress,
// so that a cron log or a terminal shows the run is alive: each state
// read (every 30s at most, unless -poll says otherwise) checks it.
const waitProgressEvery = time.Minute

// stillWaiting reports whether a wait that started at since, last
// reported at lastLine, is due a line at now.
func stillWaiting(since, lastLine, now time.Time) bool {
	return !since.IsZero() && now.Sub(lastLine) >= waitProgressEvery
}

// readClock reads now, or the system clock when there is none.
func readClock(now func() time.Time) time.Time {
	if now == nil {
		return time.Now()
	}
	return now()
}

// elapsed formats the time a wait has taken, to the second.
func elapsed(since, now time.Time) string { return now.Sub(since).Round(time.Second).String() }

// deployClock adds the time a deployment has taken to its progress lines:
// each read of the job (every -poll, 30s by default) is a line, and once
// the wait passes a minute the line says how long it has been.
type deployClock struct {
	now   func() time.Time
	since time.Time
}

// line is e's message, with the time elapsed on a late read of the job.
func (d *deployClock) line(e alicert.DeployEvent) string {
	now := readClock(d.now)
	if d.since.IsZero() {
		d.since = now
	}
	if e.Status != "" && now.Sub(d.since) >= waitProgressEvery {
		return e.Message + ", " + elapsed(d.since, now) + " elapsed"
	}
	return e.Message
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
		fmt.Fprintf(w, "alicert: adding %s\n", challengeText(e))
	case alicert.StagePresented:
		fmt.Fprintf(w, "alicert: %s in place; waiting for the CA\n", challengeKind(e))
	case alicert.StageWaiting:
		now := readClock(p.now)
		switch {
		case e.State != p.last:
			fmt.Fprintf(w, "alicert: order %d: %s\n", e.OrderID, shown(string(e.State)))
			p.last, p.lastLine = e.State, now
			if p.since.IsZero() {
				p.since = now
			}
		case stillWaiting(p.since, p.lastLine, now):
			fmt.Fprintf(w, "alicert: order %d: still %s, %s elapsed\n", e.OrderID, shown(string(e.State)), elapsed(p.since, now))
			p.lastLine = now
		}
	case alicert.StageIssued:
		fmt.Fprintf(w, "alicert: order %d issued\n", e.OrderID)
	case alicert.StageCleaningUp:
		fmt.Fprintf(w, "alicert: removing %s\n", challengeText(e))
	case alicert.StageCleanedUp:
		if e.Err != nil {
			// The error itself is printed once Obtain returns.
			fmt.Fprintf(w, "alicert: could not remove the %s\n", challengeKind(e))
		}
	}
}

// checkZone checks the zone of the validation record (see checkZone),
// unless -validation-hook publishes the validation: its DNS host is not
// one alicert can read.
func (r *obtainRun) checkZone(ctx context.Context, cl *alicert.Client) error {
	if r.f.validationHook != "" {
		return nil
	}
	return checkZone(ctx, cl, r.f.domain, r.f.zone)
}

// challengeKind names what an event's challenge is: "DNS record" or
// "file".
func challengeKind(e alicert.ObtainEvent) string {
	if e.File != nil {
		return "file"
	}
	return "DNS record"
}

// challengeText is the event's challenge, for a progress line: "DNS record
// <zone-file form>" or "file <URL the CA fetches>".
func challengeText(e alicert.ObtainEvent) string {
	if e.File != nil {
		return "file " + shown("http://"+e.File.Domain+e.File.Path)
	}
	return "DNS record " + shown(fmt.Sprint(e.Record))
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

package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/cmd/alicert/internal/store"
)

// obtain -deploy puts a renewed certificate wherever the previous one was,
// in steps the state file records one by one, so that a rerun after a
// crash carries on from the last step done and neither uploads nor
// deploys twice:
//
//  1. the certificate's id in Certificate Management Service: the order's
//     own certificate when the service made the key (it holds the key
//     already), otherwise an upload of cert and key under a name made from
//     the domain and the serial number, looked up before uploading;
//  2. the resources to deploy to, found once and then fixed (while the job
//     runs, fewer of them serve the previous certificate), with the job's
//     name;
//  3. Deploy, which finds a job of that name before making one; the job id
//     is recorded as soon as it is known.
//
// Once deployed, the state file keeps the certificate's id: the next
// renewal replaces it wherever it is served.

// uploadName is the name a certificate is uploaded under: made from the
// domain and the serial number, so that a rerun looks up the same name. It
// follows the model's rule for UploadUserCertificate's Name ("up to 63
// characters long and can contain letters, digits, and underscores (_)"):
// every other character of the domain becomes '_', and a name that would
// be longer is hashed.
func uploadName(domain, serial string) string {
	d := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(domain), "."))
	d = strings.Replace(d, "*.", "wildcard.", 1)
	name := nameSafe("alicert_" + d + "_" + serial)
	if len(name) > maxUploadNameLen {
		sum := sha256.Sum256([]byte(d + "_" + serial))
		name = "alicert_" + hex.EncodeToString(sum[:])[:maxUploadNameLen-len("alicert_")]
	}
	return name
}

// maxUploadNameLen is the longest name UploadUserCertificate takes.
const maxUploadNameLen = 63

// nameSafe replaces every character but ASCII letters, digits and '_' by
// '_'.
func nameSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_' {
			return r
		}
		return '_'
	}, s)
}

// recordRollout records in the order's state st, before the certificate
// of out goes live, that it is to be deployed: a rerun after a crash at any
// later point finds the deployment (see rolloutLive). It returns the exit
// code to stop with when the state file cannot be written; nothing was
// installed then.
func (r *obtainRun) recordRollout(st *store.State, out *alicert.ObtainOutput) (code int, stop bool) {
	serial := out.Leaf().SerialNumber.Text(16)
	st.Rollout = &store.Rollout{Serial: serial, OrderID: out.OrderID, ServiceKey: r.key == nil, UploadName: uploadName(st.Domain, serial)}
	st.Note = "order issued and being installed, then deployed; a rerun with -deploy carries on"
	r.c.crashPoint("record rollout")
	if err := store.SaveState(r.f.out, st); err != nil {
		return r.c.failf(exitFailure, "order %d is issued, but its deployment could not be recorded (%v); %s is as it was: "+
			"rerun to install and deploy it", out.OrderID, err, store.CertFile), true
	}
	return 0, false
}

// startRollout runs the deployment of the certificate just installed,
// recorded in the order's state st by recordRollout. code is the exit code
// so far.
func (r *obtainRun) startRollout(ctx context.Context, st *store.State, out *alicert.ObtainOutput, code int) int {
	r.c.crashPoint("installed")
	next := rolloutState(st)
	r.save(next)
	store.RemoveOrderKey(r.f.out, st.KeyFile) // installed as key.pem
	r.payHook(ctx, next)
	if rc := r.rollout(ctx, next); rc != exitOK {
		return rc
	}
	return code
}

// rolloutState is the state file of a deployment alone, once its
// certificate is live: the order and its key are done with.
func rolloutState(st *store.State) *store.State {
	next := &store.State{Domain: st.Domain, Fake: st.Fake, CertID: st.CertID, Rollout: st.Rollout, DeployHook: st.DeployHook}
	next.Note = "the certificate in cert.pem is being deployed; a rerun with -deploy carries on from the last step recorded here"
	return next
}

// rolloutLive reports whether dir's cert.pem is the certificate ro
// deploys: whether the switch to it happened.
func rolloutLive(dir string, ro *store.Rollout) bool {
	leaf, err := store.ExistingCert(dir)
	return err == nil && leaf != nil && leaf.SerialNumber.Text(16) == ro.Serial
}

// resumeRollout carries on with the deployment the state file records.
func (r *obtainRun) resumeRollout(ctx context.Context, st *store.State) int {
	fmt.Fprintf(r.info, "alicert: carrying on with the deployment of the certificate in %s recorded in %s\n",
		filepath.Join(r.f.out, store.CertFile), filepath.Join(r.f.out, store.StateFile))
	if st.OrderID > 0 || st.KeyFile != "" {
		// Stopped right after the switch: the order is done with.
		next := rolloutState(st)
		r.save(next)
		store.RemoveOrderKey(r.f.out, st.KeyFile)
		st = next
	}
	return r.rollout(ctx, st)
}

// rollout takes the steps of st.Rollout not taken yet.
func (r *obtainRun) rollout(ctx context.Context, st *store.State) int {
	c, dir := r.c, r.f.out
	ro := st.Rollout
	leaf, err := store.ExistingCert(dir)
	if err != nil || leaf == nil || leaf.SerialNumber.Text(16) != ro.Serial {
		return c.failf(exitFailure, "%s no longer holds the certificate %s records a deployment of (serial %s); "+
			"remove %s and deploy by hand with alicert deploy", filepath.Join(dir, store.CertFile), store.StateFile, ro.Serial, filepath.Join(dir, store.StateFile))
	}
	cl, err := r.client()
	if err != nil {
		return c.failf(exitUsage, "%v", err)
	}
	// -timeout bounds the deployment's look-ups and its job: a service
	// that never answers a listing cannot keep a cron run going. The
	// upload alone runs under ctx (see certID).
	lookups, cancel := context.WithTimeout(ctx, r.f.timeout)
	defer cancel()
	if ro.CertID == 0 {
		if code, stop := r.certID(ctx, lookups, cl, st); stop {
			return code
		}
	}
	if ro.JobName == "" {
		if code, stop := r.resources(lookups, cl, st); stop {
			return code
		}
	}
	return r.deployRollout(ctx, lookups, cl, st)
}

// save writes st, reporting a failure; a rerun then repeats the step,
// which each step makes safe.
func (r *obtainRun) save(st *store.State) {
	if err := store.SaveState(r.f.out, st); err != nil {
		r.c.errorf("WARNING: could not update the state file (%v); a rerun repeats the last step safely", err)
	}
}

// certID finds the certificate's id in Certificate Management Service,
// uploading it when it is not there yet, and records it. The look-ups run
// under lookups (bounded by -timeout); the upload, a create that may reach
// the service, under ctx alone, so that a timeout never cuts it short and
// leaves its outcome unknown.
func (r *obtainRun) certID(ctx, lookups context.Context, cl *alicert.Client, st *store.State) (code int, stop bool) {
	c, dir, ro := r.c, r.f.out, st.Rollout
	if ro.ServiceKey && ro.OrderID > 0 {
		// The order's certificate is in the account with the key the
		// service made: nothing to upload.
		s, err := cl.CAS.DescribeCertificateState(lookups, &alicert.DescribeCertificateStateInput{OrderID: ro.OrderID})
		if err != nil {
			return c.failf(exitFailure, "reading order %d for its certificate id: %v; rerun with -deploy to carry on", ro.OrderID, err), true
		}
		if id, perr := strconv.ParseInt(s.CertID, 10, 64); perr == nil && id > 0 {
			ro.CertID = id
			r.save(st)
			r.c.crashPoint("cert id")
			fmt.Fprintf(r.info, "alicert: order %d's certificate is %d in Certificate Management Service\n", ro.OrderID, id)
			return 0, false
		}
		if ro.UploadName == "" {
			ro.UploadName = uploadName(st.Domain, ro.Serial)
		}
	}
	found, err := cl.CAS.FindUploadedCertificate(lookups, ro.UploadName)
	if err != nil {
		return c.failf(exitFailure, "looking for an earlier upload named %s: %v; rerun with -deploy to carry on", ro.UploadName, err), true
	}
	if found != nil {
		ro.CertID = found.CertificateID
		r.save(st)
		r.c.crashPoint("cert id")
		fmt.Fprintf(r.info, "alicert: found the certificate uploaded earlier as %s: %d\n", ro.UploadName, ro.CertID)
		return 0, false
	}
	cert, kerr := os.ReadFile(filepath.Join(dir, store.FullchainFile))
	key, err := os.ReadFile(filepath.Join(dir, store.KeyFile))
	if err = errors.Join(kerr, err); err != nil {
		return c.failf(exitFailure, "reading the certificate to upload: %v", err), true
	}
	up, err := cl.CAS.UploadUserCertificate(ctx, &alicert.UploadUserCertificateInput{Name: ro.UploadName, Cert: string(cert), Key: string(key)})
	if errors.Is(err, alicert.ErrOutcomeUnknown) {
		// The name is unique in the account: it tells whether the upload
		// happened.
		if found, ferr := cl.CAS.FindUploadedCertificate(lookups, ro.UploadName); ferr == nil && found != nil {
			ro.CertID = found.CertificateID
			r.save(st)
			fmt.Fprintf(r.info, "alicert: the upload's outcome was unknown; found it by its name %s: %d\n", ro.UploadName, ro.CertID)
			return 0, false
		}
		c.errorf("%v", err)
		return c.failf(exitOutcomeUnknown, "the certificate may have been uploaded as %s; rerun with -deploy: it looks the name up before uploading",
			ro.UploadName), true
	}
	if err != nil {
		return c.failf(exitFailure, "uploading the certificate as %s: %v; rerun with -deploy to carry on", ro.UploadName, err), true
	}
	ro.CertID = up.CertID
	r.save(st)
	r.c.crashPoint("cert id")
	fmt.Fprintf(r.info, "alicert: uploaded the certificate to Certificate Management Service as %s: %d\n", ro.UploadName, up.CertID)
	return 0, false
}

// resources finds the resources to deploy to and names the job, once:
// those serving the previous certificate (st.CertID), or on the first
// deployment, those bound to the domain. With none, the deployment is
// done.
func (r *obtainRun) resources(ctx context.Context, cl *alicert.Client, st *store.State) (code int, stop bool) {
	c, ro := r.c, st.Rollout
	var found []alicert.CloudResource
	var err error
	what := fmt.Sprintf("certificate %d", st.CertID)
	if st.CertID > 0 {
		found, err = cl.CAS.CloudResourcesServing(ctx, st.CertID)
	} else {
		what = "a certificate for " + st.Domain
		found, err = cl.CAS.CloudResourcesForDomain(ctx, strings.TrimSuffix(strings.TrimSpace(st.Domain), "."))
	}
	if err != nil {
		return c.failf(exitFailure, "finding the cloud resources serving %s: %v; rerun with -deploy to carry on", what, err), true
	}
	var ids []int64
	for _, res := range found {
		if res.CertID != ro.CertID {
			ids = append(ids, res.ID)
		}
	}
	if len(ids) == 0 {
		r.rolledOut(st)
		fmt.Fprintf(r.info, "alicert: no cloud resource serves %s: nothing to deploy\n", what)
		return exitOK, true
	}
	ro.Resources = ids
	if st.CertID > 0 {
		ro.JobName = fmt.Sprintf("alicert-%d-replace-%d", ro.CertID, st.CertID)
	} else {
		ro.JobName = alicert.DeployJobName(ro.CertID, ids)
	}
	r.save(st)
	r.c.crashPoint("resources")
	fmt.Fprintf(r.info, "alicert: deploying certificate %d to %d cloud resources serving %s\n", ro.CertID, len(ids), what)
	return 0, false
}

// deployRollout runs the job and records its outcome. Deploy runs under
// ctx with the time lookups has left as its MaxWait, which bounds every
// step but the job's creation: a timeout never cuts the creation short.
func (r *obtainRun) deployRollout(ctx, lookups context.Context, cl *alicert.Client, st *store.State) int {
	c, f, ro := r.c, r.f, st.Rollout
	maxWait, err := remaining(lookups)
	if err != nil {
		return c.failf(exitFailure, "%v\nalicert: rerun with -deploy to carry on with job %s", err, ro.JobName)
	}
	in := &alicert.DeployInput{CertID: ro.CertID, ResourceIDs: ro.Resources, Name: ro.JobName, RollbackFailed: f.rollback,
		PollInterval: f.poll, MaxWait: maxWait}
	clock := &deployClock{now: c.now}
	in.Progress = func(e alicert.DeployEvent) {
		if e.JobID > 0 && ro.JobID != e.JobID {
			ro.JobID = e.JobID
			r.save(st)
			r.c.crashPoint("job")
		}
		fmt.Fprintf(r.info, "alicert: %s\n", shown(clock.line(e)))
	}
	out, err := cl.CAS.Deploy(ctx, in)
	switch {
	case errors.Is(err, alicert.ErrOutcomeUnknown):
		return c.failf(exitOutcomeUnknown, "%v\nalicert: rerun with -deploy: it looks for job %s before making one", err, ro.JobName)
	case out == nil && err != nil:
		return c.failf(exitFailure, "%v\nalicert: rerun with -deploy to carry on with job %s", err, ro.JobName)
	}
	doc := deployDoc(out)
	r.result.Deployment = &doc
	if perr := printDeploy(c.stdout, out, false); perr != nil {
		return c.failf(exitFailure, "%v", perr)
	}
	if err != nil {
		// The deployment stays recorded: a rerun with -deploy tries the
		// same resources again, with a new job.
		return c.failf(exitFailure, "%v\nalicert: rerun with -deploy to try again", err)
	}
	r.c.crashPoint("deployed")
	r.rolledOut(st)
	r.result.CertID = ro.CertID
	fmt.Fprintf(c.stdout, "certificate %d deployed to %d cloud resources (job %d)\n", ro.CertID, len(out.Workers), out.JobID)
	return exitOK
}

// rolledOut records that the certificate in cert.pem is deployed: the
// state file keeps its id for the next renewal to replace.
func (r *obtainRun) rolledOut(st *store.State) {
	st.CertID, st.Rollout = st.Rollout.CertID, nil
	st.Note = "cert_id is the certificate deployed by the last run; the next renewal with -deploy replaces it wherever it is served"
	r.save(st)
}

package alicert

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ErrDeploymentFailed matches the error of Deploy when at least one
// resource did not take the certificate: the job ended in JobError, or one
// of its workers is not in JobSuccess although the job reports JobSuccess.
var ErrDeploymentFailed = errors.New("deployment failed")

// DeployEvent is what Deploy tells its Progress callback: each step it
// takes, and each state of the job it reads.
type DeployEvent struct {
	// JobID is the job, once there is one (zero before).
	JobID int64
	// Status is the job's status when the event is a read of it; empty for
	// the other steps.
	Status DeploymentJobStatus
	// Message says what happened, in one line, for a log or a terminal.
	Message string
}

// DeployInput is the input of Deploy.
type DeployInput struct {
	// CertID is the certificate to deploy, as Certificate Management
	// Service knows it.
	CertID int64
	// ResourceIDs are the resources to put it on (CloudResource.ID);
	// CloudResourcesServing finds those serving an older certificate.
	ResourceIDs []int64
	// ContactIDs are the contacts the job notifies; empty means the
	// account's first contact (ListContact), which a progress event names.
	ContactIDs []int64
	// Name names the job. Empty means a name made from CertID and
	// ResourceIDs, "alicert-<cert>-<hash>", so that a rerun of the same
	// deployment finds the same job (see Deploy).
	Name string
	// PollInterval is the time between two reads of the job (zero or less:
	// 30s); the first read is at once.
	PollInterval time.Duration
	// Progress, when set, is called with every step and every state read,
	// synchronously, on the caller's goroutine.
	Progress func(DeployEvent)
	// RollbackFailed rolls back the workers of the resources that failed
	// when the job ends in JobError, and waits until each rollback ends,
	// so that those resources serve their previous certificate again.
	RollbackFailed bool
	// MaxWait, when positive, bounds everything Deploy does except
	// creating the job: the look-ups, the start, the waiting and a
	// rollback, counted from the call. The creation (CreateDeploymentJob,
	// a create, never repeated once it may have reached the service) runs
	// under ctx alone, so that the limit cannot leave its outcome unknown.
	// Past MaxWait, Deploy returns an error matching
	// context.DeadlineExceeded, and a rerun with the same Name carries on
	// with the job. Zero means no limit but ctx's.
	MaxWait time.Duration
}

func (in *DeployInput) validate() []FieldError {
	var p problems
	p.positiveID("CertID", in.CertID)
	if in.MaxWait < 0 {
		p.add("MaxWait", "must not be negative")
	}
	checkIDs(&p, "ResourceIDs", in.ResourceIDs, true)
	checkIDs(&p, "ContactIDs", in.ContactIDs, false)
	if in.Name != "" {
		checkJobName(&p, in.Name)
	}
	return p
}

// Validate checks in the way Deploy does before it sends anything, and
// returns a *ValidationError naming every bad field, or nil.
func (in *DeployInput) Validate() error {
	if in == nil {
		in = &DeployInput{}
	}
	if problems := in.validate(); len(problems) > 0 {
		return &ValidationError{Operation: "Deploy", Fields: problems}
	}
	return nil
}

// DeployOutput is the result of Deploy.
type DeployOutput struct {
	// JobID is the job that ran.
	JobID int64
	// Name is the job's name, by which FindDeploymentJob finds it.
	Name string
	// Status is the job's final status: JobSuccess or JobError.
	Status DeploymentJobStatus
	// Workers are the job's workers, one per resource, with the outcome of
	// each (and of its rollback, with RollbackFailed).
	Workers []WorkerResource
}

// DeployJobName is the name Deploy gives a job without DeployInput.Name:
// the certificate and a hash of the sorted resource ids, so that the same
// deployment always gets the same name.
func DeployJobName(certID int64, resourceIDs []int64) string {
	ids := slices.Clone(resourceIDs)
	slices.Sort(ids)
	h := sha256.New()
	for _, id := range ids {
		h.Write([]byte(strconv.FormatInt(id, 10) + ","))
	}
	return fmt.Sprintf("alicert-%d-%s", certID, hex.EncodeToString(h.Sum(nil))[:12])
}

// Deploy puts a certificate on cloud resources with one deployment job and
// waits for the outcome: it creates the job, starts it (JobPending), polls
// DescribeDeploymentJob until the job is JobSuccess or JobError, and
// returns the job's workers. A job that ends in JobError is returned with
// an error that matches ErrDeploymentFailed and names each resource that
// failed; with RollbackFailed those are rolled back first.
//
// Deploy can be run again after a crash or an unknown outcome without
// making a second job. It first looks for the newest job of the same name
// (FindDeploymentJob): one still in JobEditing is started, one pending,
// scheduling or processing is waited for, and one that succeeded is
// reported as it is; only without such a job (or after one that ended in
// JobError, to try again) is a job created. When the outcome of the create
// is unknown, Deploy looks for the job by its name again and carries on
// with it if it exists.
//
// Waiting ends with ctx; a later Deploy with the same input picks the job
// up where it is.
func (s *CASService) Deploy(ctx context.Context, in *DeployInput) (*DeployOutput, error) {
	if in == nil {
		in = &DeployInput{}
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if c := s.owner(); c == nil || c.cfg == nil {
		return nil, noClient(opCreateDeploymentJob)
	}
	d := &deployRun{s: s, in: in, name: in.Name}
	if d.name == "" {
		d.name = DeployJobName(in.CertID, in.ResourceIDs)
	}
	return d.run(ctx)
}

// deployRun is one run of Deploy.
type deployRun struct {
	s    *CASService
	in   *DeployInput
	name string
}

func (d *deployRun) event(jobID int64, status DeploymentJobStatus, format string, args ...any) {
	if d.in.Progress != nil {
		d.in.Progress(DeployEvent{JobID: jobID, Status: status, Message: fmt.Sprintf(format, args...)})
	}
}

// run deploys: create, the one step that may cost a second job if
// repeated, runs under ctx; every other step under bounded, which MaxWait
// limits.
func (d *deployRun) run(ctx context.Context) (*DeployOutput, error) {
	bounded := ctx
	if d.in.MaxWait > 0 {
		var cancel context.CancelFunc
		bounded, cancel = context.WithTimeout(ctx, d.in.MaxWait)
		defer cancel()
	}
	out, err := d.steps(ctx, bounded)
	if err != nil && ctx.Err() == nil && errors.Is(bounded.Err(), context.DeadlineExceeded) && !errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("%w (%w after MaxWait %s)", err, context.DeadlineExceeded, d.in.MaxWait)
	}
	return out, err
}

// steps runs the deployment; see run.
func (d *deployRun) steps(ctx, bounded context.Context) (*DeployOutput, error) {
	job, err := d.s.FindDeploymentJob(bounded, d.name)
	if err != nil {
		return nil, errorf("alicert: Deploy: looking for an earlier job named %q: %w", d.name, err)
	}
	var jobID int64
	status := JobEditing
	if job != nil && DeploymentJobStatus(job.Status) != JobError {
		jobID, status = job.ID, DeploymentJobStatus(job.Status)
		d.event(jobID, status, "found job %d (%s) in status %s: carrying on with it", jobID, d.name, status)
	} else {
		if jobID, err = d.create(ctx, bounded); err != nil {
			return nil, err
		}
	}
	if status == JobEditing {
		if err := d.start(bounded, jobID); err != nil {
			return nil, err
		}
	}
	final, err := d.wait(bounded, jobID)
	if err != nil {
		return nil, err
	}
	return d.finish(bounded, jobID, DeploymentJobStatus(final.Status))
}

// start sets the job to JobPending. A failed start may have taken effect
// all the same: an attempt that acted and lost its answer is repeated, and
// the repeat is refused or throttled, or meets a job the service has moved
// on already. So after a failure the job is read, and one that has left
// JobEditing is carried on with.
func (d *deployRun) start(ctx context.Context, jobID int64) error {
	_, err := d.s.UpdateDeploymentJobStatus(ctx, &UpdateDeploymentJobStatusInput{JobID: jobID, Status: JobPending})
	if err == nil {
		d.event(jobID, "", "started job %d", jobID)
		return nil
	}
	job, rerr := d.s.DescribeDeploymentJob(ctx, &DescribeDeploymentJobInput{JobID: jobID})
	if rerr != nil || DeploymentJobStatus(job.Status) == JobEditing {
		return errorf("alicert: Deploy: starting job %d (%s): %w", jobID, d.name, err)
	}
	d.event(jobID, DeploymentJobStatus(job.Status), "starting job %d failed (%v), but it started all the same: it is %s", jobID, err, job.Status)
	return nil
}

// create makes the job, after resolving the contacts. An unknown outcome
// is settled by looking for the job by its name. The creation alone runs
// under ctx; the look-ups under bounded.
func (d *deployRun) create(ctx, bounded context.Context) (int64, error) {
	contacts := d.in.ContactIDs
	if len(contacts) == 0 {
		c, err := d.firstContact(bounded)
		if err != nil {
			return 0, err
		}
		contacts = []int64{c.ContactID}
		d.event(0, "", "no ContactIDs given: notifying the account's first contact, %d (%s)", c.ContactID, c.Name)
	}
	out, err := d.s.CreateDeploymentJob(ctx, &CreateDeploymentJobInput{
		Name: d.name, JobType: JobTypeUser, CertIDs: []int64{d.in.CertID},
		ResourceIDs: d.in.ResourceIDs, ContactIDs: contacts,
	})
	if errors.Is(err, ErrOutcomeUnknown) {
		job, ferr := d.s.FindDeploymentJob(bounded, d.name)
		if ferr != nil || job == nil || DeploymentJobStatus(job.Status) == JobError {
			// Not found (or not looked for): the job most likely does not
			// exist, but the unknown outcome stands; a rerun looks again.
			return 0, errorf("alicert: Deploy: %w", err)
		}
		d.event(job.ID, "", "the create's outcome was unknown; found job %d (%s) by its name", job.ID, d.name)
		return job.ID, nil
	}
	if err != nil {
		return 0, errorf("alicert: Deploy: %w", err)
	}
	d.event(out.JobID, JobEditing, "created job %d (%s)", out.JobID, d.name)
	return out.JobID, nil
}

// firstContact returns the account's first contact.
func (d *deployRun) firstContact(ctx context.Context) (*Contact, error) {
	out, err := d.s.ListContact(ctx, &ListContactInput{CurrentPage: 1, ShowSize: 1})
	if err != nil {
		return nil, errorf("alicert: Deploy: finding a contact to notify: %w", err)
	}
	if len(out.ContactList) == 0 {
		return nil, errors.New("alicert: Deploy: the account has no contact to notify; " +
			"add one in the Certificate Management Service console or pass ContactIDs")
	}
	return &out.ContactList[0], nil
}

// wait polls the job until it is final.
func (d *deployRun) wait(ctx context.Context, jobID int64) (*DescribeDeploymentJobOutput, error) {
	w := waiter[DescribeDeploymentJobOutput]{
		interval: d.in.PollInterval,
		progress: func(o *DescribeDeploymentJobOutput) {
			d.event(jobID, DeploymentJobStatus(o.Status), "job %d: %s", jobID, o.Status)
		},
	}
	read := func(ctx context.Context) (*DescribeDeploymentJobOutput, error) {
		return d.s.DescribeDeploymentJob(ctx, &DescribeDeploymentJobInput{JobID: jobID})
	}
	done := func(o *DescribeDeploymentJobOutput) (bool, error) {
		return DeploymentJobStatus(o.Status).final(), nil
	}
	waiting := func(o *DescribeDeploymentJobOutput) string {
		return fmt.Sprintf("alicert: Deploy: waiting for job %d (last status %q)", jobID, o.Status)
	}
	return w.wait(ctx, d.s.client.cfg.sleep, read, done, waiting)
}

// finish reads the workers of a final job, rolls the failed ones back if
// asked, and builds the result.
func (d *deployRun) finish(ctx context.Context, jobID int64, status DeploymentJobStatus) (*DeployOutput, error) {
	workers, err := d.s.jobWorkers(ctx, jobID)
	if err != nil {
		return nil, errorf("alicert: Deploy: job %d ended %s; reading its workers: %w", jobID, status, err)
	}
	out := &DeployOutput{JobID: jobID, Name: d.name, Status: status, Workers: workers}
	failed := failedWorkers(workers)
	if status == JobSuccess && len(failed) == 0 {
		return out, nil
	}
	if d.in.RollbackFailed && len(failed) > 0 {
		if out.Workers, err = d.rollback(ctx, jobID, failed); err != nil {
			return out, err
		}
	}
	names := make([]string, len(failed))
	for i, w := range failed {
		names[i] = describeWorker(w)
	}
	if len(names) == 0 {
		names = []string{"no worker reports the failure; see the job in the console"}
	}
	rolled := ""
	if d.in.RollbackFailed && len(failed) > 0 {
		rolled = " (rolled back: " + rollbackSummary(out.Workers, failed) + ")"
	}
	ended := "ended in error"
	if status == JobSuccess {
		ended = "reports success, but not every worker does"
	}
	return out, errorf("alicert: Deploy: job %d (%s) %s: %w on %s%s",
		jobID, d.name, ended, ErrDeploymentFailed, strings.Join(names, "; "), rolled)
}

// failedWorkers returns the workers that did not take the certificate:
// every one not in JobSuccess, those rolled back since included. The
// job's own status is not enough, since a job can report success over a
// worker that failed.
func failedWorkers(workers []WorkerResource) []WorkerResource {
	var failed []WorkerResource
	for _, w := range workers {
		if w.Status != string(JobSuccess) {
			failed = append(failed, w)
		}
	}
	return failed
}

// describeWorker names a worker's resource the way a user recognises it.
func describeWorker(w WorkerResource) string {
	where := w.ResourceDomain
	if where == "" {
		where = w.InstanceID
	}
	if w.ListenerID != "" {
		where += " " + w.ListenerID
	}
	return fmt.Sprintf("%s %s (resource %d, worker %d)", w.CloudProduct, strings.TrimSpace(where), w.ResourceID, w.ID)
}

// rollbackSummary says, for each failed worker, how its rollback ended.
func rollbackSummary(now, failed []WorkerResource) string {
	parts := make([]string, 0, len(failed))
	for _, f := range failed {
		for _, w := range now {
			if w.ID == f.ID {
				parts = append(parts, fmt.Sprintf("resource %d %s", w.ResourceID, w.Status))
			}
		}
	}
	return strings.Join(parts, ", ")
}

// rollback rolls the failed workers back and waits until no rollback
// runs; it returns the job's workers then.
func (d *deployRun) rollback(ctx context.Context, jobID int64, failed []WorkerResource) ([]WorkerResource, error) {
	for _, w := range failed {
		if w.Status != string(JobError) {
			continue // already rolled back, or rolling back (a rerun)
		}
		if _, err := d.s.UpdateWorkerResourceStatus(ctx, &UpdateWorkerResourceStatusInput{JobID: jobID, WorkerID: w.ID, Status: WorkerRollback}); err != nil {
			return nil, errorf("alicert: Deploy: rolling back %s: %w", describeWorker(w), err)
		}
		d.event(jobID, "", "rolling back %s", describeWorker(w))
	}
	type workers struct{ list []WorkerResource }
	w := waiter[workers]{interval: d.in.PollInterval}
	read := func(ctx context.Context) (*workers, error) {
		list, err := d.s.jobWorkers(ctx, jobID)
		return &workers{list}, err
	}
	done := func(ws *workers) (bool, error) {
		return !slices.ContainsFunc(ws.list, func(w WorkerResource) bool { return w.Status == WorkerRollback }), nil
	}
	waiting := func(*workers) string {
		return fmt.Sprintf("alicert: Deploy: waiting for the rollbacks of job %d", jobID)
	}
	out, err := w.wait(ctx, d.s.client.cfg.sleep, read, done, waiting)
	if err != nil {
		return nil, err
	}
	for _, wr := range out.list {
		if slices.ContainsFunc(failed, func(f WorkerResource) bool { return f.ID == wr.ID }) {
			d.event(jobID, "", "%s: %s", describeWorker(wr), wr.Status)
		}
	}
	return out.list, nil
}

// jobWorkers reads every worker of a job.
func (s *CASService) jobWorkers(ctx context.Context, jobID int64) ([]WorkerResource, error) {
	var all []WorkerResource
	workers := allPages("ListWorkerResource", 1, workerPage, func(n int64) ([]WorkerResource, int64, error) {
		out, err := s.ListWorkerResource(ctx, &ListWorkerResourceInput{JobID: jobID, CurrentPage: n, ShowSize: workerPage})
		if err != nil {
			return nil, 0, err
		}
		return out.Data, out.Total, nil
	})
	for w, err := range workers {
		if err != nil {
			return nil, err
		}
		all = append(all, w)
	}
	return all, nil
}

// FindDeploymentJob returns the newest deployment job named name (the
// highest id), or nil when there is none, reading ListDeploymentJob page
// by page. Deleted jobs do not count. It is how to settle an unknown
// outcome of CreateDeploymentJob: give each job a name of its own, and look
// for it before creating it again.
func (s *CASService) FindDeploymentJob(ctx context.Context, name string) (*DeploymentJob, error) {
	if strings.TrimSpace(name) == "" {
		return nil, &ValidationError{Operation: "FindDeploymentJob", Fields: []FieldError{{Field: "name", Problem: "is required"}}}
	}
	var found *DeploymentJob
	jobs := allPages("ListDeploymentJob", 1, workerPage, func(n int64) ([]DeploymentJob, int64, error) {
		out, err := s.ListDeploymentJob(ctx, &ListDeploymentJobInput{CurrentPage: n, ShowSize: workerPage})
		if err != nil {
			return nil, 0, err
		}
		return out.Data, out.Total, nil
	})
	for j, err := range jobs {
		if err != nil {
			return nil, err
		}
		if j.Name == name && !j.Deleted && (found == nil || j.ID > found.ID) {
			found = &j
		}
	}
	return found, nil
}

// CloudResourcesServing returns every cloud resource that serves the
// certificate certID now: where a renewed certificate must go to replace
// it. Pass the ids of the result to Deploy.
func (s *CASService) CloudResourcesServing(ctx context.Context, certID int64) ([]CloudResource, error) {
	if certID <= 0 {
		return nil, &ValidationError{Operation: "CloudResourcesServing", Fields: []FieldError{{Field: "certID", Problem: fmt.Sprintf("must be a positive id, got %d", certID)}}}
	}
	return s.collectResources(ctx, &ListCloudResourcesInput{CertIDs: []int64{certID}}, func(r CloudResource) bool {
		// The filter is the service's; checking it again keeps a resource
		// that serves another certificate out of a deployment.
		return r.CertID == certID
	})
}

// CloudResourcesForDomain returns every cloud resource bound to domain
// (compared case-insensitively), whatever certificate it serves.
func (s *CASService) CloudResourcesForDomain(ctx context.Context, domain string) ([]CloudResource, error) {
	var p problems
	checkDomain(&p, "domain", domain, certName)
	if len(p) > 0 {
		return nil, &ValidationError{Operation: "CloudResourcesForDomain", Fields: p}
	}
	return s.collectResources(ctx, &ListCloudResourcesInput{Keyword: domain}, func(r CloudResource) bool {
		return strings.EqualFold(r.Domain, domain) // Keyword matches parts of names too
	})
}

func (s *CASService) collectResources(ctx context.Context, in *ListCloudResourcesInput, keep func(CloudResource) bool) ([]CloudResource, error) {
	var out []CloudResource
	for r, err := range s.AllCloudResources(ctx, in) {
		if err != nil {
			return nil, err
		}
		if keep(r) {
			out = append(out, r)
		}
	}
	return out, nil
}

package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/cmd/alicert/internal/store"
)

// deployFlagOf maps the fields of DeployInput to the flags that set them.
func deployFlagOf() map[string]string {
	return map[string]string{"CertID": "cert", "ResourceIDs": "resources", "ContactIDs": "contacts", "Name": "name"}
}

// deployFlags are deploy's flags.
type deployFlags struct {
	common
	cert      int64
	resources string
	replace   int64
	contacts  string
	name      string
	rollback  bool
	json      bool
	quiet     bool
	timeout   time.Duration
	poll      time.Duration
	lockWait  time.Duration
}

const deployDescription = `Puts a certificate of Certificate Management Service on cloud resources
(CDN and DCDN domains, SLB/ALB/NLB listeners, OSS buckets...) with one
deployment job, and waits for the outcome: progress on stderr, one line per
resource on stdout (or JSON with -json).

-replace OLD_CERT_ID deploys to every resource that serves certificate
OLD_CERT_ID now: after a renewal, the new certificate goes wherever the old
one was. When no resource serves it any more there is nothing to do (exit 0),
so the same line can run from cron. -resources ID,ID names the resources
instead (their ids come from ListCloudResources).

The job is named after what it does ("alicert-<cert>-replace-<old>" with
-replace, "alicert-<cert>-<hash of the resource ids>" with -resources, or
-name): a rerun after a crash, a timeout or an unknown outcome finds the job
of that name and carries on with it instead of creating another. Without
-contacts the job notifies the account's first contact.

One run at a time deploys a certificate to one set of resources: a run holds
a lock named after the job (in $ALICERT_LOCK_DIR, by default alicert/locks
under the user's cache directory) while it looks the job up and runs it, and
another run of the same deployment waits up to -lock-wait, then exits 5
without doing anything.

When some resources fail, they are named on stderr and the exit code is 1;
with -rollback their previous certificate is put back first (so that a rerun
with -replace tries them again). A job that reports success while one of its
resources failed is a failure too.

Exit codes:
  0  every resource serves the certificate (or nothing to do)
  1  failure: the job ended in error (the failed resources are named), or
     another error; a rerun carries on with the job
  2  usage error
  3  outcome unknown: the job may have been created; a rerun with the same
     flags looks for it by its name first
  5  another run holds the lock of this deployment (nothing was done)

Credentials as for obtain. -fake runs against an in-process fake account
with a contact, a CDN domain (www.example.com) and an SLB listener, both
serving certificate 1001 (or the -replace certificate).
`

func (c *cli) deploy(ctx context.Context, args []string) int {
	var f deployFlags
	fs := c.newFlagSet("deploy", "deploy -cert ID (-replace OLD_CERT_ID | -resources ID,ID) [flags]", deployDescription)
	f.register(fs, "run against an in-process fake account with a CDN domain and a load balancer")
	fs.Int64Var(&f.cert, "cert", 0, "the certificate to deploy: its id in Certificate Management Service (required)")
	fs.Int64Var(&f.replace, "replace", 0, "deploy to every resource serving this certificate id now")
	fs.StringVar(&f.resources, "resources", "", "deploy to these resource ids, comma-separated")
	fs.StringVar(&f.contacts, "contacts", "", "contact ids to notify, comma-separated (default: the account's first contact)")
	fs.StringVar(&f.name, "name", "", "the job's name (default: made from -cert and -replace or -resources)")
	fs.BoolVar(&f.rollback, "rollback", false, "roll the resources that failed back to their previous certificate")
	fs.BoolVar(&f.json, "json", false, "print the result as JSON")
	fs.BoolVar(&f.quiet, "q", false, "quiet: no progress; nothing at all when there is nothing to do (for cron)")
	fs.DurationVar(&f.timeout, "timeout", time.Hour, "give up after this long, look-ups and waiting for the job alike (a rerun carries on with the job)")
	fs.DurationVar(&f.poll, "poll", 0, "time between two reads of the job (default 30s)")
	fs.DurationVar(&f.lockWait, "lock-wait", store.DefaultLockWait, "how long to wait for another run of the same deployment to finish before exiting 5")
	if code, stop := c.parse(fs, args); stop {
		return code
	}
	in, code := c.deployInput(fs, &f)
	if code >= 0 {
		return code
	}
	// Checked by the library's rules before anything is locked or looked
	// up. -replace finds the resources later: a placeholder id stands for
	// them here.
	probe := *in
	if f.replace > 0 {
		probe.ResourceIDs = []int64{f.replace}
	}
	var invalid *alicert.ValidationError
	if errors.As(probe.Validate(), &invalid) {
		return c.validationUsage(fs, invalid, deployFlagOf())
	}
	// Held from the look-up of the resources and the job to the job's end:
	// two runs must not both find no job and both create one.
	unlock, err := c.deployLock(ctx, in, f.lockWait)
	switch {
	case errors.Is(err, store.ErrLocked):
		return c.failf(exitLocked, "%v: another run is deploying certificate %d to these resources; nothing was done", err, f.cert)
	case err != nil:
		return c.failf(exitFailure, "locking the deployment: %v; nothing was done", err)
	}
	defer unlock()
	cl, release, err := c.deployClient(f)
	if err != nil {
		return c.failf(exitUsage, "%v", err)
	}
	defer release()
	if f.fake {
		in.PollInterval = fakePollInterval
	}
	if !f.quiet {
		clock := &deployClock{now: c.now}
		in.Progress = func(e alicert.DeployEvent) { c.errorf("%s", clock.line(e)) }
	}
	// The timeout covers the look-ups too: a service that never ends a
	// listing cannot keep a cron run going past it.
	wctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	if f.replace > 0 {
		if in.ResourceIDs, err = c.replaced(wctx, cl, in.Name, f.replace); err != nil {
			return c.failf(exitFailure, "%v", err)
		}
		if len(in.ResourceIDs) == 0 {
			if !f.quiet {
				c.errorf("no resource serves certificate %d: nothing to do", f.replace)
			}
			return exitOK
		}
	}
	// Deploy itself runs under ctx with the rest of -timeout as MaxWait:
	// every step is bounded but the job's creation, which a timeout must
	// never cut short.
	if in.MaxWait, err = remaining(wctx); err != nil {
		return c.failf(exitFailure, "%v", err)
	}
	out, err := cl.CAS.Deploy(ctx, in)
	var ve *alicert.ValidationError
	switch {
	case errors.As(err, &ve):
		return c.validationUsage(fs, ve, deployFlagOf())
	case errors.Is(err, alicert.ErrOutcomeUnknown):
		return c.failf(exitOutcomeUnknown, "%v", err)
	case out == nil && err != nil:
		return c.failf(exitFailure, "%v", err)
	}
	if perr := printDeploy(c.stdout, out, f.json); perr != nil {
		return c.failf(exitFailure, "%v", perr)
	}
	if err != nil {
		return c.failf(exitFailure, "%v", err)
	}
	return exitOK
}

// deployInput checks the flags and builds Deploy's input; code is the exit
// code to stop with, or -1.
func (c *cli) deployInput(fs *flag.FlagSet, f *deployFlags) (*alicert.DeployInput, int) {
	switch {
	case f.cert <= 0:
		return nil, c.usageError(fs, "-cert is required: the id of the certificate to deploy")
	case (f.replace > 0) == (f.resources != ""):
		return nil, c.usageError(fs, "give one of -replace OLD_CERT_ID and -resources ID,ID")
	case f.replace < 0:
		return nil, c.usageError(fs, "-replace must be a positive certificate id")
	case f.replace == f.cert:
		return nil, c.usageError(fs, "-replace %d is the certificate -cert deploys", f.replace)
	case f.timeout <= 0:
		return nil, c.usageError(fs, "-timeout must be positive")
	case f.lockWait < 0:
		return nil, c.usageError(fs, "-lock-wait must not be negative")
	}
	in := &alicert.DeployInput{CertID: f.cert, Name: f.name, PollInterval: f.poll, RollbackFailed: f.rollback}
	var err error
	if in.ResourceIDs, err = parseIDs(f.resources); err != nil {
		return nil, c.usageError(fs, "-resources: %v", err)
	}
	if in.ContactIDs, err = parseIDs(f.contacts); err != nil {
		return nil, c.usageError(fs, "-contacts: %v", err)
	}
	if in.Name == "" && f.replace > 0 {
		// Named after the replacement, not the resources: a rerun while
		// the job runs may find fewer resources serving the old one.
		in.Name = fmt.Sprintf("alicert-%d-replace-%d", f.cert, f.replace)
	}
	return in, -1
}

// lockDirEnv names the environment variable that sets where deploy keeps
// its locks.
const lockDirEnv = "ALICERT_LOCK_DIR"

// deployLock takes the lock of the deployment in: one per job name, which
// names the certificate and the resources (see deployInput and
// alicert.DeployJobName). It waits at most wait for another holder.
func (c *cli) deployLock(ctx context.Context, in *alicert.DeployInput, wait time.Duration) (unlock func(), err error) {
	root := c.getenv(lockDirEnv)
	if root == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return nil, fmt.Errorf("%w; set $%s to a directory for alicert's locks", err, lockDirEnv)
		}
		root = filepath.Join(cache, "alicert", "locks")
	}
	name := in.Name
	if name == "" {
		name = alicert.DeployJobName(in.CertID, in.ResourceIDs)
	}
	sum := sha256.Sum256([]byte(name))
	dir := filepath.Join(root, "deploy-"+hex.EncodeToString(sum[:16]))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return store.LockDir(ctx, dir, wait)
}

// parseIDs parses a comma-separated list of ids.
func parseIDs(s string) ([]int64, error) {
	var ids []int64
	for _, item := range splitList(s) {
		id, err := strconv.ParseInt(item, 10, 64)
		if err != nil || id <= 0 {
			return nil, fmt.Errorf("%q is not a positive id", item)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// replaced returns the resources to deploy to for -replace old: those
// serving it now, or, when there are none, those of an unfinished job of
// the same name (a rerun while that job runs).
func (c *cli) replaced(ctx context.Context, cl *alicert.Client, name string, old int64) ([]int64, error) {
	serving, err := cl.CAS.CloudResourcesServing(ctx, old)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, r := range serving {
		ids = append(ids, r.ID)
	}
	if len(ids) > 0 {
		return ids, nil
	}
	job, err := cl.CAS.FindDeploymentJob(ctx, name)
	if err != nil || job == nil {
		return nil, err
	}
	switch alicert.DeploymentJobStatus(job.Status) {
	case alicert.JobSuccess, alicert.JobError:
		return nil, nil
	}
	workers, err := cl.CAS.ListWorkerResource(ctx, &alicert.ListWorkerResourceInput{JobID: job.ID, ShowSize: 100})
	if err != nil {
		return nil, err
	}
	for _, w := range workers.Data {
		ids = append(ids, w.ResourceID)
	}
	return ids, nil
}

// deployResult is the JSON form of a deployment's outcome.
type deployResult struct {
	JobID     int64              `json:"job_id"`
	Name      string             `json:"name"`
	Status    string             `json:"status"`
	Resources []deployedResource `json:"resources"`
}

type deployedResource struct {
	ResourceID   int64  `json:"resource_id"`
	Product      string `json:"product"`
	Name         string `json:"name"`
	Domain       string `json:"domain,omitempty"`
	InstanceID   string `json:"instance_id,omitempty"`
	ListenerID   string `json:"listener_id,omitempty"`
	WorkerID     int64  `json:"worker_id"`
	Status       string `json:"status"`
	CertID       int64  `json:"cert_id"`
	PreviousCert int64  `json:"previous_cert_id"`
}

// printDeploy prints the outcome for each resource: a table, or JSON.
func printDeploy(w io.Writer, out *alicert.DeployOutput, asJSON bool) error {
	res := deployDoc(out)
	if asJSON {
		return writeJSON(w, res)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	// The headers are the JSON keys of a resource (-json), in capitals.
	fmt.Fprintf(tw, "RESOURCE ID\tPRODUCT\tNAME\tSTATUS\tCERT ID\tPREVIOUS CERT ID\n")
	for _, r := range res.Resources {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%d\n", r.ResourceID, shown(r.Product), shown(r.Name), shown(r.Status), r.CertID, r.PreviousCert)
	}
	return tw.Flush()
}

// deployDoc is the JSON form of a deployment.
func deployDoc(out *alicert.DeployOutput) deployResult {
	res := deployResult{JobID: out.JobID, Name: out.Name, Status: string(out.Status), Resources: []deployedResource{}}
	for _, wr := range out.Workers {
		name := wr.ResourceDomain
		if name == "" {
			name = strings.TrimSpace(wr.InstanceID + " " + wr.ListenerID)
		}
		res.Resources = append(res.Resources, deployedResource{
			ResourceID: wr.ResourceID, Product: wr.CloudProduct, Name: name, Domain: wr.ResourceDomain, InstanceID: wr.InstanceID,
			ListenerID: wr.ListenerID, WorkerID: wr.ID, Status: wr.Status, CertID: wr.CertID, PreviousCert: wr.ResourceCertID,
		})
	}
	return res
}

// remaining is the time left before ctx's deadline, as a Deploy MaxWait:
// an error once it has passed (a MaxWait of zero would mean no limit).
func remaining(ctx context.Context) (time.Duration, error) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return 0, nil
	}
	left := time.Until(deadline)
	if left <= 0 {
		return 0, fmt.Errorf("alicert: deploy: -timeout reached before the job: %w", context.DeadlineExceeded)
	}
	return left, nil
}

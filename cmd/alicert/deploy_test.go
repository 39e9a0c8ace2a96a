package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// deployFake is a fake account with a contact, a CDN domain and an SLB
// listener serving certificate 1001, and extra.
func deployFake(t *testing.T, extra ...alicerttest.Option) *alicerttest.Server {
	t.Helper()
	opts := append([]alicerttest.Option{
		alicerttest.WithContact("Ops", "ops@example.com", "13800000000"),
		alicerttest.WithCloudResource(alicerttest.CloudResource{ID: 1, CloudProduct: "CDN", Domain: "www.example.com", CertID: 1001}),
		alicerttest.WithCloudResource(alicerttest.CloudResource{ID: 2, CloudProduct: "SLB", InstanceID: "lb-1", ListenerID: "lsn-1@443", ListenerPort: "443", CertID: 1001}),
	}, extra...)
	return newFake(t, opts...)
}

// failingALB is a load balancer serving 1001 whose deployments fail.
var failingALB = alicerttest.WithCloudResource(alicerttest.CloudResource{
	ID: 3, CloudProduct: "ALB", InstanceID: "alb-broken", ListenerID: "lsn-broken", ListenerPort: "443", CertID: 1001, FailDeploy: true,
})

func certsOf(srv *alicerttest.Server) map[int64]int64 {
	out := map[int64]int64{}
	for _, r := range srv.CloudResources() {
		out[r.ID] = r.CertID
	}
	return out
}

func TestDeployFakeModeEndToEnd(t *testing.T) {
	t.Parallel()
	r := runCmd(t, nil, "deploy", "-fake", "-cert", "2002", "-replace", "1001")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "www.example.com")
	assert.Contains(t, r.stdout, "lb-bp1example lsn-bp1example@443")
	assert.Equal(t, 2, strings.Count(r.stdout, "success"), r.stdout)
	assert.Contains(t, r.stderr, "job 8888: success")
	assert.Contains(t, r.stderr, "first contact")
}

func TestDeployReplaceMovesEveryResource(t *testing.T) {
	t.Parallel()
	srv := deployFake(t)
	r := runCmd(t, srv, "deploy", "-fake", "-cert", "2002", "-replace", "1001", "-json")
	require.Equal(t, exitOK, r.code, r.stderr)
	var out struct {
		Status    string `json:"status"`
		Resources []struct {
			ResourceID int64  `json:"resource_id"`
			Status     string `json:"status"`
			Previous   int64  `json:"previous_cert_id"`
		} `json:"resources"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &out), r.stdout)
	assert.Equal(t, "success", out.Status)
	require.Len(t, out.Resources, 2)
	assert.Equal(t, int64(1001), out.Resources[0].Previous)
	assert.Equal(t, map[int64]int64{1: 2002, 2: 2002}, certsOf(srv))

	// From cron the next day: nothing serves 1001 any more.
	again := runCmd(t, srv, "deploy", "-fake", "-cert", "2002", "-replace", "1001", "-q")
	assert.Equal(t, exitOK, again.code)
	assert.Empty(t, again.stdout+again.stderr, "-q with nothing to do prints nothing")
	assert.Equal(t, 1, srv.DeploymentJobCount())
}

func TestDeployFailedResourceExitsNonZeroNamingIt(t *testing.T) {
	t.Parallel()
	srv := deployFake(t, failingALB)
	r := runCmd(t, srv, "deploy", "-fake", "-cert", "2002", "-replace", "1001")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "ALB alb-broken lsn-broken (resource 3")
	assert.Contains(t, r.stderr, "deployment failed")
	assert.Regexp(t, `(?m)^3\s+ALB\s+alb-broken lsn-broken\s+error`, r.stdout)
	assert.Equal(t, int64(2002), certsOf(srv)[3], "without -rollback the failed resource is left as the job left it")
}

func TestDeployRollbackRestoresTheOldCertificate(t *testing.T) {
	t.Parallel()
	srv := deployFake(t, failingALB)
	r := runCmd(t, srv, "deploy", "-fake", "-cert", "2002", "-replace", "1001", "-rollback")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "rolled back: resource 3 rollback_success")
	assert.Regexp(t, `(?m)^3\s+ALB.*rollback_success`, r.stdout)
	assert.Equal(t, map[int64]int64{1: 2002, 2: 2002, 3: 1001}, certsOf(srv))
}

// crashWriter is stderr that cancels the run when a line containing at
// appears: a crash right after that step.
type crashWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	at     string
	cancel context.CancelFunc
}

func (w *crashWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if strings.Contains(string(p), w.at) {
		w.cancel()
	}
	return w.buf.Write(p)
}

func TestDeployRerunAfterCrashMakesOneJob(t *testing.T) {
	t.Parallel()
	for _, step := range []string{"created job", "started job", "job 8888: scheduling"} {
		t.Run(step, func(t *testing.T) {
			t.Parallel()
			srv := deployFake(t)
			args := []string{"deploy", "-fake", "-cert", "2002", "-replace", "1001"}
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			stderr := &crashWriter{at: step, cancel: cancel}
			code := (&cli{fake: srv, stdout: &bytes.Buffer{}, stderr: stderr, getenv: testEnv(t)}).run(ctx, args)
			require.Equal(t, exitFailure, code, stderr.buf.String())
			require.Equal(t, 1, srv.DeploymentJobCount())

			r := runCmd(t, srv, args...)
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.Contains(t, r.stderr, "carrying on with it")
			assert.Equal(t, 1, srv.DeploymentJobCount(), "the rerun made a second job")
			assert.Equal(t, 1, srv.RequestCount("CreateDeploymentJob"))
			assert.Equal(t, map[int64]int64{1: 2002, 2: 2002}, certsOf(srv))
		})
	}
}

func TestDeployUnknownOutcome(t *testing.T) {
	t.Parallel()
	t.Run("created", func(t *testing.T) {
		t.Parallel()
		srv := deployFake(t)
		srv.InjectFault("CreateDeploymentJob", alicerttest.Fault{Kind: alicerttest.FaultResetAfterAct}, 1)
		r := runCmd(t, srv, "deploy", "-fake", "-cert", "2002", "-resources", "1,2")
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Contains(t, r.stderr, "found job 8888")
		assert.Equal(t, 1, srv.DeploymentJobCount())
	})
	t.Run("not created", func(t *testing.T) {
		t.Parallel()
		srv := deployFake(t)
		srv.InjectFault("CreateDeploymentJob", alicerttest.Fault{Kind: alicerttest.FaultInternalError}, 1)
		r := runCmd(t, srv, "deploy", "-fake", "-cert", "2002", "-resources", "1,2")
		require.Equal(t, exitOutcomeUnknown, r.code, r.stderr)
		assert.Equal(t, 0, srv.DeploymentJobCount())
		rerun := runCmd(t, srv, "deploy", "-fake", "-cert", "2002", "-resources", "2,1")
		require.Equal(t, exitOK, rerun.code, rerun.stderr)
		assert.Equal(t, 1, srv.DeploymentJobCount())
	})
}

func TestDeployUsageErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"deploy", "-fake"}, "-cert is required"},
		{[]string{"deploy", "-fake", "-cert", "2"}, "give one of -replace"},
		{[]string{"deploy", "-fake", "-cert", "2", "-replace", "1", "-resources", "3"}, "give one of -replace"},
		{[]string{"deploy", "-fake", "-cert", "2", "-replace", "2"}, "-replace 2 is the certificate"},
		{[]string{"deploy", "-fake", "-cert", "2", "-resources", "1,1"}, "-resources: repeats id 1"},
		{[]string{"deploy", "-fake", "-cert", "2", "-resources", "1", "-contacts", "a"}, "-contacts: \"a\" is not a positive id"},
		{[]string{"deploy", "-fake", "-cert", "x"}, "-cert"},
	} {
		r := runCmd(t, nil, tc.args...)
		assert.Equal(t, exitUsage, r.code, "%v", tc.args)
		assert.Contains(t, r.stderr, tc.want, "%v", tc.args)
		assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %q", r.stderr)
	}
	help := runCmd(t, nil, "help", "deploy")
	assert.Equal(t, exitOK, help.code)
	for _, want := range []string{"Exit codes:", "3  outcome unknown", "-rollback", "-replace"} {
		assert.Contains(t, help.stdout, want)
	}
}

// While another run holds the lock of a deployment, deploy does nothing
// at all: no look-up, no job.
func TestDeployHeldLockMakesNoJob(t *testing.T) {
	t.Parallel()
	srv := deployFake(t)
	env := testEnv(t)
	holder := &cli{getenv: env}
	unlock, err := holder.deployLock(t.Context(), &alicert.DeployInput{CertID: 2002, Name: "alicert-2002-replace-1001"}, 0)
	require.NoError(t, err)
	r := runCLI(t, &cli{fake: srv, getenv: env}, "deploy", "-fake", "-cert", "2002", "-replace", "1001", "-lock-wait", "0")
	assert.Equal(t, exitLocked, r.code, r.stderr)
	assert.Contains(t, r.stderr, "another run is deploying certificate 2002 to these resources; nothing was done")
	assert.Zero(t, srv.DeploymentJobCount())
	assert.Zero(t, srv.RequestCount("ListCloudResources"))

	// Another target set is another lock.
	r = runCLI(t, &cli{fake: srv, getenv: env}, "deploy", "-fake", "-cert", "2002", "-resources", "1", "-lock-wait", "0")
	assert.Equal(t, exitOK, r.code, r.stderr)

	unlock()
	r = runCLI(t, &cli{fake: srv, getenv: env}, "deploy", "-fake", "-cert", "2002", "-replace", "1001", "-lock-wait", "0")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, 2, srv.DeploymentJobCount())
}

// Two runs of one deployment at once make one job.
func TestDeployConcurrentRunsMakeOneJob(t *testing.T) {
	t.Parallel()
	srv := deployFake(t)
	env := testEnv(t)
	var wg sync.WaitGroup
	codes := make([]int, 4)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var stdout, stderr bytes.Buffer
			c := &cli{fake: srv, getenv: env, stdout: &stdout, stderr: &stderr, now: time.Now}
			codes[i] = c.run(t.Context(), []string{"deploy", "-fake", "-cert", "2002", "-resources", "1,2", "-lock-wait", "1m"})
		}()
	}
	wg.Wait()
	assert.Equal(t, []int{exitOK, exitOK, exitOK, exitOK}, codes)
	assert.Equal(t, 1, srv.DeploymentJobCount())
	assert.Equal(t, 1, srv.RequestCount("CreateDeploymentJob"))
}

// A job that reports success over a failed worker is a failure, named.
func TestDeployJobSuccessOverAFailedWorkerExitsNonZero(t *testing.T) {
	t.Parallel()
	srv := deployFake(t, alicerttest.WithCloudResource(alicerttest.CloudResource{
		ID: 4, CloudProduct: "CDN", Domain: "img.example.com", CertID: 1001, FailWorkerOnly: true,
	}))
	r := runCmd(t, srv, "deploy", "-fake", "-cert", "2002", "-replace", "1001")
	assert.Equal(t, exitFailure, r.code, r.stderr)
	assert.Contains(t, r.stderr, "reports success, but not every worker does: deployment failed on CDN img.example.com (resource 4")
	assert.Regexp(t, `(?m)^4\s+CDN\s+img.example.com\s+error`, r.stdout)
}

// A bad flag value is refused by the library's rules before anything is
// locked or looked up.
func TestDeployValidatesBeforeAnything(t *testing.T) {
	t.Parallel()
	srv := deployFake(t)
	lockRoot := filepath.Join(t.TempDir(), "locks")
	env := func(k string) string {
		if k == lockDirEnv {
			return lockRoot
		}
		return ""
	}
	r := runCLI(t, &cli{fake: srv, getenv: env}, "deploy", "-fake", "-cert", "2002", "-replace", "1001", "-contacts", "7,7")
	assert.Equal(t, exitUsage, r.code, r.stderr)
	assert.Contains(t, r.stderr, "repeats id 7")
	assert.Zero(t, srv.RequestCount("ListCloudResources"))
	assert.NoDirExists(t, lockRoot)
}

// -timeout bounds deploy's look-ups and waiting, never the job's
// creation: a creation still running when the time is up completes, the
// run stops after it, and the rerun carries on with that one job.
func TestDeployTimeoutNeverCutsTheCreate(t *testing.T) {
	t.Parallel()
	srv := deployFake(t)
	srv.InjectFault("CreateDeploymentJob", alicerttest.Fault{Kind: alicerttest.FaultSlow, Delay: 2 * time.Second}, 1)
	args := []string{"deploy", "-fake", "-cert", "2002", "-resources", "1,2", "-name", "renew_www", "-poll", "1ns", "-q"}
	r := runCmd(t, srv, append(args, "-timeout", "1s")...)
	assert.NotEqual(t, exitOK, r.code)
	assert.NotEqual(t, exitOutcomeUnknown, r.code, "the creation was not cut short: %s", r.stderr)
	assert.Equal(t, 1, srv.DeploymentJobCount(), "the job was created")

	again := runCmd(t, srv, args...)
	require.Equal(t, exitOK, again.code, again.stderr)
	assert.Equal(t, 1, srv.DeploymentJobCount(), "the rerun carried on with it")
	assert.Equal(t, 1, srv.RequestCount("CreateDeploymentJob"))
	assert.Equal(t, map[int64]int64{1: 2002, 2: 2002}, certsOf(srv))
}

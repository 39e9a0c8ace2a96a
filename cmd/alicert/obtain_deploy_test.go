package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
	"github.com/alicert/alicert/cmd/alicert/internal/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// deployDomain is the domain of the -deploy tests.
const deployDomain = "www.example.com"

// rolloutFake is the account of a -fake -deploy run, with extra.
func rolloutFake(t *testing.T, extra ...alicerttest.Option) *alicerttest.Server {
	t.Helper()
	return newFake(t, append(fakeDeployAccount(deployDomain), extra...)...)
}

// deployArgs is the cron line of the -deploy tests.
func deployArgs(dir string, extra ...string) []string {
	return append([]string{"obtain", "-fake", "-domain", deployDomain, "-dns", "alidns", "-deploy", "-out", dir}, extra...)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// servedCerts are the certificates srv's resources serve.
func servedCerts(srv *alicerttest.Server) []int64 {
	var out []int64
	for _, r := range srv.CloudResources() {
		out = append(out, r.CertID)
	}
	return out
}

func TestObtainDeployFakeEndToEnd(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := runCmd(t, nil, deployArgs(dir)...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stderr, "uploaded the certificate to Certificate Management Service as alicert_www_example_com_")
	assert.Regexp(t, `(?m)^\d+\s+CDN\s+www.example.com\s+success`, r.stdout)
	assert.Regexp(t, `(?m)^\d+\s+SLB\s+www.example.com\s+success`, r.stdout)
	assert.Contains(t, r.stdout, "deployed to 2 cloud resources")
}

func TestObtainDeployUploadsOnceAndMovesEveryResource(t *testing.T) {
	t.Parallel()
	srv := rolloutFake(t)
	dir := t.TempDir()
	r := runCmd(t, srv, deployArgs(dir)...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, 1, srv.RequestCount("UploadUserCertificate"))
	assert.Equal(t, 1, srv.DeploymentJobCount())
	st, err := store.LoadState(dir)
	require.NoError(t, err)
	require.Nil(t, st.Rollout, "the deployment is done")
	require.Positive(t, st.CertID, "the state file keeps the deployed certificate's id")
	assert.Equal(t, []int64{st.CertID, st.CertID}, servedCerts(srv))
	assert.FileExists(t, filepath.Join(dir, store.KeyFile))
	assert.Empty(t, orderKeyFiles(t, dir))

	// The uploaded certificate is the one in cert.pem.
	leaf := readCerts(t, filepath.Join(dir, store.CertFile))[0]
	assert.Contains(t, r.stderr, uploadName(deployDomain, leaf.SerialNumber.Text(16)))

	// From cron while the certificate is valid: nothing to do, quietly.
	again := runCmd(t, srv, deployArgs(dir, "-q")...)
	require.Equal(t, exitOK, again.code, again.stderr)
	assert.Empty(t, again.stdout+again.stderr)
	assert.Equal(t, 1, srv.RequestCount("UploadUserCertificate"))

	// The next renewal replaces the deployed certificate wherever it is.
	first := st.CertID
	r = runCmd(t, srv, deployArgs(dir, "-renew-within", "0")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stderr, "serving certificate "+itoa(first))
	st, err = store.LoadState(dir)
	require.NoError(t, err)
	assert.NotEqual(t, first, st.CertID)
	assert.Equal(t, []int64{st.CertID, st.CertID}, servedCerts(srv))
	assert.Equal(t, 2, srv.RequestCount("UploadUserCertificate"))
	assert.Equal(t, 2, srv.DeploymentJobCount())
}

func TestObtainDeployWithTheServicesKeyUploadsNothing(t *testing.T) {
	t.Parallel()
	srv := rolloutFake(t)
	dir := t.TempDir()
	r := runCmd(t, srv, deployArgs(dir, "-key-source", "service")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Zero(t, srv.RequestCount("UploadUserCertificate"), "the order's certificate is in the account with its key")
	st, err := store.LoadState(dir)
	require.NoError(t, err)
	assert.Equal(t, []int64{st.CertID, st.CertID}, servedCerts(srv))
	assert.Contains(t, r.stderr, "certificate is "+itoa(st.CertID)+" in Certificate Management Service")
}

// failingListener is a load balancer listener for the domain whose
// deployments fail.
var failingListener = alicerttest.WithCloudResource(alicerttest.CloudResource{
	ID: 9000, CloudProduct: "ALB", Domain: deployDomain, InstanceID: "alb-broken", ListenerID: "lsn-broken",
	ListenerPort: "443", CertID: fakeOldCert, FailDeploy: true,
})

func TestObtainDeployFailedResource(t *testing.T) {
	t.Parallel()
	t.Run("named, exit 1", func(t *testing.T) {
		t.Parallel()
		srv := rolloutFake(t, failingListener)
		dir := t.TempDir()
		r := runCmd(t, srv, deployArgs(dir)...)
		require.Equal(t, exitFailure, r.code, r.stderr)
		assert.Contains(t, r.stderr, "deployment failed on ALB www.example.com lsn-broken (resource 9000")
		assert.Contains(t, r.stderr, "rerun with -deploy to try again")
		st, err := store.LoadState(dir)
		require.NoError(t, err)
		require.NotNil(t, st.Rollout, "the deployment stays recorded")
		assert.Equal(t, 1, srv.RequestCount("UploadUserCertificate"))
	})
	t.Run("-rollback restores the old certificate", func(t *testing.T) {
		t.Parallel()
		srv := rolloutFake(t, failingListener)
		dir := t.TempDir()
		r := runCmd(t, srv, deployArgs(dir, "-rollback")...)
		require.Equal(t, exitFailure, r.code, r.stderr)
		assert.Contains(t, r.stderr, "rolled back: resource 9000 rollback_success")
		st, err := store.LoadState(dir)
		require.NoError(t, err)
		got := map[int64]int64{}
		for _, res := range srv.CloudResources() {
			got[res.ID] = res.CertID
		}
		assert.Equal(t, int64(fakeOldCert), got[9000])
		assert.Equal(t, st.Rollout.CertID, got[2356], "the CDN domain took the new certificate")
	})
}

func TestObtainDeployRerunAfterACrashUploadsAndDeploysOnce(t *testing.T) {
	t.Parallel()
	for _, step := range []string{"uploaded the certificate", "created job", "started job", "job 8888: scheduling"} {
		t.Run(step, func(t *testing.T) {
			t.Parallel()
			srv := rolloutFake(t)
			dir := t.TempDir()
			code, stderr := crashRun(t, srv, step, deployArgs(dir)...)
			require.Equal(t, exitFailure, code, stderr)
			st, err := store.LoadState(dir)
			require.NoError(t, err)
			require.NotNil(t, st.Rollout, "the state file records the deployment")
			require.Positive(t, st.Rollout.CertID)
			if step != "uploaded the certificate" {
				assert.Equal(t, int64(8888), st.Rollout.JobID, "the job id is recorded")
			}

			r := runCmd(t, srv, deployArgs(dir)...)
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.Contains(t, r.stderr, "carrying on with the deployment")
			assert.Equal(t, 1, srv.RequestCount("UploadUserCertificate"), "one upload")
			assert.Equal(t, 1, srv.DeploymentJobCount(), "one job")
			assert.Len(t, creates(srv), 1, "one order")
			st, err = store.LoadState(dir)
			require.NoError(t, err)
			assert.Equal(t, []int64{st.CertID, st.CertID}, servedCerts(srv))
		})
	}
}

func TestObtainDeployUploadFoundByName(t *testing.T) {
	t.Parallel()
	t.Run("a crash before the upload was recorded", func(t *testing.T) {
		t.Parallel()
		srv := rolloutFake(t)
		dir := t.TempDir()
		code, stderr := crashRun(t, srv, "uploaded the certificate", deployArgs(dir)...)
		require.Equal(t, exitFailure, code, stderr)
		// As if the process died before it wrote the id down.
		st, err := store.LoadState(dir)
		require.NoError(t, err)
		uploaded := st.Rollout.CertID
		st.Rollout.CertID = 0
		b, err := json.Marshal(st)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, store.StateFile), b, 0o600))

		r := runCmd(t, srv, deployArgs(dir)...)
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Contains(t, r.stderr, "found the certificate uploaded earlier")
		assert.Equal(t, 1, srv.RequestCount("UploadUserCertificate"))
		assert.Equal(t, []int64{uploaded, uploaded}, servedCerts(srv))
	})
	t.Run("an upload of unknown outcome", func(t *testing.T) {
		t.Parallel()
		srv := rolloutFake(t)
		srv.InjectFault("UploadUserCertificate", alicerttest.Fault{Kind: alicerttest.FaultResetAfterAct}, 1)
		dir := t.TempDir()
		r := runCmd(t, srv, deployArgs(dir)...)
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Contains(t, r.stderr, "the upload's outcome was unknown; found it by its name")
		assert.Equal(t, 1, srv.RequestCount("UploadUserCertificate"))
	})
	t.Run("an upload that did not happen", func(t *testing.T) {
		t.Parallel()
		srv := rolloutFake(t)
		srv.InjectFault("UploadUserCertificate", alicerttest.Fault{Kind: alicerttest.FaultInternalError}, 1)
		dir := t.TempDir()
		r := runCmd(t, srv, deployArgs(dir)...)
		require.Equal(t, exitOutcomeUnknown, r.code, r.stderr)
		assert.Contains(t, r.stderr, "rerun with -deploy: it looks the name up before uploading")
		r = runCmd(t, srv, deployArgs(dir)...)
		require.Equal(t, exitOK, r.code, r.stderr)
		st, err := store.LoadState(dir)
		require.NoError(t, err)
		assert.Equal(t, []int64{st.CertID, st.CertID}, servedCerts(srv))
		assert.Equal(t, 2, srv.CertificateCount(), "the order's certificate, and one upload")
	})
}

func TestObtainUnfinishedDeploymentWithoutDeploy(t *testing.T) {
	t.Parallel()
	srv := rolloutFake(t)
	dir := t.TempDir()
	code, stderr := crashRun(t, srv, "created job", deployArgs(dir)...)
	require.Equal(t, exitFailure, code, stderr)
	r := runCmd(t, srv, "obtain", "-fake", "-domain", deployDomain, "-out", dir)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stderr, "rerun with -deploy to finish it")
	assert.Contains(t, r.stdout, "nothing to do")
	st, err := store.LoadState(dir)
	require.NoError(t, err)
	assert.NotNil(t, st.Rollout, "kept for a run with -deploy")
}

// fakeClient is a client of srv.
func fakeClient(t *testing.T, srv *alicerttest.Server) *alicert.Client {
	t.Helper()
	cl, err := alicert.NewClient(srv.ClientOptions()...)
	require.NoError(t, err)
	return cl
}

// crashAt runs the command line against srv and stops it, as a crash
// would, the first time it reaches step (a crash point or a step of the
// file replacement): nothing of the run happens after it. With step "",
// the run goes to its end. It returns the exit code (-1 after a crash) and
// the steps reached, in order, with the base name of dir (the output
// directory, which a step may name) replaced by OUT.
func crashAt(t *testing.T, srv *alicerttest.Server, dir, step string, args ...string) (code int, steps []string) {
	t.Helper()
	code = -1
	hook := func(s string) {
		if rest, ok := strings.CutSuffix(s, " "+filepath.Base(dir)); ok {
			s = rest + " OUT"
		}
		steps = append(steps, s)
		if s == step {
			runtime.Goexit()
		}
	}
	c := &cli{fake: srv, stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, now: time.Now, getenv: testEnv(t),
		crashHook: hook, installHook: func(s string) error { hook(s); return nil }}
	done := make(chan struct{})
	go func() {
		defer close(done)
		code = c.run(t.Context(), args)
	}()
	<-done
	return code, steps
}

// A run of obtain -deploy stopped at any step boundary, right after the
// switch of .alicert/live included, is carried on by the next run until
// every resource serves the new certificate: one order, one upload, one
// job.
func TestObtainDeployCrashAtEveryStepIsCarriedOn(t *testing.T) {
	t.Parallel()
	for _, renewal := range []bool{false, true} {
		// The steps of one whole run.
		srv := rolloutFake(t)
		dir := t.TempDir()
		if renewal {
			require.Equal(t, exitOK, runCmd(t, srv, deployArgs(dir)...).code)
		}
		code, steps := crashAt(t, srv, dir, "", deployArgs(dir, "-renew-within", "0")...)
		require.Equal(t, exitOK, code)
		require.Contains(t, steps, "rename "+store.LiveTmp, "the live switch is a step")
		seen := map[string]bool{}
		for _, step := range steps {
			if seen[step] {
				continue // a crash stops the run at the first one
			}
			seen[step] = true
			name := fmt.Sprintf("renewal %v, crash at %s", renewal, step)
			srv := rolloutFake(t)
			dir := t.TempDir()
			orders, uploads, jobs := 1, 1, 1
			if renewal {
				require.Equal(t, exitOK, runCmd(t, srv, deployArgs(dir)...).code)
				orders, uploads, jobs = 2, 2, 2
			}
			code, _ := crashAt(t, srv, dir, step, deployArgs(dir, "-renew-within", "0")...)
			require.Equal(t, -1, code, "%s: the run stopped there", name)

			// The same line again.
			r := runCmd(t, srv, deployArgs(dir, "-renew-within", "0")...)
			require.Equal(t, exitOK, r.code, "%s: %s", name, r.stderr)
			st, err := store.LoadState(dir)
			require.NoError(t, err, name)
			require.Nil(t, st.Rollout, "%s: the deployment is done", name)
			require.Positive(t, st.CertID, name)
			assert.Equal(t, []int64{st.CertID, st.CertID}, servedCerts(srv), "%s: every resource serves it", name)
			leaf := readCerts(t, filepath.Join(dir, store.CertFile))[0]
			found, err := fakeClient(t, srv).CAS.FindUploadedCertificate(t.Context(), uploadName(deployDomain, leaf.SerialNumber.Text(16)))
			require.NoError(t, err, name)
			require.NotNil(t, found, "%s: cert.pem's certificate was uploaded", name)
			assert.Equal(t, st.CertID, found.CertificateID, "%s: and it is the one deployed", name)
			assert.Len(t, creates(srv), orders, "%s: orders", name)
			assert.Equal(t, uploads, srv.RequestCount("UploadUserCertificate"), "%s: uploads", name)
			assert.Equal(t, jobs, srv.DeploymentJobCount(), "%s: jobs", name)
			assert.Empty(t, orderKeyFiles(t, dir), name)

			// From cron while the certificate is valid: nothing to do.
			again := runCmd(t, srv, deployArgs(dir, "-q")...)
			require.Equal(t, exitOK, again.code, again.stderr)
			assert.Empty(t, again.stdout+again.stderr, "%s: then nothing to do", name)
		}
	}
}

// TestUploadNameFollowsTheModel: the names -deploy uploads under hold only
// letters, digits and underscores, at most 63 of them, as the model of
// UploadUserCertificate's Name says; the same domain and serial give the
// same name, different serials different names.
func TestUploadNameFollowsTheModel(t *testing.T) {
	t.Parallel()
	serial := "1237027954cc0ab35e5d259e048d0ac3"
	for _, domain := range []string{"www.example.com", "*.example.com", "xn--fiqs8s.example.cn.",
		strings.Repeat("very-long-label.", 12) + "example.com"} {
		name := uploadName(domain, serial)
		assert.Regexp(t, `^[A-Za-z0-9_]{1,63}$`, name, domain)
		assert.Equal(t, name, uploadName(domain, serial), "stable for %s", domain)
		assert.NotEqual(t, name, uploadName(domain, serial+"0"), "one name per serial for %s", domain)
	}
	assert.Equal(t, "alicert_wildcard_example_com_"+serial, uploadName("*.example.com", serial))
}

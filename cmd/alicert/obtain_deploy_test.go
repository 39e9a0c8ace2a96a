package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/alicert/alicert/alicerttest"
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
	st, err := loadState(dir)
	require.NoError(t, err)
	require.Nil(t, st.Rollout, "the deployment is done")
	require.Positive(t, st.CertID, "the state file keeps the deployed certificate's id")
	assert.Equal(t, []int64{st.CertID, st.CertID}, servedCerts(srv))
	assert.FileExists(t, filepath.Join(dir, keyFile))
	assert.Empty(t, orderKeyFiles(t, dir))

	// The uploaded certificate is the one in cert.pem.
	leaf := readCerts(t, filepath.Join(dir, certFile))[0]
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
	st, err = loadState(dir)
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
	st, err := loadState(dir)
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
		st, err := loadState(dir)
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
		st, err := loadState(dir)
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
			st, err := loadState(dir)
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
			st, err = loadState(dir)
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
		st, err := loadState(dir)
		require.NoError(t, err)
		uploaded := st.Rollout.CertID
		st.Rollout.CertID = 0
		b, err := json.Marshal(st)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, stateFile), b, 0o600))

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
		st, err := loadState(dir)
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
	st, err := loadState(dir)
	require.NoError(t, err)
	assert.NotNil(t, st.Rollout, "kept for a run with -deploy")
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

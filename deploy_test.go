package alicert_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Certificate ids of the deployment tests: the old one the seeded
// resources serve, the renewed one to deploy.
const (
	deployOldCert = 12433121
	deployNewCert = 12433999
)

// deployWorld is a fake's account with a CDN domain and an SLB listener
// serving deployOldCert, a DCDN domain serving another certificate and one
// contact, then extra: the options of setupFake.
func deployWorld(extra ...alicerttest.Option) []alicerttest.Option {
	return append([]alicerttest.Option{
		alicerttest.WithContact("Ops", "ops@example.com", "13800000000"),
		alicerttest.WithCloudResource(alicerttest.CloudResource{ID: 101, CloudProduct: "CDN", Domain: "www.example.com", CertID: deployOldCert}),
		alicerttest.WithCloudResource(alicerttest.CloudResource{ID: 102, CloudProduct: "SLB", InstanceID: "lb-bp1example", ListenerID: "lsn-bp1example@443", ListenerPort: "443", CertID: deployOldCert}),
		alicerttest.WithCloudResource(alicerttest.CloudResource{ID: 103, CloudProduct: "DCDN", Domain: "static.example.com", CertID: 777}),
	}, extra...)
}

// deployCerts returns the certificate each of the fake's resources serves.
func deployCerts(srv *alicerttest.Server) map[int64]int64 {
	out := map[int64]int64{}
	for _, r := range srv.CloudResources() {
		out[r.ID] = r.CertID
	}
	return out
}

func TestDeployReplacesTheOldCertificateEverywhere(t *testing.T) {
	t.Parallel()
	c, srv := setupFake(t, deployWorld()...)
	ctx := t.Context()
	serving, err := c.CAS.CloudResourcesServing(ctx, deployOldCert)
	require.NoError(t, err)
	var ids []int64
	for _, r := range serving {
		ids = append(ids, r.ID)
	}
	require.Equal(t, []int64{101, 102}, ids)

	var events []alicert.DeployEvent
	out, err := c.CAS.Deploy(ctx, &alicert.DeployInput{
		CertID: deployNewCert, ResourceIDs: ids, PollInterval: time.Nanosecond,
		Progress: func(e alicert.DeployEvent) { events = append(events, e) },
	})
	require.NoError(t, err)
	assert.Equal(t, alicert.JobSuccess, out.Status)
	assert.Equal(t, alicert.DeployJobName(deployNewCert, []int64{102, 101}), out.Name, "the default name does not depend on the order of the ids")
	require.Len(t, out.Workers, 2)
	for _, w := range out.Workers {
		assert.Equal(t, "success", w.Status)
		assert.Equal(t, int64(deployNewCert), w.CertID)
		assert.Equal(t, int64(deployOldCert), w.ResourceCertID)
	}
	assert.Equal(t, map[int64]int64{101: deployNewCert, 102: deployNewCert, 103: 777}, deployCerts(srv))

	var statuses []alicert.DeploymentJobStatus
	var messages []string
	for _, e := range events {
		messages = append(messages, e.Message)
		if e.Status != "" && strings.HasPrefix(e.Message, "job ") {
			statuses = append(statuses, e.Status)
		}
	}
	assert.Equal(t, []alicert.DeploymentJobStatus{alicert.JobPending, alicert.JobScheduling, alicert.JobProcessing, alicert.JobSuccess}, statuses)
	assert.Contains(t, messages[0], "first contact, 519580 (Ops)", "the contact chosen is announced")
	assert.Equal(t, 1, srv.DeploymentJobCount())
}

func TestDeployFailedResourceIsNamedAndRolledBack(t *testing.T) {
	t.Parallel()
	for _, rollback := range []bool{false, true} {
		c, srv := setupFake(t, deployWorld(alicerttest.WithCloudResource(alicerttest.CloudResource{
			ID: 104, CloudProduct: "ALB", InstanceID: "alb-broken", ListenerID: "lsn-broken", ListenerPort: "443",
			CertID: deployOldCert, FailDeploy: true,
		}))...)
		out, err := c.CAS.Deploy(t.Context(), &alicert.DeployInput{
			CertID: deployNewCert, ResourceIDs: []int64{101, 104}, ContactIDs: []int64{519580},
			PollInterval: time.Nanosecond, RollbackFailed: rollback,
		})
		require.Error(t, err)
		assert.True(t, errors.Is(err, alicert.ErrDeploymentFailed), "%v", err)
		assert.Contains(t, err.Error(), "ALB alb-broken lsn-broken (resource 104")
		assert.NotContains(t, err.Error(), "resource 101", "only the failed resource is named")
		require.NotNil(t, out)
		assert.Equal(t, alicert.JobError, out.Status)
		certs := deployCerts(srv)
		assert.Equal(t, int64(deployNewCert), certs[101])
		if rollback {
			assert.Equal(t, int64(deployOldCert), certs[104], "the rollback restores the old certificate")
			assert.Contains(t, err.Error(), "rolled back: resource 104 rollback_success")
		} else {
			assert.Equal(t, int64(deployNewCert), certs[104], "the failure left the resource half-way")
		}
	}
}

// TestDeployRerunAfterCrashMakesOneJob stops Deploy right after each step
// (the job created, the job started), as a crash would, then runs it again
// with the same input: the rerun carries on with the same job.
func TestDeployRerunAfterCrashMakesOneJob(t *testing.T) {
	t.Parallel()
	for _, step := range []string{"created job", "started job"} {
		t.Run(step, func(t *testing.T) {
			t.Parallel()
			c, srv := setupFake(t, deployWorld()...)
			in := &alicert.DeployInput{CertID: deployNewCert, ResourceIDs: []int64{101, 102}, PollInterval: time.Nanosecond}
			ctx, crash := context.WithCancel(t.Context())
			in.Progress = func(e alicert.DeployEvent) {
				if strings.HasPrefix(e.Message, step) {
					crash()
				}
			}
			_, err := c.CAS.Deploy(ctx, in)
			require.Error(t, err, "the crash stops the run")
			require.Equal(t, 1, srv.DeploymentJobCount())

			var resumed []string
			in.Progress = func(e alicert.DeployEvent) { resumed = append(resumed, e.Message) }
			out, err := c.CAS.Deploy(t.Context(), in)
			require.NoError(t, err)
			assert.Equal(t, alicert.JobSuccess, out.Status)
			assert.Equal(t, 1, srv.DeploymentJobCount(), "the rerun made another job")
			assert.Equal(t, 1, srv.RequestCount("CreateDeploymentJob"))
			assert.Contains(t, resumed[0], "carrying on with it")
			assert.Equal(t, map[int64]int64{101: deployNewCert, 102: deployNewCert, 103: 777}, deployCerts(srv))
			// A third run finds the job done and changes nothing.
			again, err := c.CAS.Deploy(t.Context(), in)
			require.NoError(t, err)
			assert.Equal(t, out.JobID, again.JobID)
			assert.Equal(t, 1, srv.DeploymentJobCount())
		})
	}
}

// TestDeployUnknownCreateFindsTheJobByName: the create acts, then the
// connection resets; Deploy finds the job by its name instead of creating
// another.
func TestDeployUnknownCreateFindsTheJobByName(t *testing.T) {
	t.Parallel()
	c, srv := setupFake(t, deployWorld()...)
	srv.InjectFault("CreateDeploymentJob", alicerttest.Fault{Kind: alicerttest.FaultResetAfterAct}, 1)
	var messages []string
	out, err := c.CAS.Deploy(t.Context(), &alicert.DeployInput{
		CertID: deployNewCert, ResourceIDs: []int64{101}, Name: "renew-www", PollInterval: time.Nanosecond,
		Progress: func(e alicert.DeployEvent) { messages = append(messages, e.Message) },
	})
	require.NoError(t, err)
	assert.Equal(t, alicert.JobSuccess, out.Status)
	assert.Equal(t, "renew-www", out.Name)
	assert.Equal(t, 1, srv.DeploymentJobCount())
	assert.Equal(t, 1, srv.RequestCount("CreateDeploymentJob"), "a create of unknown outcome is never repeated")
	assert.Contains(t, strings.Join(messages, "\n"), "found job")

	job, err := c.CAS.FindDeploymentJob(t.Context(), "renew-www")
	require.NoError(t, err)
	require.NotNil(t, job)
	assert.Equal(t, out.JobID, job.ID)
	none, err := c.CAS.FindDeploymentJob(t.Context(), "no-such-job")
	require.NoError(t, err)
	assert.Nil(t, none)
}

// TestDeployUnknownCreateNotFound: the create never acted but its outcome
// is unknown; Deploy looks, finds nothing, and reports the unknown outcome
// without creating again.
func TestDeployUnknownCreateNotFound(t *testing.T) {
	t.Parallel()
	c, srv := setupFake(t, deployWorld()...)
	srv.InjectFault("CreateDeploymentJob", alicerttest.Fault{Kind: alicerttest.FaultInternalError}, 1)
	_, err := c.CAS.Deploy(t.Context(), &alicert.DeployInput{CertID: deployNewCert, ResourceIDs: []int64{101}, PollInterval: time.Nanosecond})
	require.Error(t, err)
	assert.True(t, errors.Is(err, alicert.ErrOutcomeUnknown), "%v", err)
	assert.Contains(t, err.Error(), "FindDeploymentJob")
	assert.Equal(t, 1, srv.RequestCount("CreateDeploymentJob"))
	assert.Equal(t, 0, srv.DeploymentJobCount())
}

// TestDeployStartLostAfterItActedCarriesOn: the start (UpdateDeploymentJobStatus
// to pending) acts, then its connection resets, and its repeats are
// throttled until the attempts run out. The job runs all the same, so
// Deploy reads it, finds it started, and waits for it instead of reporting
// a failed start.
func TestDeployStartLostAfterItActedCarriesOn(t *testing.T) {
	t.Parallel()
	c, srv := setupFake(t, deployWorld()...)
	srv.InjectFault("UpdateDeploymentJobStatus", alicerttest.Fault{Kind: alicerttest.FaultResetAfterAct}, 1)
	srv.InjectFault("UpdateDeploymentJobStatus", alicerttest.Fault{Kind: alicerttest.FaultThrottle}, 2)
	var messages []string
	out, err := c.CAS.Deploy(t.Context(), &alicert.DeployInput{
		CertID: deployNewCert, ResourceIDs: []int64{101}, PollInterval: time.Nanosecond,
		Progress: func(e alicert.DeployEvent) { messages = append(messages, e.Message) },
	})
	require.NoError(t, err)
	assert.Equal(t, alicert.JobSuccess, out.Status)
	assert.Equal(t, 3, srv.RequestCount("UpdateDeploymentJobStatus"))
	assert.Equal(t, 1, srv.DeploymentJobCount())
	assert.Equal(t, int64(deployNewCert), deployCerts(srv)[101])
	assert.Contains(t, strings.Join(messages, "\n"), "started all the same")
}

// TestDeployStartRefusedIsReported: a start that did not take effect is
// still an error.
func TestDeployStartRefusedIsReported(t *testing.T) {
	t.Parallel()
	c, srv := setupFake(t, deployWorld()...)
	srv.InjectFault("UpdateDeploymentJobStatus", alicerttest.Fault{Kind: alicerttest.FaultThrottle}, 3)
	_, err := c.CAS.Deploy(t.Context(), &alicert.DeployInput{CertID: deployNewCert, ResourceIDs: []int64{101}, PollInterval: time.Nanosecond})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "starting job")
	assert.Contains(t, err.Error(), "Throttling")
	assert.Equal(t, int64(deployOldCert), deployCerts(srv)[101])
}

func TestDeployWithoutContacts(t *testing.T) {
	t.Parallel()
	srv := alicerttest.NewServer(alicerttest.WithoutContacts(),
		alicerttest.WithCloudResource(alicerttest.CloudResource{CloudProduct: "CDN", Domain: "a.example.com", CertID: 1}))
	t.Cleanup(srv.Close)
	c, err := alicert.NewClient(srv.ClientOptions()...)
	require.NoError(t, err)
	_, err = c.CAS.Deploy(t.Context(), &alicert.DeployInput{CertID: 2, ResourceIDs: []int64{2356}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no contact")
	assert.Equal(t, 0, srv.DeploymentJobCount())
}

func TestDeployValidation(t *testing.T) {
	t.Parallel()
	c, srv := setupFake(t, deployWorld()...)
	for _, tc := range []struct {
		in     *alicert.DeployInput
		fields []string
	}{
		{nil, []string{"CertID", "ResourceIDs"}},
		{&alicert.DeployInput{CertID: 1, ResourceIDs: []int64{1, 1}}, []string{"ResourceIDs[1]"}},
		{&alicert.DeployInput{CertID: 1, ResourceIDs: []int64{1}, ContactIDs: []int64{0}, Name: " "}, []string{"ContactIDs[0]", "Name"}},
	} {
		_, err := c.CAS.Deploy(t.Context(), tc.in)
		var ve *alicert.ValidationError
		require.True(t, errors.As(err, &ve), "%v", err)
		var got []string
		for _, f := range ve.Fields {
			got = append(got, f.Field)
		}
		assert.Equal(t, tc.fields, got)
	}
	assert.Empty(t, srv.Requests())
}

func TestCloudResourcesForDomain(t *testing.T) {
	t.Parallel()
	c, _ := setupFake(t, deployWorld(alicerttest.WithCloudResource(alicerttest.CloudResource{ID: 105, CloudProduct: "OSS", Domain: "img.www.example.com", CertID: 5}))...)
	got, err := c.CAS.CloudResourcesForDomain(t.Context(), "WWW.example.com")
	require.NoError(t, err)
	require.Len(t, got, 1, "the keyword also matches img.www.example.com, which is another domain")
	assert.Equal(t, int64(101), got[0].ID)
	assert.True(t, got[0].EnableHTTPS)
}

// TestAllCloudResourcesPages reads page by page, stops with the consumer,
// and yields a failed page's error once.
func TestAllCloudResourcesPages(t *testing.T) {
	t.Parallel()
	var opts []alicerttest.Option
	for range 5 {
		opts = append(opts, alicerttest.WithCloudResource(alicerttest.CloudResource{CloudProduct: "CDN", Domain: "x.example.com", CertID: 9}))
	}
	c, srv := setupFake(t, deployWorld(opts...)...)
	ctx := t.Context()
	in := &alicert.ListCloudResourcesInput{CertIDs: []int64{9}, ShowSize: 2}

	var n int
	for r, err := range c.CAS.AllCloudResources(ctx, in) {
		require.NoError(t, err)
		assert.Equal(t, int64(9), r.CertID)
		n++
	}
	assert.Equal(t, 5, n)
	assert.Equal(t, 3, srv.RequestCount("ListCloudResources"), "pages of 2, 2 and 1")
	assert.Equal(t, int64(0), in.CurrentPage, "the input is not modified")

	for range c.CAS.AllCloudResources(ctx, in) {
		break
	}
	assert.Equal(t, 4, srv.RequestCount("ListCloudResources"), "a loop that breaks sends no further request")

	before := srv.RequestCount("ListCloudResources")
	var all []alicert.CloudResource
	for r, err := range c.CAS.AllCloudResources(ctx, &alicert.ListCloudResourcesInput{}) {
		require.NoError(t, err)
		all = append(all, r)
	}
	assert.Len(t, all, 8)
	assert.Equal(t, before+1, srv.RequestCount("ListCloudResources"), "the default page holds them all")
	reqs := srv.Requests()
	assert.Equal(t, "100", reqs[len(reqs)-1].Params.Get("ShowSize"), "the largest page by default")

	srv.InjectFault("ListCloudResources", alicerttest.Fault{Kind: alicerttest.FaultBadGatewayHTML}, 10)
	var errs int
	for _, err := range c.CAS.AllCloudResources(ctx, in) {
		if err != nil {
			errs++
		}
	}
	assert.Equal(t, 1, errs)
}

// A job can report success over a worker that failed: Deploy trusts the
// workers, not the job's status.
func TestDeployJobSuccessOverAFailedWorkerIsAFailure(t *testing.T) {
	t.Parallel()
	c, _ := setupFake(t, deployWorld(alicerttest.WithCloudResource(alicerttest.CloudResource{
		ID: 105, CloudProduct: "CDN", Domain: "img.example.com", CertID: deployOldCert, FailWorkerOnly: true,
	}))...)
	out, err := c.CAS.Deploy(t.Context(), &alicert.DeployInput{
		CertID: deployNewCert, ResourceIDs: []int64{101, 105}, ContactIDs: []int64{519580}, PollInterval: time.Nanosecond,
	})
	require.Error(t, err)
	assert.True(t, errors.Is(err, alicert.ErrDeploymentFailed), "%v", err)
	assert.Contains(t, err.Error(), "reports success, but not every worker does")
	assert.Contains(t, err.Error(), "CDN img.example.com (resource 105")
	assert.NotContains(t, err.Error(), "resource 101", "only the failed resource is named")
	require.NotNil(t, out)
	assert.Equal(t, alicert.JobSuccess, out.Status, "the job's own status is reported as it is")
}

func TestDeployInputValidate(t *testing.T) {
	t.Parallel()
	var ve *alicert.ValidationError
	require.ErrorAs(t, (&alicert.DeployInput{ResourceIDs: []int64{-1}, MaxWait: -time.Second}).Validate(), &ve)
	fields := make([]string, len(ve.Fields))
	for i, f := range ve.Fields {
		fields[i] = f.Field
	}
	assert.Equal(t, []string{"CertID", "MaxWait", "ResourceIDs[0]"}, fields)
	assert.NoError(t, (&alicert.DeployInput{CertID: 1, ResourceIDs: []int64{2}}).Validate())
}

// TestDeployMaxWaitNeverCutsTheCreate: MaxWait runs out before the job is
// created; the creation, under ctx alone, still completes, the next step
// stops with context.DeadlineExceeded, and a rerun carries on with the one
// job.
func TestDeployMaxWaitNeverCutsTheCreate(t *testing.T) {
	t.Parallel()
	c, srv := setupFake(t, deployWorld()...)
	// Long enough for the look-ups before the creation on a loaded
	// machine; Progress then outlives it.
	const maxWait = time.Second
	in := &alicert.DeployInput{
		CertID: deployNewCert, ResourceIDs: []int64{101}, Name: "renew-www", PollInterval: time.Nanosecond,
		MaxWait: maxWait,
		// Announced just before the creation: outlive MaxWait there, so
		// that the creation starts after the limit has passed.
		Progress: func(e alicert.DeployEvent) {
			if strings.Contains(e.Message, "first contact") {
				time.Sleep(maxWait + 100*time.Millisecond)
			}
		},
	}
	_, err := c.CAS.Deploy(t.Context(), in)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, 1, srv.RequestCount("CreateDeploymentJob"))
	assert.Equal(t, 1, srv.DeploymentJobCount(), "the job was created all the same")

	in.MaxWait, in.Progress = 0, nil
	out, err := c.CAS.Deploy(t.Context(), in)
	require.NoError(t, err)
	assert.Equal(t, alicert.JobSuccess, out.Status)
	assert.Equal(t, 1, srv.DeploymentJobCount(), "the rerun carried on with it")
	assert.Equal(t, 1, srv.RequestCount("CreateDeploymentJob"))
}

// TestDeployMaxWaitBoundsTheLookUps: a look-up the service never answers
// ends at MaxWait, and nothing is created.
func TestDeployMaxWaitBoundsTheLookUps(t *testing.T) {
	t.Parallel()
	c, srv := setupFake(t, deployWorld()...)
	srv.InjectFault("ListDeploymentJob", alicerttest.Fault{Kind: alicerttest.FaultSlow, Delay: time.Hour}, 1)
	_, err := c.CAS.Deploy(t.Context(), &alicert.DeployInput{
		CertID: deployNewCert, ResourceIDs: []int64{101}, MaxWait: 50 * time.Millisecond,
	})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Zero(t, srv.RequestCount("CreateDeploymentJob"))
}

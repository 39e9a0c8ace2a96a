package alicerttest_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/alicert/alicert/alicerttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The fake checks the deployment actions' parameters on its own, from the
// wire, independently of the client: these requests are hand-made.

func deployServer(t *testing.T) *alicerttest.Server {
	t.Helper()
	return newServer(t,
		alicerttest.WithContact("Ops", "ops@example.com", "13800000000"),
		alicerttest.WithCloudResource(alicerttest.CloudResource{CloudProduct: "CDN", Domain: "www.example.com", CertID: 7}),
		alicerttest.WithCloudResource(alicerttest.CloudResource{CloudProduct: "ALB", InstanceID: "alb-1", CertID: 7, FailDeploy: true}),
	)
}

func call(t *testing.T, srv *alicerttest.Server, params ...string) rawResult {
	t.Helper()
	p := map[string]string{"Version": casVersion}
	for i := 0; i+1 < len(params); i += 2 {
		p[params[i]] = params[i+1]
	}
	return raw{params: p}.send(t, srv)
}

func TestFakeListCloudResourcesCertIdsIsAJSONArray(t *testing.T) {
	t.Parallel()
	srv := deployServer(t)
	ok := call(t, srv, "Action", "ListCloudResources", "CertIds", "[7,8]")
	require.Equal(t, http.StatusOK, ok.status, "%s", ok.body)
	var doc struct {
		Total int
		Data  []struct {
			ID          int64 `json:"Id"`
			EnableHttps int
		}
	}
	require.NoError(t, json.Unmarshal(ok.body, &doc))
	assert.Equal(t, 2, doc.Total)
	assert.Equal(t, int64(2356), doc.Data[0].ID, "ids are assigned in the order of the options")
	assert.Equal(t, 1, doc.Data[0].EnableHttps)

	comma := call(t, srv, "Action", "ListCloudResources", "CertIds", "7,8")
	assert.Equal(t, "InvalidParameter", comma.doc.Code, "a comma-joined list is not what the service takes")
	big := call(t, srv, "Action", "ListCloudResources", "ShowSize", "5000")
	assert.Equal(t, http.StatusOK, big.status, "the model states no largest ShowSize: %s", big.body)
	product := call(t, srv, "Action", "ListCloudResources", "CloudName", "Tencent", "CloudProduct", "CDN")
	assert.Equal(t, "InvalidParameter", product.doc.Code)
}

func TestFakeCreateDeploymentJobChecks(t *testing.T) {
	t.Parallel()
	srv := deployServer(t)
	valid := map[string]string{"Action": "CreateDeploymentJob", "Version": casVersion, "Name": "j", "JobType": "user",
		"CertIds": "9", "ResourceIds": "2356,2357", "ContactIds": "519580"}
	for _, tc := range []struct {
		changes []string
		code    string
	}{
		{[]string{"Name", ""}, "MissingParameter"},
		{[]string{"JobType", "trustee"}, "InvalidParameter"},
		{[]string{"CertIds", "[9]"}, "InvalidParameter"},
		{[]string{"ResourceIds", "2356,1"}, "InvalidParameter"},
		{[]string{"ContactIds", "1"}, "InvalidParameter"},
		{[]string{"ScheduleTime", "soon"}, "InvalidParameter"},
	} {
		r := raw{params: with(valid, tc.changes...)}.send(t, srv)
		assert.Equal(t, tc.code, r.doc.Code, "%v: %s", tc.changes, r.body)
	}
	assert.Equal(t, 0, srv.DeploymentJobCount())
	r := raw{params: valid}.send(t, srv)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	assert.Equal(t, 1, srv.DeploymentJobCount())
}

// TestFakeJobLifecycle walks a job through its states by hand: editing,
// pending, scheduling, processing, error (one resource fails half-way),
// then the rollback of the failed worker.
func TestFakeJobLifecycle(t *testing.T) {
	t.Parallel()
	srv := deployServer(t)
	created := call(t, srv, "Action", "CreateDeploymentJob", "Name", "j", "JobType", "user",
		"CertIds", "9", "ResourceIds", "2356,2357", "ContactIds", "519580")
	require.Equal(t, http.StatusOK, created.status, "%s", created.body)

	status := func() string {
		r := call(t, srv, "Action", "DescribeDeploymentJob", "JobId", "8888")
		var doc struct{ Status string }
		require.NoError(t, json.Unmarshal(r.body, &doc), "%s", r.body)
		return doc.Status
	}
	assert.Equal(t, "editing", status())
	assert.Equal(t, "editing", status(), "a job in editing stays there")
	denied := call(t, srv, "Action", "UpdateDeploymentJobStatus", "JobId", "8888", "Status", "success")
	assert.Equal(t, "InvalidParameter", denied.doc.Code)
	start := call(t, srv, "Action", "UpdateDeploymentJobStatus", "JobId", "8888", "Status", "pending")
	require.Equal(t, http.StatusOK, start.status, "%s", start.body)
	again := call(t, srv, "Action", "UpdateDeploymentJobStatus", "JobId", "8888", "Status", "pending")
	require.Equal(t, http.StatusOK, again.status, "setting the same status again is accepted")
	var seen []string
	for range 4 {
		seen = append(seen, status())
	}
	assert.Equal(t, []string{"pending", "scheduling", "processing", "error"}, seen)
	certs := map[int64]int64{}
	for _, r := range srv.CloudResources() {
		certs[r.ID] = r.CertID
	}
	assert.Equal(t, map[int64]int64{2356: 9, 2357: 9}, certs, "the failed resource took the certificate half-way")

	workers := func(status string) []struct {
		ID         int64 `json:"Id"`
		ResourceID int64 `json:"ResourceId"`
		Status     string
	} {
		r := call(t, srv, "Action", "ListWorkerResource", "JobId", "8888", "Status", status)
		var doc struct {
			Data []struct {
				ID         int64 `json:"Id"`
				ResourceID int64 `json:"ResourceId"`
				Status     string
			}
		}
		require.NoError(t, json.Unmarshal(r.body, &doc), "%s", r.body)
		return doc.Data
	}
	failed := workers("error")
	require.Len(t, failed, 1)
	assert.Equal(t, int64(2357), failed[0].ResourceID)
	rb := call(t, srv, "Action", "UpdateWorkerResourceStatus", "JobId", "8888", "WorkerId", "22488", "Status", "rollback")
	require.Equal(t, http.StatusOK, rb.status, "%s", rb.body)
	assert.Len(t, workers("rollback"), 1)
	assert.Len(t, workers("rollback_success"), 1)
	assert.Equal(t, int64(7), srv.CloudResources()[1].CertID, "the rollback restored the old certificate")
	assert.Equal(t, int64(9), srv.CloudResources()[0].CertID)
}

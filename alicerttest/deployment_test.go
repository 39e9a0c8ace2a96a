package alicerttest_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
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

// jsonKind is the JSON type of a value: "string", "number", "bool",
// "array", "object" or "null".
func jsonKind(v json.RawMessage) string {
	switch s := string(v); {
	case s == "null":
		return "null"
	case s == "true" || s == "false":
		return "bool"
	case strings.HasPrefix(s, `"`):
		return "string"
	case strings.HasPrefix(s, "["):
		return "array"
	case strings.HasPrefix(s, "{"):
		return "object"
	}
	return "number"
}

// requireModelFields checks that doc has every field of fields, each of
// the JSON type the model gives it ("string", "number", "bool").
func requireModelFields(t *testing.T, what string, doc json.RawMessage, fields map[string]string) {
	t.Helper()
	var got map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(doc, &got), "%s: %s", what, doc)
	for name, kind := range fields {
		v, ok := got[name]
		if assert.True(t, ok, "%s has no %s: %s", what, name, doc) {
			assert.Equal(t, kind, jsonKind(v), "%s.%s: %s", what, name, v)
		}
	}
}

// firstOf returns the first element of the array field of a JSON document.
func firstOf(t *testing.T, body []byte, field string) json.RawMessage {
	t.Helper()
	var list []json.RawMessage
	require.NoError(t, json.Unmarshal(mustField(t, body, field), &list), "%s", body)
	require.NotEmpty(t, list, "%s", body)
	return list[0]
}

// TestFakeDeploymentDocumentsHaveEveryModelField: ListCloudResources,
// DescribeDeploymentJob, ListDeploymentJob and ListWorkerResource send
// every field of their CAS 2020-04-07 response models, with the model's
// JSON types; the certificate's domain, dates and order come from the
// account's certificate.
func TestFakeDeploymentDocumentsHaveEveryModelField(t *testing.T) {
	t.Parallel()
	srv := newServer(t, alicerttest.WithImmediateIssue(),
		alicerttest.WithContact("Ops", "ops@example.com", "13800000000"),
		alicerttest.WithCloudResource(alicerttest.CloudResource{CloudProduct: "SLB", InstanceID: "lb-1", ListenerID: "lsn-1", ListenerPort: "443", CertID: 7}))
	orderID, certID := issuedOrder(t, srv)

	resources := call(t, srv, "Action", "ListCloudResources")
	requireModelFields(t, "ListCloudResources.Data", firstOf(t, resources.body, "Data"), map[string]string{
		"CertEndTime": "string", "CertId": "number", "CertName": "string", "CertStartTime": "string",
		"CloudAccessId": "string", "CloudName": "string", "CloudProduct": "string", "CloudRegion": "string",
		"DefaultResource": "number", "Domain": "string", "EnableHttps": "number", "GmtCreate": "string",
		"GmtModified": "string", "Id": "number", "InstanceId": "string", "ListenerId": "string",
		"ListenerPort": "string", "RegionId": "string", "Status": "string", "UseSsl": "number", "UserId": "number",
	})

	created := call(t, srv, "Action", "CreateDeploymentJob", "Name", "j", "JobType", "user",
		"CertIds", jsonNumber(certID), "ResourceIds", "2356", "ContactIds", "519580")
	require.Equal(t, http.StatusOK, created.status, "%s", created.body)
	jobFields := map[string]string{
		"CertDomain": "string", "CertType": "string", "Del": "number", "GmtCreate": "string",
		"GmtModified": "string", "Id": "number", "InstanceId": "string", "JobType": "string", "Name": "string",
		"ProductName": "string", "Rollback": "number", "Status": "string", "UserId": "number",
	}
	require.Equal(t, http.StatusOK, call(t, srv, "Action", "UpdateDeploymentJobStatus", "JobId", "8888", "Status", "pending").status)
	for range 3 { // pending, scheduling, processing: the third read deploys
		call(t, srv, "Action", "DescribeDeploymentJob", "JobId", "8888")
	}
	job := call(t, srv, "Action", "DescribeDeploymentJob", "JobId", "8888")
	full := map[string]string{"Config": "string", "StartTime": "string", "EndTime": "string", "RequestId": "string", "CasContacts": "array"}
	for k, v := range jobFields {
		full[k] = v
	}
	requireModelFields(t, "DescribeDeploymentJob", job.body, full)
	assert.JSONEq(t, `"www.example.com"`, string(mustField(t, job.body, "CertDomain")))
	requireModelFields(t, "DescribeDeploymentJob.CasContacts", firstOf(t, job.body, "CasContacts"),
		map[string]string{"Email": "string", "Id": "string", "Mobile": "string", "Name": "string"})
	jobs := call(t, srv, "Action", "ListDeploymentJob")
	requireModelFields(t, "ListDeploymentJob.Data", firstOf(t, jobs.body, "Data"), jobFields)

	workers := call(t, srv, "Action", "ListWorkerResource", "JobId", "8888")
	worker := firstOf(t, workers.body, "Data")
	requireModelFields(t, "ListWorkerResource.Data", worker, map[string]string{
		"CertDomain": "string", "CertId": "number", "CertInstanceId": "string", "CertName": "string",
		"CloudName": "string", "CloudProduct": "string", "CloudRegion": "string", "DefaultResource": "bool",
		"GmtCreate": "string", "GmtModified": "string", "Id": "number", "InstanceId": "string", "JobId": "number",
		"ListenerId": "string", "NamespaceId": "string", "OrderId": "number", "Port": "number", "RegionId": "string",
		"ResourceCertId": "number", "ResourceDomain": "string", "ResourceId": "number", "Status": "string", "UserId": "number",
	})
	assert.JSONEq(t, jsonNumber(orderID), string(mustField(t, worker, "OrderId")), "the order that issued the certificate")

	after := call(t, srv, "Action", "ListCloudResources")
	res := firstOf(t, after.body, "Data")
	var doc struct{ CertStartTime, CertEndTime, GmtCreate, GmtModified string }
	require.NoError(t, json.Unmarshal(res, &doc))
	assert.NotEqual(t, doc.GmtCreate, doc.GmtModified, "the deployment modified the resource: %s", res)
	detail := call(t, srv, "Action", "GetUserCertificateDetail", "CertId", jsonNumber(certID), "CertFilter", "true")
	var cert struct{ NotBefore, NotAfter int64 }
	require.NoError(t, json.Unmarshal(detail.body, &cert))
	assert.Equal(t, strconv.FormatInt(cert.NotBefore, 10), doc.CertStartTime, "the deployed certificate's validity")
	assert.Equal(t, strconv.FormatInt(cert.NotAfter, 10), doc.CertEndTime)
}

// A page number whose first entry overflows an int is an empty page, not
// a panic: the fake serves hostile clients too.
func TestFakeDeploymentListsSurviveHugePages(t *testing.T) {
	t.Parallel()
	srv := deployServer(t)
	for _, action := range []string{"ListCloudResources", "ListContact", "ListWorkerResource", "ListDeploymentJob"} {
		for _, page := range []string{"4611686018427387904", "9223372036854775807", "2305843009213693953"} {
			r := call(t, srv, "Action", action, "CurrentPage", page, "ShowSize", "4", "JobId", "1")
			assert.NotEqual(t, http.StatusInternalServerError, r.status, "%s page %s: %s", action, page, r.body)
			assert.NotContains(t, string(r.body), "panic")
		}
	}
}

package alicerttest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The fake enforces, with its own code, the rules the official models
// state; these requests go past the client, raw.

// TestFakeUploadNameFollowsTheModel: "The name can be up to 63 characters
// long and can contain letters, digits, and underscores (_)"
// (UploadUserCertificateRequest).
func TestFakeUploadNameFollowsTheModel(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	certPEM, keyPEM := selfSigned(t)
	upload := func(name string) rawResult {
		return raw{params: map[string]string{"Action": "UploadUserCertificate", "Version": casVersion,
			"Name": name, "Cert": certPEM, "Key": keyPEM}}.send(t, srv)
	}
	for _, name := range []string{"web-2025", "www.example.com", "my cert", "证书", strings.Repeat("n", 64)} {
		res := upload(name)
		assert.Equal(t, http.StatusBadRequest, res.status, name)
		assert.Equal(t, "InvalidParameter", res.doc.Code, name)
		assert.Contains(t, res.doc.Message, `"Name"`, name)
	}
	res := upload("Web_2025_" + strings.Repeat("n", 54))
	require.Equal(t, http.StatusOK, res.status, "63 letters, digits and underscores: %s", res.body)
}

// TestFakeTagLimitsFollowEachModel: CreateCertificateWithCsrRequest takes
// tag keys of up to 128 characters, CreateCertificateRequest up to 64, and
// UploadUserCertificate states no limit.
func TestFakeTagLimitsFollowEachModel(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	csr := csrPEM(t, "www.example.com", "www.example.com")
	res := raw{params: with(withCsr(csr), "Tags.1.Key", strings.Repeat("k", 128), "Tags.1.Value", "v")}.send(t, srv)
	assert.Equal(t, http.StatusOK, res.status, "a 128-character key: %s", res.body)
	res = raw{params: with(withCsr(csr), "Tags.1.Key", strings.Repeat("k", 129), "Tags.1.Value", "v")}.send(t, srv)
	assert.Equal(t, "InvalidParameter", res.doc.Code, "a 129-character key")

	order := map[string]string{"Action": "CreateCertificateRequest", "Version": casVersion, "Domain": "www.example.com",
		"ValidateType": "DNS", "Username": "Zhang San", "Phone": "13800000000", "Email": "ops@example.com"}
	res = raw{params: with(order, "Tags.1.Key", strings.Repeat("k", 65), "Tags.1.Value", "v")}.send(t, srv)
	assert.Equal(t, "InvalidParameter", res.doc.Code, "a 65-character key: %s", res.body)

	certPEM, keyPEM := selfSigned(t)
	res = raw{params: map[string]string{"Action": "UploadUserCertificate", "Version": casVersion, "Name": "tagged",
		"Cert": certPEM, "Key": keyPEM, "Tags.25.Key": strings.Repeat("k", 300), "Tags.25.Value": strings.Repeat("v", 300)}}.send(t, srv)
	assert.Equal(t, http.StatusOK, res.status, "no limit stated for an upload's tags: %s", res.body)
}

// TestFakeWorkerStatusRollbackOnlyAndTrusteeJobs: UpdateWorkerResourceStatus
// takes Status rollback alone; ListDeploymentJob takes JobType trustee.
func TestFakeWorkerStatusRollbackOnlyAndTrusteeJobs(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	for _, status := range []string{"success", "editing", "pending", "rollback_success", "rollback_error"} {
		res := call(t, srv, "Action", "UpdateWorkerResourceStatus", "JobId", "8888", "WorkerId", "22488", "Status", status)
		assert.Equal(t, "InvalidParameter", res.doc.Code, status)
		assert.Contains(t, res.doc.Message, `"Status"`, status)
	}
	res := call(t, srv, "Action", "ListDeploymentJob", "JobType", "trustee")
	assert.Equal(t, http.StatusOK, res.status, "%s", res.body)
	res = call(t, srv, "Action", "ListDeploymentJob", "JobType", "ecs")
	assert.Equal(t, "InvalidParameter", res.doc.Code)
}

package alicert

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The rules in this file are the limits the official models state, each
// checked where alicert used to differ from them.

// fieldsOf lists the fields of validation problems.
func fieldsOf(problems []FieldError) []string {
	fields := make([]string, 0, len(problems))
	for _, p := range problems {
		fields = append(fields, p.Field)
	}
	return fields
}

// TestTagLimitsFollowEachModel: each operation checks its tags against its
// own model's text, and no more.
func TestTagLimitsFollowEachModel(t *testing.T) {
	t.Parallel()
	key := func(n int) []Tag { return []Tag{{Key: strings.Repeat("k", n), Value: "v"}} }
	value := func(n int) []Tag { return []Tag{{Key: "k", Value: strings.Repeat("v", n)}} }
	csr := func(tags []Tag) []FieldError {
		return fieldProblems((&CreateCertificateWithCsrRequestInput{Tags: tags}).validate(), "Tags")
	}
	renew := func(tags []Tag) []FieldError {
		return fieldProblems((&RenewCertificateOrderForPackageRequestInput{Tags: tags}).validate(), "Tags")
	}
	order := func(tags []Tag) []FieldError {
		return fieldProblems((&CreateCertificateRequestInput{Tags: tags}).validate(), "Tags")
	}
	upload := func(tags []Tag) []FieldError {
		return fieldProblems((&UploadUserCertificateInput{Tags: tags}).validate(), "Tags")
	}
	// CreateCertificateWithCsrRequestRequestTags: keys up to 128
	// characters; no value limit stated.
	assert.Empty(t, csr(key(128)))
	assert.Equal(t, []string{"Tags[0].Key"}, fieldsOf(csr(key(129))))
	assert.Empty(t, csr(value(500)))
	// RenewCertificateOrderForPackageRequestRequestTags: keys and values up
	// to 128.
	assert.Empty(t, renew(key(128)))
	assert.Equal(t, []string{"Tags[0].Key"}, fieldsOf(renew(key(129))))
	assert.Equal(t, []string{"Tags[0].Value"}, fieldsOf(renew(value(129))))
	// CreateCertificateRequestRequestTags: keys up to 64, values up to 128.
	assert.Empty(t, order(key(64)))
	assert.Equal(t, []string{"Tags[0].Key"}, fieldsOf(order(key(65))))
	assert.Equal(t, []string{"Tags[0].Value"}, fieldsOf(order(value(129))))
	assert.Equal(t, []string{"Tags"}, fieldsOf(order(make([]Tag, 21)))[:1], "up to 20 tags")
	// UploadUserCertificateRequestTags states no limit.
	assert.Empty(t, upload(append(key(300), make([]Tag, 25)...)))
}

// fieldProblems keeps the problems of one field and its parts.
func fieldProblems(problems []FieldError, prefix string) []FieldError {
	var kept []FieldError
	for _, p := range problems {
		if strings.HasPrefix(p.Field, prefix) {
			kept = append(kept, p)
		}
	}
	return kept
}

// TestListDeploymentJobTakesTrustee: the job types the models name, user,
// cloud and trustee, are accepted; another is not.
func TestListDeploymentJobTakesTrustee(t *testing.T) {
	t.Parallel()
	for _, jt := range []DeploymentJobType{JobTypeUser, JobTypeCloud, JobTypeTrustee, ""} {
		assert.Empty(t, (&ListDeploymentJobInput{JobType: jt}).validate(), jt)
	}
	assert.Equal(t, "trustee", string(JobTypeTrustee))
	assert.Equal(t, []string{"JobType"}, fieldsOf((&ListDeploymentJobInput{JobType: "ecs"}).validate()))
}

// TestUpdateWorkerResourceStatusTakesRollbackOnly: "Valid values: -
// rollback".
func TestUpdateWorkerResourceStatusTakesRollbackOnly(t *testing.T) {
	t.Parallel()
	assert.Empty(t, (&UpdateWorkerResourceStatusInput{JobID: 1, WorkerID: 2, Status: WorkerRollback}).validate())
	for _, s := range []string{"editing", "pending", "success", WorkerRollbackSuccess, WorkerRollbackError} {
		assert.Equal(t, []string{"Status"}, fieldsOf((&UpdateWorkerResourceStatusInput{JobID: 1, WorkerID: 2, Status: s}).validate()), s)
	}
}

// TestNoPageSizeCapTheModelsDoNotState: the CAS list actions state a
// default page size and no largest; KMS and Alidns state theirs.
func TestNoPageSizeCapTheModelsDoNotState(t *testing.T) {
	t.Parallel()
	const huge = 1 << 20
	assert.Empty(t, (&ListCloudResourcesInput{ShowSize: huge}).validate())
	assert.Empty(t, (&ListContactInput{ShowSize: huge}).validate())
	assert.Empty(t, (&ListDeploymentJobInput{ShowSize: huge}).validate())
	assert.Empty(t, (&ListWorkerResourceInput{JobID: 1, ShowSize: huge}).validate())
	assert.Empty(t, (&ListUserCertificateOrderInput{ShowSize: huge}).validate())
	assert.Equal(t, []string{"PageSize"}, fieldsOf((&ListKeyVersionsInput{KeyID: "k", PageSize: 101}).validate()),
		"ListKeyVersions: Valid values: 0 to 101")
	assert.Equal(t, []string{"PageSize"}, fieldsOf((&DescribeSubDomainRecordsInput{SubDomain: "a.example.com", PageSize: 101}).validate()),
		"DescribeSubDomainRecords: Maximum value: 100")
}

// TestDeploymentJobNameHasNoInventedLimit: the model's Name is required
// and states no length or alphabet.
func TestDeploymentJobNameHasNoInventedLimit(t *testing.T) {
	t.Parallel()
	in := &CreateDeploymentJobInput{Name: strings.Repeat("j", 200) + "\nsecond line", JobType: JobTypeUser,
		CertIDs: []int64{1}, ResourceIDs: []int64{2}, ContactIDs: []int64{3}}
	assert.Empty(t, fieldProblems(in.validate(), "Name"))
	in.Name = " "
	assert.Equal(t, []string{"Name"}, fieldsOf(fieldProblems(in.validate(), "Name")))
}

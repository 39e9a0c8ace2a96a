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

package alicert_test

import (
	"crypto"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Obtain hands back the id the account knows the certificate by, so that
// Deploy can follow it; the fake's bare account has a contact to notify.
func TestObtainCertIDDeploysOnABareFake(t *testing.T) {
	t.Parallel()
	srv := alicerttest.NewServer(alicerttest.WithImmediateIssue(),
		alicerttest.WithCloudResource(alicerttest.CloudResource{CloudProduct: "CDN", Domain: "www.example.com", CertID: 1001}))
	t.Cleanup(srv.Close)
	c, err := alicert.NewClient(srv.ClientOptions()...)
	require.NoError(t, err)
	out, err := c.CAS.Obtain(t.Context(), &alicert.ObtainInput{Domain: "www.example.com", DNS: alicert.NewAlidnsProvider(c),
		Username: "Zhang San", Phone: "13800000000", Email: "ops@example.com", PollInterval: time.Millisecond})
	require.NoError(t, err)
	require.Positive(t, out.CertID)

	orders, err := c.CAS.ListUserCertificateOrder(t.Context(), &alicert.ListUserCertificateOrderInput{OrderType: alicert.OrderTypeCert})
	require.NoError(t, err)
	require.Len(t, orders.CertificateOrderList, 1)
	assert.Equal(t, orders.CertificateOrderList[0].CertificateID, out.CertID, "the id the account lists the certificate by")

	dep, err := c.CAS.Deploy(t.Context(), &alicert.DeployInput{CertID: out.CertID, ResourceIDs: []int64{srv.CloudResources()[0].ID},
		PollInterval: time.Millisecond})
	require.NoError(t, err)
	assert.Equal(t, alicert.JobSuccess, dep.Status)
	assert.Equal(t, out.CertID, srv.CloudResources()[0].CertID)
}

// CertId is a string in DescribeCertificateState's model: a missing or
// malformed one gives no id rather than a failure, since the certificate
// itself is good.
func TestObtainCertIDFromTheStateResponse(t *testing.T) {
	t.Parallel()
	key := isECKey(t)
	cert, keyPEM := isLeaf(t, key, "a.example.com", "a.example.com"), isKeyPEM(t, key)
	for _, tc := range []struct {
		certID string
		want   int64
	}{
		{"9007199254740993", 9007199254740993}, // 2^53+1 survives exactly
		{"", 0},
		{"abc", 0},
		{"-5", 0},
	} {
		body, err := json.Marshal(map[string]string{"RequestId": "R", "Type": "certificate", "ValidateType": "DNS",
			"Certificate": cert, "PrivateKey": keyPEM, "CertId": tc.certID})
		require.NoError(t, err)
		c, err := alicert.NewClient(alicert.WithAccessKey("id", "secret"), alicert.WithCASEndpoint(rdServe(t, string(body))))
		require.NoError(t, err)
		out, err := c.CAS.Obtain(t.Context(), &alicert.ObtainInput{Domain: "a.example.com", OrderID: 42, DNS: isNoDNS{}, PollInterval: time.Millisecond})
		require.NoError(t, err, tc.certID)
		assert.Equal(t, tc.want, out.CertID, tc.certID)
	}
}

// UploadObtained uploads an obtained certificate with the caller's key,
// or the service's, so that Deploy can install it; it refuses, before
// sending anything, what cannot be uploaded.
func TestUploadObtained(t *testing.T) {
	t.Parallel()
	c, srv := setupFake(t, alicerttest.WithImmediateIssue())
	obtain := func(key crypto.Signer) *alicert.ObtainOutput {
		out, err := c.CAS.Obtain(t.Context(), &alicert.ObtainInput{Domain: "www.example.com", DNS: alicert.NewAlidnsProvider(c), Key: key,
			Username: "Zhang San", Phone: "13800000000", Email: "ops@example.com", PollInterval: time.Millisecond})
		require.NoError(t, err)
		return out
	}
	own := isECKey(t)
	mine := obtain(own)
	up, err := c.CAS.UploadObtained(t.Context(), &alicert.UploadObtainedInput{Name: "www_own", Obtained: mine, Key: own})
	require.NoError(t, err)
	require.Positive(t, up.CertID)
	detail, err := c.CAS.GetUserCertificateDetail(t.Context(), &alicert.GetUserCertificateDetailInput{CertID: up.CertID})
	require.NoError(t, err)
	assert.Equal(t, mine.Leaf().SerialNumber.Text(16), strings.ToLower(strings.TrimLeft(detail.SerialNo, "0")), "the obtained certificate")

	theirs := obtain(nil)
	up, err = c.CAS.UploadObtained(t.Context(), &alicert.UploadObtainedInput{Name: "www_service", Obtained: theirs})
	require.NoError(t, err)
	assert.Positive(t, up.CertID)

	kmsKey, err := c.KMS.CreateKey(t.Context(), &alicert.CreateKeyInput{KeySpec: "EC_P256", KeyUsage: alicert.KeyUsageSignVerify})
	require.NoError(t, err)
	signer, err := alicert.NewKMSSigner(t.Context(), c, kmsKey.KeyMetadata.KeyID, "")
	require.NoError(t, err)
	before := srv.RequestCount("UploadUserCertificate")
	for _, tc := range []struct {
		in    *alicert.UploadObtainedInput
		field string
	}{
		{nil, "Obtained"},
		{&alicert.UploadObtainedInput{Name: "x"}, "Obtained"},
		{&alicert.UploadObtainedInput{Name: "x", Obtained: mine}, "Key"}, // no key: neither the caller's nor the service's
		{&alicert.UploadObtainedInput{Name: "x", Obtained: mine, Key: signer}, "Key"},
		{&alicert.UploadObtainedInput{Name: "not a name!", Obtained: mine, Key: own}, "Name"},
	} {
		_, err := c.CAS.UploadObtained(t.Context(), tc.in)
		var ve *alicert.ValidationError
		require.ErrorAs(t, err, &ve)
		require.Len(t, ve.Fields, 1, err.Error())
		assert.Equal(t, tc.field, ve.Fields[0].Field, err.Error())
		assert.NotContains(t, err.Error(), "PRIVATE KEY")
	}
	assert.Equal(t, before, srv.RequestCount("UploadUserCertificate"), "nothing sent")
	assert.NotContains(t, fmt.Sprintf("%+v %#v", alicert.UploadObtainedInput{Key: own, Obtained: theirs}, alicert.UploadObtainedInput{Key: own}),
		own.D.String(), "the key is hidden")
}

package alicert_test

import (
	"encoding/json"
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

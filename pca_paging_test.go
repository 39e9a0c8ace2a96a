package alicert_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
	"github.com/alicert/alicert/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPCAIteratorsReadEveryPage(t *testing.T) {
	t.Parallel()
	client, srv := newExampleClient(alicerttest.WithPrivateCA())
	defer srv.Close()
	ctx := context.Background()
	_, err := client.PCA.CreateSubCACertificate(ctx, &alicert.CreateSubCACertificateInput{
		ParentIdentifier: srv.PrivateCA().RootIdentifier, Algorithm: alicert.PCAKeyECC256, CommonName: "Second",
		Organization: "Example", OrganizationUnit: "Security", Locality: "Hangzhou", State: "Zhejiang", Years: 5,
	})
	require.NoError(t, err)
	var cas []string
	for ca, err := range client.PCA.AllCACertificates(ctx, &alicert.DescribeCACertificateListInput{ShowSize: 2}) {
		require.NoError(t, err)
		cas = append(cas, ca.Identifier)
	}
	assert.Len(t, cas, 3, "a root and two sub-CAs, over two pages")

	var issued []string
	for _, cn := range []string{"a.internal", "b.internal", "c.internal"} {
		issued = append(issued, exampleIssued(client, srv.PrivateCA().SubCAIdentifier, cn))
	}
	for _, id := range issued {
		_, err := client.PCA.CreateRevokeClientCertificate(ctx, &alicert.CreateRevokeClientCertificateInput{Identifier: id})
		require.NoError(t, err)
	}
	var revoked []string
	for c, err := range client.PCA.AllRevokedCertificates(ctx, &alicert.ListRevokeCertificateInput{ShowSize: 2}) {
		require.NoError(t, err)
		revoked = append(revoked, c.Identifier)
	}
	assert.ElementsMatch(t, issued, revoked)
}

// A service that ignores the page number cannot keep an iterator going.
func TestPCAIteratorsStopOnARepeatedPage(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, func(testkit.Request) testkit.Reply {
		return testkit.JSON(http.StatusOK, `{"RequestId":"r","TotalCount":9,"CertificateList":[{"Identifier":"a"},{"Identifier":"b"}]}`)
	})
	var n int
	var last error
	for _, err := range c.PCA.AllCACertificates(context.Background(), &alicert.DescribeCACertificateListInput{ShowSize: 2}) {
		n++
		last = err
	}
	require.Error(t, last)
	assert.Contains(t, last.Error(), "DescribeCACertificateList")
	assert.Equal(t, 3, n, "the first page's two entries, then the error")
	assert.Equal(t, 2, srv.Attempts())
}

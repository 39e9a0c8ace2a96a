package alicerttest_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/alicert/alicert/alicerttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The fake checks the lifecycle's parameters on its own, independently of
// the client's validation: these requests are sent raw, past the client.

func csrPEM(t *testing.T, cn string, dns ...string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: cn}, DNSNames: dns}, key)
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
}

func withCsr(csr string) map[string]string {
	return map[string]string{
		"Action": "CreateCertificateWithCsrRequest", "Version": casVersion, "Csr": csr, "ValidateType": "DNS",
		"Username": "Zhang San", "Phone": "13800000000", "Email": "ops@example.com",
	}
}

func TestFakeCreateCertificateWithCsrRequestChecks(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	good := csrPEM(t, "www.example.com", "www.example.com")
	for _, tc := range []struct {
		name   string
		params map[string]string
		code   string
	}{
		{"two domains", withCsr(csrPEM(t, "a.example.com", "b.example.com")), "InvalidParameter"},
		{"not a CSR", withCsr("hello"), "InvalidParameter"},
		{"no Csr", with(withCsr(good), "Csr", ""), "MissingParameter"},
		{"no Email", with(withCsr(good), "Email", ""), "MissingParameter"},
		{"wildcard with a single-domain product", withCsr(csrPEM(t, "*.example.com")), "InvalidParameter"},
		{"ValidateType unknown", with(withCsr(good), "ValidateType", "HTTP"), "InvalidParameter"},
	} {
		res := raw{params: tc.params}.send(t, srv)
		assert.Equal(t, http.StatusBadRequest, res.status, tc.name)
		assert.Equal(t, tc.code, res.doc.Code, tc.name)
	}
	res := raw{params: withCsr(good)}.send(t, srv)
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	assert.Equal(t, 1, srv.OrderCount())
}

func TestFakeListPagingAndLimits(t *testing.T) {
	t.Parallel()
	srv := newServer(t, alicerttest.WithCertificates(7))
	list := func(changes ...string) (int, map[string]any) {
		res := raw{params: with(map[string]string{"Action": "ListUserCertificateOrder", "Version": casVersion, "OrderType": "CERT"}, changes...)}.send(t, srv)
		var doc map[string]any
		require.NoError(t, json.Unmarshal(res.body, &doc))
		return res.status, doc
	}
	status, doc := list("ShowSize", "3", "CurrentPage", "3")
	require.Equal(t, http.StatusOK, status)
	assert.EqualValues(t, 7, doc["TotalCount"])
	assert.Len(t, doc["CertificateOrderList"], 1, "page 3 of 3-entry pages holds the 7th")
	_, doc = list()
	assert.EqualValues(t, 50, doc["ShowSize"], "the documented default page size")
	_, doc = list("OrderType", "UPLOAD")
	assert.EqualValues(t, 1, doc["TotalCount"], "one in four seeded certificates is uploaded")
	_, doc = list("OrderType", "")
	assert.EqualValues(t, 0, doc["TotalCount"], "no OrderType lists the CPACK orders, and there are none")
	for _, bad := range [][]string{{"ShowSize", "0"}, {"CurrentPage", "-1"}, {"OrderType", "ALL"}, {"Status", "REVOKED"}} {
		status, doc := list(bad...)
		assert.Equal(t, http.StatusBadRequest, status, "%v", bad)
		assert.Equal(t, "InvalidParameter", doc["Code"], "%v", bad)
	}
}

func TestFakeSeedCertificate(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	id := srv.SeedCertificate(alicerttest.SeedCertificate{Domain: "old.example.com",
		NotBefore: mustTime(t, "2020-01-01T00:00:00Z"), NotAfter: mustTime(t, "2020-04-01T00:00:00Z")})
	assert.Equal(t, 1, srv.CertificateCount())
	res := raw{params: map[string]string{"Action": "ListUserCertificateOrder", "Version": casVersion, "OrderType": "CERT", "Status": "EXPIRED"}}.send(t, srv)
	var doc struct {
		TotalCount           int64
		CertificateOrderList []struct {
			CertificateID int64 `json:"CertificateId"`
			Expired       bool
			EndDate       string
		}
	}
	require.NoError(t, json.Unmarshal(res.body, &doc))
	require.Len(t, doc.CertificateOrderList, 1)
	assert.Equal(t, id, doc.CertificateOrderList[0].CertificateID)
	assert.True(t, doc.CertificateOrderList[0].Expired)
	assert.Equal(t, "2020-04-01", doc.CertificateOrderList[0].EndDate)

	del := raw{params: map[string]string{"Action": "DeleteUserCertificate", "Version": casVersion, "CertId": jsonNumber(id)}}.send(t, srv)
	require.Equal(t, http.StatusOK, del.status, "an expired certificate can be deleted: %s", del.body)
	assert.Zero(t, srv.CertificateCount())
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	require.NoError(t, err)
	return v
}

func jsonNumber(n int64) string { return strconv.FormatInt(n, 10) }

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
	"sync/atomic"
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

// issuedOrder places an order on a WithImmediateIssue server and reads its
// state once, which issues it.
func issuedOrder(t *testing.T, srv *alicerttest.Server) (orderID, certID int64) {
	t.Helper()
	res := raw{params: map[string]string{
		"Action": "CreateCertificateRequest", "Version": casVersion, "Domain": "www.example.com", "ValidateType": "DNS",
		"Username": "Zhang San", "Phone": "13800000000", "Email": "ops@example.com",
	}}.send(t, srv)
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	var created struct{ OrderId int64 }
	require.NoError(t, json.Unmarshal(res.body, &created))
	st := raw{params: map[string]string{"Action": "DescribeCertificateState", "Version": casVersion, "OrderId": jsonNumber(created.OrderId)}}.send(t, srv)
	var state struct{ Type, CertId string }
	require.NoError(t, json.Unmarshal(st.body, &state))
	require.Equal(t, "certificate", state.Type)
	certID, err := strconv.ParseInt(state.CertId, 10, 64)
	require.NoError(t, err)
	return created.OrderId, certID
}

// orderStatus is the ListUserCertificateOrder (CPACK) status of an order,
// "" when it is not listed.
func orderStatus(t *testing.T, srv *alicerttest.Server, orderID int64) string {
	t.Helper()
	res := raw{params: map[string]string{"Action": "ListUserCertificateOrder", "Version": casVersion}}.send(t, srv)
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	var doc struct {
		CertificateOrderList []struct {
			OrderID int64 `json:"OrderId"`
			Status  string
		}
	}
	require.NoError(t, json.Unmarshal(res.body, &doc))
	for _, e := range doc.CertificateOrderList {
		if e.OrderID == orderID {
			return e.Status
		}
	}
	return ""
}

func renewParams(orderID int64) map[string]string {
	return map[string]string{"Action": "RenewCertificateOrderForPackageRequest", "Version": casVersion, "OrderId": jsonNumber(orderID)}
}

// TestFakeRenewsOnlyAnExpiringOrder: an issued order that is not about to
// expire is refused; once SetOrderExpiring marks it (listed WILLEXPIRED),
// the renewal makes a new order pending application (PAYED, payed), which
// stays there.
func TestFakeRenewsOnlyAnExpiringOrder(t *testing.T) {
	t.Parallel()
	srv := newServer(t, alicerttest.WithImmediateIssue())
	orderID, _ := issuedOrder(t, srv)
	refused := raw{params: renewParams(orderID)}.send(t, srv)
	assert.Equal(t, http.StatusBadRequest, refused.status)
	assert.Equal(t, "IncorrectOrderStatus", refused.doc.Code)
	assert.Equal(t, 1, srv.OrderCount(), "a refused renewal creates nothing")

	require.NoError(t, srv.SetOrderExpiring(orderID))
	assert.Equal(t, "WILLEXPIRED", orderStatus(t, srv, orderID))
	res := raw{params: renewParams(orderID)}.send(t, srv)
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	var renewed struct{ OrderId int64 }
	require.NoError(t, json.Unmarshal(res.body, &renewed))
	assert.Equal(t, "PAYED", orderStatus(t, srv, renewed.OrderId))
	for range 3 {
		st := raw{params: map[string]string{"Action": "DescribeCertificateState", "Version": casVersion, "OrderId": jsonNumber(renewed.OrderId)}}.send(t, srv)
		assert.JSONEq(t, `"payed"`, string(mustField(t, st.body, "Type")), "the new order waits for its application")
	}
}

// TestFakeRenewsAnOrderExpiringByItsDates: without SetOrderExpiring, an
// order whose certificate ends within 30 days of the server's clock is
// expiring too.
func TestFakeRenewsAnOrderExpiringByItsDates(t *testing.T) {
	t.Parallel()
	start := time.Now()
	var offset atomic.Int64
	clock := func() time.Time { return start.Add(time.Duration(offset.Load())) }
	srv := newServer(t, alicerttest.WithImmediateIssue(), alicerttest.WithClock(clock))
	orderID, _ := issuedOrder(t, srv)
	offset.Store(int64(75 * 24 * time.Hour)) // 15 days before the 90-day certificate ends
	res := raw{params: renewParams(orderID), timestamp: clock()}.send(t, srv)
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
}

func TestSetOrderExpiringRefusesOrdersNotIssued(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	assert.Error(t, srv.SetOrderExpiring(12345), "no such order")
	res := raw{params: map[string]string{
		"Action": "CreateCertificateRequest", "Version": casVersion, "Domain": "www.example.com", "ValidateType": "DNS",
		"Username": "Zhang San", "Phone": "13800000000", "Email": "ops@example.com",
	}}.send(t, srv)
	require.Equal(t, http.StatusOK, res.status)
	assert.Error(t, srv.SetOrderExpiring(srv.OrderIDs()[0]), "an order under validation")
}

// TestFakeCancelsAnOrderPendingApplication: CancelCertificateForPackageRequest
// cancels an order pending application and gives its quota back.
func TestFakeCancelsAnOrderPendingApplication(t *testing.T) {
	t.Parallel()
	srv := newServer(t, alicerttest.WithImmediateIssue())
	orderID, _ := issuedOrder(t, srv)
	require.NoError(t, srv.SetOrderExpiring(orderID))
	res := raw{params: renewParams(orderID)}.send(t, srv)
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	var renewed struct{ OrderId int64 }
	require.NoError(t, json.Unmarshal(res.body, &renewed))
	used := func() int64 {
		st := raw{params: map[string]string{"Action": "DescribePackageState", "Version": casVersion}}.send(t, srv)
		var doc struct{ UsedCount int64 }
		require.NoError(t, json.Unmarshal(st.body, &doc))
		return doc.UsedCount
	}
	require.EqualValues(t, 2, used())

	cancel := raw{params: map[string]string{"Action": "CancelCertificateForPackageRequest", "Version": casVersion, "OrderId": jsonNumber(renewed.OrderId)}}.send(t, srv)
	require.Equal(t, http.StatusOK, cancel.status, "%s", cancel.body)
	assert.EqualValues(t, 1, used(), "the quota came back")
	assert.Empty(t, orderStatus(t, srv, renewed.OrderId))
	assert.Equal(t, "WILLEXPIRED", orderStatus(t, srv, orderID), "the renewed order is untouched")
}

// TestFakeDeletesARevokedCertificate: DeleteUserCertificate refuses a
// valid issued certificate and deletes it once revoked.
func TestFakeDeletesARevokedCertificate(t *testing.T) {
	t.Parallel()
	srv := newServer(t, alicerttest.WithImmediateIssue())
	orderID, certID := issuedOrder(t, srv)
	del := map[string]string{"Action": "DeleteUserCertificate", "Version": casVersion, "CertId": jsonNumber(certID)}
	refused := raw{params: del}.send(t, srv)
	assert.Equal(t, "IncorrectOrderStatus", refused.doc.Code, "a valid certificate is not deleted")

	revoke := raw{params: map[string]string{"Action": "CancelCertificateForPackageRequest", "Version": casVersion, "OrderId": jsonNumber(orderID)}}.send(t, srv)
	require.Equal(t, http.StatusOK, revoke.status, "%s", revoke.body)
	res := raw{params: del}.send(t, srv)
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	assert.Zero(t, srv.CertificateCount())
}

// TestFakeUploadsTheSMForm: an upload without Cert and Key is the SM form,
// with only Name or with the SM certificates and keys, which
// GetUserCertificateDetail returns.
func TestFakeUploadsTheSMForm(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	only := raw{params: map[string]string{"Action": "UploadUserCertificate", "Version": casVersion, "Name": "sm_only_name"}}.send(t, srv)
	require.Equal(t, http.StatusOK, only.status, "%s", only.body)

	certPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("sm2 certificate")}))
	keyPEM := string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: []byte("sm2 key")}))
	sm := map[string]string{
		"Action": "UploadUserCertificate", "Version": casVersion, "Name": "sm_full",
		"SignCert": certPEM, "SignPrivateKey": keyPEM, "EncryptCert": certPEM, "EncryptPrivateKey": keyPEM,
	}
	res := raw{params: sm}.send(t, srv)
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	var up struct{ CertId int64 }
	require.NoError(t, json.Unmarshal(res.body, &up))
	detail := raw{params: map[string]string{"Action": "GetUserCertificateDetail", "Version": casVersion, "CertId": jsonNumber(up.CertId)}}.send(t, srv)
	require.Equal(t, http.StatusOK, detail.status, "%s", detail.body)
	var doc struct{ Name, SignCert, SignPrivateKey, EncryptCert, EncryptPrivateKey string }
	require.NoError(t, json.Unmarshal(detail.body, &doc))
	assert.Equal(t, "sm_full", doc.Name)
	assert.Equal(t, certPEM, doc.SignCert)
	assert.Equal(t, keyPEM, doc.SignPrivateKey)
	assert.Equal(t, certPEM, doc.EncryptCert)
	assert.Equal(t, keyPEM, doc.EncryptPrivateKey)
	assert.Equal(t, 2, srv.CertificateCount())

	bad := raw{params: with(sm, "Name", "sm_bad", "SignCert", "not PEM")}.send(t, srv)
	assert.Equal(t, "InvalidParameter", bad.doc.Code)
	assert.Contains(t, bad.doc.Message, `"SignCert"`)
	half := raw{params: with(sm, "Name", "sm_half", "Cert", certPEM)}.send(t, srv)
	assert.Equal(t, "MissingParameter", half.doc.Code, "Cert without Key is not the SM form")
	again := raw{params: with(sm)}.send(t, srv)
	assert.Equal(t, "NameRepeat", again.doc.Code)
}

// mustField returns one top-level field of a JSON document.
func mustField(t *testing.T, body []byte, name string) json.RawMessage {
	t.Helper()
	var doc map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(body, &doc))
	return doc[name]
}

// TestFakeLifecycleDocumentsHaveEveryModelField: ListUserCertificateOrder
// sends the fields its model returns for orders (CPACK) and for
// certificates (CERT), and GetUserCertificateDetail every field of its
// model, the upload's tags among them.
func TestFakeLifecycleDocumentsHaveEveryModelField(t *testing.T) {
	t.Parallel()
	srv := newServer(t, alicerttest.WithImmediateIssue())
	issuedOrder(t, srv)
	orders := raw{params: map[string]string{"Action": "ListUserCertificateOrder", "Version": casVersion}}.send(t, srv)
	requireModelFields(t, "ListUserCertificateOrder CPACK", firstOf(t, orders.body, "CertificateOrderList"), map[string]string{
		"AliyunOrderId": "number", "Algorithm": "string", "BuyDate": "number", "CertEndTime": "number",
		"CertStartTime": "number", "CertType": "string", "Domain": "string", "DomainCount": "number",
		"DomainType": "string", "InstanceId": "string", "OrderId": "number", "PartnerOrderId": "string",
		"ProductCode": "string", "RootBrand": "string", "SourceType": "string", "Status": "string",
		"TrusteeStatus": "string", "WildDomainCount": "number",
	})
	certs := raw{params: map[string]string{"Action": "ListUserCertificateOrder", "Version": casVersion, "OrderType": "CERT"}}.send(t, srv)
	requireModelFields(t, "ListUserCertificateOrder CERT", firstOf(t, certs.body, "CertificateOrderList"), map[string]string{
		"CertEndTime": "number", "CertStartTime": "number", "CertificateId": "number", "City": "string",
		"CommonName": "string", "Country": "string", "EndDate": "string", "Expired": "bool", "Fingerprint": "string",
		"InstanceId": "string", "Issuer": "string", "Name": "string", "OrgName": "string", "Province": "string",
		"Sans": "string", "SerialNo": "string", "Sha2": "string", "StartDate": "string", "Status": "string", "Upload": "bool",
	})

	up := raw{params: map[string]string{"Action": "UploadUserCertificate", "Version": casVersion, "Name": "tagged",
		"Tags.1.Key": "team", "Tags.1.Value": "web"}}.send(t, srv)
	require.Equal(t, http.StatusOK, up.status, "%s", up.body)
	detail := raw{params: map[string]string{"Action": "GetUserCertificateDetail", "Version": casVersion,
		"CertId": string(mustField(t, up.body, "CertId"))}}.send(t, srv)
	assert.JSONEq(t, `[{"TagKey":"team","TagValue":"web"}]`, string(mustField(t, detail.body, "Tags")))

	var certID int64
	require.NoError(t, json.Unmarshal(mustField(t, firstOf(t, certs.body, "CertificateOrderList"), "CertificateId"), &certID))
	issued := raw{params: map[string]string{"Action": "GetUserCertificateDetail", "Version": casVersion, "CertId": jsonNumber(certID)}}.send(t, srv)
	requireModelFields(t, "GetUserCertificateDetail", issued.body, map[string]string{
		"Algorithm": "string", "BuyInAliyun": "bool", "Cert": "string", "CertChain": "array", "CertIdentifier": "string",
		"City": "string", "Common": "string", "Country": "string", "EndDate": "string", "Expired": "bool",
		"Fingerprint": "string", "Id": "number", "InstanceId": "string", "Issuer": "string", "Key": "string",
		"Name": "string", "NotAfter": "number", "NotBefore": "number", "OrderId": "number", "OrgName": "string",
		"Province": "string", "RequestId": "string", "Sans": "string", "SerialNo": "string", "StartDate": "string", "Tags": "array",
	})
	requireModelFields(t, "GetUserCertificateDetail.CertChain", firstOf(t, issued.body, "CertChain"), map[string]string{
		"CommonName": "string", "IssuerCommonName": "string", "NotAfter": "number", "NotBefore": "number", "RemainDay": "number",
	})
}

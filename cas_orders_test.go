package alicert_test

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func lcFile(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "lifecycle", name))
	require.NoError(t, err)
	return string(b)
}

// TestCreatesUnderUnknownOutcome: each create whose request acted but
// whose answer was lost is tried once and reported as ErrOutcomeUnknown,
// with the hint of where to look.
func TestCreatesUnderUnknownOutcome(t *testing.T) {
	t.Parallel()
	csr, cert, key := lcFile(t, "csr.pem"), lcFile(t, "cert.pem"), lcFile(t, "key.pem")
	cases := []struct {
		action string
		hint   string
		call   func(ctx context.Context, c *alicert.Client, issued int64) error
	}{
		{"CreateCertificateWithCsrRequest", "ListUserCertificateOrder", func(ctx context.Context, c *alicert.Client, _ int64) error {
			_, err := c.CAS.CreateCertificateWithCsrRequest(ctx, &alicert.CreateCertificateWithCsrRequestInput{
				Csr: csr, ValidateType: alicert.ValidateDNS, Username: "Zhang San", Phone: "13800000000", Email: "ops@example.com"})
			return err
		}},
		{"UploadUserCertificate", "FindUploadedCertificate", func(ctx context.Context, c *alicert.Client, _ int64) error {
			_, err := c.CAS.UploadUserCertificate(ctx, &alicert.UploadUserCertificateInput{Name: "web", Cert: cert, Key: key})
			return err
		}},
		{"RenewCertificateOrderForPackageRequest", "ListUserCertificateOrder", func(ctx context.Context, c *alicert.Client, issued int64) error {
			_, err := c.CAS.RenewCertificateOrderForPackageRequest(ctx, &alicert.RenewCertificateOrderForPackageRequestInput{OrderID: issued})
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.action, func(t *testing.T) {
			t.Parallel()
			c, srv := setupFake(t, alicerttest.WithImmediateIssue())
			issued := lcIssuedOrder(t, c)
			srv.InjectFault(tc.action, alicerttest.Fault{Kind: alicerttest.FaultResetAfterAct}, 1)
			err := tc.call(t.Context(), c, issued)
			require.ErrorIs(t, err, alicert.ErrOutcomeUnknown)
			assert.Contains(t, err.Error(), tc.hint)
			assert.NotContains(t, err.Error(), "PRIVATE KEY")
			assert.Equal(t, 1, srv.RequestCount(tc.action), "a create is sent once")
		})
	}
}

// lcIssuedOrder places an order on a WithImmediateIssue fake and reads it
// once, which issues it.
func lcIssuedOrder(t *testing.T, c *alicert.Client) int64 {
	t.Helper()
	o, err := c.CAS.CreateCertificateRequest(t.Context(), &alicert.CreateCertificateRequestInput{
		Domain: "www.example.com", ValidateType: alicert.ValidateDNS, Username: "Zhang San", Phone: "13800000000", Email: "ops@example.com"})
	require.NoError(t, err)
	_, err = c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: o.OrderID})
	require.NoError(t, err)
	return o.OrderID
}

// TestOrderOperationsUnderUnknownOutcome: deletes, cancels and revocations
// of orders are not repeated once they may have acted.
func TestOrderOperationsUnderUnknownOutcome(t *testing.T) {
	t.Parallel()
	c, srv := setupFake(t, alicerttest.WithImmediateIssue())
	id := lcIssuedOrder(t, c)
	srv.InjectFault("CancelCertificateForPackageRequest", alicerttest.Fault{Kind: alicerttest.FaultResetAfterAct}, 1)
	_, err := c.CAS.CancelCertificateForPackageRequest(t.Context(), &alicert.CancelCertificateForPackageRequestInput{OrderID: id})
	require.ErrorIs(t, err, alicert.ErrOutcomeUnknown)
	assert.Contains(t, err.Error(), "REVOKED")
	assert.Equal(t, 1, srv.RequestCount("CancelCertificateForPackageRequest"))
}

// TestFakeLifecycle walks the fake through an account's life: quota moves
// with orders, revocations and deletes; uploads appear in the lists and
// their names are unique; filters apply.
func TestFakeLifecycle(t *testing.T) {
	t.Parallel()
	c, srv := setupFake(t, alicerttest.WithImmediateIssue(), alicerttest.WithCertificates(2))
	ctx := t.Context()
	quota := func() [3]int64 {
		p, err := c.CAS.DescribePackageState(ctx, nil)
		require.NoError(t, err)
		return [3]int64{p.TotalCount, p.UsedCount, p.IssuedCount}
	}
	assert.Equal(t, [3]int64{20, 0, 0}, quota())
	issued := lcIssuedOrder(t, c)
	assert.Equal(t, [3]int64{20, 1, 1}, quota())

	pending, err := c.CAS.CreateCertificateWithCsrRequest(ctx, &alicert.CreateCertificateWithCsrRequestInput{
		Csr: lcFile(t, "csr.pem"), ValidateType: alicert.ValidateDNS, Username: "Zhang San", Phone: "13800000000", Email: "ops@example.com"})
	require.NoError(t, err)
	assert.Equal(t, [3]int64{20, 2, 2}, quota(), "an immediate-issue fake issues the order at once")

	_, err = c.CAS.CancelCertificateForPackageRequest(ctx, &alicert.CancelCertificateForPackageRequestInput{OrderID: issued})
	require.NoError(t, err)
	assert.Equal(t, [3]int64{20, 1, 1}, quota(), "revoked within 30 days: the quota comes back")
	_, err = c.CAS.CancelCertificateForPackageRequest(ctx, &alicert.CancelCertificateForPackageRequestInput{OrderID: issued})
	var apiErr *alicert.APIError
	require.ErrorAs(t, err, &apiErr, "a second revocation is refused")

	// The CSR order of an immediate-issue fake is issued already; it cannot
	// be cancelled, but the issued certificate lists with its dates.
	_, err = c.CAS.CancelOrderRequest(ctx, &alicert.CancelOrderRequestInput{OrderID: pending.OrderID})
	require.ErrorAs(t, err, &apiErr)

	up, err := c.CAS.UploadUserCertificate(ctx, &alicert.UploadUserCertificateInput{
		Name: "web", Cert: lcFile(t, "cert.pem"), Key: lcFile(t, "key.pem")})
	require.NoError(t, err)
	_, err = c.CAS.UploadUserCertificate(ctx, &alicert.UploadUserCertificateInput{
		Name: "web", Cert: lcFile(t, "cert.pem"), Key: lcFile(t, "key.pem")})
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "NameRepeat", apiErr.Code)

	list := func(in *alicert.ListUserCertificateOrderInput) []alicert.CertificateOrder {
		var out []alicert.CertificateOrder
		for o, err := range c.CAS.AllUserCertificateOrders(ctx, in) {
			require.NoError(t, err)
			out = append(out, o)
		}
		return out
	}
	certs := list(&alicert.ListUserCertificateOrderInput{OrderType: alicert.OrderTypeCert})
	require.Len(t, certs, 4, "2 seeded, 1 uploaded, 1 issued by the CSR order (the revoked one is not valid)")
	for _, o := range certs {
		assert.False(t, o.NotAfter().IsZero(), "%s has dates", o.Name)
		assert.True(t, o.NotBefore().Before(o.NotAfter()))
	}
	uploads := list(&alicert.ListUserCertificateOrderInput{OrderType: alicert.OrderTypeUpload})
	require.Len(t, uploads, 1)
	assert.Equal(t, up.CertID, uploads[0].CertificateID)
	assert.True(t, uploads[0].Upload)
	assert.Len(t, list(&alicert.ListUserCertificateOrderInput{OrderType: alicert.OrderTypeCert, Keyword: "site-00002"}), 1)
	assert.Len(t, list(&alicert.ListUserCertificateOrderInput{OrderType: alicert.OrderTypeCPack, Status: alicert.OrderStatusRevoked}), 1)
	assert.Len(t, list(&alicert.ListUserCertificateOrderInput{OrderType: alicert.OrderTypeCert, Status: alicert.OrderStatusWillExpire}), 1,
		"the first seeded certificate expires in 5 days")

	detail, err := c.CAS.GetUserCertificateDetail(ctx, &alicert.GetUserCertificateDetailInput{CertID: certs[0].CertificateID})
	require.NoError(t, err)
	chain, err := alicert.ParseCertificates(detail.Cert)
	require.NoError(t, err)
	_, err = chain[0].Verify(x509.VerifyOptions{Roots: srv.CAPool(), DNSName: "site-00001.example.com", CurrentTime: time.Now()})
	require.NoError(t, err, "a seeded certificate verifies against the fake's CA")
	assert.Equal(t, certs[0].NotAfter().Truncate(time.Second), chain[0].NotAfter.UTC())

	filtered, err := c.CAS.GetUserCertificateDetail(ctx, &alicert.GetUserCertificateDetailInput{CertID: certs[0].CertificateID, CertFilter: true})
	require.NoError(t, err)
	assert.Empty(t, filtered.Cert)
	assert.Empty(t, filtered.Key)

	_, err = c.CAS.DeleteUserCertificate(ctx, &alicert.DeleteUserCertificateInput{CertID: up.CertID})
	require.NoError(t, err)
	_, err = c.CAS.DeleteUserCertificate(ctx, &alicert.DeleteUserCertificateInput{CertID: certs[0].CertificateID})
	require.ErrorAs(t, err, &apiErr, "a valid issued certificate cannot be deleted")
	assert.Empty(t, list(&alicert.ListUserCertificateOrderInput{OrderType: alicert.OrderTypeUpload}))
}

// TestFakeCancelAndDelete: a cancelled order reads payed, and deleting it
// gives its quota back.
func TestFakeCancelAndDelete(t *testing.T) {
	t.Parallel()
	c, _ := setupFake(t)
	ctx := t.Context()
	o, err := c.CAS.CreateCertificateRequest(ctx, &alicert.CreateCertificateRequestInput{
		Domain: "www.example.com", ValidateType: alicert.ValidateDNS, Username: "Zhang San", Phone: "13800000000", Email: "ops@example.com"})
	require.NoError(t, err)
	_, err = c.CAS.DeleteCertificateRequest(ctx, &alicert.DeleteCertificateRequestInput{OrderID: o.OrderID})
	var apiErr *alicert.APIError
	require.ErrorAs(t, err, &apiErr, "an order under validation cannot be deleted")
	_, err = c.CAS.CancelOrderRequest(ctx, &alicert.CancelOrderRequestInput{OrderID: o.OrderID})
	require.NoError(t, err)
	for range 3 { // a cancelled order stays where it is
		st, err := c.CAS.DescribeCertificateState(ctx, &alicert.DescribeCertificateStateInput{OrderID: o.OrderID})
		require.NoError(t, err)
		assert.Equal(t, alicert.StatePayed, st.State)
	}
	_, err = c.CAS.DeleteCertificateRequest(ctx, &alicert.DeleteCertificateRequestInput{OrderID: o.OrderID})
	require.NoError(t, err)
	p, err := c.CAS.DescribePackageState(ctx, nil)
	require.NoError(t, err)
	assert.Zero(t, p.UsedCount)
}

// TestFakeRenewWithCSR: a renewal with the caller's CSR is accepted for
// an expiring order when the CSR names the order's domain, and makes a new
// order pending application.
func TestFakeRenewWithCSR(t *testing.T) {
	t.Parallel()
	c, srv := setupFake(t, alicerttest.WithImmediateIssue())
	id := lcIssuedOrder(t, c)
	require.NoError(t, srv.SetOrderExpiring(id))
	key := lcKey(t)
	csrFor := func(domain string) string {
		der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: domain}}, key)
		require.NoError(t, err)
		return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
	}
	_, err := c.CAS.RenewCertificateOrderForPackageRequest(t.Context(), &alicert.RenewCertificateOrderForPackageRequestInput{
		OrderID: id, Csr: csrFor("other.example.com")})
	var apiErr *alicert.APIError
	require.ErrorAs(t, err, &apiErr, "a CSR for another domain")
	renewed, err := c.CAS.RenewCertificateOrderForPackageRequest(t.Context(), &alicert.RenewCertificateOrderForPackageRequestInput{
		OrderID: id, Csr: csrFor("www.example.com")})
	require.NoError(t, err)
	st, err := c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: renewed.OrderID})
	require.NoError(t, err)
	assert.Equal(t, alicert.StatePayed, st.State, "the new order is pending application")
	assert.Equal(t, 2, srv.OrderCount())
}

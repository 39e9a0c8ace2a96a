package alicert_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
	"github.com/alicert/alicert/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lcClient returns a client of a fake with opts and fast retries.
func lcClient(t testing.TB, opts ...alicerttest.Option) (*alicert.Client, *alicerttest.Server) {
	t.Helper()
	srv := alicerttest.NewServer(opts...)
	t.Cleanup(srv.Close)
	c, err := alicert.NewClient(append(srv.ClientOptions(), alicert.WithRetryDelay(0, 0))...)
	require.NoError(t, err)
	return c, srv
}

func lcFile(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "lifecycle", name))
	require.NoError(t, err)
	return string(b)
}

// TestAllUserCertificateOrdersPages10000: ten thousand certificates are
// listed in exactly ceil(10000/50) requests, each entry once, in order.
func TestAllUserCertificateOrdersPages10000(t *testing.T) {
	t.Parallel()
	const n, page = 10000, 50
	c, srv := lcClient(t, alicerttest.WithCertificates(n))
	seen := map[int64]bool{}
	last := ""
	for o, err := range c.CAS.AllUserCertificateOrders(t.Context(), &alicert.ListUserCertificateOrderInput{OrderType: alicert.OrderTypeCert}) {
		require.NoError(t, err)
		require.False(t, seen[o.CertificateID], "certificate %d listed twice", o.CertificateID)
		seen[o.CertificateID] = true
		require.Greater(t, o.Name, last, "entries out of order")
		last = o.Name
	}
	assert.Len(t, seen, n)
	assert.Equal(t, (n+page-1)/page, srv.RequestCount("ListUserCertificateOrder"))
	for i, r := range srv.Requests() {
		assert.Equal(t, fmt.Sprint(i+1), r.Params.Get("CurrentPage"))
		assert.Equal(t, fmt.Sprint(page), r.Params.Get("ShowSize"))
	}
}

// TestAllUserCertificateOrdersBreak: a loop that stops after 10 entries
// has sent one request, and sends no more.
func TestAllUserCertificateOrdersBreak(t *testing.T) {
	t.Parallel()
	c, srv := lcClient(t, alicerttest.WithCertificates(10000))
	n := 0
	for _, err := range c.CAS.AllUserCertificateOrders(t.Context(), &alicert.ListUserCertificateOrderInput{OrderType: alicert.OrderTypeCert}) {
		require.NoError(t, err)
		if n++; n == 10 {
			break
		}
	}
	assert.Equal(t, 10, n)
	assert.Equal(t, 1, srv.RequestCount("ListUserCertificateOrder"))
}

// TestAllUserCertificateOrdersFromPage: paging starts at the input's page,
// keeps its size, stops at TotalCount, and leaves the input as it was.
func TestAllUserCertificateOrdersFromPage(t *testing.T) {
	t.Parallel()
	c, srv := lcClient(t, alicerttest.WithCertificates(25))
	in := &alicert.ListUserCertificateOrderInput{OrderType: alicert.OrderTypeCert, CurrentPage: 2, ShowSize: 10}
	var names []string
	for o, err := range c.CAS.AllUserCertificateOrders(t.Context(), in) {
		require.NoError(t, err)
		names = append(names, o.Name)
	}
	assert.Equal(t, "seed-00011", names[0])
	assert.Len(t, names, 15)
	assert.Equal(t, 2, srv.RequestCount("ListUserCertificateOrder"), "pages 2 and 3; TotalCount says there is no page 4")
	assert.Equal(t, int64(2), in.CurrentPage)
}

// TestAllUserCertificateOrdersError: a failed page is one error, with the
// entries before it yielded, and the sequence ends.
func TestAllUserCertificateOrdersError(t *testing.T) {
	t.Parallel()
	c, srv := lcClient(t, alicerttest.WithCertificates(120))
	var entries, errs int
	var got error
	for _, err := range c.CAS.AllUserCertificateOrders(t.Context(), &alicert.ListUserCertificateOrderInput{OrderType: alicert.OrderTypeCert}) {
		if err != nil {
			errs++
			got = err
			continue
		}
		if entries++; entries == 50 {
			srv.InjectFault("ListUserCertificateOrder", alicerttest.Fault{Kind: alicerttest.FaultInternalError}, 0)
		}
	}
	assert.Equal(t, 50, entries)
	assert.Equal(t, 1, errs)
	var apiErr *alicert.APIError
	require.ErrorAs(t, got, &apiErr)
	assert.Equal(t, "InternalError", apiErr.Code)
}

// TestAllUserCertificateOrdersEmptyPage: a page that comes back empty ends
// the walk even when TotalCount promised more.
func TestAllUserCertificateOrdersEmptyPage(t *testing.T) {
	t.Parallel()
	c, srv := lcClient(t, alicerttest.WithCertificates(3))
	in := &alicert.ListUserCertificateOrderInput{OrderType: alicert.OrderTypeCert, CurrentPage: 5}
	for _, err := range c.CAS.AllUserCertificateOrders(t.Context(), in) {
		require.NoError(t, err)
		t.Fatal("page 5 of 3 entries has none")
	}
	assert.Equal(t, 1, srv.RequestCount("ListUserCertificateOrder"))
}

func TestCertificateOrderTimes(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC)
	o := alicert.CertificateOrder{CertStartTime: now.Add(-time.Hour).UnixMilli(), CertEndTime: now.Add(10 * 24 * time.Hour).UnixMilli()}
	assert.Equal(t, now.Add(-time.Hour), o.NotBefore())
	assert.Equal(t, now.Add(10*24*time.Hour), o.NotAfter())
	assert.True(t, o.ExpiresWithin(30*24*time.Hour, now))
	assert.False(t, o.ExpiresWithin(10*24*time.Hour, now), "ends exactly at now+d: not before it")
	assert.True(t, o.ExpiresWithin(0, now.Add(11*24*time.Hour)), "an expired certificate expires within any d")
	assert.False(t, alicert.CertificateOrder{}.ExpiresWithin(365*24*time.Hour, now), "no end known")
	assert.True(t, alicert.CertificateOrder{}.NotAfter().IsZero())
	assert.Equal(t, 10*24*time.Hour, o.Remaining(now))
}

// BenchmarkAllUserCertificateOrders walks 5, 50 and 500 pages of 50
// entries and reports the most live heap seen while iterating, above what
// was live before (peak-live-B): it stays the size of about one page
// whatever the number of pages, since the list is never held whole. The
// server answers every page with one prepared document and records nothing,
// so that only the client's memory is measured (the fake keeps a log of
// every request).
func BenchmarkAllUserCertificateOrders(b *testing.B) {
	for _, pages := range []int{5, 50, 500} {
		b.Run(fmt.Sprintf("pages=%d", pages), func(b *testing.B) {
			body := lcPageBody(b, 50, int64(pages*50))
			srv := testkit.NewStatic(b, string(body))
			c, err := alicert.NewClient(alicert.WithAccessKey("id", "secret"), alicert.WithCASEndpoint(srv.URL))
			require.NoError(b, err)
			in := &alicert.ListUserCertificateOrderInput{OrderType: alicert.OrderTypeCert}
			var ms runtime.MemStats
			var peak uint64
			b.ReportAllocs()
			for b.Loop() {
				runtime.GC()
				runtime.ReadMemStats(&ms)
				base := ms.HeapAlloc
				n := 0
				for _, err := range c.CAS.AllUserCertificateOrders(context.Background(), in) {
					if err != nil {
						b.Fatal(err)
					}
					if n++; n%50 == 25 { // mid-page, with a page in hand
						runtime.GC()
						runtime.ReadMemStats(&ms)
						if ms.HeapAlloc > base {
							peak = max(peak, ms.HeapAlloc-base)
						}
					}
				}
				if n != pages*50 {
					b.Fatalf("got %d entries, want %d", n, pages*50)
				}
			}
			b.ReportMetric(float64(peak), "peak-live-B")
		})
	}
}

// lcPageBody is a ListUserCertificateOrder page of n certificates that
// says there are total in all.
func lcPageBody(b *testing.B, n int, total int64) []byte {
	b.Helper()
	type entry struct {
		CertificateId              int64
		Name, CommonName, Sans     string
		Status, StartDate, EndDate string
		CertStartTime, CertEndTime int64
		Fingerprint, Sha2          string
	}
	list := make([]entry, n)
	for i := range list {
		list[i] = entry{CertificateId: int64(i + 1), Name: fmt.Sprintf("cert-%d", i), CommonName: "www.example.com",
			Sans: "www.example.com", Status: "ISSUED", StartDate: "2025-03-14", EndDate: "2025-06-12",
			CertStartTime: 1741964966000, CertEndTime: 1749740966000,
			Fingerprint: strings.Repeat("AB", 20), Sha2: strings.Repeat("CD", 32)}
	}
	body, err := json.Marshal(map[string]any{"RequestId": "R", "TotalCount": total, "CurrentPage": 1, "ShowSize": n,
		"CertificateOrderList": list})
	require.NoError(b, err)
	return body
}

func lcKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	return k
}

// TestObtainWithKey: the order goes out as CreateCertificateWithCsrRequest
// only, the leaf holds the caller's key, and no private key comes back.
func TestObtainWithKey(t *testing.T) {
	t.Parallel()
	c, srv := lcClient(t, alicerttest.WithImmediateIssue())
	key := lcKey(t)
	out, err := c.CAS.Obtain(t.Context(), &alicert.ObtainInput{
		Domain: "www.example.com", Key: key, DNS: alicert.NewAlidnsProvider(c),
		Username: "Zhang San", Phone: "13800000000", Email: "ops@example.com",
	})
	require.NoError(t, err)
	assert.True(t, key.PublicKey.Equal(out.Leaf().PublicKey))
	assert.Empty(t, out.PrivateKey)
	assert.Equal(t, 1, srv.RequestCount("CreateCertificateWithCsrRequest"))
	assert.Zero(t, srv.RequestCount("CreateCertificateRequest"))
	for _, r := range srv.Requests() {
		for k, vs := range r.Params {
			for _, v := range vs {
				assert.NotContains(t, v, "PRIVATE KEY", "parameter %s of %s", k, r.Action)
			}
		}
	}
	csr, err := alicert.ParseCSR(srv.Requests()[0].Params.Get("Csr"))
	require.NoError(t, err)
	assert.Equal(t, []string{"www.example.com"}, csr.DNSNames)
	assert.True(t, key.PublicKey.Equal(csr.PublicKey))
}

// TestObtainWithKeyRejectsOtherKey: resuming an order with a key other
// than its own fails rather than hand out a certificate the key cannot
// serve.
func TestObtainWithKeyRejectsOtherKey(t *testing.T) {
	t.Parallel()
	c, _ := lcClient(t, alicerttest.WithImmediateIssue())
	in := &alicert.ObtainInput{Domain: "www.example.com", Key: lcKey(t), DNS: alicert.NewAlidnsProvider(c),
		Username: "Zhang San", Phone: "13800000000", Email: "ops@example.com"}
	out, err := c.CAS.Obtain(t.Context(), in)
	require.NoError(t, err)
	_, err = c.CAS.Obtain(t.Context(), &alicert.ObtainInput{Domain: "www.example.com", OrderID: out.OrderID,
		Key: lcKey(t), DNS: alicert.NewAlidnsProvider(c)})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "does not hold the public key of Key")
}

func TestObtainKeyValidation(t *testing.T) {
	t.Parallel()
	c, srv := lcClient(t)
	weak, err := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	require.NoError(t, err)
	_, err = c.CAS.Obtain(t.Context(), &alicert.ObtainInput{Domain: "www.example.com", Key: weak, DNS: alicert.NewAlidnsProvider(c),
		Username: "Zhang San", Phone: "13800000000", Email: "ops@example.com"})
	var ve *alicert.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "Key", ve.Fields[0].Field)
	assert.Empty(t, srv.Requests())
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
			c, srv := lcClient(t, alicerttest.WithImmediateIssue())
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

// TestUploadRerunAfterUnknownOutcome: after an upload of unknown outcome,
// FindUploadedCertificate finds the certificate, so the rerun creates none.
func TestUploadRerunAfterUnknownOutcome(t *testing.T) {
	t.Parallel()
	c, srv := lcClient(t)
	in := &alicert.UploadUserCertificateInput{Name: "web", Cert: lcFile(t, "cert.pem"), Key: lcFile(t, "key.pem")}
	srv.InjectFault("UploadUserCertificate", alicerttest.Fault{Kind: alicerttest.FaultResetAfterAct}, 1)
	_, err := c.CAS.UploadUserCertificate(t.Context(), in)
	require.ErrorIs(t, err, alicert.ErrOutcomeUnknown)
	found, err := c.CAS.FindUploadedCertificate(t.Context(), "web")
	require.NoError(t, err)
	require.NotNil(t, found)
	assert.Equal(t, "upload.example.com", found.CommonName)
	assert.Equal(t, 1, srv.CertificateCount())

	missing, err := c.CAS.FindUploadedCertificate(t.Context(), "we")
	require.NoError(t, err)
	assert.Nil(t, missing, "a keyword match of another name is not the certificate")
}

// TestDeleteUserCertificateRepeatFindsItGone: a delete whose answer was
// lost after the fake acted is sent again, with CertId alone (the model's
// one field), finds the certificate gone, and reports it deleted.
func TestDeleteUserCertificateRepeatFindsItGone(t *testing.T) {
	t.Parallel()
	for _, fault := range []alicerttest.FaultKind{alicerttest.FaultResetAfterAct, alicerttest.FaultTruncatedJSON} {
		c, srv := lcClient(t)
		up, err := c.CAS.UploadUserCertificate(t.Context(), &alicert.UploadUserCertificateInput{
			Name: "web", Cert: lcFile(t, "cert.pem"), Key: lcFile(t, "key.pem")})
		require.NoError(t, err)
		srv.InjectFault("DeleteUserCertificate", alicerttest.Fault{Kind: fault}, 1)
		out, err := c.CAS.DeleteUserCertificate(t.Context(), &alicert.DeleteUserCertificateInput{CertID: up.CertID})
		require.NoError(t, err, "fault %v: the repeat found the certificate gone", fault)
		assert.NotEmpty(t, out.RequestID, "the id of the answer that said so")
		var sent []url.Values
		for _, r := range srv.Requests() {
			if r.Action == "DeleteUserCertificate" {
				sent = append(sent, r.Params)
			}
		}
		require.Len(t, sent, 2, "fault %v", fault)
		for _, p := range sent {
			assert.Equal(t, []string{strconv.FormatInt(up.CertID, 10)}, p["CertId"])
			assert.NotContains(t, p, "ClientToken")
		}
		assert.Zero(t, srv.CertificateCount())
	}
}

// TestDeleteUserCertificateOfAMissingCertificate: without an earlier
// attempt that may have deleted it, a certificate that is not there is an
// error.
func TestDeleteUserCertificateOfAMissingCertificate(t *testing.T) {
	t.Parallel()
	c, srv := lcClient(t)
	_, err := c.CAS.DeleteUserCertificate(t.Context(), &alicert.DeleteUserCertificateInput{CertID: 424242})
	var apiErr *alicert.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "InvalidParameter", apiErr.Code)
	srv.InjectFault("DeleteUserCertificate", alicerttest.Fault{Kind: alicerttest.FaultThrottle}, 1)
	_, err = c.CAS.DeleteUserCertificate(t.Context(), &alicert.DeleteUserCertificateInput{CertID: 424242})
	require.ErrorAs(t, err, &apiErr, "a throttled attempt did not act: the repeat's answer stands")
}

// TestOrderOperationsUnderUnknownOutcome: deletes, cancels and revocations
// of orders are not repeated once they may have acted.
func TestOrderOperationsUnderUnknownOutcome(t *testing.T) {
	t.Parallel()
	c, srv := lcClient(t, alicerttest.WithImmediateIssue())
	id := lcIssuedOrder(t, c)
	srv.InjectFault("CancelCertificateForPackageRequest", alicerttest.Fault{Kind: alicerttest.FaultResetAfterAct}, 1)
	_, err := c.CAS.CancelCertificateForPackageRequest(t.Context(), &alicert.CancelCertificateForPackageRequestInput{OrderID: id})
	require.ErrorIs(t, err, alicert.ErrOutcomeUnknown)
	assert.Contains(t, err.Error(), "REVOKED")
	assert.Equal(t, 1, srv.RequestCount("CancelCertificateForPackageRequest"))
}

// TestSecretsOfLifecycleHidden: the keys of GetUserCertificateDetailOutput,
// UploadUserCertificateInput and ObtainInput never reach fmt, slog or JSON.
func TestSecretsOfLifecycleHidden(t *testing.T) {
	t.Parallel()
	key := lcFile(t, "key.pem")
	ecKey := lcKey(t)
	scalar := ecKey.D.String()
	values := []any{
		alicert.GetUserCertificateDetailOutput{ID: 1, Key: key, SignPrivateKey: key, EncryptPrivateKey: key},
		&alicert.UploadUserCertificateInput{Name: "n", Cert: "c", Key: key},
		alicert.ObtainInput{Domain: "www.example.com", Key: ecKey},
		&alicert.ObtainInput{Domain: "www.example.com", Key: ecKey},
		[]any{map[string]any{"nested": alicert.GetUserCertificateDetailOutput{Key: key}}},
	}
	for _, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%d", "%q"} {
			s := fmt.Sprintf(verb, v)
			assert.NotContains(t, s, "PRIVATE KEY", "%s of %T", verb, v)
			assert.NotContains(t, s, scalar, "%s of %T", verb, v)
		}
		b, err := json.Marshal(v)
		require.NoError(t, err)
		assert.NotContains(t, string(b), "PRIVATE KEY")
		assert.NotContains(t, string(b), scalar)
		var buf bytes.Buffer
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "v", v)
		assert.NotContains(t, buf.String(), "PRIVATE KEY")
		assert.NotContains(t, buf.String(), scalar)
	}
	// Hidden, yet set: a reader can still tell an empty key from a set one.
	assert.Contains(t, fmt.Sprint(alicert.GetUserCertificateDetailOutput{Key: key}), "Key:[redacted]")
	assert.Contains(t, fmt.Sprint(alicert.ObtainInput{Key: ecKey}), "*ecdsa.PrivateKey")
}

// TestFakeLifecycle walks the fake through an account's life: quota moves
// with orders, revocations and deletes; uploads appear in the lists and
// their names are unique; filters apply.
func TestFakeLifecycle(t *testing.T) {
	t.Parallel()
	c, srv := lcClient(t, alicerttest.WithImmediateIssue(), alicerttest.WithCertificates(2))
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
	c, _ := lcClient(t)
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
	c, srv := lcClient(t, alicerttest.WithImmediateIssue())
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

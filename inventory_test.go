package alicert_test

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
	"github.com/alicert/alicert/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAllUserCertificateOrdersPages10000: ten thousand certificates are
// listed in exactly ceil(10000/50) requests, each entry once, in order.
func TestAllUserCertificateOrdersPages10000(t *testing.T) {
	t.Parallel()
	const n, page = 10000, 50
	c, srv := setupFake(t, alicerttest.WithCertificates(n))
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
	c, srv := setupFake(t, alicerttest.WithCertificates(10000))
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
	c, srv := setupFake(t, alicerttest.WithCertificates(25))
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
	c, srv := setupFake(t, alicerttest.WithCertificates(120))
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
	c, srv := setupFake(t, alicerttest.WithCertificates(3))
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

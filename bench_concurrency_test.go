package alicert

// Concurrency benchmarks: alicert's default client next to a hand-written
// net/http client whose pool is sized for the load, at 1 to 1,000
// concurrent callers, over HTTPS/1.1 and HTTP/2. They only measure; nothing
// here fails on timing. Run them in one go with
//
//	go test -run '^$' -bench Concurrency -benchtime 20000x .
//
// Each benchmark spreads b.N calls of DescribeCertificateState over its
// goroutines, after a warm-up of one call per goroutine, all held in flight
// together by the server, that opens the connections the load needs. Besides ns/op it reports calls/s, the 50th
// and 99th percentile latency of one call, and the connections the server
// accepted per 1,000 calls after the warm-up: a client whose pool is too
// small for its callers opens connections, each with a TLS handshake, all
// along.

import (
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// benchStateResponse is a DescribeCertificateState answer for an order
// waiting for its DNS record.
const benchStateResponse = `{"Type": "domain_verify", "ValidateType": "DNS", "Domain": "www.example.com", ` +
	`"RecordType": "TXT", "RecordDomain": "_dnsauth.www", "RecordValue": "2023091200000023srnpcxiq0o8r3cbx3ejtj8mvbpt6ihq5cqp4inbu8x5rxbmkn", ` +
	`"RequestId": "3C5E1B4A-7F2D-4E8B-9A61-0D2C8F4B7E19"}`

// concServer is a TLS server, HTTP/2 or HTTP/1.1 only, that answers any
// request with benchStateResponse and counts the connections it accepts.
// Hand-written: it speaks TLS, counts connections and holds requests,
// which testkit does not.
type concServer struct {
	*httptest.Server
	opened atomic.Int64

	mu      sync.Mutex
	want    int           // requests to hold until all have arrived; 0: none
	release chan struct{} // closed when they have
}

func newConcServer(b *testing.B, h2 bool) *concServer {
	b.Helper()
	s := &concServer{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		s.hold(r)
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		_, _ = w.Write([]byte(benchStateResponse))
	}))
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.opened.Add(1)
		}
	}
	// Handshakes a client abandons (HTTP/2 keeps one of the connections
	// dialled at once) would be logged in the middle of the results.
	s.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.EnableHTTP2 = h2
	s.StartTLS()
	b.Cleanup(s.Close)
	return s
}

// holdNext makes the next n requests wait for each other, so that n calls
// are in flight at once.
func (s *concServer) holdNext(n int) {
	s.mu.Lock()
	s.want, s.release = n, make(chan struct{})
	s.mu.Unlock()
}

func (s *concServer) hold(r *http.Request) {
	s.mu.Lock()
	release := s.release
	if s.want > 0 {
		if s.want--; s.want == 0 {
			close(s.release)
			s.release = nil
		}
	}
	s.mu.Unlock()
	if release != nil {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}
}

// baseDescribeCertificateState is DescribeCertificateState written by hand.
func baseDescribeCertificateState(hc *http.Client, url string, b *testing.B) (*DescribeCertificateStateOutput, error) {
	var out DescribeCertificateStateOutput
	body := baseSign("DescribeCertificateState", []baseParam{{"OrderId", "98987582437920968"}})
	if err := basePost(b.Context(), hc, url, body, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func BenchmarkConcurrency(b *testing.B) {
	for _, proto := range []struct {
		name string
		h2   bool
	}{{"HTTPS1.1", false}, {"HTTP2", true}} {
		for _, callers := range []int{1, 16, 128, 200, 1000} {
			b.Run(fmt.Sprintf("%s/callers=%d/handwritten", proto.name, callers), func(b *testing.B) {
				srv := newConcServer(b, proto.h2)
				// The tuned floor: net/http with a pool as large as the load.
				tr := &http.Transport{
					ForceAttemptHTTP2:   true,
					MaxIdleConns:        callers,
					MaxIdleConnsPerHost: callers,
					IdleConnTimeout:     90 * time.Second,
					TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12,
						RootCAs: srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs},
				}
				b.Cleanup(tr.CloseIdleConnections)
				hc := &http.Client{Transport: tr, Timeout: 2 * time.Minute}
				runConcurrently(b, callers, srv, func() error {
					out, err := baseDescribeCertificateState(hc, srv.URL, b)
					if err == nil && out.State != StateDomainVerify {
						err = fmt.Errorf("state %q", out.State)
					}
					return err
				})
			})
			b.Run(fmt.Sprintf("%s/callers=%d/alicert", proto.name, callers), func(b *testing.B) {
				srv := newConcServer(b, proto.h2)
				c, err := NewClient(WithAccessKey(benchKeyID, benchSecret), WithCASEndpoint(srv.URL))
				if err != nil {
					b.Fatal(err)
				}
				trustServer(c, srv.Server) // the default client, trusting the test certificate
				b.Cleanup(func() { _ = c.Close() })
				in := &DescribeCertificateStateInput{OrderID: 98987582437920968}
				runConcurrently(b, callers, srv, func() error {
					out, err := c.CAS.DescribeCertificateState(b.Context(), in)
					if err == nil && out.State != StateDomainVerify {
						err = fmt.Errorf("state %q", out.State)
					}
					return err
				})
			})
		}
	}
}

// runConcurrently makes b.N calls from min(callers, b.N) goroutines and
// reports throughput, latency percentiles and the connections opened.
func runConcurrently(b *testing.B, callers int, srv *concServer, call func() error) {
	b.Helper()
	n := b.N
	g := min(callers, n)
	var (
		failed   atomic.Pointer[error]
		next     atomic.Int64
		wg       sync.WaitGroup
		latency  = make([]time.Duration, n)
		warmedUp sync.WaitGroup
	)
	fail := func(err error) { failed.CompareAndSwap(nil, &err) }
	// Warm-up: one call per goroutine, all in flight at once (the server
	// holds them until the last arrives), so that the timed calls find the
	// connections a pool of the right size keeps.
	srv.holdNext(g)
	warmedUp.Add(g)
	for range g {
		go func() {
			defer warmedUp.Done()
			if err := call(); err != nil {
				fail(err)
			}
		}()
	}
	warmedUp.Wait()
	if err := failed.Load(); err != nil {
		b.Fatal(*err)
	}
	warm := srv.opened.Load()
	before := warm
	b.ResetTimer()
	start := time.Now()
	wg.Add(g)
	for range g {
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				t0 := time.Now()
				if err := call(); err != nil {
					fail(err)
					return
				}
				latency[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if err := failed.Load(); err != nil {
		b.Fatal(*err)
	}
	slices.Sort(latency)
	b.ReportMetric(float64(n)/elapsed.Seconds(), "calls/s")
	b.ReportMetric(float64(latency[n/2].Microseconds()), "p50-us")
	b.ReportMetric(float64(latency[min(n*99/100, n-1)].Microseconds()), "p99-us")
	b.ReportMetric(float64(srv.opened.Load()-before)*1000/float64(n), "conns/1k-calls")
	b.ReportMetric(float64(warm), "warm-up-conns")
}

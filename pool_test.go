package alicert

import (
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// poolServer is a plain-HTTP loopback server that counts the connections
// clients open and can hold every request of a round until n of them are
// in flight at once, so that a round of n concurrent calls provably needs n
// connections. Hand-written: it counts connections and holds requests,
// which testkit does not.
type poolServer struct {
	*httptest.Server
	opened atomic.Int64 // connections ever accepted
	open   atomic.Int64 // connections not closed yet

	mu      sync.Mutex
	want    int           // requests that make up the current round; 0: no barrier
	arrived int           // requests of the current round so far
	release chan struct{} // closed when the round is complete
}

func newPoolServer(t *testing.T) *poolServer {
	t.Helper()
	s := &poolServer{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		switch st {
		case http.StateNew:
			s.opened.Add(1)
			s.open.Add(1)
		case http.StateClosed, http.StateHijacked:
			s.open.Add(-1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	return s
}

func (s *poolServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	release := s.release
	if s.want > 0 {
		if s.arrived++; s.arrived == s.want {
			close(s.release)
		}
	}
	s.mu.Unlock()
	if release != nil {
		select {
		case <-release:
		case <-r.Context().Done():
		case <-time.After(30 * time.Second): // a guard against a hang, not a timing
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"RequestId":"R","Type":"process"}`))
}

// round makes n concurrent calls with c, each held by the server until all
// n are in flight, and returns the connections the server accepted meanwhile.
func (s *poolServer) round(t *testing.T, c *Client, n int) int64 {
	t.Helper()
	s.mu.Lock()
	s.want, s.arrived, s.release = n, 0, make(chan struct{})
	s.mu.Unlock()
	before := s.opened.Load()
	errs := make(chan error, n)
	for range n {
		go func() {
			_, err := c.CAS.DescribeCertificateState(t.Context(), &DescribeCertificateStateInput{OrderID: 1})
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatalf("call: %v", err)
		}
	}
	s.mu.Lock()
	s.want, s.release = 0, nil
	s.mu.Unlock()
	return s.opened.Load() - before
}

func poolClient(t *testing.T, url string, opts ...Option) *Client {
	t.Helper()
	c, err := NewClient(append([]Option{WithAccessKey("id", "secret"), WithCASEndpoint(url), WithMaxAttempts(1)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestDefaultPoolKeepsConnectionsOfConcurrentCalls: after a burst of 100
// concurrent calls, a second burst reuses every connection of the first,
// where a pool of 16 idle connections per host closed 84 of them and opened
// them again. WithMaxIdleConnsPerHost sizes the pool.
func TestDefaultPoolKeepsConnectionsOfConcurrentCalls(t *testing.T) {
	t.Parallel()
	const burst = 100
	for _, tc := range []struct {
		name string
		opts []Option
		want int64 // connections opened by the second burst
	}{
		{"default", nil, 0},
		{"WithMaxIdleConnsPerHost(10)", []Option{WithMaxIdleConnsPerHost(10)}, burst - 10},
		{"WithMaxIdleConnsPerHost(burst)", []Option{WithMaxIdleConnsPerHost(burst)}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newPoolServer(t)
			c := poolClient(t, srv.URL, tc.opts...)
			t.Cleanup(func() { _ = c.Close() })
			if got := srv.round(t, c, burst); got != burst {
				t.Fatalf("first burst opened %d connections, want %d", got, burst)
			}
			if got := srv.round(t, c, burst); got != tc.want {
				t.Errorf("second burst opened %d connections, want %d", got, tc.want)
			}
		})
	}
}

// TestWithMaxIdleConnsPerHostBelowOne: a pool of no connection is a
// NewClient error that names the option.
func TestWithMaxIdleConnsPerHostBelowOne(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, -1} {
		_, err := NewClient(WithAccessKey("id", "secret"), WithMaxIdleConnsPerHost(n))
		if err == nil || !strings.Contains(err.Error(), "WithMaxIdleConnsPerHost") {
			t.Errorf("WithMaxIdleConnsPerHost(%d): NewClient error %v, want one naming the option", n, err)
		}
	}
	// With the caller's http.Client the option sizes nothing, but a bad
	// value is still a mistake worth reporting.
	_, err := NewClient(WithAccessKey("id", "secret"), WithHTTPClient(&http.Client{}), WithMaxIdleConnsPerHost(0))
	if err == nil {
		t.Error("WithMaxIdleConnsPerHost(0) with WithHTTPClient: NewClient succeeded")
	}
}

// TestCloseReleasesIdleConnections: after calls over real connections,
// Close closes the idle ones at once (the server sees them closed and the
// goroutines of the client's transport and of the server's connections end)
// rather than 90 seconds later; a second Close is harmless and the client
// still works. It is not parallel, so that the goroutine count is its own.
func TestCloseReleasesIdleConnections(t *testing.T) {
	const conns = 20
	srv := newPoolServer(t)
	baseline := runtime.NumGoroutine()
	c := poolClient(t, srv.URL)
	if got := srv.round(t, c, conns); got != conns {
		t.Fatalf("opened %d connections, want %d", got, conns)
	}
	if g := runtime.NumGoroutine(); g < baseline+conns {
		t.Fatalf("%d goroutines with %d idle connections, baseline %d: nothing to release", g, conns, baseline)
	}

	if err := c.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}
	if !eventually(func() bool { return srv.open.Load() == 0 && runtime.NumGoroutine() <= baseline }) {
		t.Fatalf("after Close: %d connections open, %d goroutines (baseline %d)", srv.open.Load(), runtime.NumGoroutine(), baseline)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("second Close = %v", err)
	}
	if got := srv.round(t, c, 1); got != 1 {
		t.Errorf("a call after Close opened %d connections, want 1", got)
	}
	_ = c.Close()
	var nilClient *Client
	if err := nilClient.Close(); err != nil {
		t.Errorf("nil Client: Close = %v", err)
	}
}

// TestCloseLeavesCallersConnections: with WithHTTPClient the connections are
// the caller's: after Close, the next calls reuse every one of them.
func TestCloseLeavesCallersConnections(t *testing.T) {
	t.Parallel()
	const conns = 5
	srv := newPoolServer(t)
	tr := &http.Transport{MaxIdleConnsPerHost: conns}
	t.Cleanup(tr.CloseIdleConnections)
	c := poolClient(t, srv.URL, WithHTTPClient(&http.Client{Transport: tr}))
	if got := srv.round(t, c, conns); got != conns {
		t.Fatalf("opened %d connections, want %d", got, conns)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}
	if got := srv.round(t, c, conns); got != 0 {
		t.Errorf("after Close, %d new connections: Close closed the caller's idle connections", got)
	}
}

// TestDefaultTransportProtocols: the client's own transport, its pool
// resized, speaks HTTP/2 to a server that offers it with HMAC-SHA1, whose
// requests have a body HTTP/2 cannot re-send; with signature V3, whose
// requests have none (and which HTTP/2 re-sends by itself after some
// failures that do not prove the server did not act), it speaks HTTP/1.1,
// which never re-sends a POST, so that a create is sent once.
func TestDefaultTransportProtocols(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		alg  SignatureAlgorithm
		want string
	}{
		{SignatureHMACSHA1, "HTTP/2.0"},
		{SignatureACS3HMACSHA256, "HTTP/1.1"},
	} {
		t.Run(tc.alg.String(), func(t *testing.T) {
			t.Parallel()
			var proto atomic.Value
			// Hand-written: an HTTP/2 TLS server, which testkit does not start.
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				proto.Store(r.Proto)
				_, _ = w.Write([]byte(`{"RequestId":"R","OrderId":7}`))
			}))
			srv.EnableHTTP2 = true
			srv.StartTLS()
			defer srv.Close()
			c := poolClient(t, srv.URL, WithSignatureAlgorithm(tc.alg))
			defer c.Close()
			trustServer(c, srv)
			in := &CreateCertificateRequestInput{Domain: "www.example.com", ValidateType: ValidateDNS,
				Username: "Ops", Phone: "13800000000", Email: "ops@example.com"}
			if _, err := c.CAS.CreateCertificateRequest(t.Context(), in); err != nil {
				t.Fatal(err)
			}
			if got, _ := proto.Load().(string); got != tc.want {
				t.Errorf("protocol %q, want %s", got, tc.want)
			}
		})
	}
}

// trustServer makes the client's own transport trust srv's test certificate,
// and changes nothing else.
func trustServer(c *Client, srv *httptest.Server) {
	c.cfg.ownTransport.TLSClientConfig.RootCAs = srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
}

// eventually reports whether cond holds within a few seconds, checking it
// often: a bound against a hang, never a measure of speed.
func eventually(cond func() bool) bool {
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}

package alicerttest

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"syscall"
	"time"
)

// FaultKind is a way for a request to go wrong.
type FaultKind int

const (
	// FaultThrottle answers 400 with the Throttling.User error document,
	// without doing anything.
	FaultThrottle FaultKind = iota + 1
	// FaultInternalError answers 500 with the InternalError error document,
	// without doing anything.
	FaultInternalError
	// FaultBadGatewayHTML answers 502 with an HTML page, as a proxy or load
	// balancer in front of the service does, without doing anything. Like
	// such a page, it has no request id.
	FaultBadGatewayHTML
	// FaultUnavailable answers 503 with the ServiceUnavailable error
	// document, without doing anything.
	FaultUnavailable
	// FaultTruncatedJSON processes the request (creating the order, CSR or
	// certificate), then answers with the first half of its JSON document
	// (with status 200 when the request succeeded).
	FaultTruncatedJSON
	// FaultResetBeforeAct reads the request, then resets the connection
	// (TCP RST) without doing anything.
	FaultResetBeforeAct
	// FaultResetAfterAct processes the request, then resets the connection
	// without answering.
	FaultResetAfterAct
	// FaultSlow stalls for Fault.Delay, then processes the request and
	// answers normally. If the client gives up or the server closes during
	// the stall, the request is dropped without being processed.
	FaultSlow
	// FaultOversizedBody processes the request, then answers with its
	// document (with status 200 when the request succeeded) padded with
	// whitespace to over 2 MiB: still valid JSON, but larger than any
	// client should read.
	FaultOversizedBody
	// FaultDialError fails the request in the transport of Server.Client
	// with a *net.OpError whose Op is "dial" (connection refused), before
	// anything is sent. Requests sent by other transports pass it by: a
	// queued FaultDialError waits for a request through Server.Client.
	FaultDialError
	// FaultServerErrorIn200 processes the request, then answers 200 with
	// the InternalError error document instead of its result, as a gateway
	// that failed after the service acted may.
	FaultServerErrorIn200
	// FaultNonceReplayed processes the request, then answers 400
	// SignatureNonceUsed: what a client sees when a transport re-sent its
	// request after the first copy had already acted.
	FaultNonceReplayed
	// FaultTLSHandshake fails the TLS handshake of the next new connection
	// (the server sends a handshake alert), before any request is written.
	// It needs a server started WithTLS; injecting it closes the idle
	// connections of Server.Client and then every connection the server has
	// open, so that the next request has to connect anew. The
	// failed handshake is recorded in Requests under the action the fault
	// was injected for.
	FaultTLSHandshake
	// FaultStreamResetAfterAct processes the request, then resets its
	// stream without answering: an HTTP/2 RST_STREAM on a server started
	// WithTLS, a closed connection over HTTP/1.1.
	FaultStreamResetAfterAct
)

var faultNames = map[FaultKind]string{
	FaultThrottle:       "FaultThrottle",
	FaultInternalError:  "FaultInternalError",
	FaultBadGatewayHTML: "FaultBadGatewayHTML",
	FaultUnavailable:    "FaultUnavailable",
	FaultTruncatedJSON:  "FaultTruncatedJSON",
	FaultResetBeforeAct: "FaultResetBeforeAct",
	FaultResetAfterAct:  "FaultResetAfterAct",
	FaultSlow:           "FaultSlow",
	FaultOversizedBody:  "FaultOversizedBody",
	FaultDialError:      "FaultDialError",

	FaultServerErrorIn200:    "FaultServerErrorIn200",
	FaultNonceReplayed:       "FaultNonceReplayed",
	FaultTLSHandshake:        "FaultTLSHandshake",
	FaultStreamResetAfterAct: "FaultStreamResetAfterAct",
}

// String returns the constant's name, or "FaultKind(n)".
func (k FaultKind) String() string {
	if name, ok := faultNames[k]; ok {
		return name
	}
	return fmt.Sprintf("FaultKind(%d)", int(k))
}

// Fault is a failure to inject with Server.InjectFault.
type Fault struct {
	// Kind says what goes wrong.
	Kind FaultKind
	// Delay is how long a FaultSlow stalls before answering.
	Delay time.Duration
}

// oversizedBodyBytes pads a FaultOversizedBody answer past 2 MiB.
const oversizedBodyBytes = 2<<20 + 1

// faultErrors are the error documents of the faults that answer with one.
var faultErrors = map[FaultKind]*apiError{
	FaultThrottle: {http.StatusBadRequest, "Throttling.User", "Request was denied due to user flow control."},
	FaultInternalError: {http.StatusInternalServerError, "InternalError",
		"The request processing has failed due to some unknown error, exception or failure."},
	FaultUnavailable: {http.StatusServiceUnavailable, "ServiceUnavailable",
		"The request has failed due to a temporary failure of the server."},
	FaultServerErrorIn200: {http.StatusOK, "InternalError",
		"The request processing has failed due to some unknown error, exception or failure."},
	FaultNonceReplayed: {http.StatusBadRequest, "SignatureNonceUsed", "The request signature nonce has been used."},
}

// queuedFault is a fault waiting in InjectFault's queue.
type queuedFault struct {
	fault Fault
	left  int // requests still to fail; <= 0 means until ClearFaults
}

// InjectFault makes the next times requests for action ("" for any
// action) fail with f; times <= 0 fails every such request until
// ClearFaults. Faults queued for one action fire in the order they were
// injected, each for its count; faults for a named action fire before
// those for "". Requests records the fault each request got.
func (s *Server) InjectFault(action string, f Fault, times int) {
	if _, ok := faultNames[f.Kind]; !ok {
		panic(fmt.Sprintf("alicerttest: InjectFault: unknown fault kind %d", int(f.Kind)))
	}
	if f.Kind == FaultTLSHandshake && !s.cfg.tls {
		panic("alicerttest: InjectFault: FaultTLSHandshake needs a server started WithTLS")
	}
	s.mu.Lock()
	s.faults[action] = append(s.faults[action], &queuedFault{fault: f, left: times})
	s.mu.Unlock()
	if f.Kind == FaultTLSHandshake {
		// Idle connections first on Client's side, so that its next request
		// dials rather than write into a connection the server is closing.
		s.client.CloseIdleConnections()
		s.ts.CloseClientConnections()
	}
}

// ClearFaults drops every queued fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.faults)
}

// arrive takes the fault a request gets and records the request, in one
// step so that Requests lists faults in the order they fired. viaClient
// says whether the request is in Server.Client's transport, which fires
// only FaultDialError (and records only the requests it fails), leaving
// everything else to the handler.
func (s *Server) arrive(params url.Values, now time.Time, viaClient bool) Fault {
	r := newRequest(params, now)
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.takeFaultLocked(r.Action, viaClient)
	if viaClient && f.Kind != FaultDialError {
		return Fault{}
	}
	r.Fault = f.Kind
	s.requests = append(s.requests, r)
	return f
}

// takeFaultLocked returns the fault the next request for action gets, and
// counts it. Called with s.mu held.
func (s *Server) takeFaultLocked(action string, viaClient bool) Fault {
	keys := []string{action, ""}
	if action == "" {
		keys = keys[:1]
	}
	for _, key := range keys {
		q := s.faults[key]
		if len(q) == 0 {
			continue
		}
		head := q[0]
		if head.fault.Kind == FaultTLSHandshake || (head.fault.Kind == FaultDialError) != viaClient {
			return Fault{} // fired elsewhere: in the handshake, in Server.Client's transport
		}
		if head.left > 0 {
			head.left--
			if head.left == 0 {
				s.faults[key] = q[1:]
			}
		}
		return head.fault
	}
	return Fault{}
}

// handshake is the TLS server's GetConfigForClient: it fails the handshake
// when a FaultTLSHandshake heads a queue, and records it as a request for
// that queue's action.
func (s *Server) handshake(*tls.ClientHelloInfo) (*tls.Config, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for action, q := range s.faults {
		if len(q) == 0 || q[0].fault.Kind != FaultTLSHandshake {
			continue
		}
		if head := q[0]; head.left > 0 {
			head.left--
			if head.left == 0 {
				s.faults[action] = q[1:]
			}
		}
		r := newRequest(url.Values{"Action": {action}}, s.cfg.now())
		r.Fault = FaultTLSHandshake
		s.requests = append(s.requests, r)
		return nil, errors.New("alicerttest: injected TLS handshake failure")
	}
	return nil, nil // the server's own configuration
}

// stall waits out a FaultSlow. It reports false when the client went away
// or the server is closing first.
func (s *Server) stall(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	case <-s.done:
		return false
	}
}

// resetConnection kills the connection under w with a TCP RST (SO_LINGER
// 0), as a crashed server or a middlebox does.
func resetConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler) // closes the connection, without the RST
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

// badGatewayPage is what a load balancer in front of the service serves
// when the service is down.
const badGatewayPage = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n" +
	"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>Tengine</center>\r\n</body>\r\n</html>\r\n"

func writeBadGateway(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html")
	w.Header().Set("Content-Length", fmt.Sprint(len(badGatewayPage)))
	w.WriteHeader(http.StatusBadGateway)
	_, _ = io.WriteString(w, badGatewayPage)
}

// faultTransport is Server.Client's transport: it fails requests for which
// a FaultDialError is queued and sends the others on.
type faultTransport struct {
	s    *Server
	next http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (t *faultTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	params, req, err := peekParams(req)
	if err != nil {
		return nil, err
	}
	if isV3(req.Header) {
		routeByHeaders(params, req.Header)
	}
	if f := t.s.arrive(params, t.s.cfg.now(), true); f.Kind == FaultDialError {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		var addr net.Addr
		if a, err := net.ResolveTCPAddr("tcp", req.URL.Host); err == nil {
			addr = a
		}
		return nil, &net.OpError{Op: "dial", Net: "tcp", Addr: addr,
			Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}}
	}
	return t.next.RoundTrip(req)
}

// CloseIdleConnections closes the idle connections of the transport under
// Server.Client, as http.Client.CloseIdleConnections expects of it.
func (t *faultTransport) CloseIdleConnections() {
	if c, ok := t.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// peekParams reads a request's parameters (query string, and a form body)
// without consuming it: it returns a copy of req whose body reads the same
// bytes again.
func peekParams(req *http.Request) (url.Values, *http.Request, error) {
	params := req.URL.Query()
	if req.Body == nil || req.Body == http.NoBody ||
		!strings.HasPrefix(req.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		return params, req, nil
	}
	body, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	if err != nil {
		return nil, nil, err
	}
	if form, err := url.ParseQuery(string(body)); err == nil {
		for k, vs := range form {
			params[k] = append(params[k], vs...)
		}
	}
	clone := req.Clone(req.Context())
	clone.Body = io.NopCloser(bytes.NewReader(body))
	if req.GetBody != nil {
		// Only a request that offered to be re-sent may be re-sent: a
		// client that withholds GetBody (a create) keeps withholding it.
		clone.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	return params, clone, nil
}

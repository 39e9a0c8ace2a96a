package alicert_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/internal/signature"
	"github.com/stretchr/testify/require"
)

// Credentials of the scripted servers. They are long and distinctive so
// that a leak into an error, a log line or %v output is found by a plain
// substring search.
const (
	cpKeyID  = "LTAI5tCallPathKeyId0001"
	cpSecret = "cpSecret-Zm9vYmFyYmF6cXV4-never-print-me"
	cpToken  = "CAIS1cpSTSToken+never/printMe9cpTokenTail=="
)

// cpPrivateKeyPEM is a private key block as the service returns one in
// DescribeCertificateStateOutput.PrivateKey and GetCsrDetailOutput.PrivateKey.
// It is test data only: the body is not a usable key.
const cpPrivateKeyPEM = "-----BEGIN RSA PRIVATE KEY-----\n" +
	"MIIEowIBAAKCAQEAcpPrivateKeyBodyLine1NeverPrintMe0123456789abcdef\n" +
	"cpPrivateKeyBodyLine2NeverPrintMeZYXWVUTSRQPONMLKJIHGFEDCBA98765\n" +
	"-----END RSA PRIVATE KEY-----\n"

// cpKeyMarkers are pieces of cpPrivateKeyPEM that must never be printed.
var cpKeyMarkers = []string{"cpPrivateKeyBodyLine1", "cpPrivateKeyBodyLine2", "BEGIN RSA PRIVATE KEY"}

// scriptedReply is what a scripted server does with one request.
type scriptedReply struct {
	status int
	body   string
	header map[string]string
	// hijack closes the connection after reading the request, without a
	// response: a reset after the request was written.
	hijack bool
	// fn, when set, computes the reply from the request instead.
	fn func(scriptedRequest) scriptedReply
}

// cpJSON is a scripted response with a JSON body.
func cpJSON(status int, body string) scriptedReply {
	return scriptedReply{status: status, body: body}
}

// cpErr is a service error document.
func cpErr(status int, code, message string) scriptedReply {
	doc, _ := json.Marshal(map[string]string{
		"RequestId": "ERR-" + code, "HostId": "cas.aliyuncs.com", "Code": code,
		"Message": message, "Recommend": "https://api.aliyun.com/troubleshoot?q=" + code,
	})
	return scriptedReply{status: status, body: string(doc)}
}

// cpOrder is a successful CreateCertificateRequest response.
func cpOrder(id int64) scriptedReply {
	return cpJSON(200, fmt.Sprintf(`{"RequestId":"REQ-%d","OrderId":%d}`, id, id))
}

// cpState is a successful DescribeCertificateState response.
func cpState(state string) scriptedReply {
	return cpJSON(200, `{"RequestId":"REQ-STATE","Type":"`+state+`","Domain":"example.com"}`)
}

// scriptedRequest is one request as the scripted server received it.
type scriptedRequest struct {
	method, path, rawQuery string
	contentType            string
	form                   url.Values
	sigValid               bool // the signature matches cpSecret
}

// scriptedServer answers requests with a script of replies, in order; the
// last reply repeats once the script is used up. It records every request
// and checks its signature, and counts the 2xx replies to creates as the
// orders (or CSRs, certificates) the service would hold.
type scriptedServer struct {
	*httptest.Server
	mu       sync.Mutex
	script   []scriptedReply
	requests []scriptedRequest
	acted    int // 2xx replies to a create action
	// onRequest, when set, runs before each reply (under no lock).
	onRequest func(n int)
}

func newScriptedServer(t testing.TB, script ...scriptedReply) *scriptedServer {
	t.Helper()
	s := &scriptedServer{script: script}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *scriptedServer) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(body))
	rec := scriptedRequest{
		method: r.Method, path: r.URL.Path, rawQuery: r.URL.RawQuery,
		contentType: r.Header.Get("Content-Type"), form: form,
		sigValid: scriptedSignatureValid(form, cpSecret),
	}
	s.mu.Lock()
	n := len(s.requests)
	s.requests = append(s.requests, rec)
	reply := scriptedReply{status: 500, body: `{"Code":"NoScript","Message":"the script is empty"}`}
	if len(s.script) > 0 {
		reply = s.script[min(n, len(s.script)-1)]
	}
	if reply.fn == nil && reply.status/100 == 2 && strings.HasPrefix(form.Get("Action"), "Create") {
		s.acted++
	}
	hook := s.onRequest
	s.mu.Unlock()
	if hook != nil {
		hook(n + 1)
	}
	if reply.fn != nil {
		reply = reply.fn(rec)
	}
	if reply.hijack {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
		return
	}
	for k, v := range reply.header {
		w.Header().Set(k, v)
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
	}
	w.WriteHeader(reply.status)
	_, _ = io.WriteString(w, reply.body)
}

// scriptedSignatureValid recomputes the RPC v1 signature of a form body.
func scriptedSignatureValid(form url.Values, secret string) bool {
	sts := scriptedStringToSign(form)
	return form.Get("Signature") != "" && signature.Sign(secret, []byte(sts)) == form.Get("Signature")
}

// scriptedStringToSign is the string-to-sign of a form body, as the service
// computes it (and quotes it in SignatureDoesNotMatch).
func scriptedStringToSign(form url.Values) string {
	var params []signature.Param
	for k, vs := range form {
		if k == "Signature" {
			continue
		}
		for _, v := range vs {
			params = append(params, signature.Param{Key: k, Value: v})
		}
	}
	signature.Sort(params)
	canonical := signature.AppendCanonical(nil, params)
	return string(signature.AppendStringToSign(nil, "POST", canonical))
}

// attempts is the number of requests the server received.
func (s *scriptedServer) attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

// orders is the number of creates the server acted on.
func (s *scriptedServer) orders() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.acted
}

// received returns a copy of the recorded requests.
func (s *scriptedServer) received() []scriptedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]scriptedRequest(nil), s.requests...)
}

// signatures returns every Signature the server received, to look for it
// in errors and logs.
func (s *scriptedServer) signatures() []string {
	var sigs []string
	for _, r := range s.received() {
		if sig := r.form.Get("Signature"); sig != "" {
			sigs = append(sigs, sig)
		}
	}
	return sigs
}

// cpFastRetries makes backoff negligible, so that retry tests do not sleep.
var cpFastRetries = alicert.WithRetryDelay(time.Millisecond, 2*time.Millisecond)

// client returns a client with static AccessKey credentials pointed at s,
// fast retries, then opts.
func (s *scriptedServer) client(t testing.TB, opts ...alicert.Option) *alicert.Client {
	t.Helper()
	all := append([]alicert.Option{
		alicert.WithAccessKey(cpKeyID, cpSecret),
		alicert.WithCASEndpoint(s.URL),
		alicert.WithKMSEndpoint(s.URL),
		cpFastRetries,
	}, opts...)
	c, err := alicert.NewClient(all...)
	require.NoError(t, err)
	return c
}

// cpValidCreate is a CreateCertificateRequestInput that passes validation.
func cpValidCreate() *alicert.CreateCertificateRequestInput {
	return &alicert.CreateCertificateRequestInput{
		ProductCode: "digicert-free-1-free", Domain: "www.example.com",
		ValidateType: alicert.ValidateDNS, Email: "ops@example.com",
		Username: "Zhang San", Phone: "13800000000",
	}
}

// cpRequireNoSecret fails when text holds the access key secret, the STS token
// (raw or percent-encoded), one of extra (signatures seen on the wire) or a
// piece of the test private key.
func cpRequireNoSecret(t testing.TB, label, text string, extra ...string) {
	t.Helper()
	// Fragments as well as whole values: a partly scrubbed secret is a leak.
	forbidden := []string{cpSecret, "cpSecret", "Zm9vYmFyYmF6cXV4", "cpSTSToken", "cpTokenTail"}
	forbidden = append(forbidden, cpKeyMarkers...)
	for _, sig := range extra {
		forbidden = append(forbidden, sig, signature.Encode(sig), url.QueryEscape(sig))
		// The leading run of letters and digits, which no encoding changes.
		run := len(sig) - len(strings.TrimLeft(sig, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"))
		if run >= 8 {
			forbidden = append(forbidden, sig[:run])
		}
	}
	for _, f := range forbidden {
		if f != "" && strings.Contains(text, f) {
			t.Fatalf("%s leaks a secret (%.12q...): %s", label, f, text)
		}
	}
}

// cpRequireCleanErr checks err's message for secrets (see cpRequireNoSecret).
func cpRequireCleanErr(t testing.TB, err error, extra ...string) {
	t.Helper()
	if err != nil {
		cpRequireNoSecret(t, "error", err.Error(), extra...)
		cpRequireNoSecret(t, "error %+v", fmt.Sprintf("%+v", err), extra...)
		cpRequireNoSecret(t, "error %#v", fmt.Sprintf("%#v", err), extra...)
	}
}

// cpLogBuffer is a slog handler target that keeps every record's text.
type cpLogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *cpLogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *cpLogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// cpDebugLogger returns a logger at debug level writing text records to buf.
func cpDebugLogger(buf *cpLogBuffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// cpClosedPort returns a loopback address nothing listens on.
func cpClosedPort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

// cpRoundTrip adapts a function to http.RoundTripper.
type cpRoundTrip func(*http.Request) (*http.Response, error)

func (f cpRoundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

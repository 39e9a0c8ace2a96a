package alicert_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/internal/signature"
	"github.com/alicert/alicert/internal/testkit"
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

// The tests of this package script the service with testkit.Server; the
// helpers below build its replies and a client of it.

// cpErr is a service error document.
func cpErr(status int, code, message string) testkit.Reply {
	doc, _ := json.Marshal(map[string]string{
		"RequestId": "ERR-" + code, "HostId": "cas.aliyuncs.com", "Code": code,
		"Message": message, "Recommend": "https://api.aliyun.com/troubleshoot?q=" + code,
	})
	return testkit.JSON(status, string(doc))
}

// cpOrder is a successful CreateCertificateRequest response.
func cpOrder(id int64) testkit.Reply {
	return testkit.JSON(200, fmt.Sprintf(`{"RequestId":"REQ-%d","OrderId":%d}`, id, id))
}

// cpState is a successful DescribeCertificateState response.
func cpState(state string) testkit.Reply {
	return testkit.JSON(200, `{"RequestId":"REQ-STATE","Type":"`+state+`","Domain":"example.com"}`)
}

// cpCsrDetail is a successful GetCsrDetail response.
func cpCsrDetail() testkit.Reply {
	return testkit.JSON(200, `{"RequestId":"REQ-CSR","Csr":"-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n"}`)
}

// cpSigned reports whether r carries a signature made with cpSecret.
func cpSigned(r testkit.Request) bool { return testkit.SignatureValid(r.Form, cpSecret) }

// cpFastRetries makes backoff negligible, so that retry tests do not sleep.
var cpFastRetries = alicert.WithRetryDelay(time.Millisecond, 2*time.Millisecond)

// cpValidCreate is a CreateCertificateRequestInput that passes validation.
func cpValidCreate() *alicert.CreateCertificateRequestInput {
	return &alicert.CreateCertificateRequestInput{
		ProductCode: "digicert-free-1-free", Domain: "www.example.com",
		ValidateType: alicert.ValidateDNS, Email: "ops@example.com",
		Username: "Ada Ops", Phone: "13800001234",
	}
}

// cpFieldNames lists the fields a validation error names, in its order.
func cpFieldNames(verr *alicert.ValidationError) []string {
	var fields []string
	for _, f := range verr.Fields {
		fields = append(fields, f.Field)
	}
	return fields
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

package alicert

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicert/alicert/internal/signature"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The golden wire tests pin the exact POST body of every operation. Each
// file in testdata/golden/<Action>.txt holds that body with one parameter
// per line, in the order sent (the body is the lines joined with '&'; an '&'
// inside a value is always percent-encoded, so the split is exact). Run
//
//	go test -run TestWireGolden -update
//
// to rewrite them after a deliberate change, and review the diff.

// wireRegistered registers -update unless another test file of the binary
// already did (flag.Bool panics on a second registration).
var wireRegistered = wireRegisterUpdate()

func wireRegisterUpdate() bool {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files in testdata/golden")
	}
	return true
}

// wireUpdate reports whether -update was given.
func wireUpdate() bool {
	f := flag.Lookup("update")
	return wireRegistered && f != nil && f.Value.String() == "true"
}

// Fixed inputs of the signer, so that the body (signature included) is the
// same on every run.
const (
	wireKeyID  = "LTAI5tWireGoldenKey01"
	wireSecret = "wire-golden-secret-do-not-print"
	wireNonce  = "6a1f3c9e-wire-golden-nonce"
)

var wireClock = time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)

// wireFixed is the test seam of the call path: a fixed clock and nonce.
func wireFixed(c *config) {
	c.now = func() time.Time { return wireClock }
	c.nonce = func() string { return wireNonce }
}

// wireRequest is one request as the server saw it.
type wireRequest struct {
	method, path, rawQuery, contentType string
	body                                string
}

// wireServer records requests and answers each with reply.
type wireServer struct {
	*httptest.Server
	mu       sync.Mutex
	requests []wireRequest
	reply    func(n int, form url.Values) (status int, body string)
}

func newWireServer(t *testing.T, reply func(n int, form url.Values) (int, string)) *wireServer {
	t.Helper()
	s := &wireServer{reply: reply}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		s.mu.Lock()
		s.requests = append(s.requests, wireRequest{
			method: r.Method, path: r.URL.Path, rawQuery: r.URL.RawQuery,
			contentType: r.Header.Get("Content-Type"), body: string(body),
		})
		n := len(s.requests)
		s.mu.Unlock()
		status, out := s.reply(n, form)
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, out)
	}))
	t.Cleanup(s.Close)
	return s
}

// wireReplyJSON answers every request with 200 and body.
func wireReplyJSON(body string) func(int, url.Values) (int, string) {
	return func(int, url.Values) (int, string) { return http.StatusOK, body }
}

func (s *wireServer) received() []wireRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]wireRequest(nil), s.requests...)
}

// wireClient returns a client for s with the fixed clock and nonce, then
// opts.
func wireClient(t *testing.T, s *wireServer, opts ...Option) *Client {
	t.Helper()
	all := append([]Option{
		WithAccessKey(wireKeyID, wireSecret),
		WithCASEndpoint(s.URL),
		WithKMSEndpoint(s.URL),
		WithRetryDelay(0, 0),
		wireFixed,
	}, opts...)
	c, err := NewClient(all...)
	require.NoError(t, err)
	return c
}

// wireVerifySignature checks that body ends with the Signature of everything
// before it, computed with wireSecret, and that everything before it is the
// canonical (sorted, RFC 3986-encoded) query.
func wireVerifySignature(t *testing.T, body string) {
	t.Helper()
	i := strings.LastIndex(body, "&Signature=")
	require.GreaterOrEqual(t, i, 0, "the body has no Signature parameter")
	canonical, encSig := body[:i], body[i+len("&Signature="):]
	sig, err := url.QueryUnescape(encSig)
	require.NoError(t, err)

	form, err := url.ParseQuery(canonical)
	require.NoError(t, err)
	var params []signature.Param
	for k, vs := range form {
		for _, v := range vs {
			params = append(params, signature.Param{Key: k, Value: v})
		}
	}
	signature.Sort(params)
	require.Equal(t, string(signature.AppendCanonical(nil, params)), canonical,
		"the parameters before Signature are not in canonical form")

	sts := signature.AppendStringToSign(nil, http.MethodPost, []byte(canonical))
	require.Equal(t, signature.Sign(wireSecret, sts), sig, "the Signature does not verify")
}

// wireGolden compares body with testdata/golden/<action>.txt, or rewrites
// the file under -update.
func wireGolden(t *testing.T, action, body string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", action+".txt")
	lines := strings.ReplaceAll(body, "&", "\n") + "\n"
	if wireUpdate() {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(lines), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "missing golden file; run go test -run TestWireGolden -update")
	wantBody := strings.ReplaceAll(strings.TrimSuffix(string(want), "\n"), "\n", "&")
	assert.Equal(t, wantBody, body, "the body differs from %s (one parameter per line there)", path)
}

// wireDN is the Subject of the KMS golden case: every character RFC 2253
// makes us escape, a leading '#', leading and trailing spaces, '=' and
// non-ASCII text.
var wireDN = Subject{
	CommonName:         `#1 Widgets, Inc. + "Q" \ <a> ; b=c `,
	Country:            "CN",
	Organization:       " Example=Org",
	OrganizationalUnit: "R&D; Ops",
	Province:           "Zhè Jiāng",
	Locality:           "Hang+zhou",
}

// wireDNString is wireDN as RFC 2253 says to write it, worked out by hand.
const wireDNString = `CN=\#1 Widgets\, Inc. \+ \"Q\" \\ \<a\> \; b\=c\ ,C=CN,O=\ Example\=Org,OU=R&D\; Ops,ST=Zhè Jiāng,L=Hang\+zhou`

// wireCertPEM stands in for certificates in UploadCertificate: the client
// sends them as they are, so they need not be real.
const (
	wireCertPEM  = "-----BEGIN CERTIFICATE-----\nMIIBwireLeafCertificateBody+/=\n-----END CERTIFICATE-----\n"
	wireChainPEM = "-----BEGIN CERTIFICATE-----\nMIIBwireIntermediateBody+/=\n-----END CERTIFICATE-----\n"
	// wireOddCertID is a KMS certificate id with every kind of character
	// that could be mangled on the way in or out.
	wireOddCertID = `9a28de48-8d8b-484d-a766-dec4****/é+ =&%?#"\<x>`
)

type wireCase struct {
	action  string
	api     api
	reply   string
	call    func(context.Context, *Client) (any, error)
	form    map[string]string // decoded parameters to check besides the golden body
	absent  []string          // parameters that must not be sent
	checkFn func(*testing.T, any)
}

func wireCases() []wireCase {
	return []wireCase{
		{
			action: "CreateCertificateRequest", api: apiCAS,
			reply: `{"RequestId":"REQ-CCR","OrderId":98987582437920968}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CAS.CreateCertificateRequest(ctx, &CreateCertificateRequestInput{
					ProductCode: "digicert-free-1-free", Username: "Zhang San", Phone: "13800000000",
					Email: "ops+certs@example.com", Domain: "www.example.com", ValidateType: ValidateDNS,
					Tags: []Tag{{Key: "env", Value: "prod"}, {Key: "team", Value: "sec ops/证书"}, {Key: "cost-center"}},
				})
			},
			form: map[string]string{
				"Tags.1.Key": "env", "Tags.1.Value": "prod", "Tags.2.Key": "team", "Tags.2.Value": "sec ops/证书",
				"Tags.3.Key": "cost-center", "Tags.3.Value": "", "Email": "ops+certs@example.com",
			},
			absent: []string{"Tags", "Tags.4.Key"},
			checkFn: func(t *testing.T, out any) {
				o := out.(*CreateCertificateRequestOutput)
				assert.Equal(t, int64(98987582437920968), o.OrderID)
				assert.Equal(t, "REQ-CCR", o.RequestID)
			},
		},
		{
			action: "DescribeCertificateState", api: apiCAS,
			reply: `{"RequestId":"REQ-DCS","Type":"domain_verify","ValidateType":"DNS","RecordType":"TXT",` +
				`"RecordDomain":"_dnsauth","RecordValue":"2025031400000abc","Domain":"www.example.com"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CAS.DescribeCertificateState(ctx, &DescribeCertificateStateInput{OrderID: 98987582437920968})
			},
			form: map[string]string{"OrderId": "98987582437920968"},
			checkFn: func(t *testing.T, out any) {
				o := out.(*DescribeCertificateStateOutput)
				assert.Equal(t, StateDomainVerify, o.State)
				assert.Equal(t, "_dnsauth", o.RecordDomain)
				assert.Equal(t, "2025031400000abc", o.RecordValue)
			},
		},
		{
			action: "CreateCsr", api: apiCAS,
			reply: `{"RequestId":"REQ-CSR","CsrId":9007199254740993,"Csr":"-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CAS.CreateCsr(ctx, &CreateCsrInput{
					Algorithm: AlgorithmRSA, KeySize: 2048, CommonName: "example.com", CountryCode: "CN",
					Province: "Zhejiang", Locality: "Hangzhou",
					SANs:     []string{"www.example.com", "api.example.com", "*.dev.example.com"},
					CorpName: "Example Co., Ltd.", Department: "IT", Name: "csr-golden_1.0",
				})
			},
			form:   map[string]string{"Sans": "www.example.com,api.example.com,*.dev.example.com", "KeySize": "2048"},
			absent: []string{"SANs"},
			checkFn: func(t *testing.T, out any) {
				o := out.(*CreateCsrOutput)
				assert.Equal(t, int64(9007199254740993), o.CsrID)
			},
		},
		{
			action: "GetCsrDetail", api: apiCAS,
			reply: `{"RequestId":"REQ-GCD","Csr":"csr-pem","PrivateKey":"key-pem"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CAS.GetCsrDetail(ctx, &GetCsrDetailInput{CsrID: 9007199254740993})
			},
			form: map[string]string{"CsrId": "9007199254740993"},
			checkFn: func(t *testing.T, out any) {
				o := out.(*GetCsrDetailOutput)
				assert.Equal(t, "csr-pem", o.Csr)
				assert.Equal(t, "key-pem", o.PrivateKey)
			},
		},
		{
			action: "CreateCertificate", api: apiKMS,
			reply: `{"RequestId":"REQ-KMS","CertificateId":"98e85c94-52d0-40c9-b3b2-afda52f4****",` +
				`"Arn":"acs:kms:cn-hangzhou:154035569884****:certificate/98e85c94-52d0-40c9-b3b2-afda52f4****","Csr":"csr"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.KMS.CreateCertificate(ctx, &CreateCertificateInput{
					KeySpec: KeySpecECP256, Subject: wireDN,
					SubjectAlternativeNames: []string{"example.com", "*.example.com", "xn--fiqs8s.example"},
				})
			},
			form: map[string]string{
				"Subject":                 wireDNString,
				"SubjectAlternativeNames": `["example.com","*.example.com","xn--fiqs8s.example"]`,
				"ExportablePrivateKey":    "false",
				"KeySpec":                 "EC_P256",
			},
			checkFn: func(t *testing.T, out any) {
				o := out.(*CreateCertificateOutput)
				assert.Equal(t, "98e85c94-52d0-40c9-b3b2-afda52f4****", o.CertificateID)
				assert.Equal(t, "acs:kms:cn-hangzhou:154035569884****:certificate/98e85c94-52d0-40c9-b3b2-afda52f4****", o.Arn)
			},
		},
		{
			action: "UploadCertificate", api: apiKMS,
			reply: `{"RequestId":"REQ-UPL"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.KMS.UploadCertificate(ctx, &UploadCertificateInput{
					CertificateID: wireOddCertID, Certificate: wireCertPEM, CertificateChain: wireChainPEM,
				})
			},
			form: map[string]string{"CertificateId": wireOddCertID, "Certificate": wireCertPEM, "CertificateChain": wireChainPEM},
			checkFn: func(t *testing.T, out any) {
				assert.Equal(t, "REQ-UPL", out.(*UploadCertificateOutput).RequestID)
			},
		},
	}
}

// TestWireGolden sends every operation once and checks the request against
// its golden body, the transport details and the signature.
func TestWireGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range wireCases() {
		t.Run(tc.action, func(t *testing.T) {
			t.Parallel()
			srv := newWireServer(t, wireReplyJSON(tc.reply))
			c := wireClient(t, srv)
			out, err := tc.call(t.Context(), c)
			require.NoError(t, err)
			tc.checkFn(t, out)

			reqs := srv.received()
			require.Len(t, reqs, 1)
			r := reqs[0]
			assert.Equal(t, http.MethodPost, r.method)
			assert.Equal(t, "/", r.path)
			assert.Equal(t, "application/x-www-form-urlencoded", r.contentType)
			assert.Empty(t, r.rawQuery, "no parameter may travel in the URL")

			wireVerifySignature(t, r.body)
			wireGolden(t, tc.action, r.body)

			form, err := url.ParseQuery(r.body)
			require.NoError(t, err)
			version := casAPIVersion
			if tc.api == apiKMS {
				version = kmsAPIVersion
			}
			common := map[string]string{
				"Action": tc.action, "Version": version, "AccessKeyId": wireKeyID, "Format": "JSON",
				"SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
				"SignatureNonce": wireNonce, "Timestamp": "2025-03-14T15:09:26Z",
			}
			for k, v := range common {
				assert.Equal(t, []string{v}, form[k], "parameter %s", k)
			}
			for k, v := range tc.form {
				assert.Equal(t, []string{v}, form[k], "parameter %s", k)
			}
			for _, k := range tc.absent {
				assert.NotContains(t, form, k)
			}
			assert.NotContains(t, r.body, wireSecret)
		})
	}
}

// TestWireSubjectString checks the DN encoder on its own against the
// hand-written RFC 2253 form, so that the golden file is not its only check.
func TestWireSubjectString(t *testing.T) {
	t.Parallel()
	assert.Equal(t, wireDNString, wireDN.String())
	for _, tc := range []struct {
		name string
		in   Subject
		want string
	}{
		{"optional attributes left out", Subject{CommonName: "a", Country: "CN", Organization: "o", OrganizationalUnit: "u"}, "CN=a,C=CN,O=o,OU=u"},
		{"single space", Subject{CommonName: " "}, `CN=\ `},
		{"two spaces", Subject{CommonName: "  "}, `CN=\ \ `},
		{"three spaces", Subject{CommonName: "   "}, `CN=\  \ `},
		{"hash in the middle", Subject{CommonName: "a#b"}, `CN=a\#b`},
		{"NUL", Subject{CommonName: "a\x00b"}, `CN=a\00b`},
		{"inner spaces kept", Subject{CommonName: "a  b"}, `CN=a  b`},
	} {
		assert.Equal(t, tc.want, tc.in.String(), tc.name)
	}
}

// TestWireExportablePrivateKey checks that ExportablePrivateKey is always
// sent: the service's own default (true) must never apply by omission.
func TestWireExportablePrivateKey(t *testing.T) {
	t.Parallel()
	for _, exportable := range []bool{false, true} {
		srv := newWireServer(t, wireReplyJSON(`{"RequestId":"r","CertificateId":"id"}`))
		c := wireClient(t, srv)
		_, err := c.KMS.CreateCertificate(t.Context(), &CreateCertificateInput{
			KeySpec: KeySpecRSA2048, ExportablePrivateKey: exportable,
			Subject: Subject{CommonName: "a", Country: "CN", Organization: "o", OrganizationalUnit: "u"},
		})
		require.NoError(t, err)
		form, err := url.ParseQuery(srv.received()[0].body)
		require.NoError(t, err)
		want := "false"
		if exportable {
			want = "true"
		}
		assert.Equal(t, []string{want}, form["ExportablePrivateKey"])
		assert.NotContains(t, form, "SubjectAlternativeNames", "no SANs, no parameter")
	}
}

// TestWireIDsAbove2To53 checks that ids beyond float64's exact range survive
// decoding to the last digit.
func TestWireIDsAbove2To53(t *testing.T) {
	t.Parallel()
	for _, id := range []int64{98987582437920968, 1<<53 + 1, 9223372036854775807} {
		srv := newWireServer(t, func(_ int, form url.Values) (int, string) {
			if form.Get("Action") == "CreateCsr" {
				return 200, `{"RequestId":"r","Csr":"x","CsrId":` + strconv.FormatInt(id, 10) + `}`
			}
			return 200, `{"RequestId":"r","OrderId":` + strconv.FormatInt(id, 10) + `}`
		})
		c := wireClient(t, srv)
		order, err := c.CAS.CreateCertificateRequest(t.Context(), &CreateCertificateRequestInput{Domain: "example.com", ValidateType: ValidateDNS,
			Username: "Zhang San", Phone: "13800000000", Email: "ops@example.com"})
		require.NoError(t, err)
		assert.Equal(t, id, order.OrderID)
		csr, err := c.CAS.CreateCsr(t.Context(), wireValidCsr())
		require.NoError(t, err)
		assert.Equal(t, id, csr.CsrID)
	}
}

func wireValidCsr() *CreateCsrInput {
	return &CreateCsrInput{Algorithm: AlgorithmECC, KeySize: 256, CommonName: "example.com",
		CountryCode: "CN", Province: "Zhejiang", Locality: "Hangzhou"}
}

// TestWireIDOverflow checks that an id that does not fit int64 is an error
// naming the operation and the request id, never a zero id.
func TestWireIDOverflow(t *testing.T) {
	t.Parallel()
	type call func(context.Context, *Client) (any, error)
	createOrder := func(ctx context.Context, c *Client) (any, error) {
		return c.CAS.CreateCertificateRequest(ctx, &CreateCertificateRequestInput{Domain: "example.com", ValidateType: ValidateFile,
			Username: "Zhang San", Phone: "13800000000", Email: "ops@example.com"})
	}
	createCsr := func(ctx context.Context, c *Client) (any, error) { return c.CAS.CreateCsr(ctx, wireValidCsr()) }
	for _, tc := range []struct {
		name, action, body, header string
		call                       call
	}{
		{"OrderId 1e30", "CreateCertificateRequest", `{"RequestId":"REQ-OVF-1","OrderId":1e30}`, "", createOrder},
		{"OrderId 20 digits", "CreateCertificateRequest", `{"OrderId":98987582437920968000,"RequestId":"REQ-OVF-2"}`, "", createOrder},
		{"OrderId fractional", "CreateCertificateRequest", `{"OrderId":98987582437920968.5,"RequestId":"REQ-OVF-3"}`, "", createOrder},
		{"OrderId as a string", "CreateCertificateRequest", `{"OrderId":"98987582437920968","RequestId":"REQ-OVF-4"}`, "", createOrder},
		{"CsrId 1e30", "CreateCsr", `{"RequestId":"REQ-OVF-5","CsrId":1e30,"Csr":"x"}`, "", createCsr},
		{"CsrId 20 digits, id in the header", "CreateCsr", `{"CsrId":98987582437920968000,"Csr":"x"}`, "REQ-OVF-6", createCsr},
		{"CsrId below int64", "CreateCsr", `{"RequestId":"REQ-OVF-7","CsrId":-9223372036854775809}`, "", createCsr},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				if tc.header != "" {
					w.Header().Set("x-acs-request-id", tc.header)
				}
				_, _ = io.WriteString(w, tc.body)
			}))
			t.Cleanup(srv.Close)
			c, err := NewClient(WithAccessKey(wireKeyID, wireSecret), WithCASEndpoint(srv.URL))
			require.NoError(t, err)
			out, err := tc.call(t.Context(), c)
			require.Error(t, err)
			// out is an interface holding a typed pointer: nil only inside.
			switch o := out.(type) {
			case *CreateCertificateRequestOutput:
				assert.Nil(t, o, "no zero value may be presented as success")
			case *CreateCsrOutput:
				assert.Nil(t, o, "no zero value may be presented as success")
			default:
				t.Fatalf("unexpected output type %T", out)
			}
			msg := err.Error()
			assert.Contains(t, msg, tc.action)
			wantID := tc.header
			if wantID == "" {
				wantID = wireRequestIDOf(tc.body)
			}
			require.NotEmpty(t, wantID)
			assert.Contains(t, msg, wantID, "the error names the request id")
			assert.True(t, errors.Is(err, ErrOutcomeUnknown), "a create whose response is unusable has an unknown outcome: %v", err)
		})
	}
}

// wireRequestIDOf returns the RequestId in a JSON body (test bodies only).
func wireRequestIDOf(body string) string {
	_, after, ok := strings.Cut(body, `"RequestId":"`)
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(after, `"`)
	return id
}

// TestWireKMSCertificateIDPassThrough checks that a KMS certificate id is
// an opaque string: decoded and sent back byte for byte.
func TestWireKMSCertificateIDPassThrough(t *testing.T) {
	t.Parallel()
	ids := []string{
		"98e85c94-52d0-40c9-b3b2-afda52f4****",
		wireOddCertID,
		"  leading and trailing spaces  ",
		"line\nbreak\ttab",
		"证书-\u2028-\U0001F512",
		"0123456789012345678901234567890", // digits only: still a string, never a number
	}
	for _, id := range ids {
		reply, err := json.Marshal(map[string]string{
			"RequestId": "r1", "CertificateId": id, "Arn": "acs:kms:cn-hangzhou:1:certificate/" + id,
		})
		require.NoError(t, err)
		srv := newWireServer(t, func(n int, _ url.Values) (int, string) {
			if n == 1 {
				return 200, string(reply)
			}
			return 200, `{"RequestId":"r2"}`
		})
		c := wireClient(t, srv)
		out, err := c.KMS.CreateCertificate(t.Context(), &CreateCertificateInput{
			KeySpec: KeySpecRSA2048,
			Subject: Subject{CommonName: "a", Country: "CN", Organization: "o", OrganizationalUnit: "u"},
		})
		require.NoError(t, err)
		assert.Equal(t, id, out.CertificateID)
		_, err = c.KMS.UploadCertificate(t.Context(), &UploadCertificateInput{CertificateID: out.CertificateID, Certificate: wireCertPEM})
		require.NoError(t, err)

		reqs := srv.received()
		require.Len(t, reqs, 2)
		form, err := url.ParseQuery(reqs[1].body)
		require.NoError(t, err)
		assert.Equal(t, []string{id}, form["CertificateId"], "the id went back to the service changed")
		assert.Contains(t, reqs[1].body, "CertificateId="+signature.Encode(id)+"&")
	}
}

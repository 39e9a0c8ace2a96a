package alicert

// Benchmarks of the call path against a hand-written floor. They
// only measure; nothing here fails on timing. Run them side by side with
//
//	go test -run '^$' -bench . -benchmem ./...
//
// Every call benchmark talks to the same in-process server
// (testkit.NewStatic), which answers any request with a canned CreateCsr
// (or CreateCertificateRequest) response. The server's own work and allocations are counted in every
// figure alike, because b.ReportAllocs counts the whole process.

import (
	"bytes"
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alicert/alicert/internal/signature"
	"github.com/alicert/alicert/internal/testkit"
	"github.com/aliyun/credentials-go/credentials/providers"
)

const (
	benchKeyID  = "LTAI5tBenchmarkKey0001"
	benchSecret = "bench-secret-not-a-real-one"

	benchCsrResponse   = `{"CsrId": 98987582437920968, "Csr": "-----BEGIN CERTIFICATE REQUEST-----\nMIICvDCCAaQCAQAwdzELMAkGA1UEBhMCQ04xETAPBgNVBAgMCFpoZWppYW5nMREw\nDwYDVQQHDAhIYW5nemhvdTEYMBYGA1UECgwPRXhhbXBsZSBDby4sIEx0ZDELMAkG\n-----END CERTIFICATE REQUEST-----\n", "RequestId": "3C5E1B4A-7F2D-4E8B-9A61-0D2C8F4B7E19"}`
	benchOrderResponse = `{"OrderId": 98987582437920968, "RequestId": "3C5E1B4A-7F2D-4E8B-9A61-0D2C8F4B7E19"}`
)

func benchClient(b *testing.B, url string) *Client {
	b.Helper()
	c, err := NewClient(WithAccessKey(benchKeyID, benchSecret), WithCASEndpoint(url))
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// benchCsrInput is CreateCsr's input with every field set.
var benchCsrInput = CreateCsrInput{
	Algorithm:   AlgorithmRSA,
	KeySize:     2048,
	CommonName:  "example.com",
	CountryCode: "CN",
	Province:    "Zhejiang",
	Locality:    "Hangzhou",
	SANs:        []string{"www.example.com", "api.example.com", "*.dev.example.com"},
	CorpName:    "Example Co., Ltd.",
	Department:  "IT",
	Name:        "csr-bench_1.0",
}

var benchCertInput = CreateCertificateRequestInput{
	ProductCode:  "digicert-free-1-free",
	Username:     "Zhang San",
	Phone:        "13800000000",
	Email:        "ops@example.com",
	Domain:       "www.example.com",
	ValidateType: ValidateDNS,
	Tags:         []Tag{{Key: "env", Value: "prod"}, {Key: "team", Value: "sec ops"}},
}

// ---- (a) the hand-written floor ----

// baseParam is one parameter of the hand-written baseline.
type baseParam struct{ k, v string }

// baseEncode appends the RFC 3986 percent-encoding of s.
func baseEncode(dst []byte, s string) []byte {
	const hexDigits = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' {
			dst = append(dst, c)
		} else {
			dst = append(dst, '%', hexDigits[c>>4], hexDigits[c&15])
		}
	}
	return dst
}

// baseSign adds the common parameters (fresh nonce and timestamp), sorts,
// encodes and signs, and returns the form body with its Signature.
func baseSign(action string, params []baseParam) []byte {
	var nonce [16]byte
	_, _ = rand.Read(nonce[:])
	params = append(params,
		baseParam{"AccessKeyId", benchKeyID},
		baseParam{"Action", action},
		baseParam{"Format", "JSON"},
		baseParam{"SignatureMethod", "HMAC-SHA1"},
		baseParam{"SignatureNonce", hex.EncodeToString(nonce[:])},
		baseParam{"SignatureVersion", "1.0"},
		baseParam{"Timestamp", time.Now().UTC().Format("2006-01-02T15:04:05Z")},
		baseParam{"Version", "2020-04-07"},
	)
	slices.SortFunc(params, func(a, b baseParam) int { return cmp.Compare(a.k, b.k) })
	body := make([]byte, 0, 512)
	for i, p := range params {
		if i > 0 {
			body = append(body, '&')
		}
		body = append(baseEncode(body, p.k), '=')
		body = baseEncode(body, p.v)
	}
	sts := baseEncode(append(make([]byte, 0, 640), "POST&%2F&"...), string(body))
	mac := hmac.New(sha1.New, []byte(benchSecret+"&"))
	mac.Write(sts)
	sig := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	return baseEncode(append(body, "&Signature="...), sig)
}

// basePost sends body and decodes a 200 response into out.
func basePost(ctx context.Context, hc *http.Client, url string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return json.Unmarshal(raw, out)
}

// baseCreateCsr is CreateCsr written by hand.
func baseCreateCsr(ctx context.Context, hc *http.Client, url string, in *CreateCsrInput) (*CreateCsrOutput, error) {
	params := make([]baseParam, 0, 20)
	params = append(params,
		baseParam{"Algorithm", string(in.Algorithm)},
		baseParam{"KeySize", strconv.Itoa(in.KeySize)},
		baseParam{"CommonName", in.CommonName},
		baseParam{"CountryCode", in.CountryCode},
		baseParam{"Province", in.Province},
		baseParam{"Locality", in.Locality},
		baseParam{"Sans", strings.Join(in.SANs, ",")},
		baseParam{"CorpName", in.CorpName},
		baseParam{"Department", in.Department},
		baseParam{"Name", in.Name},
	)
	var out CreateCsrOutput
	if err := basePost(ctx, hc, url, baseSign("CreateCsr", params), &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// baseCreateCertificateRequest is CreateCertificateRequest written by hand.
func baseCreateCertificateRequest(ctx context.Context, hc *http.Client, url string, in *CreateCertificateRequestInput) (*CreateCertificateRequestOutput, error) {
	params := make([]baseParam, 0, 20)
	params = append(params,
		baseParam{"ProductCode", in.ProductCode},
		baseParam{"Username", in.Username},
		baseParam{"Phone", in.Phone},
		baseParam{"Email", in.Email},
		baseParam{"Domain", in.Domain},
		baseParam{"ValidateType", string(in.ValidateType)},
	)
	for i, t := range in.Tags {
		n := strconv.Itoa(i + 1)
		params = append(params, baseParam{"Tags." + n + ".Key", t.Key}, baseParam{"Tags." + n + ".Value", t.Value})
	}
	var out CreateCertificateRequestOutput
	if err := basePost(ctx, hc, url, baseSign("CreateCertificateRequest", params), &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ---- (a) against (b) and (c) ----

func BenchmarkCreateCsr(b *testing.B) {
	srv := testkit.NewStatic(b, benchCsrResponse)
	b.Run("baseline", func(b *testing.B) {
		hc := defaultHTTPClient() // the same transport settings as alicert's
		b.Cleanup(hc.CloseIdleConnections)
		in := benchCsrInput
		b.ReportAllocs()
		for b.Loop() {
			out, err := baseCreateCsr(b.Context(), hc, srv.URL, &in)
			if err != nil || out.CsrID != 98987582437920968 {
				b.Fatal(out, err)
			}
		}
	})
	b.Run("alicert", func(b *testing.B) {
		c := benchClient(b, srv.URL)
		b.Cleanup(c.cfg.httpClient.CloseIdleConnections)
		in := benchCsrInput
		b.ReportAllocs()
		for b.Loop() {
			out, err := c.CAS.CreateCsr(b.Context(), &in)
			if err != nil || out.CsrID != 98987582437920968 {
				b.Fatal(out, err)
			}
		}
	})
}

func BenchmarkCreateCertificateRequest(b *testing.B) {
	srv := testkit.NewStatic(b, benchOrderResponse)
	b.Run("baseline", func(b *testing.B) {
		hc := defaultHTTPClient()
		b.Cleanup(hc.CloseIdleConnections)
		in := benchCertInput
		b.ReportAllocs()
		for b.Loop() {
			out, err := baseCreateCertificateRequest(b.Context(), hc, srv.URL, &in)
			if err != nil || out.OrderID != 98987582437920968 {
				b.Fatal(out, err)
			}
		}
	})
	b.Run("alicert", func(b *testing.B) {
		c := benchClient(b, srv.URL)
		b.Cleanup(c.cfg.httpClient.CloseIdleConnections)
		in := benchCertInput
		b.ReportAllocs()
		for b.Loop() {
			out, err := c.CAS.CreateCertificateRequest(b.Context(), &in)
			if err != nil || out.OrderID != 98987582437920968 {
				b.Fatal(out, err)
			}
		}
	})
}

// ---- (a) against (b) and (c) without the network ----

// memTransport answers every request with body, without a connection, so
// that the client's own work is measured without the loopback round trip
// and the server, whose timing varies most on a shared machine.
type memTransport struct{ body string }

func (m memTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	return &http.Response{
		StatusCode:    http.StatusOK,
		Header:        http.Header{"Content-Type": {"application/json;charset=utf-8"}},
		Body:          io.NopCloser(strings.NewReader(m.body)),
		ContentLength: int64(len(m.body)),
		Request:       r,
	}, nil
}

func BenchmarkInMemory(b *testing.B) {
	const url = "https://cas.aliyuncs.com/"
	csr := &http.Client{Transport: memTransport{benchCsrResponse}, Timeout: 2 * time.Minute}
	order := &http.Client{Transport: memTransport{benchOrderResponse}, Timeout: 2 * time.Minute}
	b.Run("CreateCsr/baseline", func(b *testing.B) {
		in := benchCsrInput
		b.ReportAllocs()
		for b.Loop() {
			if out, err := baseCreateCsr(b.Context(), csr, url, &in); err != nil || out.CsrID != 98987582437920968 {
				b.Fatal(out, err)
			}
		}
	})
	b.Run("CreateCsr/alicert", func(b *testing.B) {
		c, err := NewClient(WithAccessKey(benchKeyID, benchSecret), WithHTTPClient(csr))
		if err != nil {
			b.Fatal(err)
		}
		in := benchCsrInput
		b.ReportAllocs()
		for b.Loop() {
			if out, err := c.CAS.CreateCsr(b.Context(), &in); err != nil || out.CsrID != 98987582437920968 {
				b.Fatal(out, err)
			}
		}
	})
	b.Run("CreateCertificateRequest/baseline", func(b *testing.B) {
		in := benchCertInput
		b.ReportAllocs()
		for b.Loop() {
			if out, err := baseCreateCertificateRequest(b.Context(), order, url, &in); err != nil || out.OrderID != 98987582437920968 {
				b.Fatal(out, err)
			}
		}
	})
	b.Run("CreateCertificateRequest/alicert", func(b *testing.B) {
		c, err := NewClient(WithAccessKey(benchKeyID, benchSecret), WithHTTPClient(order))
		if err != nil {
			b.Fatal(err)
		}
		in := benchCertInput
		b.ReportAllocs()
		for b.Loop() {
			if out, err := c.CAS.CreateCertificateRequest(b.Context(), &in); err != nil || out.OrderID != 98987582437920968 {
				b.Fatal(out, err)
			}
		}
	})
}

// ---- (d) the signer alone, 15 parameters (7 of the operation, 8 common) ----

var benchSignParams = []baseParam{
	{"Domain", "www.example.com"},
	{"Email", "ops@example.com"},
	{"Phone", "13800000000"},
	{"ProductCode", "digicert-free-1-free"},
	{"Username", "Zhang San"},
	{"ValidateType", "DNS"},
	{"Tags.1.Key", "env"},
}

func BenchmarkSign(b *testing.B) {
	b.Run("baseline", func(b *testing.B) {
		params := make([]baseParam, 0, 16)
		b.ReportAllocs()
		for b.Loop() {
			if body := baseSign("CreateCertificateRequest", append(params[:0], benchSignParams...)); len(body) == 0 {
				b.Fatal("empty body")
			}
		}
	})
	b.Run("alicert", func(b *testing.B) {
		c := benchClient(b, "https://cas.aliyuncs.com")
		cred := &providers.Credentials{AccessKeyId: benchKeyID, AccessKeySecret: benchSecret}
		params := make([]signature.Param, len(benchSignParams))
		for i, p := range benchSignParams {
			params[i] = signature.Param{Key: p.k, Value: p.v}
		}
		b.ReportAllocs()
		for b.Loop() {
			if s := c.signer.sign(c, opCreateCertificateRequest, c.endpoints[apiCAS], params, cred); len(s.body) == 0 {
				b.Fatal("empty body")
			}
		}
	})
}

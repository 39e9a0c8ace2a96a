package compat

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/url"
	"slices"
	"testing"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	kms3 "github.com/alibabacloud-go/kms-20160120/v3/client"
	"github.com/alibabacloud-go/tea/tea"
	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/alidns"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/cas"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/kms"
)

// region is the region every official client is created for. The fake
// serves every region at one address; the clients need one to start.
const region = "cn-hangzhou"

// The darabonba clients' names for their two signature algorithms.
const (
	sigV3 = "ACS3-HMAC-SHA256" // the default, used when none is configured
	sigV2 = "v2"               // HMAC-SHA1, SignatureVersion 1.0
)

// newServer starts a fake for one test.
func newServer(t *testing.T, opts ...alicerttest.Option) *alicerttest.Server {
	t.Helper()
	srv := alicerttest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

// hostOf is the fake's host:port, which is what the official SDKs take as
// their endpoint (with the scheme configured apart).
func hostOf(t *testing.T, srv *alicerttest.Server) string {
	t.Helper()
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatalf("the fake's URL %q: %v", srv.URL, err)
	}
	return u.Host
}

// newAlicert is alicert's own client for the fake, signing with the
// algorithm the darabonba clients call alg, so that every request of a test
// is signed alike (see checkSigned).
func newAlicert(t *testing.T, srv *alicerttest.Server, alg string) *alicert.Client {
	t.Helper()
	a := alicert.SignatureACS3HMACSHA256
	if alg == sigV2 {
		a = alicert.SignatureHMACSHA1
	}
	c, err := alicert.NewClient(append(srv.ClientOptions(), alicert.WithSignatureAlgorithm(a))...)
	if err != nil {
		t.Fatalf("alicert.NewClient: %v", err)
	}
	return c
}

// checkSigned checks that the fake received requests and that every one
// was signed with alg: HMAC-SHA1 requests carry SignatureMethod among their
// parameters, V3 requests carry it nowhere.
func checkSigned(t *testing.T, srv *alicerttest.Server, alg string) {
	t.Helper()
	reqs := srv.Requests()
	if len(reqs) == 0 {
		t.Fatal("the fake received no request")
	}
	for _, r := range reqs {
		method := r.Params.Get("SignatureMethod")
		if (alg == sigV2) != (method == "HMAC-SHA1") {
			t.Errorf("%s: SignatureMethod %q, want a request signed with %s", r.Action, method, alg)
		}
	}
}

// aliyunConfig is the alibaba-cloud-sdk-go configuration for the fake:
// plain HTTP (the fake listens on 127.0.0.1 without TLS) and no retries, so
// that every refusal shows.
func aliyunConfig() *sdk.Config {
	return sdk.NewConfig().WithScheme("HTTP").WithAutoRetry(false)
}

// newCAS is alibaba-cloud-sdk-go's CAS client for the fake, with the given
// secret. Its Domain field sends every request to the fake.
func newCAS(t *testing.T, srv *alicerttest.Server, secret string) *cas.Client {
	t.Helper()
	id, _ := srv.Credentials()
	c, err := cas.NewClientWithOptions(region, aliyunConfig(), credentials.NewAccessKeyCredential(id, secret))
	if err != nil {
		t.Fatalf("cas.NewClientWithOptions: %v", err)
	}
	c.Domain = hostOf(t, srv)
	return c
}

// newKMS is alibaba-cloud-sdk-go's KMS client for the fake.
func newKMS(t *testing.T, srv *alicerttest.Server, secret string) *kms.Client {
	t.Helper()
	id, _ := srv.Credentials()
	c, err := kms.NewClientWithOptions(region, aliyunConfig(), credentials.NewAccessKeyCredential(id, secret))
	if err != nil {
		t.Fatalf("kms.NewClientWithOptions: %v", err)
	}
	c.Domain = hostOf(t, srv)
	return c
}

// newAlidns is alibaba-cloud-sdk-go's Alidns client for the fake.
func newAlidns(t *testing.T, srv *alicerttest.Server, secret string) *alidns.Client {
	t.Helper()
	id, _ := srv.Credentials()
	c, err := alidns.NewClientWithOptions(region, aliyunConfig(), credentials.NewAccessKeyCredential(id, secret))
	if err != nil {
		t.Fatalf("alidns.NewClientWithOptions: %v", err)
	}
	c.Domain = hostOf(t, srv)
	return c
}

// openapiConfig is the darabonba configuration for the fake: its host as
// the endpoint, plain HTTP, and the signature algorithm (sigV3 or sigV2).
func openapiConfig(t *testing.T, srv *alicerttest.Server, secret, alg string) *openapi.Config {
	t.Helper()
	id, _ := srv.Credentials()
	cfg := &openapi.Config{
		AccessKeyId:     tea.String(id),
		AccessKeySecret: tea.String(secret),
		Endpoint:        tea.String(hostOf(t, srv)),
		Protocol:        tea.String("HTTP"),
		RegionId:        tea.String(region),
	}
	if alg != sigV3 {
		cfg.SignatureAlgorithm = tea.String(alg)
	}
	return cfg
}

// newKMS3 is the generated KMS client of github.com/alibabacloud-go for
// the fake.
func newKMS3(t *testing.T, srv *alicerttest.Server, secret, alg string) *kms3.Client {
	t.Helper()
	c, err := kms3.NewClient(openapiConfig(t, srv, secret, alg))
	if err != nil {
		t.Fatalf("kms-20160120 NewClient: %v", err)
	}
	return c
}

// newOpenAPI is the darabonba generic client for the fake, for the CAS and
// Alidns operations through the same signer as the generated clients.
func newOpenAPI(t *testing.T, srv *alicerttest.Server, secret, alg string) *openapi.Client {
	t.Helper()
	c, err := openapi.NewClient(openapiConfig(t, srv, secret, alg))
	if err != nil {
		t.Fatalf("openapi.NewClient: %v", err)
	}
	return c
}

// aliyunCode is the service error code in an alibaba-cloud-sdk-go error.
func aliyunCode(err error) string {
	var se *sdkerrors.ServerError
	if errors.As(err, &se) {
		return se.ErrorCode()
	}
	return ""
}

// teaCode is the service error code in a darabonba (tea) error.
func teaCode(err error) string {
	var se *tea.SDKError
	if errors.As(err, &se) {
		return tea.StringValue(se.Code)
	}
	return ""
}

// parseCSR parses a CSR as alicert does and checks its names.
func parseCSR(t *testing.T, csrPEM, commonName string, dnsNames ...string) *x509.CertificateRequest {
	t.Helper()
	csr, err := alicert.ParseCSR(csrPEM)
	if err != nil {
		t.Fatalf("the CSR does not parse: %v", err)
	}
	if csr.Subject.CommonName != commonName {
		t.Errorf("CSR common name %q, want %q", csr.Subject.CommonName, commonName)
	}
	for _, n := range dnsNames {
		if !slices.Contains(csr.DNSNames, n) {
			t.Errorf("CSR names %q, want %q among them", csr.DNSNames, n)
		}
	}
	return csr
}

// pemOf is a DER certificate in PEM form.
func pemOf(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

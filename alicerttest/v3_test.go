package alicerttest_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
	"github.com/alicert/alicert/internal/signature"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rawV3 is a hand-made request signed with signature V3, the way the
// official SDKs sign: the parameters in the query (inQuery) or the form
// body.
type rawV3 struct {
	method  string // default POST
	action  string
	version string
	params  map[string]string
	inQuery bool
	secret  string    // default: the server's
	date    time.Time // default: now
	nonce   string    // default: random
	token   string
	unsign  string // a header to leave out of SignedHeaders
}

func (r rawV3) send(t *testing.T, srv *alicerttest.Server) rawResult {
	t.Helper()
	id, secret := srv.Credentials()
	if r.secret != "" {
		secret = r.secret
	}
	if r.method == "" {
		r.method = http.MethodPost
	}
	if r.date.IsZero() {
		r.date = time.Now()
	}
	if r.nonce == "" {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		r.nonce = hex.EncodeToString(b)
	}
	var list []signature.Param
	for k, v := range r.params {
		list = append(list, signature.Param{Key: k, Value: v})
	}
	signature.Sort(list)
	encoded := string(signature.AppendCanonical(nil, list))
	target, query, body := srv.URL+"/", "", ""
	if r.inQuery {
		target, query = srv.URL+"/?"+encoded, encoded
	} else {
		body = encoded
	}
	req, err := http.NewRequestWithContext(t.Context(), r.method, target, strings.NewReader(body))
	require.NoError(t, err)
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	headers := []signature.Header{
		{Name: "host", Value: u.Host},
		{Name: "x-acs-action", Value: r.action},
		{Name: "x-acs-version", Value: r.version},
		{Name: "x-acs-date", Value: r.date.UTC().Format("2006-01-02T15:04:05Z")},
		{Name: "x-acs-signature-nonce", Value: r.nonce},
		{Name: "x-acs-content-sha256", Value: signature.HashPayload([]byte(body))},
	}
	if body != "" {
		headers = append(headers, signature.Header{Name: "content-type", Value: "application/x-www-form-urlencoded"})
	}
	if r.token != "" {
		headers = append(headers, signature.Header{Name: "x-acs-security-token", Value: r.token})
	}
	for _, h := range headers {
		if h.Name != "host" {
			req.Header.Set(h.Name, h.Value)
		}
	}
	var signed []signature.Header
	for _, h := range headers {
		if h.Name != r.unsign {
			signed = append(signed, h)
		}
	}
	canonical, names := signature.V3Request{Method: r.method, CanonicalQuery: query, Headers: signed}.CanonicalRequest()
	sig := signature.V3Sign(secret, signature.V3StringToSign(canonical))
	req.Header.Set("Authorization", signature.V3Authorization(id, names, sig))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	res := rawResult{status: resp.StatusCode, header: resp.Header, body: raw}
	if resp.StatusCode != http.StatusOK {
		require.NoError(t, json.Unmarshal(raw, &res.doc), "error body %s", raw)
	}
	return res
}

func ecsrV3() rawV3 {
	p := ecsr()
	delete(p, "Action")
	delete(p, "Version")
	return rawV3{action: "CreateCsr", version: casVersion, params: p}
}

// TestV3AcceptedInEveryForm: signature V3 with the parameters in the form
// body or the query, by POST or GET, as the official SDKs send it.
func TestV3AcceptedInEveryForm(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	for _, tc := range []struct {
		method  string
		inQuery bool
	}{{http.MethodPost, false}, {http.MethodPost, true}, {http.MethodGet, true}} {
		r := ecsrV3()
		r.method, r.inQuery = tc.method, tc.inQuery
		res := r.send(t, srv)
		require.Equal(t, http.StatusOK, res.status, "%s query=%v: %s", tc.method, tc.inQuery, res.body)
		assert.Contains(t, string(res.body), "BEGIN CERTIFICATE REQUEST")
	}
	reqs := srv.Requests()
	require.Len(t, reqs, 3)
	for _, r := range reqs {
		assert.Equal(t, "CreateCsr", r.Action, "the action comes from x-acs-action")
		assert.Equal(t, "CN", r.Params.Get("CountryCode"))
	}
}

// TestV3RefusedLikeTheService: what the gateway refuses, the fake refuses
// with the same codes.
func TestV3RefusedLikeTheService(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	cases := map[string]struct {
		change func(*rawV3)
		code   string
	}{
		"wrong secret":        {func(r *rawV3) { r.secret = "not-the-secret" }, "SignatureDoesNotMatch"},
		"old date":            {func(r *rawV3) { r.date = time.Now().Add(-20 * time.Minute) }, "InvalidTimeStamp.Expired"},
		"unknown action":      {func(r *rawV3) { r.action = "NoSuchAction" }, "InvalidAction.NotFound"},
		"unsigned x-acs-date": {func(r *rawV3) { r.unsign = "x-acs-date" }, "IncompleteSignature"},
		"token not accepted":  {func(r *rawV3) { r.token = "tok" }, "InvalidSecurityToken.MismatchWithAccessKey"},
		"missing parameter":   {func(r *rawV3) { delete(r.params, "CommonName") }, "MissingParameter"},
	}
	for name, tc := range cases {
		r := ecsrV3()
		tc.change(&r)
		res := r.send(t, srv)
		assert.NotEqual(t, http.StatusOK, res.status, name)
		assert.Equal(t, tc.code, res.doc.Code, "%s: %s", name, res.body)
	}
	t.Run("reused nonce", func(t *testing.T) {
		r := ecsrV3()
		r.nonce = "nonce-used-twice"
		require.Equal(t, http.StatusOK, r.send(t, srv).status)
		res := r.send(t, srv)
		assert.Equal(t, "SignatureNonceUsed", res.doc.Code)
	})
}

// TestV3FromTheClientForEveryOperation: alicert's V3 signer against the
// fake, every operation.
func TestV3FromTheClientForEveryOperation(t *testing.T) {
	t.Parallel()
	srv := alicerttest.NewServer(alicerttest.WithImmediateIssue(), alicerttest.WithDNSZones("example.com"))
	t.Cleanup(srv.Close)
	c, err := alicert.NewClient(append(srv.ClientOptions(), alicert.WithSignatureAlgorithm(alicert.SignatureACS3HMACSHA256))...)
	require.NoError(t, err)
	ctx := t.Context()
	order, err := c.CAS.CreateCertificateRequest(ctx, &alicert.CreateCertificateRequestInput{Domain: "www.example.com",
		ValidateType: alicert.ValidateDNS, Username: "Ada", Phone: "13800001234", Email: "ada@example.com"})
	require.NoError(t, err)
	state, err := c.CAS.DescribeCertificateState(ctx, &alicert.DescribeCertificateStateInput{OrderID: order.OrderID})
	require.NoError(t, err)
	assert.Equal(t, alicert.StateCertificate, state.State)
	csr, err := c.CAS.CreateCsr(ctx, &alicert.CreateCsrInput{Algorithm: alicert.AlgorithmECC, KeySize: 256, CommonName: "www.example.com",
		CountryCode: "CN", Province: "Zhejiang", Locality: "Hangzhou"})
	require.NoError(t, err)
	_, err = c.CAS.GetCsrDetail(ctx, &alicert.GetCsrDetailInput{CsrID: csr.CsrID})
	require.NoError(t, err)
	kc, err := c.KMS.CreateCertificate(ctx, &alicert.CreateCertificateInput{KeySpec: alicert.KeySpecECP256,
		Subject: alicert.Subject{CommonName: "www.example.com", Country: "CN", Organization: "Example", OrganizationalUnit: "IT"}})
	require.NoError(t, err)
	cert, err := srv.SignCSR(kc.Csr, 0)
	require.NoError(t, err)
	_, err = c.KMS.UploadCertificate(ctx, &alicert.UploadCertificateInput{CertificateID: kc.CertificateID, Certificate: cert})
	require.NoError(t, err)
	rec, err := c.DNS.AddDomainRecord(ctx, &alicert.AddDomainRecordInput{DomainName: "example.com", RR: "_dnsauth", Type: "TXT", Value: "v"})
	require.NoError(t, err)
	_, err = c.DNS.DescribeSubDomainRecords(ctx, &alicert.DescribeSubDomainRecordsInput{SubDomain: "_dnsauth.example.com"})
	require.NoError(t, err)
	_, err = c.DNS.DeleteDomainRecord(ctx, &alicert.DeleteDomainRecordInput{RecordID: rec.RecordID})
	require.NoError(t, err)
	assert.Len(t, srv.Requests(), 9)
}

// TestKMSSubjectAlternativeNamesAsAnObject: the official SDKs model the
// field as a map and send a JSON object.
func TestKMSSubjectAlternativeNamesAsAnObject(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	for _, sans := range []string{`["a.example.com","b.example.com"]`, `{"DNS":["a.example.com","b.example.com"]}`, `{"1":"a.example.com","2":"b.example.com"}`} {
		res := raw{params: map[string]string{"Action": "CreateCertificate", "Version": "2016-01-20", "KeySpec": "EC_P256",
			"Subject": "CN=a.example.com,C=CN,O=Example,OU=IT", "SubjectAlternativeNames": sans}}.send(t, srv)
		require.Equal(t, http.StatusOK, res.status, "%s: %s", sans, res.body)
	}
}

// TestV3PrivateKeyNotInTheRecord: under signature V3 an upload's private
// key travels in the URL; the fake's record of the request withholds it.
func TestV3PrivateKeyNotInTheRecord(t *testing.T) {
	t.Parallel()
	for _, alg := range []alicert.SignatureAlgorithm{alicert.SignatureHMACSHA1, alicert.SignatureACS3HMACSHA256} {
		srv := alicerttest.NewServer()
		t.Cleanup(srv.Close)
		c, err := alicert.NewClient(append(srv.ClientOptions(), alicert.WithSignatureAlgorithm(alg))...)
		require.NoError(t, err)
		certPEM, keyPEM := selfSigned(t)
		_, err = c.CAS.UploadUserCertificate(t.Context(), &alicert.UploadUserCertificateInput{Name: "record_test", Cert: certPEM, Key: keyPEM})
		require.NoError(t, err, alg)
		reqs := srv.Requests()
		require.Len(t, reqs, 1)
		assert.Equal(t, alicerttest.RedactedPrivateKey, reqs[0].Params.Get("Key"), alg)
		assert.NotContains(t, fmt.Sprint(reqs), "PRIVATE KEY", alg)
	}
}

// selfSigned returns a self-signed certificate and its PKCS #8 key, as PEM.
func selfSigned(t *testing.T) (certPEM, keyPEM string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "record.example.com"},
		DNSNames: []string{"record.example.com"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}))
}

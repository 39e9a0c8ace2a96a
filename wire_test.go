package alicert

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alicert/alicert/internal/signature"
	"github.com/alicert/alicert/internal/testkit"
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

// newWireServer starts a recording server that answers the n-th request
// (from 1) with reply(n, its form), as JSON.
func newWireServer(t *testing.T, reply func(n int, form url.Values) (int, string)) *testkit.Server {
	t.Helper()
	return testkit.NewServer(t, func(r testkit.Request) testkit.Reply {
		status, body := reply(r.N, r.Form)
		return testkit.JSON(status, body)
	})
}

// wireReplyJSON answers every request with 200 and body.
func wireReplyJSON(body string) func(int, url.Values) (int, string) {
	return func(int, url.Values) (int, string) { return http.StatusOK, body }
}

// wireVerifySignature checks that body ends with the Signature of everything
// before it, computed with wireSecret, and that everything before it is the
// canonical (sorted, RFC 3986-encoded) query.
func wireVerifySignature(t *testing.T, body string) {
	t.Helper()
	i := strings.LastIndex(body, "&Signature=")
	require.GreaterOrEqual(t, i, 0, "the body has no Signature parameter")
	form, err := url.ParseQuery(body)
	require.NoError(t, err)
	require.Equal(t, testkit.Canonical(form), body[:i], "the parameters before Signature are not in canonical form")
	require.True(t, testkit.SignatureValid(form, wireSecret), "the Signature does not verify")
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

// wireDigest is the Digest of the AsymmetricSign golden case: 32 bytes
// whose base64 holds '+', '/' and '='.
var wireDigest = append([]byte{0xfb, 0xff, 0xbe}, append(wireSeq(27), 0x1b, 0xff)...)

// wireSeq returns the bytes 0, 1, ..., n-1.
func wireSeq(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

// wireCase is one operation of TestWireGolden: the call, the reply it gets
// and what the request must hold besides its golden body.
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
	// The lifecycle's PEM data is fixed (testdata/lifecycle), so that its
	// golden files stay the same.
	csr, cert, key := lcFixtureMust("csr.pem"), lcFixtureMust("cert.pem"), lcFixtureMust("key.pem")
	return []wireCase{
		{
			action: "CreateCertificateWithCsrRequest", api: apiCAS,
			reply: `{"RequestId":"REQ-CWC","OrderId":98987582437920969}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CAS.CreateCertificateWithCsrRequest(ctx, &CreateCertificateWithCsrRequestInput{
					Csr: csr, ProductCode: "geotrust-dv-1-starter", Username: "Zhang San", Phone: "+86 138-0000-0000",
					Email: "ops+certs@example.com", ValidateType: ValidateFile,
					Tags: []Tag{{Key: "owner", Value: "a&b=c"}},
				})
			},
			form:   map[string]string{"Csr": csr, "ValidateType": "FILE", "Tags.1.Value": "a&b=c", "Phone": "+86 138-0000-0000"},
			absent: []string{"Domain", "Tags"},
			checkFn: func(t *testing.T, out any) {
				assert.Equal(t, int64(98987582437920969), out.(*CreateCertificateWithCsrRequestOutput).OrderID)
			},
		},
		{
			action: "ListUserCertificateOrder", api: apiCAS,
			reply: `{"RequestId":"REQ-LUCO","TotalCount":101,"CurrentPage":3,"ShowSize":1,"CertificateOrderList":[` +
				`{"CertificateId":9007199254740994,"Name":"证书 1","CommonName":"www.example.com","Sans":"www.example.com,example.com",` +
				`"Status":"WILLEXPIRED","CertStartTime":1741964966000,"CertEndTime":1749740966000,"Expired":false,"Upload":true,` +
				`"Fingerprint":"AB","Sha2":"CD","SerialNo":"0f","Issuer":"CA","OrgName":"Org","Country":"CN","Province":"ZJ","City":"HZ",` +
				`"ResourceGroupId":"rg-1","InstanceId":"cas-upload-x","StartDate":"2025-03-14","EndDate":"2025-06-12",` +
				`"OrderId":98987582437920969,"AliyunOrderId":123,"BuyDate":1741964966000,"Algorithm":"RSA","CertType":"DV",` +
				`"Domain":"www.example.com","DomainCount":1,"WildDomainCount":0,"DomainType":"ONE","PartnerOrderId":"p-1",` +
				`"ProductCode":"digicert-free-1-free","ProductName":"DigiCert","RootBrand":"DigiCert","SourceType":"cpack","TrusteeStatus":"unTrustee"}]}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CAS.ListUserCertificateOrder(ctx, &ListUserCertificateOrderInput{
					OrderType: OrderTypeCert, Status: OrderStatusWillExpire, Keyword: "www.example.com 证书",
					ResourceGroupID: "rg-aek2", CurrentPage: 3, ShowSize: 1,
				})
			},
			form: map[string]string{"OrderType": "CERT", "Status": "WILLEXPIRED", "Keyword": "www.example.com 证书",
				"ResourceGroupId": "rg-aek2", "CurrentPage": "3", "ShowSize": "1"},
			absent: []string{"ResourceGroupID"},
			checkFn: func(t *testing.T, out any) {
				o := out.(*ListUserCertificateOrderOutput)
				assert.Equal(t, int64(101), o.TotalCount)
				require.Len(t, o.CertificateOrderList, 1)
				e := o.CertificateOrderList[0]
				assert.Equal(t, int64(9007199254740994), e.CertificateID)
				assert.Equal(t, int64(98987582437920969), e.OrderID)
				assert.Equal(t, "证书 1", e.Name)
				assert.True(t, e.Upload)
				assert.Equal(t, time.Date(2025, 6, 12, 15, 9, 26, 0, time.UTC), e.NotAfter())
				assert.Equal(t, "unTrustee", e.TrusteeStatus)
				assert.Equal(t, "p-1", e.PartnerOrderID)
			},
		},
		{
			action: "GetUserCertificateDetail", api: apiCAS,
			reply: `{"RequestId":"REQ-GUCD","Id":9007199254740994,"OrderId":98987582437920969,"Name":"n","Common":"www.example.com",` +
				`"Cert":"cert-pem","Key":"key-pem","SignPrivateKey":"sign-key","EncryptPrivateKey":"enc-key","NotBefore":1741964966000,` +
				`"NotAfter":1749740966000,"CertChain":[{"CommonName":"www.example.com","IssuerCommonName":"CA","NotBefore":1,"NotAfter":2,"RemainDay":89}],` +
				`"Tags":[{"TagKey":"env","TagValue":"prod"}],"CertIdentifier":"9007199254740994-cn-hangzhou"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CAS.GetUserCertificateDetail(ctx, &GetUserCertificateDetailInput{CertID: 9007199254740994, CertFilter: true})
			},
			form: map[string]string{"CertId": "9007199254740994", "CertFilter": "true"},
			checkFn: func(t *testing.T, out any) {
				o := out.(*GetUserCertificateDetailOutput)
				assert.Equal(t, int64(9007199254740994), o.ID)
				assert.Equal(t, "key-pem", o.Key, "the field holds the key; only formatting hides it")
				assert.Equal(t, int64(89), o.CertChain[0].RemainDay)
				assert.Equal(t, []ResourceTag{{Key: "env", Value: "prod"}}, o.Tags)
				assert.Equal(t, time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC), o.NotBeforeTime())
			},
		},
		{
			action: "UploadUserCertificate", api: apiCAS,
			reply: `{"RequestId":"REQ-UUC","CertId":9007199254740996,"ResourceId":"cas-upload-xki1d0"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CAS.UploadUserCertificate(ctx, &UploadUserCertificateInput{
					Name: "upload_example_com_2025", Cert: cert, Key: key, ResourceGroupID: "rg-aek2",
					Tags: []Tag{{Key: "env", Value: "prod"}},
				})
			},
			form:   map[string]string{"Name": "upload_example_com_2025", "Cert": cert, "Key": key, "ResourceGroupId": "rg-aek2"},
			absent: []string{"Tags"},
			checkFn: func(t *testing.T, out any) {
				o := out.(*UploadUserCertificateOutput)
				assert.Equal(t, int64(9007199254740996), o.CertID)
				assert.Equal(t, "cas-upload-xki1d0", o.ResourceID)
			},
		},
		{
			action: "DeleteUserCertificate", api: apiCAS,
			reply: `{"RequestId":"REQ-DUC"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CAS.DeleteUserCertificate(ctx, &DeleteUserCertificateInput{CertID: 9007199254740996})
			},
			form:    map[string]string{"CertId": "9007199254740996"},
			absent:  []string{"ClientToken"},
			checkFn: func(t *testing.T, out any) { assert.Equal(t, "REQ-DUC", out.(*DeleteUserCertificateOutput).RequestID) },
		},
		{
			action: "DeleteCertificateRequest", api: apiCAS,
			reply: `{"RequestId":"REQ-DCR"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CAS.DeleteCertificateRequest(ctx, &DeleteCertificateRequestInput{OrderID: 98987582437920969})
			},
			form: map[string]string{"OrderId": "98987582437920969"},
			checkFn: func(t *testing.T, out any) {
				assert.Equal(t, "REQ-DCR", out.(*DeleteCertificateRequestOutput).RequestID)
			},
		},
		{
			action: "CancelOrderRequest", api: apiCAS,
			reply: `{"RequestId":"REQ-COR"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CAS.CancelOrderRequest(ctx, &CancelOrderRequestInput{OrderID: 98987582437920969})
			},
			form:    map[string]string{"OrderId": "98987582437920969"},
			checkFn: func(t *testing.T, out any) { assert.Equal(t, "REQ-COR", out.(*CancelOrderRequestOutput).RequestID) },
		},
		{
			action: "CancelCertificateForPackageRequest", api: apiCAS,
			reply: `{"RequestId":"REQ-CCFPR"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CAS.CancelCertificateForPackageRequest(ctx, &CancelCertificateForPackageRequestInput{OrderID: 98987582437920969})
			},
			form: map[string]string{"OrderId": "98987582437920969"},
			checkFn: func(t *testing.T, out any) {
				assert.Equal(t, "REQ-CCFPR", out.(*CancelCertificateForPackageRequestOutput).RequestID)
			},
		},
		{
			action: "RenewCertificateOrderForPackageRequest", api: apiCAS,
			reply: `{"RequestId":"REQ-RCO","OrderId":98987582437920971}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CAS.RenewCertificateOrderForPackageRequest(ctx, &RenewCertificateOrderForPackageRequestInput{
					OrderID: 98987582437920969, Csr: csr, Tags: []Tag{{Key: "renewed", Value: "2025-03"}},
				})
			},
			form: map[string]string{"OrderId": "98987582437920969", "Csr": csr, "Tags.1.Key": "renewed"},
			checkFn: func(t *testing.T, out any) {
				assert.Equal(t, int64(98987582437920971), out.(*RenewCertificateOrderForPackageRequestOutput).OrderID)
			},
		},
		{
			action: "DescribePackageState", api: apiCAS,
			reply: `{"RequestId":"REQ-DPS","ProductCode":"cfca-ev-w-advanced","TotalCount":20,"UsedCount":3,"IssuedCount":2}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CAS.DescribePackageState(ctx, &DescribePackageStateInput{ProductCode: "cfca-ev-w-advanced"})
			},
			form: map[string]string{"ProductCode": "cfca-ev-w-advanced"},
			checkFn: func(t *testing.T, out any) {
				o := out.(*DescribePackageStateOutput)
				assert.Equal(t, [3]int64{20, 3, 2}, [3]int64{o.TotalCount, o.UsedCount, o.IssuedCount})
				assert.Equal(t, int64(17), o.Remaining())
			},
		},
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
		{
			action: "CreateKey", api: apiKMS,
			reply: `{"RequestId":"REQ-CK","KeyMetadata":{"KeyId":"key-hzz62f1cb66fa42qo****","KeySpec":"EC_P256",` +
				`"KeyUsage":"SIGN/VERIFY","PrimaryKeyVersion":"7ce1d081-06cb-42e6-aab6-5c5de030****",` +
				`"Arn":"acs:kms:cn-hangzhou:154035569884****:key/key-hzz62f1cb66fa42qo****","KeyState":"Enabled",` +
				`"Description":"tls: 证书 & <more>","CreationDate":"2025-03-14T15:09:26Z","Creator":"154035569884****",` +
				`"DKMSInstanceId":"kst-bjj62d8f5e0sgtx8h****","ProtectionLevel":"HSM","Origin":"Aliyun_KMS",` +
				`"AutomaticRotation":"Disabled","LastRotationDate":"2025-03-14T15:09:26Z","MaterialExpireTime":"",` +
				`"NextRotationDate":"2026-03-14T15:09:26Z","RotationInterval":"31536000s","DeleteDate":"2099-01-01T00:00:00Z"}}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.KMS.CreateKey(ctx, &CreateKeyInput{
					KeySpec: "EC_P256", KeyUsage: KeyUsageSignVerify, Description: "tls: 证书 & <more>+/=",
					ProtectionLevel: "HSM", DKMSInstanceID: "kst-bjj62d8f5e0sgtx8h****",
				})
			},
			form: map[string]string{
				"KeySpec": "EC_P256", "KeyUsage": "SIGN/VERIFY", "Description": "tls: 证书 & <more>+/=",
				"ProtectionLevel": "HSM", "DKMSInstanceId": "kst-bjj62d8f5e0sgtx8h****",
			},
			absent: []string{"DKMSInstanceID", "Origin", "Policy", "Tags", "EnableAutomaticRotation"},
			checkFn: func(t *testing.T, out any) {
				o := out.(*CreateKeyOutput)
				assert.Equal(t, KeyMetadata{
					KeyID: "key-hzz62f1cb66fa42qo****", KeySpec: "EC_P256", KeyUsage: "SIGN/VERIFY",
					PrimaryKeyVersion: "7ce1d081-06cb-42e6-aab6-5c5de030****",
					Arn:               "acs:kms:cn-hangzhou:154035569884****:key/key-hzz62f1cb66fa42qo****", KeyState: "Enabled",
					Description: "tls: 证书 & <more>", CreationDate: "2025-03-14T15:09:26Z", Creator: "154035569884****",
					DKMSInstanceID: "kst-bjj62d8f5e0sgtx8h****", ProtectionLevel: "HSM", Origin: "Aliyun_KMS",
					AutomaticRotation: "Disabled", LastRotationDate: "2025-03-14T15:09:26Z",
					NextRotationDate: "2026-03-14T15:09:26Z", RotationInterval: "31536000s", DeleteDate: "2099-01-01T00:00:00Z",
				}, o.KeyMetadata)
				assert.Equal(t, "REQ-CK", o.RequestID)
			},
		},
		{
			action: "GetPublicKey", api: apiKMS,
			reply: `{"RequestId":"REQ-GPK","KeyId":"5c438b18-05be-40ad-b6c2-3be6752c****",` +
				`"KeyVersionId":"2ab1a983-7072-4bbc-a582-584b5bd8****",` +
				`"PublicKey":"-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQ+/=\n-----END PUBLIC KEY-----\n"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.KMS.GetPublicKey(ctx, &GetPublicKeyInput{KeyID: "alias/web tls+1", KeyVersionID: "2ab1a983-7072-4bbc-a582-584b5bd8****"})
			},
			form:   map[string]string{"KeyId": "alias/web tls+1", "KeyVersionId": "2ab1a983-7072-4bbc-a582-584b5bd8****"},
			absent: []string{"KeyID", "KeyVersionID", "DryRun"},
			checkFn: func(t *testing.T, out any) {
				o := out.(*GetPublicKeyOutput)
				assert.Equal(t, "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQ+/=\n-----END PUBLIC KEY-----\n", o.PublicKey)
				assert.Equal(t, "5c438b18-05be-40ad-b6c2-3be6752c****", o.KeyID, "the id, not the alias asked for")
				assert.Equal(t, "2ab1a983-7072-4bbc-a582-584b5bd8****", o.KeyVersionID)
				assert.Equal(t, "REQ-GPK", o.RequestID)
			},
		},
		{
			action: "AsymmetricSign", api: apiKMS,
			// Value is the base64 of the bytes 0x30 0x06 0x02 0x01 0x01 0x02 0x01 0xfb 0xff 0xbf.
			reply: `{"RequestId":"REQ-AS","KeyId":"5c438b18-05be-40ad-b6c2-3be6752c****",` +
				`"KeyVersionId":"2ab1a983-7072-4bbc-a582-584b5bd8****","Value":"MAYCAQECAfv/vw=="}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.KMS.AsymmetricSign(ctx, &AsymmetricSignInput{
					KeyID: "5c438b18-05be-40ad-b6c2-3be6752c****", KeyVersionID: "2ab1a983-7072-4bbc-a582-584b5bd8****",
					Algorithm: AlgorithmECDSASHA256, Digest: wireDigest,
				})
			},
			form: map[string]string{
				"Algorithm": "ECDSA_SHA_256",
				// Standard base64 with padding: '+', '/' and '=' all occur.
				"Digest": "+/++AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaG/8=",
			},
			absent: []string{"DryRun"},
			checkFn: func(t *testing.T, out any) {
				o := out.(*AsymmetricSignOutput)
				assert.Equal(t, []byte{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0xfb, 0xff, 0xbf}, o.Value)
				assert.Equal(t, "2ab1a983-7072-4bbc-a582-584b5bd8****", o.KeyVersionID)
				assert.Equal(t, "5c438b18-05be-40ad-b6c2-3be6752c****", o.KeyID)
				assert.Equal(t, "REQ-AS", o.RequestID)
			},
		},
		{
			action: "ListKeyVersions", api: apiKMS,
			reply: `{"RequestId":"REQ-LKV","TotalCount":102,"PageNumber":2,"PageSize":100,"KeyVersions":{"KeyVersion":[` +
				`{"KeyId":"key-hzz630494463ejqjx****","KeyVersionId":"1e3304fd-68ac-4d5b-8886-ae5f01a1****","CreationDate":"2016-03-25T10:42:40Z"},` +
				`{"KeyId":"key-hzz630494463ejqjx****","KeyVersionId":"2e3304fd-68ac-4d5b-8886-ae5f01a1****","CreationDate":"2016-04-01T10:42:40Z"}]}}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.KMS.ListKeyVersions(ctx, &ListKeyVersionsInput{KeyID: "key-hzz630494463ejqjx****", PageNumber: 2, PageSize: 100})
			},
			form: map[string]string{"KeyId": "key-hzz630494463ejqjx****", "PageNumber": "2", "PageSize": "100"},
			checkFn: func(t *testing.T, out any) {
				o := out.(*ListKeyVersionsOutput)
				assert.Equal(t, []KeyVersion{
					{KeyID: "key-hzz630494463ejqjx****", KeyVersionID: "1e3304fd-68ac-4d5b-8886-ae5f01a1****", CreationDate: "2016-03-25T10:42:40Z"},
					{KeyID: "key-hzz630494463ejqjx****", KeyVersionID: "2e3304fd-68ac-4d5b-8886-ae5f01a1****", CreationDate: "2016-04-01T10:42:40Z"},
				}, o.KeyVersions)
				assert.Equal(t, int64(102), o.TotalCount)
				assert.Equal(t, int64(2), o.PageNumber)
				assert.Equal(t, int64(100), o.PageSize)
				assert.Equal(t, "REQ-LKV", o.RequestID)
			},
		},
		{
			action: "AddDomainRecord", api: apiAlidns,
			reply: `{"RequestId":"REQ-ADR","RecordId":"9999985"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.DNS.AddDomainRecord(ctx, &AddDomainRecordInput{
					DomainName: "example.com", RR: "_dnsauth.www", Type: "TXT",
					Value: "2025031400000abc+/= &x", TTL: 600,
				})
			},
			form:   map[string]string{"DomainName": "example.com", "RR": "_dnsauth.www", "Value": "2025031400000abc+/= &x", "TTL": "600"},
			absent: []string{"Priority", "Line"},
			checkFn: func(t *testing.T, out any) {
				assert.Equal(t, "9999985", out.(*AddDomainRecordOutput).RecordID)
			},
		},
		{
			action: "DescribeSubDomainRecords", api: apiAlidns,
			reply: `{"RequestId":"REQ-DSR","TotalCount":1,"PageNumber":1,"PageSize":20,"DomainRecords":{"Record":[` +
				`{"DomainName":"example.com","RecordId":"9999985","RR":"_dnsauth.www","Type":"TXT","Value":"tok","TTL":600}]}}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.DNS.DescribeSubDomainRecords(ctx, &DescribeSubDomainRecordsInput{
					SubDomain: "_dnsauth.www.example.com", DomainName: "example.com", Type: "TXT", PageSize: 100,
				})
			},
			form:   map[string]string{"SubDomain": "_dnsauth.www.example.com", "PageSize": "100"},
			absent: []string{"PageNumber", "Line"},
			checkFn: func(t *testing.T, out any) {
				o := out.(*DescribeSubDomainRecordsOutput)
				require.Len(t, o.Records, 1)
				assert.Equal(t, "9999985", o.Records[0].RecordID)
			},
		},
		{
			action: "DeleteDomainRecord", api: apiAlidns,
			reply: `{"RequestId":"REQ-DDR","RecordId":"9999985"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.DNS.DeleteDomainRecord(ctx, &DeleteDomainRecordInput{RecordID: "9999985"})
			},
			form: map[string]string{"RecordId": "9999985"},
			checkFn: func(t *testing.T, out any) {
				assert.Equal(t, "9999985", out.(*DeleteDomainRecordOutput).RecordID)
			},
		},
		{
			action: "ListCloudResources", api: apiCAS,
			reply: `{"RequestId":"REQ-LCR","Total":1,"CurrentPage":2,"ShowSize":100,"Data":[{"Id":2356,"CloudName":"aliyun",` +
				`"CloudProduct":"SLB","RegionId":"cn-hangzhou","InstanceId":"lb-bp1","ListenerId":"lsn-bp1@443","ListenerPort":"443",` +
				`"Domain":"","Status":"BUY","CertId":9007199254740993,"CertName":"www","EnableHttps":1,"DefaultResource":0,"UseSsl":1,"UserId":1666884372}]}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CAS.ListCloudResources(ctx, &ListCloudResourcesInput{
					CloudName: CloudAliyun, CloudProduct: "SLB", Keyword: "www.example.com & co",
					CertIDs: []int64{9007199254740993, 12}, CurrentPage: 2, ShowSize: 100,
				})
			},
			form:   map[string]string{"CertIds": "[9007199254740993,12]", "Keyword": "www.example.com & co", "ShowSize": "100"},
			absent: []string{"SecretId", "CertIds.1"},
			checkFn: func(t *testing.T, out any) {
				o := out.(*ListCloudResourcesOutput)
				require.Len(t, o.Data, 1)
				r := o.Data[0]
				assert.Equal(t, int64(9007199254740993), r.CertID)
				assert.Equal(t, "lsn-bp1@443", r.ListenerID)
				assert.True(t, r.EnableHTTPS)
				assert.False(t, r.DefaultResource)
				assert.True(t, r.UseSSL)
				assert.Equal(t, int64(1666884372), r.UserID)
			},
		},
		{
			action: "ListContact", api: apiCAS,
			reply: `{"RequestId":"REQ-LC","TotalCount":1,"ContactList":[{"ContactId":519580,"Name":"John","Email":"ops@example.com",` +
				`"Mobile":"139****8888","EmailStatus":1,"MobileStatus":0,"WebhookList":["https://hook.example/x"]}]}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CAS.ListContact(ctx, &ListContactInput{Keyword: "张 三+1", ShowSize: 1})
			},
			form:   map[string]string{"Keyword": "张 三+1", "ShowSize": "1"},
			absent: []string{"CurrentPage"},
			checkFn: func(t *testing.T, out any) {
				o := out.(*ListContactOutput)
				require.Len(t, o.ContactList, 1)
				assert.Equal(t, int64(519580), o.ContactList[0].ContactID)
				assert.Equal(t, []string{"https://hook.example/x"}, o.ContactList[0].WebhookList)
			},
		},
		{
			action: "CreateDeploymentJob", api: apiCAS,
			reply: `{"RequestId":"REQ-CDJ","JobId":9007199254740993}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CAS.CreateDeploymentJob(ctx, &CreateDeploymentJobInput{
					Name: "renew www & api/证书", JobType: JobTypeUser, CertIDs: []int64{12342649, 9007199254740993},
					ResourceIDs: []int64{6591316, 6585549}, ContactIDs: []int64{1},
					ScheduleTime: time.Date(2025, 3, 15, 2, 0, 0, 123e6, time.FixedZone("CST", 8*3600)),
				})
			},
			form: map[string]string{
				"CertIds": "12342649,9007199254740993", "ResourceIds": "6591316,6585549", "ContactIds": "1",
				"ScheduleTime": "1741975200123", "JobType": "user", "Name": "renew www & api/证书",
			},
			checkFn: func(t *testing.T, out any) {
				assert.Equal(t, int64(9007199254740993), out.(*CreateDeploymentJobOutput).JobID)
			},
		},
		{
			action: "UpdateDeploymentJobStatus", api: apiCAS,
			reply: `{"RequestId":"REQ-UDJS"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CAS.UpdateDeploymentJobStatus(ctx, &UpdateDeploymentJobStatusInput{JobID: 9007199254740993, Status: JobPending})
			},
			form: map[string]string{"JobId": "9007199254740993", "Status": "pending"},
			checkFn: func(t *testing.T, out any) {
				assert.Equal(t, "REQ-UDJS", out.(*UpdateDeploymentJobStatusOutput).RequestID)
			},
		},
		{
			action: "DescribeDeploymentJob", api: apiCAS,
			reply: `{"RequestId":"REQ-DDJ","Id":8888,"Name":"renew","JobType":"user","Status":"processing","Rollback":1,"Del":0,` +
				`"StartTime":"1679541809000","CasContacts":[{"Id":"3304","Name":"John","Email":"a@example.com","Mobile":"139"}]}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CAS.DescribeDeploymentJob(ctx, &DescribeDeploymentJobInput{JobID: 8888})
			},
			form: map[string]string{"JobId": "8888"},
			checkFn: func(t *testing.T, out any) {
				o := out.(*DescribeDeploymentJobOutput)
				assert.Equal(t, string(JobProcessing), o.Status)
				assert.True(t, o.Rollback)
				assert.False(t, o.Deleted)
				require.Len(t, o.CasContacts, 1)
				assert.Equal(t, "3304", o.CasContacts[0].ID)
			},
		},
		{
			action: "ListWorkerResource", api: apiCAS,
			reply: `{"RequestId":"REQ-LWR","Total":1,"Data":[{"Id":22487,"JobId":8888,"ResourceId":1286999,"CertId":12073663,` +
				`"CloudProduct":"SLB","InstanceId":"lb-1","ListenerId":"lsn-1@81","Port":81,"ResourceCertId":123,"Status":"error","DefaultResource":true}]}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CAS.ListWorkerResource(ctx, &ListWorkerResourceInput{JobID: 8888, Status: string(JobError), CloudProduct: "SLB", CurrentPage: 3, ShowSize: 7})
			},
			form: map[string]string{"JobId": "8888", "Status": "error", "CloudProduct": "SLB", "CurrentPage": "3", "ShowSize": "7"},
			checkFn: func(t *testing.T, out any) {
				o := out.(*ListWorkerResourceOutput)
				require.Len(t, o.Data, 1)
				w := o.Data[0]
				assert.Equal(t, int64(1286999), w.ResourceID)
				assert.Equal(t, int64(123), w.ResourceCertID)
				assert.Equal(t, int64(81), w.Port)
				assert.True(t, w.DefaultResource)
			},
		},
		{
			action: "UpdateWorkerResourceStatus", api: apiCAS,
			reply: `{"RequestId":"REQ-UWRS"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CAS.UpdateWorkerResourceStatus(ctx, &UpdateWorkerResourceStatusInput{JobID: 8888, WorkerID: 9007199254740993, Status: WorkerRollback})
			},
			form: map[string]string{"JobId": "8888", "WorkerId": "9007199254740993", "Status": "rollback"},
			checkFn: func(t *testing.T, out any) {
				assert.Equal(t, "REQ-UWRS", out.(*UpdateWorkerResourceStatusOutput).RequestID)
			},
		},
		{
			action: "DeleteDeploymentJob", api: apiCAS,
			reply: `{"RequestId":"REQ-DLDJ"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CAS.DeleteDeploymentJob(ctx, &DeleteDeploymentJobInput{JobID: 8888})
			},
			form: map[string]string{"JobId": "8888"},
			checkFn: func(t *testing.T, out any) {
				assert.Equal(t, "REQ-DLDJ", out.(*DeleteDeploymentJobOutput).RequestID)
			},
		},
		{
			action: "ListDeploymentJob", api: apiCAS,
			reply: `{"RequestId":"REQ-LDJ","Total":1,"Data":[{"Id":19975,"Name":"renew","JobType":"user","Status":"scheduling","Del":"1","Rollback":0}]}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CAS.ListDeploymentJob(ctx, &ListDeploymentJobInput{JobType: JobTypeUser, Status: JobScheduling, ShowSize: 50})
			},
			form:   map[string]string{"JobType": "user", "Status": "scheduling", "ShowSize": "50"},
			absent: []string{"CurrentPage"},
			checkFn: func(t *testing.T, out any) {
				o := out.(*ListDeploymentJobOutput)
				require.Len(t, o.Data, 1)
				assert.True(t, o.Data[0].Deleted, "Del as a string")
				assert.False(t, o.Data[0].Rollback)
			},
		},
		// The Private CA (CAS API version 2020-06-30).
		{
			action: "CreateRootCACertificate", api: apiPCA,
			reply: `{"RequestId":"REQ-RCA","Identifier":"1a83bcbb89e562885e40aa0108f5","Certificate":"root-pem","CertificateChain":"chain-pem"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.PCA.CreateRootCACertificate(ctx, &CreateRootCACertificateInput{
					CommonName: "Example Root & Co", Organization: "Example 公司", OrganizationUnit: "Security",
					Locality: "Hangzhou", State: "Zhejiang", CountryCode: "CN", Years: 10, Algorithm: PCAKeyECC384,
					ClientToken: "3838B684-3075-582B-9A45-8C99104029DF", Tags: []Tag{{Key: "env", Value: "a=b&c"}},
				})
			},
			form: map[string]string{"Years": "10", "Algorithm": "ECC_384", "Tags.1.Value": "a=b&c"},
			checkFn: func(t *testing.T, out any) {
				o := out.(*CreateRootCACertificateOutput)
				assert.Equal(t, "1a83bcbb89e562885e40aa0108f5", o.Identifier)
				assert.Equal(t, "chain-pem", o.CertificateChain)
			},
		},
		{
			action: "CreateSubCACertificate", api: apiPCA,
			reply: `{"RequestId":"REQ-SCA","Identifier":"270oe6bb538d538c70c01f81hfd3","Certificate":"sub-pem","CertificateChain":"chain-pem"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.PCA.CreateSubCACertificate(ctx, &CreateSubCACertificateInput{
					ParentIdentifier: "1a83bcbb89e562885e40aa0108f5", Algorithm: PCAKeyRSA2048,
					CommonName: "Example Issuing CA", Organization: "Example", OrganizationUnit: "Security",
					Locality: "Hangzhou", State: "Zhejiang", CountryCode: "CHN", Years: 5, CertMaxTime: 30,
					PathLenConstraint: 1, EnableCRL: true, CRLDays: 365,
					ExtendedKeyUsages: []string{"serverAuth", "clientAuth"}, ClientToken: "tok-1",
				})
			},
			form: map[string]string{
				"ExtendedKeyUsages.1": "serverAuth", "ExtendedKeyUsages.2": "clientAuth", "EnableCrl": "true",
				"CrlDay": "365", "PathLenConstraint": "1", "CertMaxTime": "30", "CountryCode": "CHN",
			},
			absent: []string{"ExtendedKeyUsages", "Tags.1.Key", "ResourceGroupId"},
			checkFn: func(t *testing.T, out any) {
				assert.Equal(t, "270oe6bb538d538c70c01f81hfd3", out.(*CreateSubCACertificateOutput).Identifier)
			},
		},
		{
			action: "DescribeCACertificate", api: apiPCA,
			reply: `{"RequestId":"REQ-DCA","Years":5,"Certificate":{"Identifier":"270oe6bb","CertificateType":"SUB_ROOT","Status":"ISSUE",` +
				`"BeforeDate":1634283958000,"AfterDate":1665819958000,"CertIssuedCount":9007199254740993,"CertRemainingCount":30,` +
				`"CertTotalCount":40,"Md5":"md5","Sha2":"sha2","X509Certificate":"x509","CaCertChain":"chain","CrlDay":90,` +
				`"Tags":[{"TagKey":"env","TagValue":"prod"}]}}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.PCA.DescribeCACertificate(ctx, &DescribeCACertificateInput{Identifier: "270oe6bb"})
			},
			form: map[string]string{"Identifier": "270oe6bb"},
			checkFn: func(t *testing.T, out any) {
				o := out.(*DescribeCACertificateOutput)
				assert.Equal(t, int64(9007199254740993), o.Certificate.CertIssuedCount)
				assert.Equal(t, int32(5), o.Years)
				assert.Equal(t, time.UnixMilli(1665819958000).UTC(), o.Certificate.NotAfter())
				assert.Equal(t, []PCATag{{Key: "env", Value: "prod"}}, o.Certificate.Tags)
				assert.Equal(t, "sha2", o.Certificate.Sha2)
			},
		},
		{
			action: "DescribeCACertificateList", api: apiPCA,
			reply: `{"RequestId":"REQ-DCL","TotalCount":21,"PageCount":2,"CurrentPage":2,"ShowSize":20,` +
				`"CertificateList":[{"Identifier":"270oe6bb","CertificateType":"SUB_ROOT","Status":"ISSUE","Gift":1,"Trial":0,"AfterDate":1665819958000}]}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.PCA.DescribeCACertificateList(ctx, &DescribeCACertificateListInput{
					CertType: "subRoot", CAStatus: "issue", ValidStatus: "valid", IssuerType: "local", CurrentPage: 2, ShowSize: 20,
				})
			},
			form:   map[string]string{"CertType": "subRoot", "CaStatus": "issue", "ValidStatus": "valid", "CurrentPage": "2"},
			absent: []string{"Identifier", "ResourceGroupId"},
			checkFn: func(t *testing.T, out any) {
				o := out.(*DescribeCACertificateListOutput)
				require.Len(t, o.CertificateList, 1)
				assert.Equal(t, int32(21), o.TotalCount)
				assert.Equal(t, int32(1), o.CertificateList[0].Gift)
			},
		},
		{
			action: "CreateServerCertificateWithCsr", api: apiPCA,
			reply: `{"RequestId":"REQ-SRV","Identifier":"180ae6bb","SerialNumber":"084bde9c","X509Certificate":"leaf","CertificateChain":"chain"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.PCA.CreateServerCertificateWithCsr(ctx, &CreateServerCertificateWithCsrInput{
					ParentIdentifier: "270oe6bb", Csr: csr, Domain: []string{"www.example.com", "10.0.0.1", "*.svc.internal"},
					Days: 30, BeforeTime: 1634283958, AfterTime: 1665819958, Immediately: PCAReturnChain,
					CustomIdentifier: "order-42", EnableCRL: true, Algorithm: PCAKeyRSA2048, Organization: "Example & Co",
				})
			},
			form: map[string]string{
				"Domain": "www.example.com,10.0.0.1,*.svc.internal", "Immediately": "2", "EnableCrl": "1",
				"CustomIdentifier": "order-42", "BeforeTime": "1634283958", "Days": "30",
			},
			absent: []string{"AsynchronousFlag", "Months", "Years", "customIdentifier"},
			checkFn: func(t *testing.T, out any) {
				o := out.(*CreateServerCertificateWithCsrOutput)
				assert.Equal(t, "leaf", o.X509Certificate)
				assert.Equal(t, "084bde9c", o.SerialNumber)
			},
		},
		{
			action: "CreateClientCertificateWithCsr", api: apiPCA,
			reply: `{"RequestId":"REQ-CLI","Identifier":"200ae6bb","SerialNumber":"1f","X509Certificate":"leaf","CertificateChain":"chain",` +
				`"CertSignBufKmc":"buf","CertKmcRep1":"rep"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.PCA.CreateClientCertificateWithCsr(ctx, &CreateClientCertificateWithCsrInput{
					ParentIdentifier: "270oe6bb", Csr: csr, SANType: SANOtherName,
					SANValues: []string{"1.3.6.1.4.1.311.20.2.3+user@example.com"}, Years: 1, Days: 365,
					Immediately: PCAReturnCertificate, AsynchronousFlag: true,
				})
			},
			form:   map[string]string{"SanType": "0", "SanValue": "1.3.6.1.4.1.311.20.2.3+user@example.com", "AsynchronousFlag": "true", "Years": "1"},
			absent: []string{"EnableCrl", "BeforeTime", "AfterTime"},
			checkFn: func(t *testing.T, out any) {
				o := out.(*CreateClientCertificateWithCsrOutput)
				assert.Equal(t, "rep", o.CertKmcRep1)
				assert.Equal(t, "buf", o.CertSignBufKmc)
			},
		},
		{
			action: "CreateCustomCertificate", api: apiPCA,
			reply: `{"RequestId":"REQ-CUS","Identifier":"160ae6bb","SerialNumber":"16889526086333","Certificate":"leaf","CertificateChain":"chain"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.PCA.CreateCustomCertificate(ctx, &CreateCustomCertificateInput{
					ParentIdentifier: "270oe6bb", Csr: csr, Validity: "2030-01-02T03:04:05Z/2030-02-02T03:04:05Z",
					Immediately: PCAReturnChain, CustomIdentifier: "XXX068c-6f1b", EnableCRL: true,
					APIPassthrough: &CustomCertificatePassthrough{
						SerialNumber: "16889526086333",
						Subject: &CustomCertificateSubject{CommonName: "张三", Country: "CN", Organization: "A&B",
							CustomAttributes: []CustomSubjectAttribute{{ObjectIdentifier: "2.5.4.12", Value: "engineer"}}},
						Extensions: &CustomCertificateExtensions{
							KeyUsage:                &CustomKeyUsage{DigitalSignature: true, KeyEncipherment: true},
							ExtendedKeyUsages:       []string{"serverAuth", "clientAuth"},
							SubjectAlternativeNames: []CustomSAN{{Type: CustomSANDNS, Value: "svc.internal"}, {Type: CustomSANIP, Value: "10.0.0.1"}},
							Criticals:               []string{"keyUsage"},
						},
					},
				})
			},
			form: map[string]string{
				"customIdentifier":                  "XXX068c-6f1b",
				"Validity":                          "2030-01-02T03:04:05Z/2030-02-02T03:04:05Z",
				"ApiPassthrough.SerialNumber":       "16889526086333",
				"ApiPassthrough.Subject.CommonName": "张三",
				"ApiPassthrough.Subject.CustomAttributes.1.ObjectIdentifier": "2.5.4.12",
				"ApiPassthrough.Extensions.KeyUsage.DigitalSignature":        "true",
				"ApiPassthrough.Extensions.KeyUsage.KeyEncipherment":         "true",
				"ApiPassthrough.Extensions.ExtendedKeyUsages.2":              "clientAuth",
				"ApiPassthrough.Extensions.SubjectAlternativeNames.2.Type":   "iPAddress",
				"ApiPassthrough.Extensions.SubjectAlternativeNames.2.Value":  "10.0.0.1",
				"ApiPassthrough.Extensions.Criticals.1":                      "keyUsage",
				"EnableCrl":                                                  "1",
			},
			absent: []string{"CustomIdentifier", "ApiPassthrough", "ApiPassthrough.Extensions.KeyUsage.DataEncipherment", "ApiPassthrough.Subject.State"},
			checkFn: func(t *testing.T, out any) {
				o := out.(*CreateCustomCertificateOutput)
				assert.Equal(t, "leaf", o.Certificate)
				assert.Equal(t, "16889526086333", o.SerialNumber)
			},
		},
		{
			action: "DescribeClientCertificate", api: apiPCA,
			reply: `{"RequestId":"REQ-DCC","Certificate":{"Identifier":"d3b95700","Id":9007199254740993,"CustomIdentifier":"order-42",` +
				`"Status":"ISSUE","CertChain":"chain","BeforeDate":1634283958000,"AfterDate":1665819958000,"UploadFlag":1,"Tags":[{"TagKey":"k","TagValue":"v"}]}}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.PCA.DescribeClientCertificate(ctx, &DescribeClientCertificateInput{Identifier: "d3b95700"})
			},
			form: map[string]string{"Identifier": "d3b95700"},
			checkFn: func(t *testing.T, out any) {
				o := out.(*DescribeClientCertificateOutput)
				assert.Equal(t, int64(9007199254740993), o.Certificate.ID)
				assert.Equal(t, "order-42", o.Certificate.CustomIdentifier)
				assert.Equal(t, time.UnixMilli(1634283958000).UTC(), o.Certificate.NotBefore())
			},
		},
		{
			action: "ListClientCertificate", api: apiPCA,
			reply: `{"RequestId":"REQ-LCC","TotalCount":9007199254740993,"PageCount":1,"CurrentPage":1,"ShowSize":50,"MaxResults":50,` +
				`"CertificateList":[{"Identifier":"d3b95700","Id":9007199254740993,"CustomIdentifier":"order-42","Status":"ISSUE"}]}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.PCA.ListClientCertificate(ctx, &ListClientCertificateInput{Identifier: "d3b95700", ShowSize: 50})
			},
			form:   map[string]string{"Identifier": "d3b95700", "ShowSize": "50"},
			absent: []string{"CurrentPage"},
			checkFn: func(t *testing.T, out any) {
				o := out.(*ListClientCertificateOutput)
				assert.Equal(t, int64(9007199254740993), o.TotalCount)
				require.Len(t, o.CertificateList, 1)
				assert.Equal(t, int64(9007199254740993), o.CertificateList[0].ID)
			},
		},
		{
			action: "CreateRevokeClientCertificate", api: apiPCA,
			reply: `{"RequestId":"REQ-REV"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.PCA.CreateRevokeClientCertificate(ctx, &CreateRevokeClientCertificateInput{Identifier: "160ae6bb"})
			},
			form: map[string]string{"Identifier": "160ae6bb"},
			checkFn: func(t *testing.T, out any) {
				assert.Equal(t, "REQ-REV", out.(*CreateRevokeClientCertificateOutput).RequestID)
			},
		},
		{
			action: "ListRevokeCertificate", api: apiPCA,
			reply: `{"RequestId":"REQ-LRC","TotalCount":1,"PageCount":1,"CurrentPage":3,"ShowSize":10,` +
				`"CertificateList":[{"Identifier":"160ae6bb","RevokeDate":"2025-03-14T15:09:26Z","BeforeDate":"2025-01-01","KeySize":2048}]}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.PCA.ListRevokeCertificate(ctx, &ListRevokeCertificateInput{CurrentPage: 3, ShowSize: 10})
			},
			form: map[string]string{"CurrentPage": "3", "ShowSize": "10"},
			checkFn: func(t *testing.T, out any) {
				o := out.(*ListRevokeCertificateOutput)
				require.Len(t, o.CertificateList, 1)
				assert.Equal(t, "2025-03-14T15:09:26Z", o.CertificateList[0].RevokeDate)
				assert.Equal(t, int32(2048), o.CertificateList[0].KeySize)
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
			c := clientOf(t, srv)
			out, err := tc.call(t.Context(), c)
			require.NoError(t, err)
			tc.checkFn(t, out)

			reqs := srv.Requests()
			require.Len(t, reqs, 1)
			r := reqs[0]
			assert.Equal(t, http.MethodPost, r.Method)
			assert.Equal(t, "/", r.Path)
			assert.Equal(t, "application/x-www-form-urlencoded", r.ContentType)
			assert.Empty(t, r.RawQuery, "no parameter may travel in the URL")

			wireVerifySignature(t, r.Body)
			wireGolden(t, tc.action, r.Body)

			form := r.Form
			version := map[api]string{apiCAS: casAPIVersion, apiKMS: kmsAPIVersion, apiAlidns: alidnsAPIVersion, apiPCA: pcaAPIVersion}[tc.api]
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
			assert.NotContains(t, r.Body, wireSecret)
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
		c := clientOf(t, srv)
		_, err := c.KMS.CreateCertificate(t.Context(), &CreateCertificateInput{
			KeySpec: KeySpecRSA2048, ExportablePrivateKey: exportable,
			Subject: Subject{CommonName: "a", Country: "CN", Organization: "o", OrganizationalUnit: "u"},
		})
		require.NoError(t, err)
		form := srv.Requests()[0].Form
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
		c := clientOf(t, srv)
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
			reply := testkit.JSON(http.StatusOK, tc.body)
			if tc.header != "" {
				reply.Header = map[string]string{"x-acs-request-id": tc.header}
			}
			srv := testkit.NewScripted(t, reply)
			out, err := tc.call(t.Context(), clientOf(t, srv))
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
		c := clientOf(t, srv)
		out, err := c.KMS.CreateCertificate(t.Context(), &CreateCertificateInput{
			KeySpec: KeySpecRSA2048,
			Subject: Subject{CommonName: "a", Country: "CN", Organization: "o", OrganizationalUnit: "u"},
		})
		require.NoError(t, err)
		assert.Equal(t, id, out.CertificateID)
		_, err = c.KMS.UploadCertificate(t.Context(), &UploadCertificateInput{CertificateID: out.CertificateID, Certificate: wireCertPEM})
		require.NoError(t, err)

		reqs := srv.Requests()
		require.Len(t, reqs, 2)
		assert.Equal(t, []string{id}, reqs[1].Form["CertificateId"], "the id went back to the service changed")
		assert.Contains(t, reqs[1].Body, "CertificateId="+signature.Encode(id)+"&")
	}
}

// TestWireV3EveryOperation: under signature V3 every operation sends what
// the official SDK's generated client sends (each *WithOptions method puts
// every request field in the query map and none in a body, and
// darabonba-openapi's DoRequest then sends no body): the parameters of the
// golden body, minus the common ones, in the query in canonical form, an
// empty body without a Content-Type, x-acs-content-sha256 of the empty
// body, and a signature over that query.
func TestWireV3EveryOperation(t *testing.T) {
	t.Parallel()
	for _, tc := range wireCases() {
		t.Run(tc.action, func(t *testing.T) {
			t.Parallel()
			golden := newWireServer(t, wireReplyJSON(tc.reply))
			_, err := tc.call(t.Context(), clientOf(t, golden))
			require.NoError(t, err)
			want := golden.Requests()[0].Form
			for _, k := range []string{"AccessKeyId", "Action", "Format", "SignatureMethod", "SignatureNonce",
				"SignatureVersion", "Timestamp", "Version", "Signature"} {
				want.Del(k)
			}

			srv := newWireServer(t, wireReplyJSON(tc.reply))
			c := clientOf(t, srv, WithSignatureAlgorithm(SignatureACS3HMACSHA256))
			out, err := tc.call(t.Context(), c)
			require.NoError(t, err)
			tc.checkFn(t, out)
			reqs := srv.Requests()
			require.Len(t, reqs, 1)
			r := reqs[0]
			assert.Equal(t, http.MethodPost, r.Method)
			assert.Empty(t, r.Body, "the body is empty")
			assert.Empty(t, r.ContentType, "no body, no Content-Type")
			assert.Equal(t, emptyPayloadHash, r.Header.Get("x-acs-content-sha256"))
			assert.Equal(t, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", emptyPayloadHash)
			query, err := url.ParseQuery(r.RawQuery)
			require.NoError(t, err)
			assert.Equal(t, want, query, "the query holds the operation's parameters, and only them")
			assert.Equal(t, testkit.Canonical(query), r.RawQuery, "the query is in canonical form")
			assert.Equal(t, tc.action, r.Header.Get("x-acs-action"))
			assert.Empty(t, r.Header.Get("x-acs-accesskey-id"), "sent only with an STS token")
			assert.Empty(t, r.Header.Get("x-acs-security-token"))
			wireVerifyV3(t, r, srv.URL, wireSecret)
		})
	}
}

// TestWireV3WithSTSToken: with an STS token the official client adds
// x-acs-accesskey-id and x-acs-security-token, both signed.
func TestWireV3WithSTSToken(t *testing.T) {
	t.Parallel()
	srv := newWireServer(t, wireReplyJSON(`{"RequestId":"r","Type":"TXT","OrderId":1,"Type1":"x"}`))
	c := clientOf(t, srv, WithSTSToken(wireKeyID, wireSecret, "sts-token-value"),
		WithSignatureAlgorithm(SignatureACS3HMACSHA256))
	_, _ = c.CAS.DescribeCertificateState(t.Context(), &DescribeCertificateStateInput{OrderID: 7})
	r := srv.Requests()[0]
	assert.Equal(t, wireKeyID, r.Header.Get("x-acs-accesskey-id"))
	assert.Equal(t, "sts-token-value", r.Header.Get("x-acs-security-token"))
	assert.Contains(t, r.Header.Get("Authorization"), "x-acs-accesskey-id;x-acs-action")
	assert.Contains(t, r.Header.Get("Authorization"), "x-acs-security-token;x-acs-signature-nonce")
	assert.Equal(t, "OrderId=7", r.RawQuery)
	wireVerifyV3(t, r, srv.URL, wireSecret)
}

// wireVerifyV3 recomputes a V3 request's signature from what arrived: the
// query, the headers it names, and the empty body's hash.
func wireVerifyV3(t *testing.T, r testkit.Request, serverURL, secret string) {
	t.Helper()
	u, err := url.Parse(serverURL)
	require.NoError(t, err)
	auth := r.Header.Get("Authorization")
	require.True(t, strings.HasPrefix(auth, signature.V3Algorithm+" "), auth)
	var names []string
	var sig string
	for _, part := range strings.Split(strings.TrimPrefix(auth, signature.V3Algorithm+" "), ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "SignedHeaders":
			names = strings.Split(v, ";")
		case "Signature":
			sig = v
		}
	}
	var headers []signature.Header
	for _, n := range names {
		v := r.Header.Get(n)
		if n == "host" {
			v = u.Host
		}
		headers = append(headers, signature.Header{Name: n, Value: v})
	}
	assert.NotContains(t, names, "content-type")
	canonical, _ := signature.V3Request{Method: r.Method, CanonicalQuery: r.RawQuery, Headers: headers}.CanonicalRequest()
	assert.Equal(t, signature.V3Sign(secret, signature.V3StringToSign(canonical)), sig, "the signature does not verify")
}

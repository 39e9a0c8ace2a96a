package alicert_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/internal/testkit"
	"github.com/aliyun/credentials-go/credentials/providers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tests in this file check the promise that errors, logs and %v, %+v
// and %#v output never hold an AccessKey secret, a security token, a
// request signature or a private key.

// cpEcho answers with the request's own parameters (its query and form
// body: signature V3 sends them in the query), as a proxy error page or a
// confused gateway might, inside body (which holds one %s).
func cpEcho(status int, format string) testkit.Responder {
	return func(r testkit.Request) testkit.Reply {
		return testkit.JSON(status, fmt.Sprintf(format, r.RawQuery+"&"+r.Form.Encode()))
	}
}

// cpEchoJSON answers with an error document whose Message quotes the
// request's form body.
func cpEchoJSON(status int, code string) testkit.Responder {
	return func(r testkit.Request) testkit.Reply {
		doc, _ := json.Marshal(map[string]string{"Code": code, "RequestId": "ECHO", "Message": "bad request: " + r.RawQuery + "&" + r.Form.Encode()})
		return testkit.JSON(status, string(doc))
	}
}

// cpKeyJSON is cpPrivateKeyPEM as a JSON string literal.
var cpKeyJSON = func() string { b, _ := json.Marshal(cpPrivateKeyPEM); return string(b) }()

func TestSecretsNeverInErrorsOrDebugLogs(t *testing.T) {
	t.Parallel()
	calls := map[string]func(c *alicert.Client) (any, error){
		"CreateCertificateRequest": func(c *alicert.Client) (any, error) {
			return c.CAS.CreateCertificateRequest(t.Context(), cpValidCreate())
		},
		"DescribeCertificateState": func(c *alicert.Client) (any, error) {
			return c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: 98987582437920968})
		},
		"CreateCsr": func(c *alicert.Client) (any, error) {
			return c.CAS.CreateCsr(t.Context(), &alicert.CreateCsrInput{Algorithm: alicert.AlgorithmECC, KeySize: 256,
				CommonName: "example.com", CountryCode: "CN", Province: "Zhejiang", Locality: "Hangzhou"})
		},
		"GetCsrDetail": func(c *alicert.Client) (any, error) {
			return c.CAS.GetCsrDetail(t.Context(), &alicert.GetCsrDetailInput{CsrID: 5})
		},
		"CreateCertificate": func(c *alicert.Client) (any, error) {
			return c.KMS.CreateCertificate(t.Context(), &alicert.CreateCertificateInput{KeySpec: alicert.KeySpecRSA2048,
				Subject: alicert.Subject{CommonName: "example.com", Country: "CN", Organization: "Ex", OrganizationalUnit: "IT"}})
		},
		"UploadCertificate": func(c *alicert.Client) (any, error) {
			return c.KMS.UploadCertificate(t.Context(), &alicert.UploadCertificateInput{CertificateID: "c-1", Certificate: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"})
		},
	}
	scripts := map[string]testkit.Responder{
		"success with key":               testkit.Script(testkit.JSON(200, `{"RequestId":"OK","OrderId":1,"CsrId":2,"CertificateId":"c","Type":"certificate","Certificate":"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n","PrivateKey":`+cpKeyJSON+`}`)),
		"throttled then 503":             testkit.Script(cpErr(400, "Throttling.User", "slow"), cpErr(503, "ServiceUnavailable", "busy"), cpErr(503, "ServiceUnavailable", "busy")),
		"html 502 echoing the request":   cpEcho(502, "<html><body><h1>502</h1><pre>%s</pre></body></html>"),
		"json error echoing the request": cpEchoJSON(400, "InvalidParameter"),
		"json 500 echoing the request":   cpEchoJSON(500, "InternalError"),
		"signature mismatch":             cpSignatureMismatch(func(s string) string { return s }),
		"signature mismatch, changed":    cpSignatureMismatch(func(s string) string { return s + "%26X%3D1" }),
		"reset after write":              testkit.Script(testkit.Reply{Hijack: true}),
		"truncated body with key":        testkit.Script(testkit.JSON(200, `{"RequestId":"TR","PrivateKey":`+cpKeyJSON[:60])),
		"wrong type with key":            testkit.Script(testkit.JSON(200, `{"RequestId":"WT","PrivateKey":`+cpKeyJSON+`,"OrderId":"x","CsrId":[1],"Type":7}`)),
		"key in an html error":           testkit.Script(testkit.Reply{Status: 500, Body: "<pre>" + cpPrivateKeyPEM + "</pre>"}),
		"key in a json error":            testkit.Script(testkit.JSON(400, `{"Code":"Bad","Message":`+cpKeyJSON+`}`)),
		"token in a json error":          testkit.Script(testkit.JSON(400, `{"Code":"Bad","Message":"SecurityToken=`+cpToken+` is invalid"}`)),
		"expired timestamp":              testkit.Script(cpErr(400, "InvalidTimeStamp.Expired", "expired")),
		"oversized body":                 testkit.Script(testkit.JSON(200, `{"PrivateKey":`+cpKeyJSON+`,"Pad":"`+strings.Repeat("x", 1<<20)+`"}`)),
	}
	for _, alg := range []alicert.SignatureAlgorithm{alicert.SignatureHMACSHA1, alicert.SignatureACS3HMACSHA256} {
		for scriptName, respond := range scripts {
			for opName, call := range calls {
				t.Run(alg.String()+"/"+scriptName+"/"+opName, func(t *testing.T) {
					t.Parallel()
					srv := testkit.NewServer(t, respond)
					var logs cpLogBuffer
					c := clientOf(t, srv, alicert.WithSTSToken(cpKeyID, cpSecret, cpToken), alicert.WithLogger(cpDebugLogger(&logs)),
						alicert.WithSignatureAlgorithm(alg))

					out, err := call(c)
					sigs := srv.Signatures()
					require.NotEmpty(t, sigs, "the call reached the server")
					cpRequireCleanErr(t, err, sigs...)
					if err != nil {
						cpRequireNoSecret(t, "error chain", cpErrorChain(err), sigs...)
					}
					for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
						cpRequireNoSecret(t, "output "+verb, fmt.Sprintf(verb, out), sigs...)
					}
					require.NotEmpty(t, logs.String(), "one debug record per attempt")
					assert.Contains(t, logs.String(), opName)
					cpRequireNoSecret(t, "debug log", logs.String(), sigs...)
				})
			}
		}
	}
}

// cpErrorChain formats every error in err's chain, so that a secret kept
// in a wrapped error's fields (and shown by a caller who formats it) is
// found too.
func cpErrorChain(err error) string {
	var b strings.Builder
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		fmt.Fprintf(&b, "%v | %+v | %#v\n", e, e, e)
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		}
	}
	walk(err)
	return b.String()
}

func TestSecretsNeverInCredentialsOrValidationErrors(t *testing.T) {
	t.Parallel()
	srv := testkit.NewScripted(t, cpOrder(1))
	var logs cpLogBuffer
	c := clientOf(t, srv, alicert.WithCredentials(&testkit.CountingProvider{Err: fmt.Errorf("refresh failed: SecurityToken=%s", cpToken)}),
		alicert.WithLogger(cpDebugLogger(&logs)))
	_, err := c.CAS.CreateCertificateRequest(t.Context(), cpValidCreate())
	require.Error(t, err)
	cpRequireCleanErr(t, err)

	_, err = c.KMS.UploadCertificate(t.Context(), &alicert.UploadCertificateInput{CertificateID: "c", Certificate: cpPrivateKeyPEM, CertificateChain: cpPrivateKeyPEM})
	var verr *alicert.ValidationError
	require.ErrorAs(t, err, &verr)
	cpRequireCleanErr(t, err)
	cpRequireNoSecret(t, "debug log", logs.String())
	assert.Equal(t, 0, srv.Attempts())
}

// TestCredentialsErrorChainHoldsNoProfileSecret: credentials-go quotes a
// malformed ~/.aliyun/config.json whole; no level of the error chain, not
// even what errors.Unwrap returns, may carry it.
func TestCredentialsErrorChainHoldsNoProfileSecret(t *testing.T) {
	cpIsolateCredentialsEnv(t)
	home := os.Getenv("HOME")
	require.NoError(t, os.MkdirAll(filepath.Join(home, ".aliyun"), 0o700))
	cfg := `{"current":"default","profiles":[{"name":"default","mode":"AK","access_key_id":"LTAIkey","access_key_secret":"` + cpSecret + `",}]}`
	require.NoError(t, os.WriteFile(filepath.Join(home, ".aliyun", "config.json"), []byte(cfg), 0o600))
	srv := testkit.NewScripted(t, cpState("process"))
	c, err := alicert.NewClient(alicert.WithCASEndpoint(srv.URL))
	require.NoError(t, err)

	_, err = c.CAS.GetCsrDetail(t.Context(), &alicert.GetCsrDetailInput{CsrID: 1})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "config", "the summary still says where it looked")
	cpRequireNoSecret(t, "every level of the credentials error", cpErrorChain(err))
	assert.Equal(t, 0, srv.Attempts())
}

// TestClientHeldByValueFormatsWithoutSecrets: fmt cannot call methods on
// an unexported field, so a Client value held in one is printed field by
// field; its options and credentials are behind pointers.
func TestClientHeldByValueFormatsWithoutSecrets(t *testing.T) {
	t.Parallel()
	static, err := providers.NewStaticSTSCredentialsProviderBuilder().WithAccessKeyId(cpKeyID).
		WithAccessKeySecret(cpSecret).WithSecurityToken(cpToken).Build()
	require.NoError(t, err)
	for _, opt := range []alicert.Option{alicert.WithAccessKey(cpKeyID, cpSecret), alicert.WithSTSToken(cpKeyID, cpSecret, cpToken),
		alicert.WithCredentials(static)} {
		c, err := alicert.NewClient(opt)
		require.NoError(t, err)
		holder := struct {
			name   string
			client alicert.Client
		}{"h", *c}
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d", "%x"} {
			cpRequireNoSecret(t, verb, fmt.Sprintf(verb, holder))
		}
	}
}

// TestServiceTextReachesNoTerminalControl: control, bidi and zero-width
// characters in an error document are stripped before they reach an error
// message (and a terminal).
func TestServiceTextReachesNoTerminalControl(t *testing.T) {
	t.Parallel()
	const nasty = "\x1b[2J\x1b]0;pwned\x07\u202egnp.exe\u200b\r\nnext\x00\x85"
	srv := testkit.NewScripted(t, testkit.JSON(400, `{"RequestId":"R-1`+nasty+`","Code":"Bad`+nasty+`","Message":"m`+nasty+`","HostId":"h`+nasty+`","Recommend":"r`+nasty+`"}`))
	_, err := clientOf(t, srv).CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: 1})
	var apiErr *alicert.APIError
	require.ErrorAs(t, err, &apiErr)
	for _, s := range []string{err.Error(), apiErr.Code, apiErr.Message, apiErr.RequestID, apiErr.HostID, apiErr.Recommend} {
		for _, r := range s {
			assert.False(t, r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u202e' || r == '\u200b', "%q holds %U", s, r)
		}
	}
	assert.Contains(t, apiErr.Message, "gnp.exe", "the printable text is kept")
}

// secretsRow is the row of one wire operation in the secrets table: its
// input and output, which TestSecretsNeverInFormattedValues fills (every
// field that can hold a secret with one, by the rule of secrets_walk_test.go)
// and prints every way.
type secretsRow struct {
	op      string // "<Service>.<Operation>", as completenessOps names it
	in, out any    // pointers to the operation's input and output
}

// secretsRows has a row per wire operation: TestEveryOperationIsComplete
// fails, naming the operation, when one has none.
func secretsRows() []secretsRow {
	return []secretsRow{
		{"CASService.CancelCertificateForPackageRequest", &alicert.CancelCertificateForPackageRequestInput{}, &alicert.CancelCertificateForPackageRequestOutput{}},
		{"CASService.CancelOrderRequest", &alicert.CancelOrderRequestInput{}, &alicert.CancelOrderRequestOutput{}},
		{"CASService.CreateCertificateRequest", &alicert.CreateCertificateRequestInput{}, &alicert.CreateCertificateRequestOutput{}},
		{"CASService.CreateCertificateWithCsrRequest", &alicert.CreateCertificateWithCsrRequestInput{}, &alicert.CreateCertificateWithCsrRequestOutput{}},
		{"CASService.CreateCsr", &alicert.CreateCsrInput{}, &alicert.CreateCsrOutput{}},
		{"CASService.CreateDeploymentJob", &alicert.CreateDeploymentJobInput{}, &alicert.CreateDeploymentJobOutput{}},
		{"CASService.DeleteCertificateRequest", &alicert.DeleteCertificateRequestInput{}, &alicert.DeleteCertificateRequestOutput{}},
		{"CASService.DeleteDeploymentJob", &alicert.DeleteDeploymentJobInput{}, &alicert.DeleteDeploymentJobOutput{}},
		{"CASService.DeleteUserCertificate", &alicert.DeleteUserCertificateInput{}, &alicert.DeleteUserCertificateOutput{}},
		{"CASService.DescribeCertificateState", &alicert.DescribeCertificateStateInput{}, &alicert.DescribeCertificateStateOutput{}},
		{"CASService.DescribeDeploymentJob", &alicert.DescribeDeploymentJobInput{}, &alicert.DescribeDeploymentJobOutput{}},
		{"CASService.DescribePackageState", &alicert.DescribePackageStateInput{}, &alicert.DescribePackageStateOutput{}},
		{"CASService.GetCsrDetail", &alicert.GetCsrDetailInput{}, &alicert.GetCsrDetailOutput{}},
		{"CASService.GetUserCertificateDetail", &alicert.GetUserCertificateDetailInput{}, &alicert.GetUserCertificateDetailOutput{}},
		{"CASService.ListCloudResources", &alicert.ListCloudResourcesInput{}, &alicert.ListCloudResourcesOutput{}},
		{"CASService.ListContact", &alicert.ListContactInput{}, &alicert.ListContactOutput{}},
		{"CASService.ListDeploymentJob", &alicert.ListDeploymentJobInput{}, &alicert.ListDeploymentJobOutput{}},
		{"CASService.ListUserCertificateOrder", &alicert.ListUserCertificateOrderInput{}, &alicert.ListUserCertificateOrderOutput{}},
		{"CASService.ListWorkerResource", &alicert.ListWorkerResourceInput{}, &alicert.ListWorkerResourceOutput{}},
		{"CASService.RenewCertificateOrderForPackageRequest", &alicert.RenewCertificateOrderForPackageRequestInput{}, &alicert.RenewCertificateOrderForPackageRequestOutput{}},
		{"CASService.UpdateDeploymentJobStatus", &alicert.UpdateDeploymentJobStatusInput{}, &alicert.UpdateDeploymentJobStatusOutput{}},
		{"CASService.UpdateWorkerResourceStatus", &alicert.UpdateWorkerResourceStatusInput{}, &alicert.UpdateWorkerResourceStatusOutput{}},
		{"CASService.UploadUserCertificate", &alicert.UploadUserCertificateInput{}, &alicert.UploadUserCertificateOutput{}},
		{"KMSService.AsymmetricSign", &alicert.AsymmetricSignInput{}, &alicert.AsymmetricSignOutput{}},
		{"KMSService.CreateCertificate", &alicert.CreateCertificateInput{}, &alicert.CreateCertificateOutput{}},
		{"KMSService.CreateKey", &alicert.CreateKeyInput{}, &alicert.CreateKeyOutput{}},
		{"KMSService.GetPublicKey", &alicert.GetPublicKeyInput{}, &alicert.GetPublicKeyOutput{}},
		{"KMSService.ListKeyVersions", &alicert.ListKeyVersionsInput{}, &alicert.ListKeyVersionsOutput{}},
		{"KMSService.UploadCertificate", &alicert.UploadCertificateInput{}, &alicert.UploadCertificateOutput{}},
		{"DNSService.AddDomainRecord", &alicert.AddDomainRecordInput{}, &alicert.AddDomainRecordOutput{}},
		{"DNSService.DeleteDomainRecord", &alicert.DeleteDomainRecordInput{}, &alicert.DeleteDomainRecordOutput{}},
		{"DNSService.DescribeSubDomainRecords", &alicert.DescribeSubDomainRecordsInput{}, &alicert.DescribeSubDomainRecordsOutput{}},
		{"PCAService.CreateRootCACertificate", &alicert.CreateRootCACertificateInput{}, &alicert.CreateRootCACertificateOutput{}},
		{"PCAService.CreateSubCACertificate", &alicert.CreateSubCACertificateInput{}, &alicert.CreateSubCACertificateOutput{}},
		{"PCAService.DescribeCACertificate", &alicert.DescribeCACertificateInput{}, &alicert.DescribeCACertificateOutput{}},
		{"PCAService.DescribeCACertificateList", &alicert.DescribeCACertificateListInput{}, &alicert.DescribeCACertificateListOutput{}},
		{"PCAService.CreateServerCertificateWithCsr", &alicert.CreateServerCertificateWithCsrInput{}, &alicert.CreateServerCertificateWithCsrOutput{}},
		{"PCAService.CreateClientCertificateWithCsr", &alicert.CreateClientCertificateWithCsrInput{}, &alicert.CreateClientCertificateWithCsrOutput{}},
		{"PCAService.CreateCustomCertificate", &alicert.CreateCustomCertificateInput{}, &alicert.CreateCustomCertificateOutput{}},
		{"PCAService.DescribeClientCertificate", &alicert.DescribeClientCertificateInput{}, &alicert.DescribeClientCertificateOutput{}},
		{"PCAService.ListClientCertificate", &alicert.ListClientCertificateInput{}, &alicert.ListClientCertificateOutput{}},
		{"PCAService.CreateRevokeClientCertificate", &alicert.CreateRevokeClientCertificateInput{}, &alicert.CreateRevokeClientCertificateOutput{}},
		{"PCAService.ListRevokeCertificate", &alicert.ListRevokeCertificateInput{}, &alicert.ListRevokeCertificateOutput{}},
	}
}

// completenessSecretsRows fails for each operation of ops without a row in
// secretsRows, or whose row holds other types than the operation takes and
// returns.
func completenessSecretsRows(t *testing.T, ops []completenessOp) {
	t.Helper()
	rows := map[string]secretsRow{}
	for _, r := range secretsRows() {
		rows[r.op] = r
	}
	for _, op := range ops {
		row, ok := rows[op.String()]
		if !ok {
			t.Errorf("%s: no secrets row; add {%q, &alicert.%sInput{}, &alicert.%sOutput{}} to secretsRows in secrets_test.go",
				op, op.String(), op.name, op.name)
			continue
		}
		if got, want := reflect.TypeOf(row.in).String(), "*alicert."+op.name+"Input"; got != want {
			t.Errorf("%s: its secrets row's input is a %s, not a %s", op, got, want)
		}
		if got, want := reflect.TypeOf(row.out).String(), "*alicert."+op.name+"Output"; got != want {
			t.Errorf("%s: its secrets row's output is a %s, not a %s", op, got, want)
		}
	}
}

// TestSecretsNeverInFormattedValues: the input and output of every wire
// operation, with every field that can hold a secret holding one, show no
// secret through any fmt verb, slog handler or json.Marshal, by value, by
// pointer and nested; and neither do the clients and services, whatever
// their credentials.
func TestSecretsNeverInFormattedValues(t *testing.T) {
	t.Parallel()
	for _, row := range secretsRows() {
		t.Run(row.op, func(t *testing.T) {
			t.Parallel()
			for _, ptr := range []any{row.in, row.out} {
				v := reflect.ValueOf(ptr).Elem()
				swFill(v, swSecretFields(v.Type()), 0)
				for how, x := range swNestings(v) {
					for label, text := range swRenderings(x) {
						swRequireNoSecret(t, v.Type().String()+" "+how+" "+label, text)
						cpRequireNoSecret(t, v.Type().String()+" "+how+" "+label, text)
					}
				}
			}
		})
	}
}

// TestClientsNeverShowCredentials: a client and its services, used once,
// print no AccessKey secret or token under any verb, by value or pointer,
// alone or in a struct or slice.
func TestClientsNeverShowCredentials(t *testing.T) {
	t.Parallel()
	srv := testkit.NewScripted(t, cpOrder(1))
	clients := map[string]*alicert.Client{
		"sts":        clientOf(t, srv, alicert.WithSTSToken(cpKeyID, cpSecret, cpToken)),
		"access key": clientOf(t, srv),
		"provider":   clientOf(t, srv, alicert.WithCredentials(&testkit.CountingProvider{ID: cpKeyID, Secret: cpSecret, Token: cpToken})),
	}
	// Use each client once, so that any lazily filled state is populated.
	for name, c := range clients {
		_, err := c.CAS.CreateCertificateRequest(t.Context(), cpValidCreate())
		require.NoError(t, err, name)
	}
	values := map[string]any{}
	for name, c := range clients {
		values["Client "+name] = c
		values["Client value "+name] = *c
		values["CASService "+name] = c.CAS
		values["KMSService "+name] = c.KMS
		values["DNSService "+name] = c.DNS
		values["CASService value "+name] = *c.CAS
		values["KMSService value "+name] = *c.KMS
		values["Client in a struct "+name] = struct{ C *alicert.Client }{c}
		values["Client value in a struct "+name] = struct{ C alicert.Client }{*c}
	}
	for name, v := range values {
		// Pointers as well as values, and both inside a slice.
		for _, x := range []any{v, &v, []any{v}} {
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
				cpRequireNoSecret(t, name+" "+verb, fmt.Sprintf(verb, x))
			}
		}
	}
	// Any verb, not only the string ones: %d of a struct prints its fields.
	for name, c := range clients {
		for _, x := range []any{c, *c, c.CAS, *c.CAS, c.KMS, *c.KMS} {
			for _, verb := range []string{"%d", "%x", "%X", "%o", "%t", "%e", "%10.3v", "%-8s", "%U"} {
				cpRequireNoSecret(t, name+" "+verb, fmt.Sprintf(verb, x))
			}
		}
	}
	for _, out := range []any{
		&alicert.DescribeCertificateStateOutput{PrivateKey: cpPrivateKeyPEM},
		&alicert.GetCsrDetailOutput{PrivateKey: cpPrivateKeyPEM},
	} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d", "%x", "%q"} {
			s := fmt.Sprintf(verb, out)
			cpRequireNoSecret(t, verb, s)
			assert.Contains(t, s, "[redacted]", "a reader can tell the key is set")
		}
	}
}

// TestOutputsHideKeysFromSlogJSON: the JSON handler marshals values, past
// their String and Format methods.
func TestOutputsHideKeysFromSlogJSON(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	log.Info("state", "out", alicert.DescribeCertificateStateOutput{State: alicert.StateCertificate, PrivateKey: cpPrivateKeyPEM})
	log.Info("csr", "out", &alicert.GetCsrDetailOutput{Csr: "csr", PrivateKey: cpPrivateKeyPEM})
	log.Info("obtained", "out", alicert.ObtainOutput{OrderID: 7, PrivateKey: cpPrivateKeyPEM})
	cpRequireNoSecret(t, "slog JSON", buf.String())
	records := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, records, 3)
	for _, r := range records {
		assert.Contains(t, r, "[redacted]", "a reader can tell the key is set: %s", r)
	}
	assert.Contains(t, records[0], "certificate", "the other fields are still logged")
}

func TestPrivateKeyStillReadableFromOutputs(t *testing.T) {
	t.Parallel()
	// Hiding the key from %v must not hide it from the program.
	c, _ := setup(t, testkit.Script(testkit.JSON(200, `{"RequestId":"K","Type":"certificate","Csr":"c","PrivateKey":`+cpKeyJSON+`}`)))
	state, err := c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: 1})
	require.NoError(t, err)
	assert.Equal(t, cpPrivateKeyPEM, state.PrivateKey)
	detail, err := c.CAS.GetCsrDetail(t.Context(), &alicert.GetCsrDetailInput{CsrID: 1})
	require.NoError(t, err)
	assert.Equal(t, cpPrivateKeyPEM, detail.PrivateKey)
}

func TestDebugLogRecordsEachAttempt(t *testing.T) {
	t.Parallel()
	srv := testkit.NewScripted(t, testkit.Reply{Status: 503, Body: `{"Code":"ServiceUnavailable","Message":"busy"}`,
		Header: map[string]string{"x-acs-request-id": "LOG-REQ-1"}}, cpState("process"))
	var logs cpLogBuffer
	c := clientOf(t, srv, alicert.WithLogger(cpDebugLogger(&logs)))
	_, err := c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: 1})
	require.NoError(t, err)

	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	require.Len(t, lines, 2)
	for _, want := range []string{"action=DescribeCertificateState", "attempt=1", "status=503", "request_id=LOG-REQ-1", "duration=", "error="} {
		assert.Contains(t, lines[0], want)
	}
	assert.Contains(t, lines[1], "attempt=2")
	assert.Contains(t, lines[1], "status=200")
	assert.NotContains(t, logs.String(), cpKeyID+"&", "parameters are not logged")
	assert.NotContains(t, logs.String(), "SignatureNonce")
}

// TestSecretsOfLifecycleHidden: the keys of GetUserCertificateDetailOutput,
// UploadUserCertificateInput and ObtainInput never reach fmt, slog or JSON.
func TestSecretsOfLifecycleHidden(t *testing.T) {
	t.Parallel()
	key := lcFile(t, "key.pem")
	ecKey := lcKey(t)
	scalar := ecKey.D.String()
	values := []any{
		alicert.GetUserCertificateDetailOutput{ID: 1, Key: key, SignPrivateKey: key, EncryptPrivateKey: key},
		&alicert.UploadUserCertificateInput{Name: "n", Cert: "c", Key: key},
		alicert.ObtainInput{Domain: "www.example.com", Key: ecKey},
		&alicert.ObtainInput{Domain: "www.example.com", Key: ecKey},
		[]any{map[string]any{"nested": alicert.GetUserCertificateDetailOutput{Key: key}}},
	}
	for _, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%d", "%q"} {
			s := fmt.Sprintf(verb, v)
			assert.NotContains(t, s, "PRIVATE KEY", "%s of %T", verb, v)
			assert.NotContains(t, s, scalar, "%s of %T", verb, v)
		}
		b, err := json.Marshal(v)
		require.NoError(t, err)
		assert.NotContains(t, string(b), "PRIVATE KEY")
		assert.NotContains(t, string(b), scalar)
		var buf bytes.Buffer
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "v", v)
		assert.NotContains(t, buf.String(), "PRIVATE KEY")
		assert.NotContains(t, buf.String(), scalar)
	}
	// Hidden, yet set: a reader can still tell an empty key from a set one.
	assert.Contains(t, fmt.Sprint(alicert.GetUserCertificateDetailOutput{Key: key}), "Key:[redacted]")
	assert.Contains(t, fmt.Sprint(alicert.ObtainInput{Key: ecKey}), "*ecdsa.PrivateKey")
}

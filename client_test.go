package alicert_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/internal/testkit"
	"github.com/aliyun/credentials-go/credentials/providers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tests in this file pin down NewClient: its options, the default
// endpoints and the default credentials chain.

func TestNewClientRejectsBadOptions(t *testing.T) {
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIenvKeyId")
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret-must-not-be-used")
	cases := []struct {
		name string
		opts []alicert.Option
		want []string // pieces of the error message
	}{
		{"empty key id", []alicert.Option{alicert.WithAccessKey("", cpSecret)}, []string{"WithAccessKey", "key id"}},
		{"empty secret", []alicert.Option{alicert.WithAccessKey(cpKeyID, "")}, []string{"WithAccessKey", "secret"}},
		{"empty both", []alicert.Option{alicert.WithAccessKey("", "")}, []string{"key id and secret"}},
		{"sts empty token", []alicert.Option{alicert.WithSTSToken(cpKeyID, cpSecret, "")}, []string{"WithSTSToken", "token"}},
		{"sts empty secret", []alicert.Option{alicert.WithSTSToken(cpKeyID, "", cpToken)}, []string{"WithSTSToken", "secret"}},
		{"nil provider", []alicert.Option{alicert.WithCredentials(nil)}, []string{"WithCredentials"}},
		{"malformed URL", []alicert.Option{alicert.WithCASEndpoint("https://[::1")}, []string{"WithCASEndpoint"}},
		{"no scheme", []alicert.Option{alicert.WithKMSEndpoint("kms.cn-hangzhou.aliyuncs.com")}, []string{"WithKMSEndpoint", "scheme"}},
		{"ftp scheme", []alicert.Option{alicert.WithCASEndpoint("ftp://cas.aliyuncs.com")}, []string{"WithCASEndpoint", "scheme"}},
		{"no host", []alicert.Option{alicert.WithCASEndpoint("https://")}, []string{"WithCASEndpoint", "host"}},
		{"query", []alicert.Option{alicert.WithCASEndpoint("https://cas.aliyuncs.com/?x=1")}, []string{"WithCASEndpoint", "query"}},
		{"user info", []alicert.Option{alicert.WithCASEndpoint("https://me:pw@cas.aliyuncs.com")}, []string{"WithCASEndpoint", "user information"}},
		{"http to a remote host", []alicert.Option{alicert.WithCASEndpoint("http://cas.aliyuncs.com")}, []string{"WithCASEndpoint", "http://", "WithInsecureHTTP"}},
		{"http to a private address", []alicert.Option{alicert.WithKMSEndpoint("http://10.0.0.8:8080")}, []string{"WithKMSEndpoint", "WithInsecureHTTP"}},
		{"http to a name under .localhost", []alicert.Option{alicert.WithCASEndpoint("http://cas.localhost:8080")}, []string{"WithCASEndpoint", "WithInsecureHTTP"}},
		{"zero attempts", []alicert.Option{alicert.WithMaxAttempts(0)}, []string{"WithMaxAttempts", "at least 1"}},
		{"negative attempts", []alicert.Option{alicert.WithMaxAttempts(-3)}, []string{"WithMaxAttempts"}},
		{"negative delay", []alicert.Option{alicert.WithRetryDelay(-1, 0)}, []string{"WithRetryDelay"}},
		{"bad region", []alicert.Option{alicert.WithRegion("cn hangzhou/..")}, []string{"WithRegion"}},
		{"empty region", []alicert.Option{alicert.WithRegion("")}, []string{"WithRegion"}},
		{"last option wins", []alicert.Option{alicert.WithMaxAttempts(3), alicert.WithMaxAttempts(0)}, []string{"WithMaxAttempts"}},
		{"last credentials win", []alicert.Option{alicert.WithAccessKey(cpKeyID, cpSecret), alicert.WithAccessKey(cpKeyID, "")}, []string{"secret"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := alicert.NewClient(tc.opts...)
			require.Error(t, err)
			assert.Nil(t, c)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			cpRequireNoSecret(t, "NewClient error", err.Error())
			assert.NotContains(t, err.Error(), "pw@", "user information stays out of errors")
		})
	}
}

// TestNewClientErrorsNeverQuoteAnEndpointSecret: an endpoint's user
// information and its query or fragment may hold a password or token; the
// error that refuses the endpoint names its host, never those.
func TestNewClientErrorsNeverQuoteAnEndpointSecret(t *testing.T) {
	t.Parallel()
	for _, endpoint := range []string{
		"https://me:ep-secret@[::1",            // does not parse
		"ftp://me:ep-secret@cas.aliyuncs.com",  // bad scheme
		"https://me:ep-secret@/cas",            // no host
		"http://me:ep-secret@cas.aliyuncs.com", // user information
		"https://me:ep-secret@cas.aliyuncs.com/?a=1",
		"https://cas.aliyuncs.com/?token=ep-secret",
		"https://cas.aliyuncs.com/#ep-secret",
		"ftp://cas.aliyuncs.com/?token=ep-secret",
		"http://cas.aliyuncs.com/?token=ep-secret",
	} {
		_, err := alicert.NewClient(alicert.WithAccessKey(cpKeyID, cpSecret), alicert.WithCASEndpoint(endpoint))
		require.Error(t, err, endpoint)
		assert.Contains(t, err.Error(), "WithCASEndpoint", endpoint)
		assert.NotContains(t, err.Error(), "ep-secret", endpoint)
		if !strings.Contains(endpoint, "@") {
			assert.Contains(t, err.Error(), "cas.aliyuncs.com", "%s: the host is named", endpoint)
		}
	}
}

func TestPlainHTTPOnlyToLiteralLoopback(t *testing.T) {
	t.Parallel()
	for _, endpoint := range []string{"http://localhost:8080", "http://127.0.0.1:8080", "http://127.8.9.10", "http://[::1]:8080"} {
		rec := &cpURLRecorder{}
		c, err := alicert.NewClient(alicert.WithAccessKey(cpKeyID, cpSecret), alicert.WithCASEndpoint(endpoint),
			alicert.WithHTTPClient(&http.Client{Transport: rec}))
		require.NoError(t, err, endpoint)
		_, err = c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: 1})
		require.NoError(t, err, endpoint)
		assert.Equal(t, endpoint+"/", rec.last(), "the call goes to the endpoint as given")
	}
	for _, endpoint := range []string{"http://x.localhost", "http://localhost.example.com", "http://127.0.0.1.nip.io"} {
		_, err := alicert.NewClient(alicert.WithAccessKey(cpKeyID, cpSecret), alicert.WithCASEndpoint(endpoint))
		require.Error(t, err, endpoint)
		assert.Contains(t, err.Error(), "WithInsecureHTTP", "%s: the error names the opt-in", endpoint)
	}
}

// TestNilClientAndServicesDoNotPanic: a nil or zero Client or service says
// so instead of panicking.
func TestNilClientAndServicesDoNotPanic(t *testing.T) {
	t.Parallel()
	var c *alicert.Client
	assert.Equal(t, "alicert.Client(nil)", c.String())
	assert.Equal(t, "alicert.Client(nil) alicert.Client(nil)", fmt.Sprintf("%v %s", c, c))
	assert.Equal(t, "alicert.Client(nil)", (&alicert.Client{}).String())
	var cas *alicert.CASService
	var kms *alicert.KMSService
	assert.Equal(t, "alicert.CASService{}", cas.String())
	assert.Equal(t, "alicert.KMSService{}", kms.String())
	_, err := (&alicert.CASService{}).DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: 1})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "NewClient")
}

func TestNewClientReportsEveryBadOptionAtOnce(t *testing.T) {
	t.Parallel()
	_, err := alicert.NewClient(alicert.WithAccessKey("", ""), alicert.WithMaxAttempts(0), alicert.WithCASEndpoint("http://example.com"))
	require.Error(t, err)
	for _, w := range []string{"WithAccessKey", "WithMaxAttempts", "WithCASEndpoint"} {
		assert.Contains(t, err.Error(), w)
	}
}

// TestNewClientAcceptsGoodOptions: each accepted configuration makes a
// signed call to the endpoints it names (or the defaults).
func TestNewClientAcceptsGoodOptions(t *testing.T) {
	t.Parallel()
	const defaultCAS, defaultKMS = "https://cas.aliyuncs.com/", "https://kms.cn-hangzhou.aliyuncs.com/"
	cases := []struct {
		name     string
		opts     []alicert.Option
		cas, kms string // the endpoints called; empty for the default
		token    string // the SecurityToken sent
	}{
		{name: "loopback http", opts: []alicert.Option{alicert.WithCASEndpoint("http://127.0.0.1:8080"), alicert.WithKMSEndpoint("http://localhost:9")},
			cas: "http://127.0.0.1:8080/", kms: "http://localhost:9/"},
		{name: "ipv6 loopback http", opts: []alicert.Option{alicert.WithCASEndpoint("http://[::1]:8080/")}, cas: "http://[::1]:8080/"},
		{name: "insecure opt-in", opts: []alicert.Option{alicert.WithCASEndpoint("http://10.0.0.8:8080"), alicert.WithInsecureHTTP()}, cas: "http://10.0.0.8:8080/"},
		{name: "opt-in before", opts: []alicert.Option{alicert.WithInsecureHTTP(), alicert.WithKMSEndpoint("http://proxy.internal")}, kms: "http://proxy.internal/"},
		{name: "https with path", opts: []alicert.Option{alicert.WithCASEndpoint("https://proxy.example.com/cas/")}, cas: "https://proxy.example.com/cas/"},
		{name: "one attempt", opts: []alicert.Option{alicert.WithMaxAttempts(1)}},
		{name: "last credentials win", opts: []alicert.Option{alicert.WithAccessKey("", ""), alicert.WithAccessKey(cpKeyID, cpSecret)}},
		{name: "last attempts win", opts: []alicert.Option{alicert.WithMaxAttempts(0), alicert.WithMaxAttempts(2)}},
		{name: "nil option ignored", opts: []alicert.Option{nil}},
		{name: "provider", opts: []alicert.Option{alicert.WithCredentials(&testkit.CountingProvider{ID: cpKeyID, Secret: cpSecret})}},
		{name: "sts", opts: []alicert.Option{alicert.WithSTSToken(cpKeyID, cpSecret, cpToken)}, token: cpToken},
		{name: "zero delay", opts: []alicert.Option{alicert.WithRetryDelay(0, 0)}},
	}
	for _, tc := range cases {
		rec := &cpURLRecorder{}
		opts := append([]alicert.Option{alicert.WithAccessKey(cpKeyID, cpSecret)}, tc.opts...)
		c, err := alicert.NewClient(append(opts, alicert.WithHTTPClient(&http.Client{Transport: rec}))...)
		require.NoError(t, err, tc.name)

		_, err = c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: 1})
		require.NoError(t, err, tc.name)
		assert.Equal(t, cmp.Or(tc.cas, defaultCAS), rec.last(), tc.name)
		form := rec.lastForm()
		assert.Equal(t, cpKeyID, form.Get("AccessKeyId"), tc.name)
		assert.Equal(t, tc.token, form.Get("SecurityToken"), tc.name)
		assert.True(t, testkit.SignatureValid(form, cpSecret), "%s: signed with the secret given", tc.name)

		_, err = c.KMS.UploadCertificate(t.Context(), &alicert.UploadCertificateInput{CertificateID: "c", Certificate: "x"})
		require.NoError(t, err, tc.name)
		assert.Equal(t, cmp.Or(tc.kms, defaultKMS), rec.last(), tc.name)
	}
}

// cpURLRecorder is a transport that records request URLs and forms and
// answers each with a state document (which an upload accepts too).
type cpURLRecorder struct {
	mu    sync.Mutex
	urls  []string
	forms []url.Values
}

func (r *cpURLRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	form, _ := url.ParseQuery(string(body))
	r.mu.Lock()
	r.urls = append(r.urls, req.URL.String())
	r.forms = append(r.forms, form)
	r.mu.Unlock()
	return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(`{"RequestId":"R","Type":"process"}`)), Request: req}, nil
}

func (r *cpURLRecorder) last() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.urls) == 0 {
		return ""
	}
	return r.urls[len(r.urls)-1]
}

func (r *cpURLRecorder) lastForm() url.Values {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.forms) == 0 {
		return nil
	}
	return r.forms[len(r.forms)-1]
}

func TestDefaultEndpointsPerRegion(t *testing.T) {
	t.Parallel()
	cases := []struct{ region, cas, kms string }{
		{"", "https://cas.aliyuncs.com/", "https://kms.cn-hangzhou.aliyuncs.com/"}, // default region
		{"cn-hangzhou", "https://cas.aliyuncs.com/", "https://kms.cn-hangzhou.aliyuncs.com/"},
		{"cn-shanghai", "https://cas.aliyuncs.com/", "https://kms.cn-shanghai.aliyuncs.com/"},
		{"cn-beijing", "https://cas.aliyuncs.com/", "https://kms.cn-beijing.aliyuncs.com/"},
		{"ap-southeast-1", "https://cas.ap-southeast-1.aliyuncs.com/", "https://kms.ap-southeast-1.aliyuncs.com/"},
		{"cn-hongkong", "https://cas.aliyuncs.com/", "https://kms.cn-hongkong.aliyuncs.com/"},
		{"eu-central-1", "https://cas.eu-central-1.aliyuncs.com/", "https://kms.eu-central-1.aliyuncs.com/"},
		{"us-west-1", "https://cas.aliyuncs.com/", "https://kms.us-west-1.aliyuncs.com/"},
		{"ap-southeast-3", "https://cas.aliyuncs.com/", "https://kms.ap-southeast-3.aliyuncs.com/"},
	}
	for _, tc := range cases {
		rec := &cpURLRecorder{}
		opts := []alicert.Option{alicert.WithAccessKey(cpKeyID, cpSecret), alicert.WithHTTPClient(&http.Client{Transport: rec})}
		if tc.region != "" {
			opts = append(opts, alicert.WithRegion(tc.region))
		}
		c, err := alicert.NewClient(opts...)
		require.NoError(t, err, tc.region)

		_, err = c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: 1})
		require.NoError(t, err)
		assert.Equal(t, tc.cas, rec.last(), "CAS endpoint of %q", tc.region)

		_, err = c.KMS.UploadCertificate(t.Context(), &alicert.UploadCertificateInput{CertificateID: "c", Certificate: "x"})
		require.NoError(t, err)
		assert.Equal(t, tc.kms, rec.last(), "KMS endpoint of %q", tc.region)
	}
}

func TestEndpointOverrideLastWins(t *testing.T) {
	t.Parallel()
	first := testkit.NewScripted(t, cpState("process"))
	second := testkit.NewScripted(t, cpState("certificate"))
	c, err := alicert.NewClient(alicert.WithAccessKey(cpKeyID, cpSecret),
		alicert.WithCASEndpoint(first.URL), alicert.WithCASEndpoint(second.URL))
	require.NoError(t, err)

	out, err := c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: 1})
	require.NoError(t, err)
	assert.Equal(t, alicert.StateCertificate, out.State)
	assert.Equal(t, 0, first.Attempts())
	assert.Equal(t, 1, second.Attempts())
}

func TestRegionOptionLastWins(t *testing.T) {
	t.Parallel()
	rec := &cpURLRecorder{}
	c, err := alicert.NewClient(alicert.WithAccessKey(cpKeyID, cpSecret), alicert.WithHTTPClient(&http.Client{Transport: rec}),
		alicert.WithRegion("cn-hangzhou"), alicert.WithRegion("eu-central-1"))
	require.NoError(t, err)
	_, err = c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: 1})
	require.NoError(t, err)
	assert.Equal(t, "https://cas.eu-central-1.aliyuncs.com/", rec.last())
}

// cpIsolateCredentialsEnv empties every variable and file the default
// credentials chain reads, and turns off the ECS metadata lookup (no
// network in tests).
func cpIsolateCredentialsEnv(t *testing.T) {
	for _, k := range []string{
		"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN",
		"ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
		"ALIBABA_CLOUD_OIDC_TOKEN", "ALIBABA_CLOUD_CREDENTIALS_URI", "ALIBABA_CLOUD_CONFIG_FILE",
		"ALIBABA_CLOUD_CREDENTIALS_FILE", "ALIBABA_CLOUD_PROFILE", "ALIBABA_CLOUD_ECS_METADATA",
	} {
		t.Setenv(k, "")
	}
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	t.Setenv("HOME", t.TempDir())
}

// TestDefaultCredentialsFromEnvironment: with no credentials option, the
// AccessKey pair (and STS token) come from the environment.
func TestDefaultCredentialsFromEnvironment(t *testing.T) {
	for name, token := range map[string]string{"AccessKey pair": "", "STS token": cpToken} {
		t.Run(name, func(t *testing.T) {
			cpIsolateCredentialsEnv(t)
			t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", cpKeyID)
			t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", cpSecret)
			if token != "" {
				t.Setenv("ALIBABA_CLOUD_SECURITY_TOKEN", token)
			}
			srv := testkit.NewScripted(t, cpState("process"))
			c, err := alicert.NewClient(alicert.WithCASEndpoint(srv.URL))
			require.NoError(t, err)

			_, err = c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: 1})
			require.NoError(t, err)
			reqs := srv.Requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, cpKeyID, reqs[0].Form.Get("AccessKeyId"))
			assert.True(t, cpSigned(reqs[0]), "signed with the secret from the environment")
			assert.Equal(t, token, reqs[0].Form.Get("SecurityToken"))
		})
	}
}

func TestDefaultCredentialsMissingGivesClearError(t *testing.T) {
	cpIsolateCredentialsEnv(t)
	srv := testkit.NewScripted(t, cpState("process"))
	c, err := alicert.NewClient(alicert.WithCASEndpoint(srv.URL))
	require.NoError(t, err, "credentials are resolved on the first call, not by NewClient")

	_, err = c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: 1})
	require.Error(t, err)
	msg := err.Error()
	for _, source := range []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "profile", "credentials file", "ECS", "DescribeCertificateState"} {
		assert.Contains(t, msg, source)
	}
	assert.Equal(t, 0, srv.Attempts(), "nothing is sent without credentials")
	assert.NotErrorIs(t, err, alicert.ErrOutcomeUnknown)
	cpRequireNoSecret(t, "credentials error", msg)
}

func TestStaticKeyNeverFallsBackToEnvironment(t *testing.T) {
	cpIsolateCredentialsEnv(t)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIenvKeyId")
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret")
	srv := testkit.NewScripted(t, cpState("process"))
	c, err := alicert.NewClient(alicert.WithCASEndpoint(srv.URL), alicert.WithAccessKey(cpKeyID, cpSecret))
	require.NoError(t, err)
	_, err = c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: 1})
	require.NoError(t, err)
	assert.Equal(t, cpKeyID, srv.Requests()[0].Form.Get("AccessKeyId"))
}

func TestCredentialsProviderAskedOnEveryAttempt(t *testing.T) {
	t.Parallel()
	srv := testkit.NewScripted(t, cpErr(400, "Throttling", "x"), cpErr(503, "ServiceUnavailable", "y"), cpState("certificate"))
	p := &testkit.CountingProvider{ID: cpKeyID, Secret: cpSecret, Token: cpToken}
	c := clientOf(t, srv, alicert.WithCredentials(p))

	_, err := c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: 1})
	require.NoError(t, err)
	assert.Equal(t, int64(3), p.Calls())
	for _, r := range srv.Requests() {
		assert.True(t, cpSigned(r))
		assert.Equal(t, cpToken, r.Form.Get("SecurityToken"))
	}
}

func TestCredentialsProviderErrorStopsTheCall(t *testing.T) {
	t.Parallel()
	srv := testkit.NewScripted(t, cpOrder(1))
	p := &testkit.CountingProvider{Err: errors.New("sts endpoint unreachable")}
	c := clientOf(t, srv, alicert.WithCredentials(p))

	_, err := c.CAS.CreateCertificateRequest(t.Context(), cpValidCreate())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "sts endpoint unreachable")
	assert.Contains(t, err.Error(), "counting")
	// The provider's own error is summarised, not kept: credentials-go
	// quotes whole profile files in its errors.
	assert.NotErrorIs(t, err, p.Err)
	assert.Equal(t, 0, srv.Attempts())
	assert.NotErrorIs(t, err, alicert.ErrOutcomeUnknown)
}

func TestCredentialsProviderWithEmptySecretIsAnError(t *testing.T) {
	t.Parallel()
	srv := testkit.NewScripted(t, cpOrder(1))
	p := &testkit.CountingProvider{ID: cpKeyID} // no secret
	_, err := clientOf(t, srv, alicert.WithCredentials(p)).CAS.CreateCertificateRequest(t.Context(), cpValidCreate())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "empty key id or secret")
	assert.Contains(t, err.Error(), "counting", "the error names the provider")
	assert.Equal(t, int64(1), p.Calls())
	assert.Equal(t, 0, srv.Attempts(), "nothing is sent unsigned")
	assert.NotErrorIs(t, err, alicert.ErrOutcomeUnknown)
}

// cpCancelingProvider is a slow provider: the caller's ctx ends while it works.
type cpCancelingProvider struct{ cancel context.CancelFunc }

func (p cpCancelingProvider) GetCredentials() (*providers.Credentials, error) {
	p.cancel()
	return &providers.Credentials{AccessKeyId: cpKeyID, AccessKeySecret: cpSecret}, nil
}
func (cpCancelingProvider) GetProviderName() string { return "slow" }

// TestContextEndedDuringCredentialsIsNotAnUnknownOutcome: nothing was sent,
// so the user must not be sent to look for an order.
func TestContextEndedDuringCredentialsIsNotAnUnknownOutcome(t *testing.T) {
	t.Parallel()
	srv := testkit.NewScripted(t, cpOrder(1))
	ctx, cancel := context.WithCancel(t.Context())
	c := clientOf(t, srv, alicert.WithCredentials(cpCancelingProvider{cancel}))
	_, err := c.CAS.CreateCertificateRequest(ctx, cpValidCreate())
	require.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, alicert.ErrOutcomeUnknown)
	assert.Equal(t, 0, srv.Attempts())
}

func TestDefaultCredentialsChainRetriedAfterFailure(t *testing.T) {
	cpIsolateCredentialsEnv(t)
	srv := testkit.NewScripted(t, cpState("process"))
	c, err := alicert.NewClient(alicert.WithCASEndpoint(srv.URL))
	require.NoError(t, err)
	in := &alicert.DescribeCertificateStateInput{OrderID: 1}
	_, err = c.CAS.DescribeCertificateState(t.Context(), in)
	require.Error(t, err, "no source has credentials yet")

	// The keys appear later (a secret mounted after start-up): the next
	// call must find them instead of asking only the source tried last.
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", cpKeyID)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", cpSecret)
	_, err = c.CAS.DescribeCertificateState(t.Context(), in)
	require.NoError(t, err)
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, cpKeyID, reqs[0].Form.Get("AccessKeyId"))
}

func TestDescribeWithoutStateIsAnError(t *testing.T) {
	t.Parallel()
	// An empty 200 answer must not look like an order in no state:
	// WaitForCertificate would poll it until its context ends.
	c, srv := setup(t, testkit.Script(testkit.JSON(200, `{"RequestId":"REQ-EMPTY"}`)), alicert.WithMaxAttempts(1))
	out, err := c.CAS.WaitForCertificate(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: 1},
		alicert.WithPollInterval(time.Millisecond))
	require.Error(t, err)
	assert.Nil(t, out)
	assert.Contains(t, err.Error(), "DescribeCertificateState")
	assert.Contains(t, err.Error(), "REQ-EMPTY")
	assert.Equal(t, 1, srv.Attempts())
}

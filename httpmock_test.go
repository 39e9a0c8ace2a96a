package alicert_test

import (
	"errors"
	"net"
	"net/http"
	"testing"

	"github.com/alicert/alicert"
	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHTTPMockThroughWithHTTPClient mocks the service the way a user of the
// library would: an httpmock transport plugged in with WithHTTPClient,
// against the real default endpoint.
func TestHTTPMockThroughWithHTTPClient(t *testing.T) {
	t.Parallel()
	mock := httpmock.NewMockTransport()
	var forms []map[string]string
	mock.RegisterResponder(http.MethodPost, "https://cas.aliyuncs.com/",
		func(req *http.Request) (*http.Response, error) {
			if err := req.ParseForm(); err != nil {
				return nil, err
			}
			if len(req.URL.Query()) != 0 {
				return httpmock.NewStringResponse(400, `{"Code":"ParamsInURL"}`), nil
			}
			form := map[string]string{}
			for k := range req.PostForm {
				form[k] = req.PostForm.Get(k)
			}
			forms = append(forms, form)
			return httpmock.NewJsonResponse(200, map[string]any{"RequestId": "MOCK-1", "OrderId": int64(98987582437920968)})
		})
	c, err := alicert.NewClient(
		alicert.WithAccessKey(cpKeyID, cpSecret),
		alicert.WithHTTPClient(&http.Client{Transport: mock}),
	)
	require.NoError(t, err)

	out, err := c.CAS.CreateCertificateRequest(t.Context(), &alicert.CreateCertificateRequestInput{
		ProductCode: "digicert-free-1-free", Domain: "www.example.com", ValidateType: alicert.ValidateDNS,
		Username: "Zhang San", Phone: "13800000000", Email: "ops@example.com",
		Tags: []alicert.Tag{{Key: "env", Value: "prod"}},
	})
	require.NoError(t, err)
	assert.Equal(t, int64(98987582437920968), out.OrderID)
	assert.Equal(t, "MOCK-1", out.RequestID)

	assert.Equal(t, 1, mock.GetTotalCallCount())
	require.Len(t, forms, 1)
	form := forms[0]
	for k, want := range map[string]string{
		"Action": "CreateCertificateRequest", "Version": "2020-04-07", "Format": "JSON",
		"AccessKeyId": cpKeyID, "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
		"Domain": "www.example.com", "ValidateType": "DNS", "ProductCode": "digicert-free-1-free",
		"Tags.1.Key": "env", "Tags.1.Value": "prod",
	} {
		assert.Equal(t, want, form[k], k)
	}
	for _, k := range []string{"Signature", "SignatureNonce", "Timestamp"} {
		assert.NotEmpty(t, form[k], k)
	}
	assert.NotContains(t, form, "SecurityToken")
}

// TestHTTPMockDialErrorIsRetried: a user who mocks a network failure before
// the connection (a *net.OpError with Op "dial") sees the create retried.
func TestHTTPMockDialErrorIsRetried(t *testing.T) {
	t.Parallel()
	mock := httpmock.NewMockTransport()
	calls := 0
	mock.RegisterResponder(http.MethodPost, "https://cas.ap-southeast-1.aliyuncs.com/",
		func(req *http.Request) (*http.Response, error) {
			calls++
			if calls < 3 {
				return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}
			}
			return httpmock.NewStringResponse(200, `{"RequestId":"MOCK-2","OrderId":7}`), nil
		})
	c, err := alicert.NewClient(
		alicert.WithAccessKey(cpKeyID, cpSecret),
		alicert.WithRegion("ap-southeast-1"),
		alicert.WithHTTPClient(&http.Client{Transport: mock}),
		cpFastRetries,
	)
	require.NoError(t, err)

	out, err := c.CAS.CreateCertificateRequest(t.Context(), cpValidCreate())
	require.NoError(t, err)
	assert.Equal(t, int64(7), out.OrderID)
	assert.Equal(t, 3, calls)

	// Any other error may come after the request was written: not retried.
	mock.RegisterResponder(http.MethodPost, "https://cas.ap-southeast-1.aliyuncs.com/",
		httpmock.NewErrorResponder(errors.New("connection reset by peer")))
	mock.ZeroCallCounters()
	_, err = c.CAS.CreateCertificateRequest(t.Context(), cpValidCreate())
	assert.ErrorIs(t, err, alicert.ErrOutcomeUnknown)
	assert.Equal(t, 1, mock.GetTotalCallCount())
}

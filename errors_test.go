package alicert_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tests in this file pin down what a failed call returns: the fields of
// *APIError, and errors for bodies that are not what the service sends.

func TestAPIErrorFieldsFromJSONErrorDocument(t *testing.T) {
	t.Parallel()
	srv := testkit.NewScripted(t, testkit.JSON(404, `{
		"RequestId": "6D9D7B36-2F53-5E50-9E6B-F2CFD0B7E3A0",
		"HostId": "cas.aliyuncs.com",
		"Code": "InvalidOrderId.NotFound",
		"Message": "The order does not exist.",
		"Recommend": "https://api.aliyun.com/troubleshoot?q=InvalidOrderId.NotFound&product=cas"
	}`))
	c := clientOf(t, srv)

	_, err := c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: 12})
	var apiErr *alicert.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, &alicert.APIError{
		Operation:  "DescribeCertificateState",
		StatusCode: 404,
		Code:       "InvalidOrderId.NotFound",
		Message:    "The order does not exist.",
		RequestID:  "6D9D7B36-2F53-5E50-9E6B-F2CFD0B7E3A0",
		HostID:     "cas.aliyuncs.com",
		Recommend:  "https://api.aliyun.com/troubleshoot?q=InvalidOrderId.NotFound&product=cas",
	}, apiErr)
	msg := err.Error()
	for _, want := range []string{"DescribeCertificateState", "404", "InvalidOrderId.NotFound", "The order does not exist.", "6D9D7B36-2F53-5E50-9E6B-F2CFD0B7E3A0"} {
		assert.Contains(t, msg, want)
	}
	assert.False(t, apiErr.Throttled())
	assert.Equal(t, 1, srv.Attempts(), "a 4xx is not retried")
}

func TestAPIErrorRequestIDFromHeaderWhenBodyHasNone(t *testing.T) {
	t.Parallel()
	srv := testkit.NewScripted(t, testkit.Reply{Status: 403, Body: `{"Code":"Forbidden.RAM","Message":"User not authorized to operate on the specified resource."}`,
		Header: map[string]string{"x-acs-request-id": "HDR-REQ-1"}})
	c := clientOf(t, srv)

	_, err := c.CAS.GetCsrDetail(t.Context(), &alicert.GetCsrDetailInput{CsrID: 1})
	var apiErr *alicert.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "HDR-REQ-1", apiErr.RequestID)
	assert.Equal(t, "Forbidden.RAM", apiErr.Code)
}

const cpHTML502 = `<!DOCTYPE html>
<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>Tengine</center>
` + "\x00\x01\x1b[31m" + `
</body>
</html>`

// TestAPIErrorFromBodiesThatAreNoErrorDocument: a proxy's HTML page, one
// that quotes a key, or no body at all still gives an *APIError with the
// status, and at most a short, printable, secret-free excerpt.
func TestAPIErrorFromBodiesThatAreNoErrorDocument(t *testing.T) {
	t.Parallel()
	html := map[string]string{"Content-Type": "text/html"}
	for _, tc := range []struct {
		name  string
		reply testkit.Reply
		want  string // in the excerpt
	}{
		{"HTML page, key far below", testkit.Reply{Status: 502, Body: cpHTML502 + strings.Repeat("<p>filler</p>\n", 500) + cpPrivateKeyPEM, Header: html}, "502 Bad Gateway"},
		// A misconfigured proxy echoing a response that holds a key.
		{"key at the start", testkit.Reply{Status: 502, Body: "<pre>" + cpPrivateKeyPEM + "</pre>", Header: html}, ""},
		{"empty body", testkit.Reply{Status: 504}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := testkit.NewScripted(t, tc.reply)
			_, err := clientOf(t, srv, alicert.WithMaxAttempts(1)).CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: 12})
			var apiErr *alicert.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tc.reply.Status, apiErr.StatusCode)
			assert.Empty(t, apiErr.Code)
			assert.Contains(t, err.Error(), strconv.Itoa(tc.reply.Status))
			assert.Contains(t, apiErr.Message, tc.want)
			assert.LessOrEqual(t, len(apiErr.Message), 300, "an excerpt, not the page")
			for _, r := range apiErr.Message {
				assert.False(t, r < 0x20 || r == 0x7f, "control character %q in the excerpt", r)
			}
			cpRequireCleanErr(t, err)
		})
	}
}

func TestTruncatedJSONOnSuccessIsAnErrorNamingOperationAndRequestID(t *testing.T) {
	t.Parallel()
	t.Run("read, request id in the body", func(t *testing.T) {
		t.Parallel()
		c, _ := setup(t, testkit.Script(testkit.JSON(200, `{"RequestId":"BODY-REQ-7","Type":"certif`)), alicert.WithMaxAttempts(1))

		out, err := c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: 12})
		require.Error(t, err)
		assert.Nil(t, out, "never a zero value presented as success")
		assert.Contains(t, err.Error(), "DescribeCertificateState")
		assert.Contains(t, err.Error(), "BODY-REQ-7")
		assert.NotErrorIs(t, err, alicert.ErrOutcomeUnknown)
	})
	t.Run("create, request id in the header", func(t *testing.T) {
		t.Parallel()
		srv := testkit.NewScripted(t, testkit.Reply{Status: 200, Body: `{"OrderId":98987582437`,
			Header: map[string]string{"x-acs-request-id": "HDR-REQ-8"}})
		c := clientOf(t, srv)

		out, err := c.CAS.CreateCertificateRequest(t.Context(), cpValidCreate())
		require.Error(t, err)
		assert.Nil(t, out)
		assert.Contains(t, err.Error(), "CreateCertificateRequest")
		assert.Contains(t, err.Error(), "HDR-REQ-8")
		assert.ErrorIs(t, err, alicert.ErrOutcomeUnknown, "the order may exist")
		assert.Equal(t, 1, srv.Attempts())
	})
}

func TestSuccessBodyThatIsNotAnObjectIsAnError(t *testing.T) {
	t.Parallel()
	for _, body := range []string{``, `null`, `[]`, `"ok"`, `42`, `<html>ok</html>`, `{"Type":"certificate"} trailing`} {
		c, srv := setup(t, testkit.Script(testkit.JSON(200, body)), alicert.WithMaxAttempts(1))

		out, err := c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: 12})
		require.Error(t, err, "body %q", body)
		assert.Nil(t, out, "body %q: never a zero value presented as success", body)
		assert.Contains(t, err.Error(), "DescribeCertificateState", "body %q", body)
		var apiErr *alicert.APIError
		assert.False(t, errors.As(err, &apiErr), "body %q: a 200 is no service error", body)
		assert.Equal(t, 1, srv.Attempts(), "body %q: the same body would come back", body)
	}
}

func TestOversizedBodyIsAnError(t *testing.T) {
	t.Parallel()
	huge := `{"RequestId":"BIG-1","Type":"certificate","Content":"` + strings.Repeat("A", 1<<20) + `"}`
	t.Run("read", func(t *testing.T) {
		t.Parallel()
		c, srv := setup(t, testkit.Script(testkit.JSON(200, huge)))
		out, err := c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: 12})
		require.Error(t, err)
		assert.Nil(t, out)
		assert.Contains(t, err.Error(), "DescribeCertificateState")
		assert.Contains(t, err.Error(), "larger than")
		assert.Equal(t, 1, srv.Attempts(), "the same body would come back")
	})
	t.Run("create", func(t *testing.T) {
		t.Parallel()
		c, srv := setup(t, testkit.Script(testkit.JSON(200, `{"OrderId":1,"RequestId":"BIG-2","Pad":"`+strings.Repeat("A", 1<<20)+`"}`)))
		_, err := c.CAS.CreateCertificateRequest(t.Context(), cpValidCreate())
		assert.ErrorIs(t, err, alicert.ErrOutcomeUnknown)
		assert.Equal(t, 1, srv.Attempts())
	})
	t.Run("just under the limit decodes", func(t *testing.T) {
		t.Parallel()
		prefix := `{"RequestId":"OK-1","Type":"certificate","Content":"`
		body := prefix + strings.Repeat("A", 1<<20-len(prefix)-2) + `"}`
		require.Len(t, body, 1<<20)
		c, _ := setup(t, testkit.Script(testkit.JSON(200, body)))
		out, err := c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: 12})
		require.NoError(t, err)
		assert.Len(t, out.Content, 1<<20-len(prefix)-2)
	})
}

// TestCreateSuccessWithoutAUsableIDIsOutcomeUnknown: a 2xx to a create
// whose OrderId is missing, zero or does not fit an int64 exactly is no
// success: the order may exist, and the caller is told so.
func TestCreateSuccessWithoutAUsableIDIsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	for _, id := range []string{``, `,"OrderId":0`, `,"OrderId":null`,
		`,"OrderId":9223372036854775808`, `,"OrderId":1e19`, `,"OrderId":98987582437920968.5`, `,"OrderId":"98987582437920968"`} {
		srv := testkit.NewScripted(t, testkit.JSON(200, `{"RequestId":"NOID-1"`+id+`}`))
		out, err := clientOf(t, srv).CAS.CreateCertificateRequest(t.Context(), cpValidCreate())
		require.Error(t, err, id)
		assert.Nil(t, out)
		assert.ErrorIs(t, err, alicert.ErrOutcomeUnknown, id)
		assert.Contains(t, err.Error(), "OrderId", id)
		assert.Contains(t, err.Error(), "NOID-1", id)
		assert.Equal(t, 1, srv.Attempts(), id)
	}
}

// TestEmptyCsrDetailIsAnError: {} is no CSR, and a read that returns none
// must not look like one with an empty PEM.
func TestEmptyCsrDetailIsAnError(t *testing.T) {
	t.Parallel()
	srv := testkit.NewScripted(t, testkit.JSON(200, `{"RequestId":"R-E"}`))
	out, err := clientOf(t, srv, alicert.WithMaxAttempts(1)).CAS.GetCsrDetail(t.Context(), &alicert.GetCsrDetailInput{CsrID: 1})
	require.Error(t, err)
	assert.Nil(t, out)
	assert.Contains(t, err.Error(), "GetCsrDetail")
	assert.Contains(t, err.Error(), "R-E")
	assert.NotErrorIs(t, err, alicert.ErrOutcomeUnknown, "a read has no unknown outcome")
}

func TestCreateOrderIDExactAboveFloat64Precision(t *testing.T) {
	t.Parallel()
	for _, id := range []int64{98987582437920968, 1<<53 + 1, 9223372036854775807} {
		srv := testkit.NewScripted(t, cpOrder(id))
		out, err := clientOf(t, srv).CAS.CreateCertificateRequest(t.Context(), cpValidCreate())
		require.NoError(t, err)
		assert.Equal(t, id, out.OrderID)
	}
}

// cpSignatureMismatch answers like the service does when it computes a
// different signature, quoting its string-to-sign; alter changes the string
// the server signs, as a proxy rewriting the body would.
func cpSignatureMismatch(alter func(string) string) testkit.Responder {
	return func(r testkit.Request) testkit.Reply {
		sts := alter(testkit.StringToSign(r.Method, r.Form))
		return cpErr(400, "SignatureDoesNotMatch",
			"Specified signature is not matched with our calculation. server string to sign is:"+sts)
	}
}

func TestSignatureDoesNotMatchExplainsTheLikelyCause(t *testing.T) {
	t.Parallel()
	same := func(s string) string { return s }
	changed := func(s string) string { return strings.Replace(s, "www.example.com", "www.example.org", 1) }
	// create sends a valid create to a server that answers it with a
	// mismatch whose string-to-sign is alter'ed, and returns the APIError.
	create := func(t *testing.T, alter func(string) string, opts ...alicert.Option) (*testkit.Server, *alicert.APIError, error) {
		t.Helper()
		srv := testkit.NewServer(t, cpSignatureMismatch(alter))
		_, err := clientOf(t, srv, opts...).CAS.CreateCertificateRequest(t.Context(), cpValidCreate())
		var apiErr *alicert.APIError
		require.ErrorAs(t, err, &apiErr)
		return srv, apiErr, err
	}

	t.Run("same string-to-sign: the secret is wrong", func(t *testing.T) {
		t.Parallel()
		srv, apiErr, err := create(t, same)
		assert.Equal(t, "SignatureDoesNotMatch", apiErr.Code)
		assert.Contains(t, apiErr.Message, "secret is most likely wrong")
		assert.NotContains(t, apiErr.Message, "differs")
		assert.Equal(t, 1, srv.Attempts(), "a signature mismatch is not retried")
		cpRequireCleanErr(t, err, srv.Signatures()...)
	})
	t.Run("different string-to-sign: the request was changed", func(t *testing.T) {
		t.Parallel()
		srv, apiErr, err := create(t, changed)
		assert.Contains(t, apiErr.Message, "differs")
		assert.NotContains(t, apiErr.Message, "secret is most likely wrong")
		cpRequireCleanErr(t, err, srv.Signatures()...)
	})
	t.Run("STS token scrubbed from the quoted string-to-sign", func(t *testing.T) {
		t.Parallel()
		srv, apiErr, err := create(t, same, alicert.WithSTSToken(cpKeyID, cpSecret, cpToken))
		reqs := srv.Requests()
		require.Len(t, reqs, 1)
		require.Equal(t, cpToken, reqs[0].Form.Get("SecurityToken"), "the token was sent")
		assert.Contains(t, apiErr.Message, "[quoted string-to-sign omitted]")
		assert.Contains(t, apiErr.Message, "secret is most likely wrong", "scrubbing must not hide the comparison")
		cpRequireCleanErr(t, err, srv.Signatures()...)
	})
	t.Run("no parameter value is quoted", func(t *testing.T) {
		t.Parallel()
		for _, alter := range []func(string) string{same, changed} {
			buf := new(cpLogBuffer)
			_, _, err := create(t, alter, alicert.WithLogger(cpDebugLogger(buf)))
			in := cpValidCreate() // what create sent
			for _, personal := range []string{in.Username, in.Phone, in.Email, "Ada", "13800001234", "ops%40example.com", "ops%2540example.com"} {
				assert.NotContains(t, err.Error(), personal)
				assert.NotContains(t, buf.String(), personal)
			}
		}
	})
	t.Run("STS token with characters the redactor stops at", func(t *testing.T) {
		t.Parallel()
		// A provider may hand out any string as a token; '&' encodes to
		// "%26", where a generic redactor ends a value.
		const oddToken = "CAIS-odd&cpOddTokenTail"
		_, apiErr, err := create(t, same, alicert.WithSTSToken(cpKeyID, cpSecret, oddToken))
		assert.Contains(t, apiErr.Message, "secret is most likely wrong")
		assert.NotContains(t, err.Error(), "cpOddTokenTail")
	})
	t.Run("STS token scrubbed when the strings differ", func(t *testing.T) {
		t.Parallel()
		srv, apiErr, err := create(t, changed, alicert.WithSTSToken(cpKeyID, cpSecret, cpToken))
		assert.Contains(t, apiErr.Message, "differs")
		cpRequireCleanErr(t, err, srv.Signatures()...)
	})
}

func TestInvalidTimeStampExpiredExplainedAsClockSkew(t *testing.T) {
	t.Parallel()
	srv := testkit.NewScripted(t, cpErr(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired."))
	_, err := clientOf(t, srv).CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: 1})
	var apiErr *alicert.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Contains(t, apiErr.Message, "clock")
}

func TestValidationErrorSendsNothing(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, testkit.Script(cpOrder(1)))

	_, err := c.CAS.CreateCertificateRequest(t.Context(), &alicert.CreateCertificateRequestInput{
		ProductCode: "nope", Email: "not-an-address", ValidateType: "HTTP",
		Tags: []alicert.Tag{{Key: "", Value: "v"}},
	})
	var verr *alicert.ValidationError
	require.ErrorAs(t, err, &verr)
	assert.Equal(t, "CreateCertificateRequest", verr.Operation)
	assert.ElementsMatch(t, []string{"ProductCode", "Username", "Phone", "Email", "Domain", "ValidateType", "Tags[0].Key"}, cpFieldNames(verr))
	assert.Equal(t, 0, srv.Attempts())
	assert.False(t, errors.Is(err, alicert.ErrOutcomeUnknown))
}

func TestOversizedErrorResponseIsStillAnAPIError(t *testing.T) {
	t.Parallel()
	// A proxy's error page larger than the body limit: the status alone
	// classifies the response.
	page := testkit.Reply{Status: 503, Body: "<html>" + strings.Repeat("<p>busy</p>", 1<<17) + "</html>",
		Header: map[string]string{"Content-Type": "text/html", "x-acs-request-id": "BIG-ERR"}}
	t.Run("read: retried like any 5xx", func(t *testing.T) {
		t.Parallel()
		srv := testkit.NewScripted(t, page, cpState("certificate"))
		out, err := clientOf(t, srv).CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: 3})
		require.NoError(t, err)
		assert.Equal(t, alicert.StateCertificate, out.State)
		assert.Equal(t, 2, srv.Attempts())
	})
	t.Run("read: the last one is an APIError", func(t *testing.T) {
		t.Parallel()
		srv := testkit.NewScripted(t, page)
		_, err := clientOf(t, srv, alicert.WithMaxAttempts(1)).CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: 3})
		var apiErr *alicert.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 503, apiErr.StatusCode)
		assert.Equal(t, "BIG-ERR", apiErr.RequestID)
		assert.LessOrEqual(t, len(apiErr.Message), 300)
	})
	t.Run("create: outcome unknown and an APIError", func(t *testing.T) {
		t.Parallel()
		srv := testkit.NewScripted(t, page, cpOrder(1))
		_, err := clientOf(t, srv).CAS.CreateCertificateRequest(t.Context(), cpValidCreate())
		assert.ErrorIs(t, err, alicert.ErrOutcomeUnknown)
		var apiErr *alicert.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 503, apiErr.StatusCode)
		assert.Equal(t, 1, srv.Attempts())
	})
	t.Run("4xx with an oversized body: a definite APIError", func(t *testing.T) {
		t.Parallel()
		srv := testkit.NewScripted(t, testkit.Reply{Status: 400, Body: `{"Code":"Throttling","Message":"` + strings.Repeat("x", 1<<20) + `"}`}, cpOrder(1))
		_, err := clientOf(t, srv).CAS.CreateCertificateRequest(t.Context(), cpValidCreate())
		// The code cannot be read from a body that is not read: a 4xx whose
		// body is unreadable is a definite failure, not a throttle.
		var apiErr *alicert.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 400, apiErr.StatusCode)
		assert.Equal(t, 1, srv.Attempts())
	})
}

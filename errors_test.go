package alicert_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/alicert/alicert"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tests in this file pin down what a failed call returns: the fields of
// *APIError, and errors for bodies that are not what the service sends.

func TestAPIErrorFieldsFromJSONErrorDocument(t *testing.T) {
	t.Parallel()
	srv := newScriptedServer(t, cpJSON(404, `{
		"RequestId": "6D9D7B36-2F53-5E50-9E6B-F2CFD0B7E3A0",
		"HostId": "cas.aliyuncs.com",
		"Code": "InvalidOrderId.NotFound",
		"Message": "The order does not exist.",
		"Recommend": "https://api.aliyun.com/troubleshoot?q=InvalidOrderId.NotFound&product=cas"
	}`))
	c := srv.client(t)

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
	assert.Equal(t, 1, srv.attempts(), "a 4xx is not retried")
}

func TestAPIErrorRequestIDFromHeaderWhenBodyHasNone(t *testing.T) {
	t.Parallel()
	srv := newScriptedServer(t, scriptedReply{status: 403, body: `{"Code":"Forbidden.RAM","Message":"User not authorized to operate on the specified resource."}`,
		header: map[string]string{"x-acs-request-id": "HDR-REQ-1"}})
	c := srv.client(t)

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

func TestAPIErrorFromHTMLBodyHasStatusAndShortSafeExcerpt(t *testing.T) {
	t.Parallel()
	srv := newScriptedServer(t, scriptedReply{status: 502, body: cpHTML502 + strings.Repeat("<p>filler</p>\n", 500) + cpPrivateKeyPEM,
		header: map[string]string{"Content-Type": "text/html"}})
	c := srv.client(t, alicert.WithMaxAttempts(1))

	_, err := c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: 12})
	var apiErr *alicert.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 502, apiErr.StatusCode)
	assert.Empty(t, apiErr.Code)
	assert.Contains(t, apiErr.Message, "502 Bad Gateway")
	assert.LessOrEqual(t, len(apiErr.Message), 300, "an excerpt, not the page")
	for _, r := range apiErr.Message {
		assert.False(t, r < 0x20 || r == 0x7f, "control character %q in the excerpt", r)
	}
	assert.NotContains(t, apiErr.Message, "\n")
	cpRequireCleanErr(t, err)
}

func TestAPIErrorHTMLExcerptHidesPrivateKey(t *testing.T) {
	t.Parallel()
	// A misconfigured proxy echoing a response that holds a key.
	srv := newScriptedServer(t, scriptedReply{status: 502, body: "<pre>" + cpPrivateKeyPEM + "</pre>"})
	c := srv.client(t, alicert.WithMaxAttempts(1))

	_, err := c.CAS.GetCsrDetail(t.Context(), &alicert.GetCsrDetailInput{CsrID: 12})
	var apiErr *alicert.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 502, apiErr.StatusCode)
	cpRequireCleanErr(t, err)
}

func TestAPIErrorEmptyBody(t *testing.T) {
	t.Parallel()
	srv := newScriptedServer(t, scriptedReply{status: 504})
	c := srv.client(t, alicert.WithMaxAttempts(1))

	_, err := c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: 12})
	var apiErr *alicert.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 504, apiErr.StatusCode)
	assert.Empty(t, apiErr.Code)
	assert.Contains(t, err.Error(), "504")
}

func TestTruncatedJSONOnSuccessIsAnErrorNamingOperationAndRequestID(t *testing.T) {
	t.Parallel()
	t.Run("read, request id in the body", func(t *testing.T) {
		t.Parallel()
		srv := newScriptedServer(t, cpJSON(200, `{"RequestId":"BODY-REQ-7","Type":"certif`))
		c := srv.client(t, alicert.WithMaxAttempts(1))

		out, err := c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: 12})
		require.Error(t, err)
		assert.Nil(t, out, "never a zero value presented as success")
		assert.Contains(t, err.Error(), "DescribeCertificateState")
		assert.Contains(t, err.Error(), "BODY-REQ-7")
		assert.NotErrorIs(t, err, alicert.ErrOutcomeUnknown)
	})
	t.Run("create, request id in the header", func(t *testing.T) {
		t.Parallel()
		srv := newScriptedServer(t, scriptedReply{status: 200, body: `{"OrderId":98987582437`,
			header: map[string]string{"x-acs-request-id": "HDR-REQ-8"}})
		c := srv.client(t)

		out, err := c.CAS.CreateCertificateRequest(t.Context(), cpValidCreate())
		require.Error(t, err)
		assert.Nil(t, out)
		assert.Contains(t, err.Error(), "CreateCertificateRequest")
		assert.Contains(t, err.Error(), "HDR-REQ-8")
		assert.ErrorIs(t, err, alicert.ErrOutcomeUnknown, "the order may exist")
		assert.Equal(t, 1, srv.attempts())
	})
}

func TestSuccessBodyThatIsNotAnObjectIsAnError(t *testing.T) {
	t.Parallel()
	for _, body := range []string{``, `null`, `[]`, `"ok"`, `42`, `<html>ok</html>`, `{"Type":"certificate"} trailing`} {
		srv := newScriptedServer(t, cpJSON(200, body))
		c := srv.client(t, alicert.WithMaxAttempts(1))

		out, err := c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: 12})
		assert.Error(t, err, "body %q", body)
		assert.Nil(t, out, "body %q: never a zero value presented as success", body)
	}
}

func TestOversizedBodyIsAnError(t *testing.T) {
	t.Parallel()
	huge := `{"RequestId":"BIG-1","Type":"certificate","Content":"` + strings.Repeat("A", 1<<20) + `"}`
	t.Run("read", func(t *testing.T) {
		t.Parallel()
		srv := newScriptedServer(t, cpJSON(200, huge))
		c := srv.client(t)
		out, err := c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: 12})
		require.Error(t, err)
		assert.Nil(t, out)
		assert.Contains(t, err.Error(), "DescribeCertificateState")
		assert.Contains(t, err.Error(), "larger than")
		assert.Equal(t, 1, srv.attempts(), "the same body would come back")
	})
	t.Run("create", func(t *testing.T) {
		t.Parallel()
		srv := newScriptedServer(t, cpJSON(200, `{"OrderId":1,"RequestId":"BIG-2","Pad":"`+strings.Repeat("A", 1<<20)+`"}`))
		c := srv.client(t)
		_, err := c.CAS.CreateCertificateRequest(t.Context(), cpValidCreate())
		assert.ErrorIs(t, err, alicert.ErrOutcomeUnknown)
		assert.Equal(t, 1, srv.attempts())
	})
	t.Run("just under the limit decodes", func(t *testing.T) {
		t.Parallel()
		prefix := `{"RequestId":"OK-1","Type":"certificate","Content":"`
		body := prefix + strings.Repeat("A", 1<<20-len(prefix)-2) + `"}`
		require.Len(t, body, 1<<20)
		srv := newScriptedServer(t, cpJSON(200, body))
		c := srv.client(t)
		out, err := c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: 12})
		require.NoError(t, err)
		assert.Len(t, out.Content, 1<<20-len(prefix)-2)
	})
}

func TestCreateSuccessWithoutIDIsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	for _, body := range []string{`{"RequestId":"NOID-1"}`, `{"RequestId":"NOID-1","OrderId":0}`, `{"RequestId":"NOID-1","OrderId":null}`} {
		srv := newScriptedServer(t, cpJSON(200, body))
		c := srv.client(t)

		out, err := c.CAS.CreateCertificateRequest(t.Context(), cpValidCreate())
		require.Error(t, err, body)
		assert.Nil(t, out)
		assert.ErrorIs(t, err, alicert.ErrOutcomeUnknown, body)
		assert.Contains(t, err.Error(), "OrderId")
		assert.Contains(t, err.Error(), "NOID-1")
		assert.Equal(t, 1, srv.attempts())
	}
}

func TestOrderIDThatDoesNotFitInt64IsAnError(t *testing.T) {
	t.Parallel()
	for _, id := range []string{`9223372036854775808`, `1e19`, `98987582437920968.5`, `"98987582437920968"`} {
		srv := newScriptedServer(t, cpJSON(200, `{"RequestId":"BIGID","OrderId":`+id+`}`))
		c := srv.client(t)

		out, err := c.CAS.CreateCertificateRequest(t.Context(), cpValidCreate())
		require.Error(t, err, id)
		assert.Nil(t, out)
		assert.ErrorIs(t, err, alicert.ErrOutcomeUnknown, id)
		assert.Contains(t, err.Error(), "BIGID")
	}
}

func TestCreateOrderIDExactAboveFloat64Precision(t *testing.T) {
	t.Parallel()
	for _, id := range []int64{98987582437920968, 1<<53 + 1, 9223372036854775807} {
		srv := newScriptedServer(t, cpOrder(id))
		out, err := srv.client(t).CAS.CreateCertificateRequest(t.Context(), cpValidCreate())
		require.NoError(t, err)
		assert.Equal(t, id, out.OrderID)
	}
}

// cpSignatureMismatch answers like the service does when it computes a
// different signature, quoting its string-to-sign; alter changes the string
// the server signs, as a proxy rewriting the body would.
func cpSignatureMismatch(alter func(string) string) scriptedReply {
	return scriptedReply{fn: func(r scriptedRequest) scriptedReply {
		sts := alter(scriptedStringToSign(r.form))
		return cpErr(400, "SignatureDoesNotMatch",
			"Specified signature is not matched with our calculation. server string to sign is:"+sts)
	}}
}

func TestSignatureDoesNotMatchExplainsTheLikelyCause(t *testing.T) {
	t.Parallel()
	same := func(s string) string { return s }
	changed := func(s string) string { return strings.Replace(s, "www.example.com", "www.example.org", 1) }

	t.Run("same string-to-sign: the secret is wrong", func(t *testing.T) {
		t.Parallel()
		srv := newScriptedServer(t, cpSignatureMismatch(same))
		_, err := srv.client(t).CAS.CreateCertificateRequest(t.Context(), cpValidCreate())
		var apiErr *alicert.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, "SignatureDoesNotMatch", apiErr.Code)
		assert.Contains(t, apiErr.Message, "secret is most likely wrong")
		assert.NotContains(t, apiErr.Message, "differs")
		assert.Equal(t, 1, srv.attempts(), "a signature mismatch is not retried")
		cpRequireCleanErr(t, err, srv.signatures()...)
	})
	t.Run("different string-to-sign: the request was changed", func(t *testing.T) {
		t.Parallel()
		srv := newScriptedServer(t, cpSignatureMismatch(changed))
		_, err := srv.client(t).CAS.CreateCertificateRequest(t.Context(), cpValidCreate())
		var apiErr *alicert.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Contains(t, apiErr.Message, "differs")
		assert.NotContains(t, apiErr.Message, "secret is most likely wrong")
	})
	t.Run("STS token scrubbed from the quoted string-to-sign", func(t *testing.T) {
		t.Parallel()
		srv := newScriptedServer(t, cpSignatureMismatch(same))
		c := srv.client(t, alicert.WithSTSToken(cpKeyID, cpSecret, cpToken))
		_, err := c.CAS.CreateCertificateRequest(t.Context(), cpValidCreate())
		var apiErr *alicert.APIError
		require.ErrorAs(t, err, &apiErr)
		reqs := srv.received()
		require.Len(t, reqs, 1)
		require.Equal(t, cpToken, reqs[0].form.Get("SecurityToken"), "the token was sent")
		assert.Contains(t, apiErr.Message, "SecurityToken%3D[redacted]", "the token's place is marked")
		assert.Contains(t, apiErr.Message, "secret is most likely wrong", "scrubbing must not hide the comparison")
		cpRequireCleanErr(t, err, srv.signatures()...)
	})
	t.Run("STS token with characters the redactor stops at", func(t *testing.T) {
		t.Parallel()
		// A provider may hand out any string as a token; '&' encodes to
		// "%26", where a generic redactor ends a value.
		const oddToken = "CAIS-odd&cpOddTokenTail"
		srv := newScriptedServer(t, cpSignatureMismatch(same))
		c := srv.client(t, alicert.WithSTSToken(cpKeyID, cpSecret, oddToken))
		_, err := c.CAS.CreateCertificateRequest(t.Context(), cpValidCreate())
		var apiErr *alicert.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Contains(t, apiErr.Message, "secret is most likely wrong")
		assert.NotContains(t, err.Error(), "cpOddTokenTail")
	})
	t.Run("STS token scrubbed when the strings differ", func(t *testing.T) {
		t.Parallel()
		srv := newScriptedServer(t, cpSignatureMismatch(changed))
		c := srv.client(t, alicert.WithSTSToken(cpKeyID, cpSecret, cpToken))
		_, err := c.CAS.CreateCertificateRequest(t.Context(), cpValidCreate())
		var apiErr *alicert.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Contains(t, apiErr.Message, "differs")
		cpRequireCleanErr(t, err, srv.signatures()...)
	})
}

func TestInvalidTimeStampExpiredExplainedAsClockSkew(t *testing.T) {
	t.Parallel()
	srv := newScriptedServer(t, cpErr(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired."))
	_, err := srv.client(t).CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: 1})
	var apiErr *alicert.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Contains(t, apiErr.Message, "clock")
}

func TestValidationErrorSendsNothing(t *testing.T) {
	t.Parallel()
	srv := newScriptedServer(t, cpOrder(1))
	c := srv.client(t)

	_, err := c.CAS.CreateCertificateRequest(t.Context(), &alicert.CreateCertificateRequestInput{
		ProductCode: "nope", Email: "not-an-address", ValidateType: "HTTP",
		Tags: []alicert.Tag{{Key: "", Value: "v"}},
	})
	var verr *alicert.ValidationError
	require.ErrorAs(t, err, &verr)
	assert.Equal(t, "CreateCertificateRequest", verr.Operation)
	var fields []string
	for _, f := range verr.Fields {
		fields = append(fields, f.Field)
	}
	assert.ElementsMatch(t, []string{"ProductCode", "Username", "Phone", "Email", "Domain", "ValidateType", "Tags[0].Key"}, fields)
	assert.Equal(t, 0, srv.attempts())
	assert.False(t, errors.Is(err, alicert.ErrOutcomeUnknown))
}

func TestOversizedErrorResponseIsStillAnAPIError(t *testing.T) {
	t.Parallel()
	// A proxy's error page larger than the body limit: the status alone
	// classifies the response.
	page := scriptedReply{status: 503, body: "<html>" + strings.Repeat("<p>busy</p>", 1<<17) + "</html>",
		header: map[string]string{"Content-Type": "text/html", "x-acs-request-id": "BIG-ERR"}}
	t.Run("read: retried like any 5xx", func(t *testing.T) {
		t.Parallel()
		srv := newScriptedServer(t, page, cpState("certificate"))
		out, err := srv.client(t).CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: 3})
		require.NoError(t, err)
		assert.Equal(t, alicert.StateCertificate, out.State)
		assert.Equal(t, 2, srv.attempts())
	})
	t.Run("read: the last one is an APIError", func(t *testing.T) {
		t.Parallel()
		srv := newScriptedServer(t, page)
		_, err := srv.client(t, alicert.WithMaxAttempts(1)).CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: 3})
		var apiErr *alicert.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 503, apiErr.StatusCode)
		assert.Equal(t, "BIG-ERR", apiErr.RequestID)
		assert.LessOrEqual(t, len(apiErr.Message), 300)
	})
	t.Run("create: outcome unknown and an APIError", func(t *testing.T) {
		t.Parallel()
		srv := newScriptedServer(t, page, cpOrder(1))
		_, err := srv.client(t).CAS.CreateCertificateRequest(t.Context(), cpValidCreate())
		assert.ErrorIs(t, err, alicert.ErrOutcomeUnknown)
		var apiErr *alicert.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 503, apiErr.StatusCode)
		assert.Equal(t, 1, srv.attempts())
	})
	t.Run("4xx with an oversized body: a definite APIError", func(t *testing.T) {
		t.Parallel()
		srv := newScriptedServer(t, scriptedReply{status: 400, body: `{"Code":"Throttling","Message":"` + strings.Repeat("x", 1<<20) + `"}`}, cpOrder(1))
		_, err := srv.client(t).CAS.CreateCertificateRequest(t.Context(), cpValidCreate())
		// The code cannot be read from a body that is not read: a 4xx whose
		// body is unreadable is a definite failure, not a throttle.
		var apiErr *alicert.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 400, apiErr.StatusCode)
		assert.Equal(t, 1, srv.attempts())
	})
}

package alicert

import (
	"bytes"
	"context"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// decodeFuzzOp is one operation of the decode fuzz: its descriptor, and a
// constructor for its output type.
type decodeFuzzOp struct {
	op     *operation
	newOut func() any
}

// decodeFuzzRow is the row of op, whose output type is Out.
func decodeFuzzRow[Out any](op *operation) decodeFuzzOp {
	return decodeFuzzOp{op: op, newOut: func() any { return new(Out) }}
}

// decodeFuzzOps has one row per operation; TestEveryOperationIsComplete
// fails for an operation without one.
var decodeFuzzOps = []decodeFuzzOp{
	decodeFuzzRow[CreateCertificateRequestOutput](opCreateCertificateRequest),
	decodeFuzzRow[DescribeCertificateStateOutput](opDescribeCertificateState),
	decodeFuzzRow[CreateCsrOutput](opCreateCsr),
	decodeFuzzRow[GetCsrDetailOutput](opGetCsrDetail),
	decodeFuzzRow[CreateCertificateWithCsrRequestOutput](opCreateCertificateWithCsrRequest),
	decodeFuzzRow[ListUserCertificateOrderOutput](opListUserCertificateOrder),
	decodeFuzzRow[GetUserCertificateDetailOutput](opGetUserCertificateDetail),
	decodeFuzzRow[UploadUserCertificateOutput](opUploadUserCertificate),
	decodeFuzzRow[DeleteUserCertificateOutput](opDeleteUserCertificate),
	decodeFuzzRow[DeleteCertificateRequestOutput](opDeleteCertificateRequest),
	decodeFuzzRow[CancelOrderRequestOutput](opCancelOrderRequest),
	decodeFuzzRow[CancelCertificateForPackageRequestOutput](opCancelCertificateForPackageRequest),
	decodeFuzzRow[RenewCertificateOrderForPackageRequestOutput](opRenewCertificateOrderForPackageRequest),
	decodeFuzzRow[DescribePackageStateOutput](opDescribePackageState),
	decodeFuzzRow[ListCloudResourcesOutput](opListCloudResources),
	decodeFuzzRow[ListContactOutput](opListContact),
	decodeFuzzRow[CreateDeploymentJobOutput](opCreateDeploymentJob),
	decodeFuzzRow[UpdateDeploymentJobStatusOutput](opUpdateDeploymentJobStatus),
	decodeFuzzRow[DescribeDeploymentJobOutput](opDescribeDeploymentJob),
	decodeFuzzRow[ListWorkerResourceOutput](opListWorkerResource),
	decodeFuzzRow[UpdateWorkerResourceStatusOutput](opUpdateWorkerResourceStatus),
	decodeFuzzRow[DeleteDeploymentJobOutput](opDeleteDeploymentJob),
	decodeFuzzRow[ListDeploymentJobOutput](opListDeploymentJob),
	decodeFuzzRow[CreateCertificateOutput](opCreateCertificate),
	decodeFuzzRow[UploadCertificateOutput](opUploadCertificate),
	decodeFuzzRow[CreateKeyOutput](opCreateKey),
	decodeFuzzRow[GetPublicKeyOutput](opGetPublicKey),
	decodeFuzzRow[AsymmetricSignOutput](opAsymmetricSign),
	decodeFuzzRow[ListKeyVersionsOutput](opListKeyVersions),
	decodeFuzzRow[AddDomainRecordOutput](opAddDomainRecord),
	decodeFuzzRow[DescribeSubDomainRecordsOutput](opDescribeSubDomainRecords),
	decodeFuzzRow[DeleteDomainRecordOutput](opDeleteDomainRecord),
	decodeFuzzRow[CreateRootCACertificateOutput](opCreateRootCACertificate),
	decodeFuzzRow[CreateSubCACertificateOutput](opCreateSubCACertificate),
	decodeFuzzRow[DescribeCACertificateOutput](opDescribeCACertificate),
	decodeFuzzRow[DescribeCACertificateListOutput](opDescribeCACertificateList),
	decodeFuzzRow[CreateServerCertificateWithCsrOutput](opCreateServerCertificateWithCsr),
	decodeFuzzRow[CreateClientCertificateWithCsrOutput](opCreateClientCertificateWithCsr),
	decodeFuzzRow[CreateCustomCertificateOutput](opCreateCustomCertificate),
	decodeFuzzRow[DescribeClientCertificateOutput](opDescribeClientCertificate),
	decodeFuzzRow[ListClientCertificateOutput](opListClientCertificate),
	decodeFuzzRow[CreateRevokeClientCertificateOutput](opCreateRevokeClientCertificate),
	decodeFuzzRow[ListRevokeCertificateOutput](opListRevokeCertificate),
}

// TestDecodeFuzzRowsMatchTheirOperation: each row decodes into the output
// type of its own operation, so that a row copied from another fuzzes the
// operation it names.
func TestDecodeFuzzRowsMatchTheirOperation(t *testing.T) {
	t.Parallel()
	for _, row := range decodeFuzzOps {
		if got := reflect.TypeOf(row.newOut()).Elem().Name(); got != row.op.action+"Output" {
			t.Errorf("the row of %s decodes into %s", row.op.action, got)
		}
	}
}

// decodeFuzzResponder answers every request with one status and body, in process.
type decodeFuzzResponder struct {
	status int
	body   []byte
}

func (f *decodeFuzzResponder) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: f.status, Header: http.Header{}, Request: r,
		Body: io.NopCloser(bytes.NewReader(f.body)), ContentLength: int64(len(f.body)),
	}, nil
}

// FuzzDecodeResponse drives the real response path (read with its limit,
// classify, parse the error or decode the output) with arbitrary statuses
// and bodies, for every operation's output type: the result must be a value
// or an error that follows the contract, never a panic.
//
// The seed corpus in testdata/fuzz/FuzzDecodeResponse runs with go test;
// explore further with
//
//	go test -run '^$' -fuzz FuzzDecodeResponse -fuzztime 60s .
func FuzzDecodeResponse(f *testing.F) {
	f.Add(200, []byte(`{"RequestId":"R","OrderId":98987582437920968}`))
	f.Add(502, []byte(`<html><body>502 Bad Gateway</body></html>`))

	responder := &decodeFuzzResponder{}
	c, err := NewClient(WithAccessKey("fuzz-id", "fuzz-secret"), WithMaxAttempts(1),
		WithHTTPClient(&http.Client{Transport: responder}))
	if err != nil {
		f.Fatal(err)
	}
	c.cfg.sleep = func(context.Context, time.Duration) error { return nil }

	f.Fuzz(func(t *testing.T, status int, body []byte) {
		responder.status, responder.body = status, body
		for _, tc := range decodeFuzzOps {
			out := tc.newOut()
			err := c.send(context.Background(), tc.op, nil, out)
			decodeFuzzCheck(t, tc.op, status, body, out, err)
		}
	})
}

// decodeFuzzCheck asserts the contract for one response.
func decodeFuzzCheck(t *testing.T, op *operation, status int, body []byte, out any, err error) {
	t.Helper()
	ok2xx := status >= 200 && status <= 299
	if err == nil {
		if !ok2xx {
			t.Fatalf("%s: HTTP %d accepted as success", op.action, status)
		}
		if trimmed := bytes.TrimSpace(body); len(trimmed) == 0 || trimmed[0] != '{' {
			t.Fatalf("%s: body %q accepted as success", op.action, body)
		}
		if c, ok := out.(idChecker); ok && c.missingID() != "" {
			t.Fatalf("%s: success without its id: %s", op.action, c.missingID())
		}
		return
	}

	msg := err.Error()
	if !strings.Contains(msg, op.action) {
		t.Fatalf("the error does not name the operation %s: %s", op.action, msg)
	}
	if block := decodeFuzzKeyBlock(msg); block != "" {
		t.Fatalf("%s: the error holds a private key block (%s): %s", op.action, block, msg)
	}
	var apiErr *APIError
	isAPI := errors.As(err, &apiErr)
	unknown := errors.Is(err, ErrOutcomeUnknown)
	switch {
	case ok2xx && isAPI:
		// An error document in a 2xx (a gateway's throttling, a service
		// error): an APIError that names its code, never an unknown
		// outcome for a read or for a throttled create.
		if apiErr.Code == "" || apiErr.StatusCode != status || apiErr.Operation != op.action {
			t.Fatalf("%s: HTTP %d gave APIError{Code: %q, StatusCode: %d, Operation: %q}", op.action, status, apiErr.Code, apiErr.StatusCode, apiErr.Operation)
		}
		if unknown && (op.kind != opCreate || apiErr.Throttled()) {
			t.Fatalf("%s: HTTP %d code %q: an unknown outcome", op.action, status, apiErr.Code)
		}
	case ok2xx:
		if unknown != (op.kind == opCreate) {
			t.Fatalf("%s: a 2xx body that does not decode: ErrOutcomeUnknown is %v: %v", op.action, unknown, err)
		}
	default:
		if !isAPI {
			t.Fatalf("%s: HTTP %d without an APIError: %v", op.action, status, err)
		}
		if apiErr.StatusCode != status || apiErr.Operation != op.action {
			t.Fatalf("%s: APIError{StatusCode: %d, Operation: %q} for HTTP %d", op.action, apiErr.StatusCode, apiErr.Operation, status)
		}
		// A create's outcome is unknown when the service may have acted: a
		// 5xx, a code of the service's own failure whatever the status, or
		// SignatureNonceUsed (an earlier copy of the request got there).
		mayHaveActed := status >= 500 || apiErr.Code == "SignatureNonceUsed" ||
			slices.ContainsFunc([]string{"InternalError", "ServiceUnavailable", "UnknownError", "ServerBusy", "SystemError", "ServiceTimeout"},
				func(c string) bool { return apiErr.Code == c || strings.HasPrefix(apiErr.Code, c+".") })
		wantUnknown := op.kind == opCreate && mayHaveActed && !apiErr.Throttled()
		if unknown != wantUnknown {
			t.Fatalf("%s: HTTP %d code %q: ErrOutcomeUnknown is %v, want %v", op.action, status, apiErr.Code, unknown, wantUnknown)
		}
		if apiErr.Code == "" && len(apiErr.Message) > 300 {
			t.Fatalf("%s: the excerpt of a non-JSON body is %d bytes long", op.action, len(apiErr.Message))
		}
	}
}

// decodeFuzzKeyBlock returns the type of the first PEM private key block that
// decodes from s, if any.
func decodeFuzzKeyBlock(s string) string {
	rest := []byte(s)
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return ""
		}
		if strings.HasSuffix(block.Type, "PRIVATE KEY") {
			return block.Type
		}
	}
}

func TestDecodeResponseSeedsCoverEveryOutcome(t *testing.T) {
	t.Parallel()
	// The seed corpus is only useful if it reaches each branch; check that
	// a few landmark seeds classify as expected, through the same path.
	responder := &decodeFuzzResponder{}
	c, err := NewClient(WithAccessKey("fuzz-id", "fuzz-secret"), WithMaxAttempts(1),
		WithHTTPClient(&http.Client{Transport: responder}))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		status  int
		body    string
		wantErr bool
		unknown bool
	}{
		{200, `{"RequestId":"R","OrderId":98987582437920968}`, false, false},
		{200, `{"RequestId":"R","OrderId":98987`, true, true},
		{200, `null`, true, true},
		{503, `{"Code":"ServiceUnavailable"}`, true, true},
		{503, `{"Code":"Throttling.User"}`, true, false},
		{400, `{"Code":"InvalidParameter"}`, true, false},
	}
	for _, tc := range cases {
		responder.status, responder.body = tc.status, []byte(tc.body)
		out := new(CreateCertificateRequestOutput)
		err := c.send(t.Context(), opCreateCertificateRequest, nil, out)
		if (err != nil) != tc.wantErr || errors.Is(err, ErrOutcomeUnknown) != tc.unknown {
			t.Errorf("HTTP %d %s: err = %v, want error %v, unknown %v", tc.status, tc.body, err, tc.wantErr, tc.unknown)
		}
		if err == nil && out.OrderID != 98987582437920968 {
			t.Errorf("OrderID = %d", out.OrderID)
		}
	}
}

package signer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/alicert/alicert"
)

func TestClassify(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want failure
	}{
		{"throttled", &alicert.APIError{StatusCode: 400, Code: "Throttling.User"}, transient},
		{"5xx", &alicert.APIError{StatusCode: 503, Code: "ServiceUnavailable"}, transient},
		{"html page", &alicert.APIError{StatusCode: 502}, transient},
		{"nonce replayed", &alicert.APIError{StatusCode: 400, Code: "SignatureNonceUsed"}, transient},
		{"connection refused", fmt.Errorf("wrapped: %w", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}), transient},
		{"deadline", fmt.Errorf("call: %w", context.DeadlineExceeded), transient},
		{"unknown error", errors.New("the Kubernetes API said no"), transient},
		{"bad key", &alicert.APIError{StatusCode: 404, Code: "InvalidAccessKeyId.NotFound"}, credentials},
		{"bad signature", &alicert.APIError{StatusCode: 400, Code: "SignatureDoesNotMatch"}, credentials},
		{"no permission", &alicert.APIError{StatusCode: 403, Code: "NoPermission"}, credentials},
		{"forbidden status", &alicert.APIError{StatusCode: 403, Code: "Something"}, credentials},
		{"no credentials", fmt.Errorf("call: %w", alicert.ErrNoCredentials), credentials},
		{"invalid parameter", &alicert.APIError{StatusCode: 400, Code: "InvalidParameter"}, refused},
		{"validation", &alicert.ValidationError{Operation: "X", Fields: []alicert.FieldError{{Field: "A", Problem: "b"}}}, refused},
		{"issued but not as asked", fmt.Errorf("signing: %w", &alicert.IssuedCertificateError{Identifier: "c1", Err: errors.New("it lacks a name")}), refused},
	}
	for _, c := range cases {
		if got := classify(c.err); got != c.want {
			t.Errorf("%s: classify = %d, want %d", c.name, got, c.want)
		}
	}
}

func TestRetryBackoff(t *testing.T) {
	for _, c := range []struct{ age, want time.Duration }{
		{0, time.Second},
		{5 * time.Second, time.Second},
		{30 * time.Second, 3 * time.Second},
		{10 * time.Minute, time.Minute},
		{24 * time.Hour, 5 * time.Minute},
	} {
		if got := retryBackoff(c.age); got != c.want {
			t.Errorf("retryBackoff(%s) = %s, want %s", c.age, got, c.want)
		}
	}
}

func TestCSRNames(t *testing.T) {
	got := csrNames("WWW.example.com", []string{"www.example.com", "www.example.com.", "api.example.com"})
	if len(got) != 2 || got[0] != "WWW.example.com" || got[1] != "api.example.com" {
		t.Errorf("csrNames = %q, want the common name and api.example.com, each once", got)
	}
}

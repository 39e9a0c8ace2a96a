package alicert

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/alicert/alicert/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Under signature V3 an upload's private key travels in the query, as the
// official SDK sends it. These tests check that the request URL, which
// carries it, reaches no error, no log line and no second attempt.

// v3KeyFragment is a line of the lifecycle fixture's private key: what must
// appear nowhere but on the wire.
func v3KeyFragment(t *testing.T) string {
	t.Helper()
	lines := strings.Split(lcFixtureMust("key.pem"), "\n")
	require.Greater(t, len(lines), 2)
	return lines[1]
}

func v3Upload(c *Client) error {
	_, err := c.CAS.UploadUserCertificate(context.Background(), &UploadUserCertificateInput{
		Name: "v3_upload", Cert: lcFixtureMust("cert.pem"), Key: lcFixtureMust("key.pem")})
	return err
}

// TestV3URLNeverInTransportErrors: net/http's *url.Error quotes the request
// URL; alicert's error names the endpoint alone, and the create is not sent
// twice.
func TestV3URLNeverInTransportErrors(t *testing.T) {
	t.Parallel()
	fragment := v3KeyFragment(t)
	for name, rt := range map[string]func(*http.Request) (*http.Response, error){
		"reset after write": nil,
		"transport quoting the URL": func(r *http.Request) (*http.Response, error) {
			return nil, fmt.Errorf("proxy refused %s", r.URL)
		},
		"transport quoting the decoded key": func(r *http.Request) (*http.Response, error) {
			return nil, fmt.Errorf("proxy refused key %q", r.URL.Query().Get("Key"))
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := testkit.NewScripted(t, testkit.Reply{Hijack: true}, testkit.Reply{Hijack: true})
			var logs bytes.Buffer
			opts := []Option{WithSignatureAlgorithm(SignatureACS3HMACSHA256), WithMaxAttempts(3),
				WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))}
			attempts := 0
			if rt != nil {
				opts = append(opts, WithHTTPClient(&http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
					attempts++
					return rt(r)
				})}))
			}
			c := clientOf(t, srv, opts...)
			err := v3Upload(c)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrOutcomeUnknown, "an upload that may have been sent has an unknown outcome")
			if rt == nil {
				assert.Equal(t, 1, srv.Attempts(), "a create is never sent twice")
				var ue *url.Error
				require.True(t, errors.As(err, &ue), "net/http's error stays in the chain")
				assert.Equal(t, srv.URL+"/", ue.URL, "the *url.Error names the endpoint only")
			} else {
				assert.Equal(t, 1, attempts, "a create is never sent twice")
			}
			for label, text := range map[string]string{"error": err.Error(), "%+v": fmt.Sprintf("%+v", err),
				"chain": errorChainText(err), "log": logs.String()} {
				assert.NotContains(t, text, fragment, label)
				assert.NotContains(t, text, url.QueryEscape(fragment), label)
				assert.NotContains(t, text, "PRIVATE", label)
			}
		})
	}
}

// errorChainText formats every error of err's chain with %#v too, which
// shows unexported fields.
func errorChainText(err error) string {
	var b strings.Builder
	for e := err; e != nil; e = errors.Unwrap(e) {
		fmt.Fprintf(&b, "%v | %#v\n", e, e)
	}
	return b.String()
}

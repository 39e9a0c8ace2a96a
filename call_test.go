package alicert

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/alicert/alicert/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReadLimited reads bodies up to the limit whatever Content-Length says,
// and refuses one byte more.
func TestReadLimited(t *testing.T) {
	t.Parallel()
	big := bytes.Repeat([]byte("x"), maxResponseBytes)
	cases := []struct {
		name    string
		body    []byte
		size    int64 // Content-Length, -1 when unknown
		wrap    func(io.Reader) io.Reader
		wantErr error
	}{
		{name: "empty", body: nil, size: 0},
		{name: "empty, size unknown", body: nil, size: -1},
		{name: "small, exact size", body: []byte(`{"a":1}`), size: 7},
		{name: "small, size unknown", body: []byte(`{"a":1}`), size: -1},
		{name: "EOF with the last bytes", body: []byte(`{"a":1}`), size: 7, wrap: iotest.DataErrReader},
		{name: "one byte at a time", body: []byte(strings.Repeat("y", 3000)), size: -1, wrap: iotest.OneByteReader},
		{name: "size stated too small", body: []byte(strings.Repeat("z", 5000)), size: 10},
		{name: "size stated too large", body: []byte("short"), size: 4096},
		{name: "exactly the limit", body: big, size: maxResponseBytes},
		{name: "exactly the limit, size unknown", body: big, size: -1},
		{name: "one byte over", body: append(big, 'x'), size: maxResponseBytes + 1, wantErr: errBodyTooLarge},
		{name: "one byte over, size unknown", body: append(big, 'x'), size: -1, wantErr: errBodyTooLarge},
		{name: "far over, size stated small", body: append(big, big...), size: 10, wantErr: errBodyTooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var r io.Reader = bytes.NewReader(tc.body)
			if tc.wrap != nil {
				r = tc.wrap(r)
			}
			got, err := readLimited(r, tc.size)
			if tc.wantErr != nil {
				assert.ErrorIs(t, err, tc.wantErr)
				assert.Nil(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, len(tc.body), len(got))
			assert.True(t, bytes.Equal(tc.body, got), "the body read differs")
		})
	}
	t.Run("read error", func(t *testing.T) {
		t.Parallel()
		boom := errors.New("connection reset")
		got, err := readLimited(io.MultiReader(strings.NewReader("part"), iotest.ErrReader(boom)), 100)
		assert.ErrorIs(t, err, boom)
		assert.Nil(t, got)
	})
}

// TestDebugLogRequestID: a success whose request id is only in its body
// still logs the id; the x-acs-request-id header wins when present.
func TestDebugLogRequestID(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, header, want string }{
		{name: "in the body only", want: "request_id=BODY-REQ-1"},
		{name: "in the header too", header: "HEADER-REQ-2", want: "request_id=HEADER-REQ-2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			reply := testkit.JSON(http.StatusOK, `{"CsrId": 7, "Csr": "csr", "RequestId": "BODY-REQ-1"}`)
			if tc.header != "" {
				reply.Header = map[string]string{"x-acs-request-id": tc.header}
			}
			srv := testkit.NewScripted(t, reply)
			var logs bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			c, err := NewClient(WithAccessKey("id", "secret"), WithCASEndpoint(srv.URL), WithLogger(logger))
			require.NoError(t, err)
			out, err := c.CAS.CreateCsr(t.Context(), &CreateCsrInput{Algorithm: AlgorithmECC, KeySize: 256,
				CommonName: "example.com", CountryCode: "CN", Province: "Zhejiang", Locality: "Hangzhou"})
			require.NoError(t, err)
			assert.Equal(t, "BODY-REQ-1", out.RequestID)
			assert.Contains(t, logs.String(), tc.want)
			if tc.header != "" {
				assert.NotContains(t, logs.String(), "request_id=BODY-REQ-1", "the header wins")
			}
		})
	}
}

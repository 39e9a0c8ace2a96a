package alicert_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rdKeyBody is a line of a fake private key: its absence from an output
// proves the key is not there.
const rdKeyBody = "MHcCAQEEIRedactedTestKeyBodyThatMustNeverBeMarshalled"

const rdKeyPEM = "-----BEGIN EC PRIVATE KEY-----\n" + rdKeyBody + "\n-----END EC PRIVATE KEY-----\n"

// rdOutputs are the outputs that hold a private key, each with the key and
// another field set.
func rdOutputs() map[string]any {
	return map[string]any{
		"DescribeCertificateStateOutput": alicert.DescribeCertificateStateOutput{
			State: alicert.StateCertificate, Certificate: "CERT-PEM", PrivateKey: rdKeyPEM, CertID: "12345", RequestID: "REQ-1"},
		"GetCsrDetailOutput": alicert.GetCsrDetailOutput{Csr: "CSR-PEM", PrivateKey: rdKeyPEM, RequestID: "REQ-2"},
		"ObtainOutput":       alicert.ObtainOutput{OrderID: 98987582437920969, Certificate: "CERT-PEM", PrivateKey: rdKeyPEM},
	}
}

// rdNestings puts v by value and by pointer in a struct, a slice and a map.
func rdNestings(v any) map[string]any {
	switch o := v.(type) {
	case alicert.DescribeCertificateStateOutput:
		return rdNest(o)
	case alicert.GetCsrDetailOutput:
		return rdNest(o)
	case alicert.ObtainOutput:
		return rdNest(o)
	}
	panic("unknown output")
}

func rdNest[T any](o T) map[string]any {
	return map[string]any{
		"value":             o,
		"pointer":           &o,
		"struct":            struct{ O T }{o},
		"struct of pointer": struct{ O *T }{&o},
		"pointer to struct": &struct{ O T }{o},
		"slice":             []T{o, o},
		"slice of pointers": []*T{&o},
		"map":               map[string]T{"k": o},
		"map of pointers":   map[string]*T{"k": &o},
		"deep":              map[string][]struct{ X struct{ O T } }{"k": {{X: struct{ O T }{o}}}},
	}
}

func TestPrivateKeyHiddenFromJSONMarshal(t *testing.T) {
	t.Parallel()
	for typ, out := range rdOutputs() {
		for how, v := range rdNestings(out) {
			t.Run(typ+"/"+how, func(t *testing.T) {
				b, err := json.Marshal(v)
				require.NoError(t, err)
				s := string(b)
				assert.NotContains(t, s, rdKeyBody)
				assert.NotContains(t, s, "PRIVATE KEY")
				assert.Contains(t, s, "[redacted]", "the key is shown as set")
				assert.Contains(t, s, "PEM", "the other fields are written: %s", s)
			})
		}
	}
}

func TestPrivateKeyHiddenFromSlog(t *testing.T) {
	t.Parallel()
	for typ, out := range rdOutputs() {
		for how, v := range rdNestings(out) {
			for handler, newHandler := range map[string]func(*bytes.Buffer) slog.Handler{
				"JSON": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
				"Text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
			} {
				t.Run(typ+"/"+how+"/"+handler, func(t *testing.T) {
					var buf bytes.Buffer
					slog.New(newHandler(&buf)).Info("got", "x", v, slog.Any("y", v), slog.Group("g", "z", v))
					s := buf.String()
					assert.NotContains(t, s, rdKeyBody)
					assert.NotContains(t, s, "PRIVATE KEY")
					assert.Contains(t, s, "PEM", "the other fields are logged: %s", s)
				})
			}
		}
	}
}

func TestJSONMarshalLeavesAnUnsetKeyEmpty(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(alicert.GetCsrDetailOutput{Csr: "CSR-PEM"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"Csr":"CSR-PEM","PrivateKey":"","RequestId":""}`, string(b))
}

// TestDecodingStillFillsThePrivateKey checks that hiding the key from
// json.Marshal does not stop responses from decoding it: the caller needs
// the key to install the certificate.
func TestDecodingStillFillsThePrivateKey(t *testing.T) {
	t.Parallel()
	key, err := json.Marshal(rdKeyPEM)
	require.NoError(t, err)
	body := `{"RequestId":"R","Type":"certificate","Certificate":"CERT-PEM","PrivateKey":` + string(key) + `,"CertId":"12345"}`

	var st alicert.DescribeCertificateStateOutput
	require.NoError(t, json.Unmarshal([]byte(body), &st))
	assert.Equal(t, rdKeyPEM, st.PrivateKey)
	assert.Equal(t, "12345", st.CertID)
	assert.Equal(t, alicert.StateCertificate, st.State)

	var csr alicert.GetCsrDetailOutput
	require.NoError(t, json.Unmarshal([]byte(`{"Csr":"C","PrivateKey":`+string(key)+`}`), &csr))
	assert.Equal(t, rdKeyPEM, csr.PrivateKey)

	// Through the client, from a service answer.
	url := rdServe(t, body)
	c, err := alicert.NewClient(alicert.WithAccessKey("id", "secret"), alicert.WithCASEndpoint(url))
	require.NoError(t, err)
	out, err := c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: 7})
	require.NoError(t, err)
	assert.Equal(t, rdKeyPEM, out.PrivateKey)
	assert.Equal(t, "12345", out.CertID)
	// CertID is kept in the formatted output; the key is not.
	assert.Contains(t, out.String(), "CertID:12345")
	assert.NotContains(t, out.String(), rdKeyBody)
	assert.True(t, strings.Contains(out.GoString(), `CertID:"12345"`), out.GoString())
}

// rdServe is a service endpoint answering every request with bodies in
// turn, the last one repeating.
func rdServe(t *testing.T, bodies ...string) string {
	t.Helper()
	return testkit.NewServer(t, testkit.Bodies(bodies...)).URL
}

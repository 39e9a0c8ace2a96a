package alicerttest_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net"
	"testing"

	"github.com/alicert/alicert"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// parseCSR parses and checks a PEM CSR the way a CA would.
func parseCSR(t *testing.T, s string) *x509.CertificateRequest {
	t.Helper()
	block, rest := pem.Decode([]byte(s))
	require.NotNil(t, block, "no PEM in %q", s)
	require.Equal(t, "CERTIFICATE REQUEST", block.Type)
	require.Empty(t, rest)
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	require.NoError(t, err)
	require.NoError(t, csr.CheckSignature())
	return csr
}

func TestCreateCsrAndGetCsrDetail(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newClient(t, srv)
	tests := []struct {
		alg     alicert.KeyAlgorithm
		size    int
		sans    []string
		wantDNS []string
		wantIPs []net.IP
	}{
		{alicert.AlgorithmECC, 256, []string{"www.example.com", "api.example.com"},
			[]string{"example.com", "www.example.com", "api.example.com"}, nil},
		{alicert.AlgorithmSM2, 256, nil, []string{"example.com"}, nil},
		// A SAN repeating CommonName is listed once.
		{alicert.AlgorithmRSA, 2048, []string{"example.com", "api.example.com"}, []string{"example.com", "api.example.com"}, nil},
	}
	ids := map[int64]bool{}
	for _, tt := range tests {
		t.Run(string(tt.alg), func(t *testing.T) {
			out, err := c.CAS.CreateCsr(t.Context(), &alicert.CreateCsrInput{
				Algorithm: tt.alg, KeySize: tt.size, CommonName: "example.com", SANs: tt.sans,
				CountryCode: "CN", Province: "Zhejiang", Locality: "Hangzhou",
				CorpName: "Example, Inc.", Department: "IT", Name: "csr-" + string(tt.alg),
			})
			require.NoError(t, err)
			assert.Greater(t, out.CsrID, int64(1)<<53)
			assert.False(t, ids[out.CsrID], "CSR ids repeat")
			ids[out.CsrID] = true
			assert.Regexp(t, requestIDPattern, out.RequestID)

			csr := parseCSR(t, out.Csr)
			assert.Equal(t, "example.com", csr.Subject.CommonName)
			assert.Equal(t, []string{"CN"}, csr.Subject.Country)
			assert.Equal(t, []string{"Zhejiang"}, csr.Subject.Province)
			assert.Equal(t, []string{"Hangzhou"}, csr.Subject.Locality)
			assert.Equal(t, []string{"Example, Inc."}, csr.Subject.Organization)
			assert.Equal(t, []string{"IT"}, csr.Subject.OrganizationalUnit)
			assert.Equal(t, tt.wantDNS, csr.DNSNames)
			assert.Equal(t, tt.wantIPs, csr.IPAddresses)
			switch k := csr.PublicKey.(type) {
			case *rsa.PublicKey:
				assert.Equal(t, alicert.AlgorithmRSA, tt.alg)
				assert.Equal(t, tt.size, k.N.BitLen())
			case *ecdsa.PublicKey:
				assert.NotEqual(t, alicert.AlgorithmRSA, tt.alg)
				assert.Equal(t, elliptic.P256(), k.Curve) // SM2 is approximated by P-256
			default:
				t.Fatalf("unexpected key type %T", k)
			}

			detail, err := c.CAS.GetCsrDetail(t.Context(), &alicert.GetCsrDetailInput{CsrID: out.CsrID})
			require.NoError(t, err)
			assert.Equal(t, out.Csr, detail.Csr)
			pub := publicKeyOf(t, detail.PrivateKey)
			assert.True(t, sameKey(pub, csr.PublicKey), "the key is not the CSR's")
		})
	}
	assert.Equal(t, 3, srv.CsrCount())
}

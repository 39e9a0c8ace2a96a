package pemchain_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/alicert/alicert/internal/pemchain"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func selfSigned(t *testing.T, cn string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<32, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: pemchain.Certificate, Bytes: der}))
}

const keyBody = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgSECRETKEYBODYxyz"

func TestCertificatesKeepsTheOrderGiven(t *testing.T) {
	a, b := selfSigned(t, "a"), selfSigned(t, "b")
	certs, err := pemchain.Certificates([]byte("\ufeff\n" + a + "\r\n" + b + "  \n"))
	require.NoError(t, err)
	require.Len(t, certs, 2)
	assert.Equal(t, "a", certs[0].Subject.CommonName)
	assert.Equal(t, "b", certs[1].Subject.CommonName)
}

func TestCertificatesErrorsNameTheProblemNotTheData(t *testing.T) {
	cert := selfSigned(t, "a")
	key := "-----BEGIN PRIVATE KEY-----\n" + keyBody + "\n-----END PRIVATE KEY-----\n"
	for name, tc := range map[string]struct {
		data    string
		problem pemchain.Problem
		typ     bool
		parse   bool
	}{
		"empty":             {data: " \n", problem: pemchain.Empty},
		"no block":          {data: "secret words", problem: pemchain.NoBlock},
		"text before":       {data: "x\n" + cert, problem: pemchain.StrayText},
		"text after":        {data: cert + "x", problem: pemchain.StrayText},
		"cut short":         {data: cert + key[:40], problem: pemchain.Truncated},
		"a key in a chain":  {data: cert + key, typ: true},
		"bad DER":           {data: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", parse: true},
		"skipped bad block": {data: "-----BEGIN CERTIFICATE-----\n!!\n" + cert, problem: pemchain.Truncated},
	} {
		_, err := pemchain.Certificates([]byte(tc.data))
		require.Error(t, err, name)
		assert.NotContains(t, err.Error(), keyBody[20:], name)
		var blocksErr *pemchain.Error
		var typeErr *pemchain.TypeError
		var parseErr *pemchain.ParseError
		switch {
		case tc.typ:
			require.True(t, errors.As(err, &typeErr), name)
			assert.True(t, typeErr.PrivateKey(), name)
			assert.Equal(t, 2, typeErr.N, name)
		case tc.parse:
			require.True(t, errors.As(err, &parseErr), name)
		default:
			require.True(t, errors.As(err, &blocksErr), name)
			assert.Equal(t, tc.problem, blocksErr.Problem, name)
		}
	}
	_, err := pemchain.Blocks([]byte(strings.Repeat(" ", 3) + key[:60]))
	var blocksErr *pemchain.Error
	require.True(t, errors.As(err, &blocksErr))
	assert.True(t, blocksErr.PrivateKey, "a broken key block is told apart")
}

package alicerttest_test

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
)

// TestWithListenerServesOnTheCallersListener: the server serves on the
// listener it is given, and its URL names that address.
func TestWithListenerServesOnTheCallersListener(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := alicerttest.NewServer(alicerttest.WithListener(l))
	defer srv.Close()
	assert.Equal(t, "http://"+l.Addr().String(), srv.URL)

	cl, err := alicert.NewClient(srv.ClientOptions()...)
	require.NoError(t, err)
	defer cl.Close()
	_, err = cl.CAS.ListContact(context.Background(), &alicert.ListContactInput{})
	require.NoError(t, err)
	assert.Equal(t, 1, srv.RequestCount("ListContact"))
}

// TestWithTLSServesACertificateOfTheTestCA: a client that trusts the test
// CA alone (as SSL_CERT_FILE makes other programs do) reaches the server.
func TestWithTLSServesACertificateOfTheTestCA(t *testing.T) {
	srv := alicerttest.NewServer(alicerttest.WithTLS())
	defer srv.Close()
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: srv.CAPool()}}}
	resp, err := hc.Get(srv.URL)
	require.NoError(t, err)
	_ = resp.Body.Close()

	other := alicerttest.NewServer()
	defer other.Close()
	hc = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: other.CAPool()}}}
	_, err = hc.Get(srv.URL)
	assert.Error(t, err, "another fake's CA does not vouch for this server")
}

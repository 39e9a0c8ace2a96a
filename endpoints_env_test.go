package alicert_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
)

// TestEndpointsFromTheEnvironment: with no endpoint option, NewClient
// takes the ALICERT_*_ENDPOINT variables, so that a program built on
// NewClient() runs unchanged against a local fake.
func TestEndpointsFromTheEnvironment(t *testing.T) {
	srv := alicerttest.NewServer()
	defer srv.Close()
	t.Setenv(alicert.EnvCASEndpoint, srv.URL)
	t.Setenv(alicert.EnvKMSEndpoint, srv.URL)
	t.Setenv(alicert.EnvDNSEndpoint, srv.URL)
	id, secret := srv.Credentials()
	cl, err := alicert.NewClient(alicert.WithAccessKey(id, secret))
	require.NoError(t, err)
	defer cl.Close()
	assert.Contains(t, cl.String(), srv.URL)

	ctx := context.Background()
	_, err = cl.CAS.ListContact(ctx, &alicert.ListContactInput{})
	require.NoError(t, err)
	_, err = cl.DNS.DescribeSubDomainRecords(ctx, &alicert.DescribeSubDomainRecordsInput{SubDomain: "www.example.com"})
	require.NoError(t, err)
	assert.Equal(t, 1, srv.RequestCount("ListContact"))
	assert.Equal(t, 1, srv.RequestCount("DescribeSubDomainRecords"))
}

// TestEndpointOptionWinsOverTheEnvironment: an option is never overridden
// by the environment, so a variable left in a shell cannot redirect a
// program that chose its endpoint.
func TestEndpointOptionWinsOverTheEnvironment(t *testing.T) {
	t.Setenv(alicert.EnvCASEndpoint, "http://cas.example.com") // would be refused
	t.Setenv(alicert.EnvKMSEndpoint, "http://kms.example.com")
	t.Setenv(alicert.EnvDNSEndpoint, "http://dns.example.com")
	cl, err := alicert.NewClient(alicert.WithAccessKey("id", "secret"),
		alicert.WithCASEndpoint("https://cas.example.org"), alicert.WithKMSEndpoint("https://kms.example.org"),
		alicert.WithDNSEndpoint("https://dns.example.org"))
	require.NoError(t, err)
	defer cl.Close()
	assert.Contains(t, cl.String(), "https://cas.example.org")
	assert.Contains(t, cl.String(), "https://kms.example.org")
}

// TestEndpointFromTheEnvironmentKeepsTheRules: a variable gets the rules
// of the options (clear text for loopback only), and an error names it.
func TestEndpointFromTheEnvironmentKeepsTheRules(t *testing.T) {
	t.Setenv(alicert.EnvKMSEndpoint, "http://kms.example.com")
	_, err := alicert.NewClient(alicert.WithAccessKey("id", "secret"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ALICERT_KMS_ENDPOINT")
	assert.Contains(t, err.Error(), "clear text")

	cl, err := alicert.NewClient(alicert.WithAccessKey("id", "secret"), alicert.WithInsecureHTTP())
	require.NoError(t, err, "WithInsecureHTTP opts in, as for an option")
	cl.Close()
}

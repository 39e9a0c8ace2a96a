package alicert_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An error wrapped inside another says "alicert: " once, at its start,
// and the wrapped error is still reachable.
func TestWrappedErrorsCarryOnePrefix(t *testing.T) {
	t.Parallel()
	c, srv := setupFake(t, deployWorld()...)
	srv.InjectFault("UpdateDeploymentJobStatus", alicerttest.Fault{Kind: alicerttest.FaultThrottle}, 3)
	_, err := c.CAS.Deploy(t.Context(), &alicert.DeployInput{CertID: deployNewCert, ResourceIDs: []int64{101}, PollInterval: time.Nanosecond})
	require.Error(t, err)
	msg := err.Error()
	assert.True(t, strings.HasPrefix(msg, "alicert: Deploy: "), msg)
	assert.Equal(t, 1, strings.Count(msg, "alicert: "), msg)
	assert.Contains(t, msg, ": UpdateDeploymentJobStatus: HTTP ")
	var apiErr *alicert.APIError
	require.True(t, errors.As(err, &apiErr), "the service's error is reachable")
	assert.True(t, apiErr.Throttled(), apiErr.Code)
	assert.True(t, strings.HasPrefix(apiErr.Error(), "alicert: UpdateDeploymentJobStatus: "), "alone it keeps its own prefix")
}

// A call without credentials is recognisable by errors.Is, whatever the
// provider said.
func TestMissingCredentialsMatchErrNoCredentials(t *testing.T) {
	cpIsolateCredentialsEnv(t)
	c, err := alicert.NewClient()
	require.NoError(t, err)
	_, err = c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: 1})
	require.ErrorIs(t, err, alicert.ErrNoCredentials)
	_, err = c.CAS.DescribeCertificateState(t.Context(), nil)
	assert.NotErrorIs(t, err, alicert.ErrNoCredentials, "a validation error is no credentials error")
}

package alicerttest

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicert/alicert"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestValidationHookHoldsOrders checks the hook a fake DNS API will use: an
// order stays in domain_verify until the hook agrees, whatever the reads.
func TestValidationHookHoldsOrders(t *testing.T) {
	t.Parallel()
	srv := NewServer()
	t.Cleanup(srv.Close)
	var recordAdded atomic.Bool
	var asked atomic.Value
	srv.validated = func(o *order) bool {
		asked.Store(o.recordDomain() + " " + o.token)
		return recordAdded.Load()
	}
	c, err := alicert.NewClient(srv.ClientOptions()...)
	require.NoError(t, err)
	out, err := c.CAS.CreateCertificateRequest(t.Context(), &alicert.CreateCertificateRequestInput{
		Domain: "*.example.com", ProductCode: "geotrust-dv-w-starter", ValidateType: alicert.ValidateDNS,
		Username: "Tom", Phone: "1390000****", Email: "tom@example.com"})
	require.NoError(t, err)
	read := func() *alicert.DescribeCertificateStateOutput {
		st, err := c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: out.OrderID})
		require.NoError(t, err)
		return st
	}
	var first *alicert.DescribeCertificateStateOutput
	for range 5 {
		st := read()
		assert.Equal(t, alicert.StateDomainVerify, st.State)
		first = st
	}
	assert.Equal(t, first.RecordDomain+" "+first.RecordValue, asked.Load(), "the hook saw another record than the client")

	recordAdded.Store(true)
	assert.Equal(t, alicert.StateDomainVerify, read().State, "the read that finds the record still reports the old state")
	st, err := c.CAS.WaitForCertificate(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: out.OrderID},
		alicert.WithPollInterval(time.Millisecond))
	require.NoError(t, err)
	assert.Equal(t, alicert.StateCertificate, st.State)
}

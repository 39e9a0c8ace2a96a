package alicerttest_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConcurrentClients runs 100 clients through the whole CAS and KMS flow
// at once, with throttling injected in between; run it with -race.
func TestConcurrentClients(t *testing.T) {
	t.Parallel()
	const clients, throttles = 100, 20
	srv := newServer(t)
	srv.InjectFault("", alicerttest.Fault{Kind: alicerttest.FaultThrottle}, throttles)

	var mu sync.Mutex
	orders := map[int64]bool{}
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- flow(t, srv, i, func(id int64) {
				mu.Lock()
				defer mu.Unlock()
				orders[id] = true
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Len(t, orders, clients, "order ids repeat")
	assert.Equal(t, clients, srv.OrderCount())
	assert.Equal(t, clients, srv.CsrCount())
	assert.Equal(t, clients, srv.KMSCertificateCount())
	throttled := 0
	for _, r := range srv.Requests() {
		if r.Fault == alicerttest.FaultThrottle {
			throttled++
		}
	}
	assert.Equal(t, throttles, throttled)
}

// flow is one client's work: an order until issued, a CSR, and a KMS
// certificate signed and uploaded.
func flow(t *testing.T, srv *alicerttest.Server, i int, order func(int64)) error {
	// More attempts than injected throttles, so that no call can fail.
	c, err := alicert.NewClient(append(srv.ClientOptions(),
		alicert.WithRetryDelay(time.Millisecond, 2*time.Millisecond), alicert.WithMaxAttempts(25))...)
	if err != nil {
		return err
	}
	ctx := t.Context()
	domain := fmt.Sprintf("host%d.example.com", i)
	o, err := c.CAS.CreateCertificateRequest(ctx, &alicert.CreateCertificateRequestInput{Domain: domain, ValidateType: alicert.ValidateDNS,
		Username: "Tom", Phone: "1390000****", Email: "tom@example.com"})
	if err != nil {
		return err
	}
	order(o.OrderID)
	st, err := c.CAS.WaitForCertificate(ctx, &alicert.DescribeCertificateStateInput{OrderID: o.OrderID},
		alicert.WithPollInterval(time.Millisecond))
	if err != nil {
		return err
	}
	if !strings.Contains(st.Certificate, "BEGIN CERTIFICATE") {
		return fmt.Errorf("order %d: no certificate", o.OrderID)
	}
	if _, err := c.CAS.CreateCsr(ctx, &alicert.CreateCsrInput{Algorithm: alicert.AlgorithmECC, KeySize: 256,
		CommonName: domain, CountryCode: "CN", Province: "Zhejiang", Locality: "Hangzhou"}); err != nil {
		return err
	}
	k, err := c.KMS.CreateCertificate(ctx, &alicert.CreateCertificateInput{KeySpec: alicert.KeySpecECP256,
		Subject: alicert.Subject{CommonName: domain, Country: "CN", Organization: "Example", OrganizationalUnit: "IT"}})
	if err != nil {
		return err
	}
	certPEM, err := srv.SignCSR(k.Csr, 0)
	if err != nil {
		return err
	}
	_, err = c.KMS.UploadCertificate(ctx, &alicert.UploadCertificateInput{CertificateID: k.CertificateID, Certificate: certPEM})
	return err
}

// TestRequestsHideSecrets checks that no signature or security token shows
// in Requests, whatever became of the request.
func TestRequestsHideSecrets(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	const token = "CAIS-secret-token-value"
	srv.AddCredentials("STS.id", "sts-secret-value", token)
	c := newClient(t, srv, alicert.WithSTSToken("STS.id", "sts-secret-value", token),
		alicert.WithHTTPClient(srv.Client()), alicert.WithMaxAttempts(1))
	bad := newClient(t, srv, alicert.WithSTSToken("STS.id", "wrong-secret-value", token), alicert.WithMaxAttempts(1))

	_, err := c.CAS.CreateCertificateRequest(t.Context(), orderInput)
	require.NoError(t, err)
	_, err = bad.CAS.CreateCertificateRequest(t.Context(), orderInput)
	require.Error(t, err)
	srv.InjectFault("", alicerttest.Fault{Kind: alicerttest.FaultDialError}, 1)
	_, err = c.CAS.CreateCertificateRequest(t.Context(), orderInput)
	require.Error(t, err)
	srv.InjectFault("", alicerttest.Fault{Kind: alicerttest.FaultInternalError}, 1)
	_, err = c.CAS.CreateCertificateRequest(t.Context(), orderInput)
	require.Error(t, err)
	wire, _ := raw{params: ecsr(), id: "STS.id", secret: "sts-secret-value", token: token, method: "GET"}.sign(srv)
	sendWire(t, srv, "GET", wire)

	reqs := srv.Requests()
	require.Len(t, reqs, 5)
	assert.Equal(t, []alicerttest.FaultKind{0, 0, alicerttest.FaultDialError, alicerttest.FaultInternalError, 0},
		[]alicerttest.FaultKind{reqs[0].Fault, reqs[1].Fault, reqs[2].Fault, reqs[3].Fault, reqs[4].Fault})
	for _, r := range reqs {
		assert.NotContains(t, r.Params, "Signature")
		assert.NotContains(t, r.Params, "SecurityToken")
		assert.Equal(t, "STS.id", r.Params.Get("AccessKeyId"), "the key id is no secret and is kept")
		assert.NotEmpty(t, r.Params.Get("SignatureNonce"))
	}
	dump := fmt.Sprintf("%#v %+v", reqs, reqs)
	for _, secret := range []string{token, "sts-secret-value", "wrong-secret-value"} {
		assert.NotContains(t, dump, secret)
	}

	// Requests returns a copy.
	reqs[0].Params.Set("Domain", "changed")
	assert.Equal(t, "www.example.com", srv.Requests()[0].Params.Get("Domain"))
}

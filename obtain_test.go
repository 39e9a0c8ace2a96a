package alicert_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
	"github.com/alicert/alicert/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// obEvents collects Obtain's progress events.
type obEvents struct {
	mu     sync.Mutex
	events []alicert.ObtainEvent
	hook   func(alicert.ObtainEvent)
}

func (e *obEvents) add(ev alicert.ObtainEvent) {
	e.mu.Lock()
	e.events = append(e.events, ev)
	hook := e.hook
	e.mu.Unlock()
	if hook != nil {
		hook(ev)
	}
}

func (e *obEvents) stages() []alicert.ObtainStage {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []alicert.ObtainStage
	for _, ev := range e.events {
		if ev.Stage != alicert.StageWaiting && (len(out) == 0 || out[len(out)-1] != ev.Stage) {
			out = append(out, ev.Stage)
		}
	}
	return out
}

func obInput(domain string, dns alicert.DNSProvider, ev *obEvents) *alicert.ObtainInput {
	return &alicert.ObtainInput{
		Domain: domain, Username: "Zhang San", Phone: "13800000000", Email: "ops@example.com", DNS: dns,
		PollInterval: time.Millisecond, Progress: ev.add,
	}
}

func TestObtainWithAlidnsProvider(t *testing.T) {
	t.Parallel()
	c, srv := setupFake(t, alicerttest.WithDNSCheck())
	var ev obEvents
	var duringWait []alicerttest.DNSRecord
	ev.hook = func(e alicert.ObtainEvent) {
		if e.Stage == alicert.StagePresented {
			duringWait = srv.DNSRecords()
		}
	}
	out, err := c.CAS.Obtain(t.Context(), obInput("www.example.com", alicert.NewAlidnsProvider(c), &ev))
	require.NoError(t, err)

	// The record was in the fake DNS while the CA looked for it, and is
	// gone afterwards.
	require.Len(t, duringWait, 1)
	assert.Equal(t, "_dnsauth.www.example.com", duringWait[0].Name)
	assert.Equal(t, "example.com", duringWait[0].Zone)
	assert.Equal(t, "_dnsauth.www", duringWait[0].RR)
	assert.Equal(t, "TXT", duringWait[0].Type)
	assert.Empty(t, srv.DNSRecords())

	assert.Equal(t, 1, srv.OrderCount())
	assert.Positive(t, out.OrderID)
	assert.Equal(t, []alicert.ObtainStage{
		alicert.StageOrdering, alicert.StageOrdered, alicert.StagePresenting, alicert.StagePresented,
		alicert.StageIssued, alicert.StageCleaningUp, alicert.StageCleanedUp,
	}, ev.stages())

	// The chain verifies against the fake's CA and the key matches it.
	leaf := out.Leaf()
	require.NotNil(t, leaf)
	inter := x509.NewCertPool()
	for _, c := range out.Chain[1:] {
		inter.AddCert(c)
	}
	_, err = leaf.Verify(x509.VerifyOptions{DNSName: "www.example.com", Roots: srv.CAPool(), Intermediates: inter})
	require.NoError(t, err)
	_, err = tls.X509KeyPair([]byte(out.Certificate), []byte(out.PrivateKey))
	require.NoError(t, err, "the key belongs to the certificate")
}

func TestObtainOutputHidesThePrivateKey(t *testing.T) {
	t.Parallel()
	c, _ := setupFake(t, alicerttest.WithDNSCheck(), alicerttest.WithImmediateIssue())
	out, err := c.CAS.Obtain(t.Context(), obInput("example.com", alicert.NewAlidnsProvider(c), &obEvents{}))
	require.NoError(t, err)
	require.Contains(t, out.PrivateKey, "PRIVATE KEY")
	keyBody := strings.Split(strings.TrimSpace(out.PrivateKey), "\n")[1]
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
		for _, v := range []any{out, *out} {
			s := fmt.Sprintf(verb, v)
			assert.NotContains(t, s, keyBody, verb)
			assert.NotContains(t, s, "PRIVATE KEY", verb)
			assert.NotContains(t, strings.ToLower(s), strings.ToLower(fmt.Sprintf("%x", out.PrivateKey[:40])), verb)
		}
	}
	assert.Contains(t, fmt.Sprintf("%+v", out), "[redacted]")
	assert.Contains(t, fmt.Sprintf("%#v", out), "alicert.ObtainOutput{")
	assert.Contains(t, fmt.Sprintf("%v", out), "CN=example.com", "the chain is summarised")
}

// obFailingDNS adds the record through inner, then fails, the way a
// provider fails halfway (record added, confirmation lost).
type obFailingDNS struct {
	inner    alicert.DNSProvider
	err      error
	cleanups int
}

func (p *obFailingDNS) Present(ctx context.Context, r alicert.DNSRecord) error {
	if err := p.inner.Present(ctx, r); err != nil {
		return err
	}
	return p.err
}

func (p *obFailingDNS) CleanUp(ctx context.Context, r alicert.DNSRecord) error {
	p.cleanups++
	return p.inner.CleanUp(ctx, r)
}

func TestObtainPresentFailureLeavesNoRecord(t *testing.T) {
	t.Parallel()
	c, srv := setupFake(t, alicerttest.WithDNSCheck())
	boom := errors.New("propagation check failed")
	dns := &obFailingDNS{inner: alicert.NewAlidnsProvider(c), err: boom}
	var ev obEvents
	out, err := c.CAS.Obtain(t.Context(), obInput("example.com", dns, &ev))
	require.ErrorIs(t, err, boom)
	assert.Nil(t, out)
	assert.Equal(t, 1, dns.cleanups)
	assert.Empty(t, srv.DNSRecords(), "the record Present left behind is removed")
	assert.Equal(t, 1, srv.RequestCount("DescribeCertificateState"), "no waiting after a failed Present")
}

func TestObtainAlidnsPresentErrorLeavesNoRecord(t *testing.T) {
	t.Parallel()
	c, srv := setupFake(t, alicerttest.WithDNSCheck())
	// Every add fails with a 5xx: the provider checks, adds once more,
	// and gives up.
	srv.InjectFault("AddDomainRecord", alicerttest.Fault{Kind: alicerttest.FaultInternalError}, 0)
	_, err := c.CAS.Obtain(t.Context(), obInput("example.com", alicert.NewAlidnsProvider(c), &obEvents{}))
	require.Error(t, err)
	var apiErr *alicert.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 2, srv.RequestCount("AddDomainRecord"))
	assert.Empty(t, srv.DNSRecords())
}

func TestObtainCleanupFailureStillReturnsTheCertificate(t *testing.T) {
	t.Parallel()
	c, srv := setupFake(t, alicerttest.WithDNSCheck())
	srv.InjectFault("DeleteDomainRecord", alicerttest.Fault{Kind: alicerttest.FaultInternalError}, 0)
	var ev obEvents
	out, err := c.CAS.Obtain(t.Context(), obInput("example.com", alicert.NewAlidnsProvider(c), &ev))
	require.ErrorIs(t, err, alicert.ErrCleanupFailed)
	require.NotNil(t, out, "the certificate is good")
	assert.NotNil(t, out.Leaf())
	assert.Contains(t, err.Error(), "_dnsauth.example.com", "the error names the record to remove")
	assert.Len(t, srv.DNSRecords(), 1)
}

func TestObtainCancelledMidWaitCleansUp(t *testing.T) {
	t.Parallel()
	// The order never leaves process, so only the cancellation ends the
	// wait.
	c, srv := setupFake(t, alicerttest.WithDNSCheck(), alicerttest.WithReadsPerState(1<<30))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var ev obEvents
	presented := false
	ev.hook = func(e alicert.ObtainEvent) {
		switch {
		case e.Stage == alicert.StagePresented:
			presented = true
		case e.Stage == alicert.StageWaiting && presented:
			cancel()
		}
	}
	_, err := c.CAS.Obtain(ctx, obInput("example.com", alicert.NewAlidnsProvider(c), &ev))
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, ev.stages(), alicert.StageCleanedUp)
	assert.Empty(t, srv.DNSRecords(), "cleanup ran despite the cancelled context")
	assert.Equal(t, 1, srv.RequestCount("DeleteDomainRecord"))
}

func TestObtainResumeCreatesNoSecondOrder(t *testing.T) {
	t.Parallel()
	c, srv := setupFake(t, alicerttest.WithDNSCheck())

	// The first run stops once the order exists, like a crash.
	ctx, cancel := context.WithCancel(t.Context())
	var first obEvents
	var orderID int64
	first.hook = func(e alicert.ObtainEvent) {
		if e.Stage == alicert.StageOrdered {
			orderID = e.OrderID
			cancel()
		}
	}
	_, err := c.CAS.Obtain(ctx, obInput("example.com", alicert.NewAlidnsProvider(c), &first))
	require.ErrorIs(t, err, context.Canceled)
	require.Positive(t, orderID)

	var second obEvents
	in := obInput("example.com", alicert.NewAlidnsProvider(c), &second)
	in.OrderID = orderID
	out, err := c.CAS.Obtain(t.Context(), in)
	require.NoError(t, err)
	assert.Equal(t, orderID, out.OrderID)
	assert.Equal(t, 1, srv.OrderCount())
	assert.Equal(t, 1, srv.RequestCount("CreateCertificateRequest"))
	assert.NotContains(t, second.stages(), alicert.StageOrdering)
	assert.Equal(t, alicert.StageResuming, second.stages()[0])
	assert.Empty(t, srv.DNSRecords())
}

func TestObtainResumePastValidationRemovesALeftoverRecord(t *testing.T) {
	t.Parallel()
	// A resumed order is already past domain_verify but still names its
	// record: an earlier run that died after presenting it left it behind.
	c, _ := setup(t, testkit.Bodies(
		`{"RequestId":"R","Type":"process","ValidateType":"DNS","RecordType":"TXT","RecordDomain":"_dnsauth.example.com","RecordValue":"tok"}`,
		`{"RequestId":"R","Type":"verify_fail"}`))
	rec := &obRecorder{}
	_, err := c.CAS.Obtain(t.Context(), &alicert.ObtainInput{Domain: "example.com", OrderID: 7, DNS: rec, PollInterval: time.Millisecond})
	require.ErrorIs(t, err, alicert.ErrVerifyFailed)
	assert.Empty(t, rec.records, "nothing is presented past validation")
	assert.Equal(t, []alicert.DNSRecord{{Domain: "example.com", Type: "TXT", Name: "_dnsauth.example.com", Value: "tok"}}, rec.cleaned)
}

func TestObtainUnknownOutcomeDoesNotOrderAgain(t *testing.T) {
	t.Parallel()
	c, srv := setupFake(t, alicerttest.WithDNSCheck())
	srv.InjectFault("CreateCertificateRequest", alicerttest.Fault{Kind: alicerttest.FaultResetAfterAct}, 1)
	var ev obEvents
	out, err := c.CAS.Obtain(t.Context(), obInput("example.com", alicert.NewAlidnsProvider(c), &ev))
	require.ErrorIs(t, err, alicert.ErrOutcomeUnknown)
	assert.Nil(t, out)
	assert.Equal(t, 1, srv.OrderCount(), "the service created the order")
	assert.Equal(t, 1, srv.RequestCount("CreateCertificateRequest"), "and it was not created again")
	assert.Equal(t, []alicert.ObtainStage{alicert.StageOrdering}, ev.stages())
	assert.Zero(t, srv.RequestCount("AddDomainRecord"))
}

func TestObtainVerifyFailureCleansUp(t *testing.T) {
	t.Parallel()
	c, srv := setupFake(t, alicerttest.WithDNSCheck(), alicerttest.WithVerifyFailure("bad.example.com"))
	_, err := c.CAS.Obtain(t.Context(), obInput("bad.example.com", alicert.NewAlidnsProvider(c), &obEvents{}))
	require.ErrorIs(t, err, alicert.ErrVerifyFailed)
	assert.Empty(t, srv.DNSRecords())
	assert.Equal(t, 1, srv.RequestCount("AddDomainRecord"))
}

func TestObtainValidation(t *testing.T) {
	t.Parallel()
	c, srv := setupFake(t, alicerttest.WithDNSCheck())
	_, err := c.CAS.Obtain(t.Context(), &alicert.ObtainInput{PollInterval: -1})
	var ve *alicert.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "Obtain", ve.Operation)
	var fields []string
	for _, f := range ve.Fields {
		fields = append(fields, f.Field)
	}
	assert.Equal(t, []string{"Username", "Phone", "Email", "Domain", "DNS", "PollInterval"}, fields)

	_, err = c.CAS.Obtain(t.Context(), &alicert.ObtainInput{OrderID: -5, ValidateType: alicert.ValidateFile})
	require.ErrorAs(t, err, &ve)
	fields = fields[:0]
	for _, f := range ve.Fields {
		fields = append(fields, f.Field)
	}
	assert.Equal(t, []string{"OrderID", "File"}, fields)
	assert.Empty(t, srv.Requests(), "nothing is sent for an invalid input")
}

// obFiles is a FileProvider that records its calls.
type obFiles struct {
	mu        sync.Mutex
	presented []alicert.FileChallenge
	cleaned   []alicert.FileChallenge
}

func (f *obFiles) Present(_ context.Context, c alicert.FileChallenge) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.presented = append(f.presented, c)
	return nil
}

func (f *obFiles) CleanUp(_ context.Context, c alicert.FileChallenge) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cleaned = append(f.cleaned, c)
	return nil
}

func TestObtainWithFileValidation(t *testing.T) {
	t.Parallel()
	c, srv := setupFake(t, alicerttest.WithDNSCheck())
	files := &obFiles{}
	out, err := c.CAS.Obtain(t.Context(), &alicert.ObtainInput{
		Domain: "files.example.com", File: files, PollInterval: time.Millisecond,
		Username: "Zhang San", Phone: "13800000000", Email: "ops@example.com",
	})
	require.NoError(t, err)
	assert.Equal(t, "files.example.com", out.Leaf().Subject.CommonName)
	require.Len(t, files.presented, 1)
	f := files.presented[0]
	assert.Equal(t, "files.example.com", f.Domain)
	assert.True(t, strings.HasPrefix(f.Path, "/"), f.Path)
	assert.NotEmpty(t, f.Content)
	assert.Equal(t, files.presented, files.cleaned)
	assert.Zero(t, srv.RequestCount("AddDomainRecord"))
}

// obRecorder is a DNSProvider that records what it is asked to present.
type obRecorder struct {
	mu      sync.Mutex
	records []alicert.DNSRecord
	cleaned []alicert.DNSRecord
}

func (r *obRecorder) Present(_ context.Context, rec alicert.DNSRecord) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.records = append(r.records, rec)
	return nil
}

func (r *obRecorder) CleanUp(_ context.Context, rec alicert.DNSRecord) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cleaned = append(r.cleaned, rec)
	return nil
}

func TestObtainCompletesARelativeRecordName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ domain, recordDomain, want string }{
		{"example.com", "_dnsauth", "_dnsauth.example.com"},
		{"example.com", "_dnsauth.example.com.", "_dnsauth.example.com"},
		{"www.example.com", "_dnsauth.www", "_dnsauth.www.example.com"},
		{"www.example.com", "_dnsauth.www.example.com", "_dnsauth.www.example.com"},
		{"*.example.com", "_dnsauth", "_dnsauth.example.com"},
		{"a.b.example.com", "_dnsauth.a.b", "_dnsauth.a.b.example.com"},
		{"a.b.example.com", "_dnsauth.a", "_dnsauth.a.b.example.com"},
	} {
		t.Run(tc.domain+"/"+tc.recordDomain, func(t *testing.T) {
			t.Parallel()
			// A CAS endpoint that announces the record relative to the zone,
			// then fails the order (which ends Obtain without a certificate).
			c, _ := setup(t, testkit.Bodies(
				fmt.Sprintf(`{"RequestId":"R","Type":"domain_verify","ValidateType":"DNS","RecordType":"TXT","RecordDomain":%q,"RecordValue":"tok"}`, tc.recordDomain),
				`{"RequestId":"R","Type":"verify_fail"}`))
			rec := &obRecorder{}
			_, err := c.CAS.Obtain(t.Context(), &alicert.ObtainInput{
				Domain: tc.domain, OrderID: 42, DNS: rec, PollInterval: time.Millisecond,
			})
			require.ErrorIs(t, err, alicert.ErrVerifyFailed)
			require.Len(t, rec.records, 1)
			assert.Equal(t, alicert.DNSRecord{Domain: tc.domain, Type: "TXT", Name: tc.want, Value: "tok"}, rec.records[0])
		})
	}
}

func TestObtainPicksTheValidationTypeAsDocumented(t *testing.T) {
	t.Parallel()
	// ValidateType empty: FILE when only File is set, DNS otherwise (both
	// set included).
	for _, tc := range []struct {
		name     string
		dns, fil bool
		want     string
	}{
		{"only File", false, true, "FILE"},
		{"DNS and File", true, true, "DNS"},
		{"only DNS", true, false, "DNS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, srv := setupFake(t, alicerttest.WithDNSCheck())
			in := &alicert.ObtainInput{Domain: "example.com", PollInterval: time.Millisecond,
				Username: "Zhang San", Phone: "13800000000", Email: "ops@example.com"}
			if tc.dns {
				in.DNS = alicert.NewAlidnsProvider(c)
			}
			if tc.fil {
				in.File = &obFiles{}
			}
			_, err := c.CAS.Obtain(t.Context(), in)
			require.NoError(t, err)
			reqs := srv.Requests()
			require.NotEmpty(t, reqs)
			assert.Equal(t, "CreateCertificateRequest", reqs[0].Action)
			assert.Equal(t, tc.want, reqs[0].Params.Get("ValidateType"))
		})
	}
}

func TestObtainResumingAnotherDomainsOrderFailsAtOnce(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, body, want string
		files            bool
	}{
		{
			name: "DNS record of another domain",
			body: `{"RequestId":"R","Type":"domain_verify","ValidateType":"DNS","RecordType":"TXT","RecordDomain":"_dnsauth.a.example.com","RecordValue":"tok"}`,
			want: `record "_dnsauth.a.example.com" is not under "b.example.com"; is OrderID for another domain?`,
		},
		{
			name: "file on another host", files: true,
			body: `{"RequestId":"R","Type":"domain_verify","ValidateType":"FILE","Domain":"a.example.com","Uri":"/.well-known/pki-validation/fileauth.txt","Content":"tok"}`,
			want: `"a.example.com" is not "b.example.com"; is OrderID for another domain?`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// Were the challenge presented, the order would then fail.
			c, _ := setup(t, testkit.Bodies(tc.body, `{"RequestId":"R","Type":"verify_fail"}`))
			rec, files := &obRecorder{}, &obFiles{}
			in := &alicert.ObtainInput{Domain: "b.example.com", OrderID: 42, PollInterval: time.Millisecond}
			if tc.files {
				in.File = files
			} else {
				in.DNS = rec
			}
			_, err := c.CAS.Obtain(t.Context(), in)
			require.Error(t, err)
			assert.NotErrorIs(t, err, alicert.ErrVerifyFailed)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), "order 42")
			assert.Empty(t, rec.records, "nothing is presented")
			assert.Empty(t, files.presented, "nothing is presented")
		})
	}
}

func TestObtainFileValidationTakesTheServicesHostWithoutDomain(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, testkit.Bodies(
		`{"RequestId":"R","Type":"domain_verify","ValidateType":"FILE","Domain":"a.example.com","Uri":"pki/f.txt","Content":"tok"}`,
		`{"RequestId":"R","Type":"verify_fail"}`))
	files := &obFiles{}
	_, err := c.CAS.Obtain(t.Context(), &alicert.ObtainInput{OrderID: 42, File: files, PollInterval: time.Millisecond})
	require.ErrorIs(t, err, alicert.ErrVerifyFailed)
	assert.Equal(t, []alicert.FileChallenge{{Domain: "a.example.com", Path: "/pki/f.txt", Content: "tok"}}, files.presented)
}

func TestAlicerttestClientOptionsReachEveryAPI(t *testing.T) {
	t.Parallel()
	srv := alicerttest.NewServer(alicerttest.WithDNSCheck())
	t.Cleanup(srv.Close)
	c, err := alicert.NewClient(append(srv.ClientOptions(), alicert.WithRetryDelay(time.Millisecond, time.Millisecond))...)
	require.NoError(t, err)
	// The first attempt fails in srv.Client's transport, as a refused
	// connection does: only that client knows about the fault.
	srv.InjectFault("CreateCsr", alicerttest.Fault{Kind: alicerttest.FaultDialError}, 1)
	_, err = c.CAS.CreateCsr(t.Context(), &alicert.CreateCsrInput{Algorithm: alicert.AlgorithmECC, KeySize: 256,
		CommonName: "example.com", CountryCode: "CN", Province: "Zhejiang", Locality: "Hangzhou"})
	require.NoError(t, err)
	_, err = c.KMS.CreateCertificate(t.Context(), &alicert.CreateCertificateInput{KeySpec: alicert.KeySpecECP256,
		Subject: alicert.Subject{CommonName: "svc.example.com", Country: "CN", Organization: "O", OrganizationalUnit: "OU"}})
	require.NoError(t, err)
	_, err = c.DNS.DescribeSubDomainRecords(t.Context(), &alicert.DescribeSubDomainRecordsInput{SubDomain: "www.example.com"})
	require.NoError(t, err)

	var faults []alicerttest.FaultKind
	for _, r := range srv.Requests() {
		if r.Action == "CreateCsr" {
			faults = append(faults, r.Fault)
		}
	}
	assert.Equal(t, []alicerttest.FaultKind{alicerttest.FaultDialError, 0}, faults)
	assert.Equal(t, 1, srv.KMSCertificateCount())
}

// MaxWait bounds the waiting only: the order is placed in full, and the
// error says how to resume it, which finishes it without a second order.
func TestObtainMaxWaitBoundsTheWaitingNotTheOrder(t *testing.T) {
	t.Parallel()
	c, srv := setupFake(t, alicerttest.WithDNSCheck())
	var ev obEvents
	in := obInput("www.example.com", alicert.NewAlidnsProvider(c), &ev)
	in.MaxWait = time.Nanosecond
	_, err := c.CAS.Obtain(t.Context(), in)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "gave up waiting after MaxWait 1ns; the order goes on, resume it with OrderID")
	require.Equal(t, 1, srv.OrderCount(), "the order request ran to its end")
	assert.Equal(t, []alicert.ObtainStage{alicert.StageOrdering, alicert.StageOrdered}, ev.stages()[:2])
	var orderID int64
	for _, e := range ev.events {
		orderID = max(orderID, e.OrderID)
	}
	require.Positive(t, orderID)

	in.MaxWait, in.OrderID = 0, orderID
	out, err := c.CAS.Obtain(t.Context(), in)
	require.NoError(t, err)
	assert.Equal(t, orderID, out.OrderID)
	assert.Equal(t, 1, srv.OrderCount())
	assert.Empty(t, srv.DNSRecords())
}

func TestObtainInputValidateSendsNothing(t *testing.T) {
	t.Parallel()
	for _, domain := range []string{"www.example.com.", " www.example.com", "www.example.com\r", "bücher.example.com"} {
		in := &alicert.ObtainInput{Domain: domain, Username: "Zhang San", Phone: "13800000000", Email: "ops@example.com",
			DNS: alicert.NewAlidnsProvider(nil), MaxWait: -time.Second}
		err := in.Validate()
		var ve *alicert.ValidationError
		require.ErrorAs(t, err, &ve, "%q", domain)
		fields := make([]string, len(ve.Fields))
		for i, f := range ve.Fields {
			fields[i] = f.Field
		}
		assert.Equal(t, []string{"Domain", "MaxWait"}, fields, "%q", domain)
	}
	err := (&alicert.ObtainInput{Domain: "bücher.example.com"}).Validate()
	assert.Contains(t, err.Error(), `use the punycode form "xn--bcher-kva.example.com"`)
	assert.NoError(t, (&alicert.ObtainInput{Domain: "www.example.com", Username: "Zhang San", Phone: "13800000000",
		Email: "ops@example.com", DNS: alicert.NewAlidnsProvider(nil)}).Validate())
}

func lcKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	return k
}

// TestObtainWithKey: the order goes out as CreateCertificateWithCsrRequest
// only, the leaf holds the caller's key, and no private key comes back.
func TestObtainWithKey(t *testing.T) {
	t.Parallel()
	c, srv := setupFake(t, alicerttest.WithImmediateIssue())
	key := lcKey(t)
	out, err := c.CAS.Obtain(t.Context(), &alicert.ObtainInput{
		Domain: "www.example.com", Key: key, DNS: alicert.NewAlidnsProvider(c),
		Username: "Zhang San", Phone: "13800000000", Email: "ops@example.com",
	})
	require.NoError(t, err)
	assert.True(t, key.PublicKey.Equal(out.Leaf().PublicKey))
	assert.Empty(t, out.PrivateKey)
	assert.Equal(t, 1, srv.RequestCount("CreateCertificateWithCsrRequest"))
	assert.Zero(t, srv.RequestCount("CreateCertificateRequest"))
	for _, r := range srv.Requests() {
		for k, vs := range r.Params {
			for _, v := range vs {
				assert.NotContains(t, v, "PRIVATE KEY", "parameter %s of %s", k, r.Action)
			}
		}
	}
	csr, err := alicert.ParseCSR(srv.Requests()[0].Params.Get("Csr"))
	require.NoError(t, err)
	assert.Equal(t, []string{"www.example.com"}, csr.DNSNames)
	assert.True(t, key.PublicKey.Equal(csr.PublicKey))
}

// TestObtainWithKeyRejectsOtherKey: resuming an order with a key other
// than its own fails rather than hand out a certificate the key cannot
// serve.
func TestObtainWithKeyRejectsOtherKey(t *testing.T) {
	t.Parallel()
	c, _ := setupFake(t, alicerttest.WithImmediateIssue())
	in := &alicert.ObtainInput{Domain: "www.example.com", Key: lcKey(t), DNS: alicert.NewAlidnsProvider(c),
		Username: "Zhang San", Phone: "13800000000", Email: "ops@example.com"}
	out, err := c.CAS.Obtain(t.Context(), in)
	require.NoError(t, err)
	_, err = c.CAS.Obtain(t.Context(), &alicert.ObtainInput{Domain: "www.example.com", OrderID: out.OrderID,
		Key: lcKey(t), DNS: alicert.NewAlidnsProvider(c)})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "does not hold the public key of Key")
}

func TestObtainKeyValidation(t *testing.T) {
	t.Parallel()
	c, srv := setupFake(t)
	weak, err := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	require.NoError(t, err)
	_, err = c.CAS.Obtain(t.Context(), &alicert.ObtainInput{Domain: "www.example.com", Key: weak, DNS: alicert.NewAlidnsProvider(c),
		Username: "Zhang San", Phone: "13800000000", Email: "ops@example.com"})
	var ve *alicert.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "Key", ve.Fields[0].Field)
	assert.Empty(t, srv.Requests())
}

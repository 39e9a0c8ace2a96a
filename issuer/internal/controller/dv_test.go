package controller_test

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"

	"github.com/alicert/alicert/issuer/internal/signer"
)

// TestDVEndToEnd orders a DV certificate for a CertificateRequest: one
// order with the request's own CSR, the validation record presented in
// Alibaba Cloud DNS (the fake waits for it) and removed once issued, and
// the chain returned leaf first with the CA as ca.crt.
func TestDVEndToEnd(t *testing.T) {
	h := newHarness(t, alicerttest.WithDNSZones("example.com"), alicerttest.WithDNSCheck())
	h.startController()
	h.createCASIssuer("dv", h.casSpec())
	csr, key := newCSR(t, "www.example.com")
	cr := h.createRequest("www", csr, "CASIssuer", "dv")

	got := h.waitRequest(cr, cmapi.CertificateRequestReasonIssued)

	leaf := verifyIssued(t, got, h.srv.CAPool(), "www.example.com")
	if !leaf.PublicKey.(interface{ Equal(crypto.PublicKey) bool }).Equal(key.Public()) {
		t.Error("the certificate does not hold the CSR's key")
	}
	if n := h.srv.OrderCount(); n != 1 {
		t.Errorf("%d orders, want 1", n)
	}
	if n := h.srv.RequestCount("CreateCertificateWithCsrRequest"); n != 1 {
		t.Errorf("%d order requests, want 1", n)
	}
	if got.Annotations[signer.AnnotationOrderID] == "" {
		t.Errorf("no order id recorded: %v", got.Annotations)
	}
	if _, ok := got.Annotations[signer.AnnotationValidationRecord]; ok {
		t.Errorf("the validation record is still recorded: %v", got.Annotations)
	}
	if recs := h.srv.DNSRecords(); len(recs) != 0 {
		t.Errorf("validation records left in DNS: %+v", recs)
	}
	sent := h.srv.Requests()
	for _, r := range sent {
		if r.Action == "CreateCertificateWithCsrRequest" && strings.TrimSpace(r.Params.Get("Csr")) != strings.TrimSpace(string(csr)) {
			t.Errorf("the order was placed with another CSR than the request's")
		}
	}
}

// verifyIssued checks the request's certificate: it chains to roots for
// server authentication, names domain, and ca.crt is set.
func verifyIssued(t *testing.T, cr *cmapi.CertificateRequest, roots *x509.CertPool, domain string) *x509.Certificate {
	t.Helper()
	chain, err := alicert.ParseCertificates(string(cr.Status.Certificate))
	if err != nil {
		t.Fatalf("status.certificate: %v", err)
	}
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	if _, err := chain[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, DNSName: domain}); err != nil {
		t.Errorf("the certificate does not verify for %s: %v", domain, err)
	}
	if block, _ := pem.Decode(cr.Status.CA); block == nil {
		t.Errorf("status.ca holds no certificate: %q", cr.Status.CA)
	}
	return chain[0]
}

// TestDVRestartMidOrder stops the controller once the order is placed
// and starts a new one: the new controller carries on with the order the
// request records, and never orders again.
func TestDVRestartMidOrder(t *testing.T) {
	h := newHarness(t, alicerttest.WithDNSZones("example.com"), alicerttest.WithDNSCheck(), alicerttest.WithReadsPerState(5))
	h.startController()
	h.createCASIssuer("dv", h.casSpec())
	csr, _ := newCSR(t, "restart.example.com")
	cr := h.createRequest("restart", csr, "CASIssuer", "dv")
	h.eventually("the order id on the request", func() bool {
		return h.getRequest(cr).Annotations[signer.AnnotationOrderID] != ""
	}, func() string { return "no order id" })
	h.stopController()
	if c := requestCondition(h.getRequest(cr)); c != nil && c.Reason == cmapi.CertificateRequestReasonIssued {
		t.Fatal("the request was issued before the restart; the test proves nothing")
	}

	h.startController()
	got := h.waitRequest(cr, cmapi.CertificateRequestReasonIssued)

	verifyIssued(t, got, h.srv.CAPool(), "restart.example.com")
	if n := h.srv.RequestCount("CreateCertificateWithCsrRequest"); n != 1 {
		t.Errorf("%d order requests across the restart, want 1", n)
	}
	if n := h.srv.OrderCount(); n != 1 {
		t.Errorf("%d orders, want 1", n)
	}
	if recs := h.srv.DNSRecords(); len(recs) != 0 {
		t.Errorf("validation records left in DNS: %+v", recs)
	}
}

// TestDVFaultAtEveryStep makes each call of the DV path fail, in each
// way a call fails (an error the library's retries do not outlast, a
// throttle, a connection reset after the service acted, a response cut
// short after it acted): the request is issued all the same, and one
// order is made. A create whose outcome is unknown is settled by looking
// for its order: found when the service acted, and placed again, once,
// when it did not.
func TestDVFaultAtEveryStep(t *testing.T) {
	steps := []string{
		"DescribePackageState", "CreateCertificateWithCsrRequest", "DescribeCertificateState",
		"DescribeSubDomainRecords", "AddDomainRecord", "DeleteDomainRecord", "ListUserCertificateOrder",
	}
	faults := []struct {
		name  string
		fault alicerttest.Fault
		times int
	}{
		// Past the library's three attempts, so that the signer sees it.
		{"internal-error", alicerttest.Fault{Kind: alicerttest.FaultInternalError}, 4},
		{"throttle", alicerttest.Fault{Kind: alicerttest.FaultThrottle}, 4},
		{"reset-after-act", alicerttest.Fault{Kind: alicerttest.FaultResetAfterAct}, 1},
		{"truncated-after-act", alicerttest.Fault{Kind: alicerttest.FaultTruncatedJSON}, 1},
	}
	for _, step := range steps {
		for _, f := range faults {
			t.Run(step+"/"+f.name, func(t *testing.T) {
				h := newHarness(t, alicerttest.WithDNSZones("example.com"), alicerttest.WithDNSCheck())
				h.startController()
				h.createCASIssuer("dv", h.casSpec())
				if step == "ListUserCertificateOrder" {
					// The list is read only after a create of unknown
					// outcome: make one.
					h.srv.InjectFault("CreateCertificateWithCsrRequest", alicerttest.Fault{Kind: alicerttest.FaultResetAfterAct}, 1)
				}
				h.srv.InjectFault(step, f.fault, f.times)
				csr, _ := newCSR(t, "fault.example.com")
				cr := h.createRequest("fault", csr, "CASIssuer", "dv")

				if step == "CreateCertificateWithCsrRequest" && f.name == "internal-error" {
					// A 500 to a create is an unknown outcome, and this one
					// made no order: none is listed after the settle time,
					// so the request fails, naming what to check, rather
					// than risk a second order.
					got := h.waitRequest(cr, cmapi.CertificateRequestReasonFailed)
					msg := requestCondition(got).Message
					for _, want := range []string{"had an unknown outcome", "no order for fault.example.com placed since then is listed", "does not order twice", "console"} {
						if !strings.Contains(msg, want) {
							t.Errorf("the message lacks %q: %s", want, msg)
						}
					}
					if n := h.srv.RequestCount("CreateCertificateWithCsrRequest"); n != 1 {
						t.Errorf("%d order requests, want 1: an unknown outcome is never followed by a second", n)
					}
					if n := h.srv.OrderCount(); n != 0 {
						t.Errorf("%d orders, want 0", n)
					}
					return
				}
				got := h.waitRequest(cr, cmapi.CertificateRequestReasonIssued)

				verifyIssued(t, got, h.srv.CAPool(), "fault.example.com")
				if n := h.srv.OrderCount(); n != 1 {
					t.Errorf("%d orders, want 1", n)
				}
				t.Logf("creates %d, faulted %d, lists %d", h.srv.RequestCount("CreateCertificateWithCsrRequest"), countFaults(h.srv, step), h.srv.RequestCount("ListUserCertificateOrder"))
				if faulted := countFaults(h.srv, step); faulted == 0 {
					t.Errorf("no %s request met the fault; the test proves nothing", step)
				}
				if recs := h.srv.DNSRecords(); len(recs) != 0 {
					t.Errorf("validation records left in DNS: %+v", recs)
				}
			})
		}
	}
}

// countFaults counts the requests for action that got a fault.
func countFaults(srv *alicerttest.Server, action string) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Action == action && r.Fault != 0 {
			n++
		}
	}
	return n
}

// TestDVPermanentCSRProblem gives the DV issuer CSRs no DV order can
// take: each request fails with a message that says why, and nothing is
// ordered.
func TestDVPermanentCSRProblem(t *testing.T) {
	h := newHarness(t, alicerttest.WithDNSZones("example.com"))
	h.startController()
	h.createCASIssuer("dv", h.casSpec())
	twoNames, _ := newCSR(t, "a.example.com", "b.example.com")
	rsaKey := weakRSAKey(t)
	weak := csrWithKey(t, rsaKey, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "weak.example.com"}})
	cases := []struct {
		name, want string
		csr        []byte
		mutate     func(*cmapi.CertificateRequest)
	}{
		{"two-names", "names 2 domains", twoNames, nil},
		{"weak-key", "RSA key of 1024 bits", weak, nil},
		{"is-ca", "asks for a CA certificate", func() []byte { c, _ := newCSR(t, "ca.example.com"); return c }(),
			func(cr *cmapi.CertificateRequest) { cr.Spec.IsCA = true }},
	}
	for _, c := range cases {
		var mutate []func(*cmapi.CertificateRequest)
		if c.mutate != nil {
			mutate = append(mutate, c.mutate)
		}
		cr := h.createRequest(c.name, c.csr, "CASIssuer", "dv", mutate...)
		got := h.waitRequest(cr, cmapi.CertificateRequestReasonFailed)
		msg := requestCondition(got).Message
		if !strings.Contains(msg, c.want) || !strings.Contains(msg, "no order was placed") {
			t.Errorf("%s: message %q, want it to say %q and that no order was placed", c.name, msg, c.want)
		}
	}
	if n := h.srv.RequestCount("CreateCertificateWithCsrRequest"); n != 0 {
		t.Errorf("%d order requests for CSRs no order takes", n)
	}
}

// TestDVVerifyFailureReturnsQuota lets the CA reject the order: the
// request fails saying so, and the order is deleted, which returns its
// quota.
func TestDVVerifyFailureReturnsQuota(t *testing.T) {
	h := newHarness(t, alicerttest.WithDNSZones("example.com"), alicerttest.WithVerifyFailure("bad.example.com"))
	h.startController()
	h.createCASIssuer("dv", h.casSpec())
	csr, _ := newCSR(t, "bad.example.com")
	cr := h.createRequest("bad", csr, "CASIssuer", "dv")

	got := h.waitRequest(cr, cmapi.CertificateRequestReasonFailed)

	if msg := requestCondition(got).Message; !strings.Contains(msg, "failed verification") || !strings.Contains(msg, "deleted") {
		t.Errorf("message %q, want it to say the order failed verification and was deleted", msg)
	}
	if n := h.srv.OrderCount(); n != 0 {
		t.Errorf("%d orders left, want the failed one deleted", n)
	}
}

// TestDVTimeoutCancelsAndDeletes gives an order less time than it takes:
// it is cancelled and deleted, and the request fails saying so.
func TestDVTimeoutCancelsAndDeletes(t *testing.T) {
	h := newHarness(t, alicerttest.WithDNSZones("example.com"), alicerttest.WithReadsPerState(1_000_000))
	h.startController()
	spec := h.casSpec()
	spec.ValidationTimeout = &metav1.Duration{Duration: time.Second}
	h.createCASIssuer("dv", spec)
	csr, _ := newCSR(t, "slow.example.com")
	cr := h.createRequest("slow", csr, "CASIssuer", "dv")

	got := h.waitRequest(cr, cmapi.CertificateRequestReasonFailed)

	if msg := requestCondition(got).Message; !strings.Contains(msg, "was not issued within 1s") || !strings.Contains(msg, "cancelled and deleted") {
		t.Errorf("message %q, want it to say the order timed out and was cancelled and deleted", msg)
	}
	if n := h.srv.RequestCount("CancelOrderRequest"); n != 1 {
		t.Errorf("%d cancels, want 1", n)
	}
	if n := h.srv.OrderCount(); n != 0 {
		t.Errorf("%d orders left, want the timed-out one deleted", n)
	}
	if recs := h.srv.DNSRecords(); len(recs) != 0 {
		t.Errorf("validation records left in DNS: %+v", recs)
	}
}

package controller_test

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"

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

package controller_test

import (
	"context"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"net"
	"strings"
	"testing"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"

	api "github.com/alicert/alicert/issuer/api/v1alpha1"
)

// createPCAIssuer makes a PCAIssuer for the fake's sub-CA and waits until
// it is Ready.
func (h *harness) createPCAIssuer(name string) *api.PCAIssuer {
	h.t.Helper()
	iss := &api.PCAIssuer{
		ObjectMeta: metav1.ObjectMeta{Namespace: h.ns, Name: name},
		Spec:       api.PCAIssuerSpec{CAIdentifier: h.srv.PrivateCA().SubCAIdentifier, Credentials: h.secretCredentials(h.ns)},
	}
	if err := k8s.Create(context.Background(), iss); err != nil {
		h.t.Fatal(err)
	}
	h.waitIssuerReady(iss, metav1.ConditionTrue)
	return iss
}

// TestPCAEndToEnd signs a request with the Private CA's sub-CA: for the
// request's duration, with its DNS names and IP address and its usages;
// the leaf and the sub-CA as the certificate (tls.crt), the root as the CA
// (ca.crt).
func TestPCAEndToEnd(t *testing.T) {
	h := newHarness(t, alicerttest.WithPrivateCA())
	h.startController()
	h.createPCAIssuer("pca")
	key := newKey(t)
	csr := csrWithKey(t, key, &x509.CertificateRequest{
		Subject:     pkix.Name{CommonName: "api.internal"},
		DNSNames:    []string{"api.internal", "api.svc.cluster.local"},
		IPAddresses: []net.IP{net.ParseIP("10.0.0.7")},
	})
	cr := h.createRequest("api", csr, "PCAIssuer", "pca", func(cr *cmapi.CertificateRequest) {
		cr.Spec.Duration = &metav1.Duration{Duration: 36 * time.Hour}
		cr.Spec.Usages = []cmapi.KeyUsage{cmapi.UsageDigitalSignature, cmapi.UsageServerAuth, cmapi.UsageClientAuth}
	})

	got := h.waitRequest(cr, cmapi.CertificateRequestReasonIssued)

	pca := h.srv.PrivateCA()
	chain, err := alicert.ParseCertificates(string(got.Status.Certificate))
	if err != nil {
		t.Fatal(err)
	}
	if len(chain) != 2 || !chain[1].Equal(pca.SubCA) {
		t.Fatalf("tls.crt holds %d certificates, want the leaf and the sub-CA", len(chain))
	}
	ca, err := alicert.ParseCertificates(string(got.Status.CA))
	if err != nil || len(ca) != 1 || !ca[0].Equal(pca.Root) {
		t.Fatalf("ca.crt is not the root: %v", err)
	}
	leaf := chain[0]
	for _, usage := range []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth} {
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: pca.Roots(), Intermediates: pca.Intermediates(),
			DNSName: "api.svc.cluster.local", KeyUsages: []x509.ExtKeyUsage{usage}}); err != nil {
			t.Errorf("the leaf does not verify for usage %v: %v", usage, err)
		}
	}
	if len(leaf.IPAddresses) != 1 || !leaf.IPAddresses[0].Equal(net.ParseIP("10.0.0.7")) {
		t.Errorf("IP addresses %v, want 10.0.0.7", leaf.IPAddresses)
	}
	if life := leaf.NotAfter.Sub(got.CreationTimestamp.Time); life < 35*time.Hour || life > 37*time.Hour {
		t.Errorf("the certificate is valid for %s after the request, want 36h", life)
	}
	if !leaf.PublicKey.(interface{ Equal(crypto.PublicKey) bool }).Equal(key.Public()) {
		t.Error("the certificate does not hold the CSR's key")
	}
}

// TestPCAClusterIssuer signs with a cluster issuer whose Secret is in the
// cluster resource namespace.
func TestPCAClusterIssuer(t *testing.T) {
	h := newHarness(t, alicerttest.WithPrivateCA())
	h.startController()
	id, secret := h.srv.Credentials()
	s := h.accessKeySecret(clusterResourceNamespace, "pca-"+h.ns, id, secret)
	iss := &api.PCAClusterIssuer{
		ObjectMeta: metav1.ObjectMeta{Name: "pca-" + h.ns},
		Spec: api.PCAIssuerSpec{CAIdentifier: h.srv.PrivateCA().SubCAIdentifier,
			Credentials: api.Credentials{SecretRef: &api.AccessKeySecretRef{Name: s.Name}}},
	}
	if err := k8s.Create(context.Background(), iss); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = k8s.Delete(context.Background(), iss) })
	h.waitIssuerReady(iss, metav1.ConditionTrue)
	csr, _ := newCSR(t, "cluster.internal")
	cr := h.createRequest("cluster", csr, "PCAClusterIssuer", iss.Name)
	h.waitRequest(cr, cmapi.CertificateRequestReasonIssued)
}

// TestPCARefusesIsCA fails a request for a CA certificate, saying why,
// and sends nothing.
func TestPCARefusesIsCA(t *testing.T) {
	h := newHarness(t, alicerttest.WithPrivateCA())
	h.startController()
	h.createPCAIssuer("pca")
	csr, _ := newCSR(t, "sub.internal")
	cr := h.createRequest("ca", csr, "PCAIssuer", "pca", func(cr *cmapi.CertificateRequest) { cr.Spec.IsCA = true })

	got := h.waitRequest(cr, cmapi.CertificateRequestReasonFailed)

	if msg := requestCondition(got).Message; !strings.Contains(msg, "isCA") {
		t.Errorf("message %q does not say the request asks for a CA", msg)
	}
	if n := h.srv.RequestCount("CreateCustomCertificate"); n != 0 {
		t.Errorf("%d certificates requested for a refused request", n)
	}
}

// TestPCAUnknownOutcome loses the answer to the create after the service
// signed: the controller finds the certificate by the request's
// CustomIdentifier and signs nothing twice.
func TestPCAUnknownOutcome(t *testing.T) {
	for _, f := range []alicerttest.FaultKind{alicerttest.FaultResetAfterAct, alicerttest.FaultTruncatedJSON} {
		t.Run(f.String(), func(t *testing.T) {
			h := newHarness(t, alicerttest.WithPrivateCA())
			h.startController()
			h.createPCAIssuer("pca")
			h.srv.InjectFault("CreateCustomCertificate", alicerttest.Fault{Kind: f}, 1)
			csr, _ := newCSR(t, "lost.internal")
			cr := h.createRequest("lost", csr, "PCAIssuer", "pca")

			got := h.waitRequest(cr, cmapi.CertificateRequestReasonIssued)

			chain, err := alicert.ParseCertificates(string(got.Status.Certificate))
			if err != nil || len(chain) != 2 {
				t.Fatalf("tls.crt: %d certificates, %v", len(chain), err)
			}
			if n := h.srv.RequestCount("CreateCustomCertificate"); n != 1 {
				t.Errorf("%d creates, want 1", n)
			}
			if n := issuedCount(t, h.srv); n != 1 {
				t.Errorf("%d certificates issued, want 1", n)
			}
		})
	}
}

// issuedCount counts the certificates the fake's Private CA issued.
func issuedCount(t *testing.T, srv *alicerttest.Server) int64 {
	t.Helper()
	c, err := alicert.NewClient(srv.ClientOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.PCA.ListClientCertificate(context.Background(), &alicert.ListClientCertificateInput{})
	if err != nil {
		t.Fatal(err)
	}
	return out.TotalCount
}

// TestPCATemplate fills the subject fields a CSR leaves empty from the
// issuer's template, and keeps those it sets.
func TestPCATemplate(t *testing.T) {
	h := newHarness(t, alicerttest.WithPrivateCA())
	h.startController()
	iss := &api.PCAIssuer{
		ObjectMeta: metav1.ObjectMeta{Namespace: h.ns, Name: "pca"},
		Spec: api.PCAIssuerSpec{CAIdentifier: h.srv.PrivateCA().SubCAIdentifier, Credentials: h.secretCredentials(h.ns),
			Template: &api.CertificateTemplate{Subject: &api.SubjectTemplate{Organization: "Example Corp", Country: "CN", Locality: "Hangzhou"}}},
	}
	if err := k8s.Create(context.Background(), iss); err != nil {
		t.Fatal(err)
	}
	h.waitIssuerReady(iss, metav1.ConditionTrue)
	csr := csrWithKey(t, newKey(t), &x509.CertificateRequest{
		Subject:  pkix.Name{CommonName: "tmpl.internal", Locality: []string{"Shanghai"}},
		DNSNames: []string{"tmpl.internal"},
	})
	cr := h.createRequest("tmpl", csr, "PCAIssuer", "pca")

	got := h.waitRequest(cr, cmapi.CertificateRequestReasonIssued)

	chain, err := alicert.ParseCertificates(string(got.Status.Certificate))
	if err != nil {
		t.Fatal(err)
	}
	s := chain[0].Subject
	if s.CommonName != "tmpl.internal" || strings.Join(s.Organization, ",") != "Example Corp" ||
		strings.Join(s.Country, ",") != "CN" || strings.Join(s.Locality, ",") != "Shanghai" {
		t.Errorf("subject %v, want CN=tmpl.internal, O=Example Corp and C=CN from the template, L=Shanghai from the CSR", s)
	}
}

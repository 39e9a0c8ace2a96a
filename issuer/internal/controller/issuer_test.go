package controller_test

import (
	"context"
	"strings"
	"testing"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/alicert/alicert/alicerttest"

	api "github.com/alicert/alicert/issuer/api/v1alpha1"
)

// TestSecretRotation disables the issuer's AccessKey under a running
// controller: the timer's check marks the issuer not Ready, naming the
// refusal. A new key written to the Secret makes it Ready again, and
// requests are signed with the new key.
func TestSecretRotation(t *testing.T) {
	h := newHarness(t, alicerttest.WithDNSZones("example.com"))
	h.startController()
	iss := h.createCASIssuer("dv", h.casSpec())

	oldID, _ := h.srv.Credentials()
	h.srv.AddCredentials(oldID, "a-secret-nobody-has", "") // the old secret no longer signs
	cond := h.waitIssuerReady(iss, metav1.ConditionFalse)
	if !strings.Contains(cond.Message, "SignatureDoesNotMatch") {
		t.Errorf("not-Ready message %q does not say the key was refused", cond.Message)
	}

	h.srv.AddCredentials("rotated-id", "rotated-secret", "")
	secret := new(corev1.Secret)
	if err := k8s.Get(context.Background(), client.ObjectKey{Namespace: h.ns, Name: iss.Spec.Credentials.SecretRef.Name}, secret); err != nil {
		t.Fatal(err)
	}
	secret.Data[api.DefaultAccessKeyIDKey] = []byte("rotated-id")
	secret.Data[api.DefaultAccessKeySecretKey] = []byte("rotated-secret")
	if err := k8s.Update(context.Background(), secret); err != nil {
		t.Fatal(err)
	}
	h.waitIssuerReady(iss, metav1.ConditionTrue)

	csr, _ := newCSR(t, "rotated.example.com")
	cr := h.createRequest("rotated", csr, "CASIssuer", "dv")
	h.waitRequest(cr, cmapi.CertificateRequestReasonIssued)
	for _, r := range h.srv.Requests() {
		if r.Action == "CreateCertificateWithCsrRequest" && r.Params.Get("AccessKeyId") != "rotated-id" {
			t.Errorf("the order was signed with key %q, want the rotated one", r.Params.Get("AccessKeyId"))
		}
	}
}

// TestTransientOutageHeals takes Alibaba Cloud away (503 on every call)
// for longer than the controller's MaxRetryDuration while a request is
// being signed: the request stays pending, never Failed, and is issued
// once the service is back.
func TestTransientOutageHeals(t *testing.T) {
	h := newHarness(t, alicerttest.WithDNSZones("example.com"))
	h.opts.MaxRetryDuration = time.Second
	h.startController()
	h.createCASIssuer("dv", h.casSpec())
	h.srv.InjectFault("", alicerttest.Fault{Kind: alicerttest.FaultUnavailable}, 0)
	csr, _ := newCSR(t, "outage.example.com")
	cr := h.createRequest("outage", csr, "CASIssuer", "dv")

	// Let the outage outlast MaxRetryDuration several times over, with
	// the controller trying all along.
	h.eventually("an outage longer than MaxRetryDuration", func() bool {
		return faultedRequests(h.srv) >= 10 && time.Since(h.getRequest(cr).CreationTimestamp.Time) > 3*h.opts.MaxRetryDuration
	}, func() string { return "the controller stopped calling" })
	if c := requestCondition(h.getRequest(cr)); c == nil || c.Reason == cmapi.CertificateRequestReasonFailed {
		t.Fatalf("during the outage the request's Ready condition is %+v, want it pending", c)
	}
	h.srv.ClearFaults()

	got := h.waitRequest(cr, cmapi.CertificateRequestReasonIssued)

	verifyIssued(t, got, h.srv.CAPool(), "outage.example.com")
	if n := h.srv.OrderCount(); n != 1 {
		t.Errorf("%d orders, want 1", n)
	}
}

// faultedRequests counts the requests that got a fault.
func faultedRequests(srv *alicerttest.Server) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Fault != 0 {
			n++
		}
	}
	return n
}

// TestIssuerSpecRefused gives a CASIssuer a contact the service refuses:
// the issuer fails, naming the field, and calls nothing.
func TestIssuerSpecRefused(t *testing.T) {
	h := newHarness(t)
	h.startController()
	spec := h.casSpec()
	spec.Contact.Email = "not-an-address"
	iss := &api.CASIssuer{ObjectMeta: metav1.ObjectMeta{Namespace: h.ns, Name: "bad"}, Spec: spec}
	if err := k8s.Create(context.Background(), iss); err != nil {
		t.Fatal(err)
	}
	cond := h.waitIssuerReady(iss, metav1.ConditionFalse)
	if cond.Reason != "Failed" || !strings.Contains(cond.Message, "spec.contact.email") {
		t.Errorf("Ready condition %+v, want Failed naming spec.contact.email", cond)
	}
	if n := len(h.srv.Requests()); n != 0 {
		t.Errorf("%d requests sent for an issuer whose spec is refused", n)
	}
}

// TestAmbientCredentialsOptIn refuses ambient credentials to a namespaced
// issuer unless the controller allows them, and says how to allow them.
func TestAmbientCredentialsOptIn(t *testing.T) {
	h := newHarness(t)
	h.startController()
	spec := h.casSpec()
	spec.Credentials = api.Credentials{Ambient: true}
	iss := &api.CASIssuer{ObjectMeta: metav1.ObjectMeta{Namespace: h.ns, Name: "ambient"}, Spec: spec}
	if err := k8s.Create(context.Background(), iss); err != nil {
		t.Fatal(err)
	}
	cond := h.waitIssuerReady(iss, metav1.ConditionFalse)
	if !strings.Contains(cond.Message, "--issuer-ambient-credentials") {
		t.Errorf("Ready condition %+v, want it to name --issuer-ambient-credentials", cond)
	}
	if n := len(h.srv.Requests()); n != 0 {
		t.Errorf("%d requests sent with credentials the issuer may not use", n)
	}
}

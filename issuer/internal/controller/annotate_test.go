package controller_test

import (
	"context"
	"testing"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/alicert/alicert/issuer/internal/annotate"
)

// TestAnnotatePatchIsGuarded proves, against the real API server, the two
// guards the DV signer's progress relies on: a patch naming an old
// resourceVersion is refused (the lock taken before an order is sent),
// and a patch naming the UID of a request that was deleted is refused for
// the new request of the same name, which keeps its annotations.
func TestAnnotatePatchIsGuarded(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	csr, _ := newCSR(t, "guard.example.com")
	cr := h.createRequest("guard", csr, "CASIssuer", "none")
	read := h.getRequest(cr)

	if err := annotate.Patch(ctx, k8s, read, map[string]*string{"alicert.io/a": ptr("1")}, read.ResourceVersion); err != nil {
		t.Fatalf("a patch at the current version: %v", err)
	}
	stale := read.DeepCopy()
	stale.ResourceVersion = cr.ResourceVersion
	err := annotate.Patch(ctx, k8s, stale, map[string]*string{"alicert.io/b": ptr("1")}, cr.ResourceVersion)
	if !apierrors.IsConflict(err) {
		t.Errorf("a patch at an old version: %v, want a conflict", err)
	}

	old := h.getRequest(cr)
	if err := k8s.Delete(ctx, old); err != nil {
		t.Fatal(err)
	}
	again := h.createRequest("guard", csr, "CASIssuer", "none", func(cr *cmapi.CertificateRequest) {
		cr.Annotations = map[string]string{"alicert.io/owner": "new"}
	})
	if again.UID == old.UID {
		t.Fatal("the new request has the old UID")
	}
	if err := annotate.Patch(ctx, k8s, old, map[string]*string{"alicert.io/owner": nil}, ""); err == nil {
		t.Error("a patch with the deleted request's UID was applied to the new request")
	}
	if got := h.getRequest(again).Annotations["alicert.io/owner"]; got != "new" {
		t.Errorf("the new request's annotation is %q, want it untouched", got)
	}
}

func ptr(s string) *string { return &s }

package signer

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/alicert/alicert"

	"github.com/alicert/alicert/issuer/internal/annotate"
)

// The annotations the DV signer keeps on a CertificateRequest: its
// progress, so that a restarted controller (or another replica after a
// leader election) carries on where the last one stopped, and never
// orders twice. They are written with the signer's own client (issuer-lib
// writes only the status), in merge patches that name the request's UID,
// so that a request deleted and created again under the same name is
// never mistaken for the old one.
const (
	// AnnotationOrderSentAt is when the order request was about to be
	// sent (RFC 3339). Written, with an optimistic lock, before the
	// request goes out: a request that has it and no order id has an
	// order of unknown outcome, which is looked for rather than placed
	// again.
	AnnotationOrderSentAt = "alicert.io/order-sent-at"
	// AnnotationOrderID is the CAS order id, once known.
	AnnotationOrderID = "alicert.io/order-id"
	// AnnotationValidationRecord is the DNS record presented for the
	// order (JSON: name, type, value), so that it is removed even after a
	// restart.
	AnnotationValidationRecord = "alicert.io/validation-record"
	// AnnotationOrderClosing says why the order is being cancelled and
	// deleted (it timed out, or failed verification); the request fails
	// once that is done.
	AnnotationOrderClosing = "alicert.io/order-closing"
)

// orderState is what the annotations say.
type orderState struct {
	sentAt  time.Time
	orderID int64
	record  *alicert.DNSRecord
	closing string
}

func readOrderState(annotations map[string]string) (orderState, error) {
	var st orderState
	if v, ok := annotations[AnnotationOrderSentAt]; ok {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return st, fmt.Errorf("annotation %s: %q is not an RFC 3339 time", AnnotationOrderSentAt, v)
		}
		st.sentAt = t
	}
	if v, ok := annotations[AnnotationOrderID]; ok {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return st, fmt.Errorf("annotation %s: %q is not an order id", AnnotationOrderID, v)
		}
		st.orderID = id
	}
	if v, ok := annotations[AnnotationValidationRecord]; ok {
		var r recordDoc
		if err := json.Unmarshal([]byte(v), &r); err != nil {
			return st, fmt.Errorf("annotation %s: %w", AnnotationValidationRecord, err)
		}
		st.record = &alicert.DNSRecord{Domain: r.Domain, Name: r.Name, Type: r.Type, Value: r.Value}
	}
	st.closing = annotations[AnnotationOrderClosing]
	return st, nil
}

// recordDoc is a DNS record as AnnotationValidationRecord holds it.
type recordDoc struct {
	Domain string `json:"domain"`
	Name   string `json:"name"`
	Type   string `json:"type"`
	Value  string `json:"value"`
}

func recordAnnotation(r alicert.DNSRecord) string {
	b, _ := json.Marshal(recordDoc{Domain: r.Domain, Name: r.Name, Type: r.Type, Value: r.Value})
	return string(b)
}

// annotationPatch changes annotations of one CertificateRequest.
type annotationPatch struct {
	// set maps annotation keys to values; a nil value removes the key.
	set map[string]*string
	// resourceVersion, when set, makes the patch fail with a conflict
	// unless the request is still at that version: the optimistic lock
	// that keeps two workers from both deciding to order.
	resourceVersion string
}

// patchAnnotations applies p to cr in a patch that names cr's UID (see
// package annotate). On success cr holds the updated request.
func patchAnnotations(ctx context.Context, c client.Client, cr *cmapi.CertificateRequest, p annotationPatch) error {
	if err := annotate.Patch(ctx, c, cr, p.set, p.resourceVersion); err != nil {
		return fmt.Errorf("recording progress on the CertificateRequest: %w", err)
	}
	return nil
}

func ptr(s string) *string { return &s }

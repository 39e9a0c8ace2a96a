package signer

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	"github.com/cert-manager/cert-manager/pkg/util/pki"
	issuerapi "github.com/cert-manager/issuer-lib/api/v1alpha1"
	"github.com/cert-manager/issuer-lib/controllers/signer"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/alicert/alicert"

	api "github.com/alicert/alicert/issuer/api/v1alpha1"
	"github.com/alicert/alicert/issuer/internal/aliclient"
)

// Defaults of CAS.
const (
	// DefaultValidationTimeout is CASIssuerSpec.ValidationTimeout's
	// default.
	DefaultValidationTimeout = 24 * time.Hour
	// DefaultUnknownOutcomeSettle is CAS.UnknownOutcomeSettle's default.
	DefaultUnknownOutcomeSettle = 2 * time.Minute
	// orderClockSkew is how much earlier than the request was sent an
	// order may say it was bought and still be taken for it: the
	// controller's clock and Alibaba Cloud's may differ.
	orderClockSkew = 5 * time.Minute
)

// Tag keys the DV signer puts on the orders it places, so that an order
// can be traced to its CertificateRequest in the console.
const (
	TagCertificateRequest    = "alicert.io/certificaterequest"
	TagCertificateRequestUID = "alicert.io/certificaterequest-uid"
)

// CAS signs CertificateRequests for CASIssuers and CASClusterIssuers:
// asynchronously, over many calls of Sign, each of which takes the order
// one step further and returns issuer-lib's PendingError until the
// certificate is issued. Its progress lives in annotations on the
// request (see AnnotationOrderSentAt), never only in memory.
//
// Never two orders for one request: the time the order request is about
// to be sent is recorded, with an optimistic lock, before it is sent. A
// request that has that record and no order id had an order request whose
// outcome is unknown (the controller stopped while it was in flight, or
// the library reported ErrOutcomeUnknown). Its order is then looked for
// (ListUserCertificateOrder, the library's advice after an unknown
// outcome): an order for the domain, bought since, that no other request
// claims. One such order is adopted. None, once UnknownOutcomeSettle has
// passed since the request was sent, fails the request permanently with a
// message that says what to check: the order list may lag, and a second
// order for one request would cost quota and money, so the signer never
// orders twice for a request. Several fail it the same way, naming them.
type CAS struct {
	// Clients makes the issuers' Alibaba Cloud clients.
	Clients *aliclient.Factory
	// Kube writes the annotations, and lists CertificateRequests (from
	// the cache) to see which orders other requests claim.
	Kube client.Client
	// APIReader reads the request being signed from the API server, so
	// that its annotations are never those of a stale cache.
	APIReader client.Reader
	// Events records what happens to requests; nil records nothing.
	Events events.EventRecorder
	// PollInterval is the time between state reads of an order waiting
	// for the CA; zero means a tenth of the order's age, between 2s and
	// 1m.
	PollInterval time.Duration
	// UnknownOutcomeSettle is how long after an order request of unknown
	// outcome the order list is trusted to show the order if it was made
	// (DefaultUnknownOutcomeSettle when zero).
	UnknownOutcomeSettle time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	// placed holds the order ids that are placed but not yet recorded on
	// their request (the patch failed), by request UID, so that the next
	// attempt records them instead of looking for them.
	placed sync.Map
}

// CASSpec returns the spec of a CASIssuer or CASClusterIssuer.
func CASSpec(issuer issuerapi.Issuer) (*api.CASIssuerSpec, bool) {
	switch i := issuer.(type) {
	case *api.CASIssuer:
		return &i.Spec, true
	case *api.CASClusterIssuer:
		return &i.Spec, true
	}
	return nil, false
}

// Sign takes the order of cr one step further.
func (s *CAS) Sign(ctx context.Context, cr signer.CertificateRequestObject, issuer issuerapi.Issuer) (signer.PEMBundle, error) {
	spec, ok := CASSpec(issuer)
	if !ok {
		return signer.PEMBundle{}, fmt.Errorf("CAS signer given a %T", issuer)
	}
	details, err := cr.GetCertificateDetails()
	if err != nil {
		return signer.PEMBundle{}, permanent(err)
	}
	fresh := new(cmapi.CertificateRequest)
	if err := s.APIReader.Get(ctx, types.NamespacedName{Namespace: cr.GetNamespace(), Name: cr.GetName()}, fresh); err != nil {
		return signer.PEMBundle{}, pending(fmt.Errorf("reading the request: %w", err), time.Second)
	}
	if fresh.UID != cr.GetUID() {
		return signer.PEMBundle{}, pending(errors.New("the request was replaced by another of the same name"), time.Second)
	}
	st, err := readOrderState(fresh.Annotations)
	if err != nil {
		return signer.PEMBundle{}, permanent(err)
	}
	c, err := s.Clients.Client(ctx, issuer, spec.Region, spec.Credentials)
	if err != nil {
		return signer.PEMBundle{}, issuerProblem(err)
	}
	o := &dvOrder{s: s, c: c, spec: spec, cr: fresh, csr: details.CSR, st: st, now: s.now()}
	bundle, err := o.run(ctx, details.IsCA)
	return bundle, err
}

func (s *CAS) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// dvOrder is one Sign call's view of one request's order.
type dvOrder struct {
	s    *CAS
	c    *alicert.Client
	spec *api.CASIssuerSpec
	cr   *cmapi.CertificateRequest // as the API server has it now
	csr  []byte
	st   orderState
	now  time.Time
}

func (o *dvOrder) run(ctx context.Context, isCA bool) (signer.PEMBundle, error) {
	domain, err := dvDomain(o.csr, isCA, o.spec)
	if err != nil {
		if errors.As(err, new(signer.IssuerError)) {
			return signer.PEMBundle{}, err
		}
		if o.st.orderID == 0 && o.st.sentAt.IsZero() {
			return signer.PEMBundle{}, permanent(fmt.Errorf("%w; no order was placed", err))
		}
		return signer.PEMBundle{}, permanent(err)
	}
	if o.st.orderID == 0 {
		if o.st.sentAt.IsZero() {
			err = o.place(ctx, domain)
		} else {
			err = o.recover(ctx, domain)
		}
		if err != nil {
			return signer.PEMBundle{}, err
		}
	}
	return o.follow(ctx, domain)
}

// place checks the quota and orders with the request's CSR.
func (o *dvOrder) place(ctx context.Context, domain string) error {
	if err := checkQuota(ctx, o.c, o.spec); err != nil {
		return o.failure(err, "before ordering")
	}
	sentAt := o.now.UTC()
	if err := patchAnnotations(ctx, o.s.Kube, o.cr, annotationPatch{
		set:             map[string]*string{AnnotationOrderSentAt: ptr(sentAt.Format(time.RFC3339Nano))},
		resourceVersion: o.cr.ResourceVersion,
	}); err != nil {
		// A conflict: another worker moved first, or our cache is behind.
		// Nothing was ordered; the next attempt reads the request again.
		return pending(err, time.Second)
	}
	o.st.sentAt = sentAt
	created, err := o.c.CAS.CreateCertificateWithCsrRequest(ctx, &alicert.CreateCertificateWithCsrRequestInput{
		Csr: string(o.csr), ProductCode: o.spec.ProductCode,
		Username: o.spec.Contact.Name, Phone: o.spec.Contact.Phone, Email: o.spec.Contact.Email,
		ValidateType: alicert.ValidateDNS,
		Tags: []alicert.Tag{
			{Key: TagCertificateRequest, Value: o.cr.Namespace + "/" + o.cr.Name},
			{Key: TagCertificateRequestUID, Value: string(o.cr.UID)},
		},
	})
	switch {
	case err == nil:
		o.event(corev1.EventTypeNormal, "Ordered", "ordered a certificate for %s: order %d", domain, created.OrderID)
		return o.record(ctx, created.OrderID)
	case errors.Is(err, alicert.ErrOutcomeUnknown):
		o.event(corev1.EventTypeWarning, "OrderOutcomeUnknown", "%v", err)
		return pending(fmt.Errorf("the order request for %s may have created an order: %w; looking for it before anything else", domain, err), o.settle()/4)
	}
	// The service refused, or the request never reached it: no order
	// exists, so the record of the attempt goes.
	if cerr := patchAnnotations(ctx, o.s.Kube, o.cr, annotationPatch{set: map[string]*string{AnnotationOrderSentAt: nil}}); cerr != nil {
		return pending(errors.Join(err, cerr), time.Second)
	}
	if classify(err) == refused {
		return permanent(fmt.Errorf("the service refused the order for %s: %w; no order was placed", domain, err))
	}
	return o.failure(err, "ordering a certificate for %s", domain)
}

// record writes the order id on the request. Until that succeeds the id
// is kept in memory, so that a retry records it rather than look for it.
func (o *dvOrder) record(ctx context.Context, id int64) error {
	o.s.placed.Store(o.cr.UID, id)
	if err := patchAnnotations(ctx, o.s.Kube, o.cr, annotationPatch{
		set: map[string]*string{AnnotationOrderID: ptr(strconv.FormatInt(id, 10))},
	}); err != nil {
		return pending(fmt.Errorf("order %d placed: %w", id, err), time.Second)
	}
	o.s.placed.Delete(o.cr.UID)
	o.st.orderID = id
	return nil
}

// recover settles an order request of unknown outcome.
func (o *dvOrder) recover(ctx context.Context, domain string) error {
	if id, ok := o.s.placed.Load(o.cr.UID); ok {
		return o.record(ctx, id.(int64))
	}
	sent := o.st.sentAt.Format(time.RFC3339)
	found, err := o.findOrders(ctx, domain)
	if err != nil {
		if classify(err) == refused {
			return permanent(fmt.Errorf("the order request for %s sent at %s had an unknown outcome, and listing the orders to find it failed: %w; "+
				"look in the Certificate Management Service console for an order for %s placed then, and cancel and delete it if no certificate uses it",
				domain, sent, err, domain))
		}
		return o.failure(err, "looking for the order for %s sent at %s", domain, sent)
	}
	switch len(found) {
	case 1:
		o.event(corev1.EventTypeNormal, "OrderFound", "the order request for %s sent at %s made order %d", domain, sent, found[0])
		return o.record(ctx, found[0])
	case 0:
		if o.now.Before(o.st.sentAt.Add(o.settle())) {
			return pending(fmt.Errorf("the order request for %s sent at %s had an unknown outcome; no order for it is listed yet, looking again", domain, sent),
				o.settle()/4)
		}
		// No order is listed after the settle time: most likely none was
		// made, but the list cannot prove it, and ordering again could
		// make a second order for this request. A new request (cert-manager
		// makes one when it tries again) may order.
		o.event(corev1.EventTypeWarning, "OrderNotFound", "the order request for %s sent at %s had an unknown outcome, and no order for it is listed after %s", domain, sent, o.settle())
		return permanent(fmt.Errorf("the order request for %s sent at %s had an unknown outcome, and no order for %s placed since then is listed after %s: "+
			"most likely none was made, but this request does not order twice; "+
			"look in the Certificate Management Service console for an order for %s placed then, and cancel and delete it if no certificate uses it; "+
			"cert-manager's next attempt makes a new request, which orders",
			domain, sent, domain, o.settle(), domain))
	}
	ids := make([]string, len(found))
	for i, id := range found {
		ids[i] = strconv.FormatInt(id, 10)
	}
	return permanent(fmt.Errorf("the order request for %s sent at %s had an unknown outcome, and %d orders for %s placed since then belong to no CertificateRequest: %s; "+
		"check them in the Certificate Management Service console, keep the one you need (set annotation %s to its id on a new request to use it) and cancel and delete the others",
		domain, sent, len(found), domain, strings.Join(ids, ", "), AnnotationOrderID))
}

// findOrders lists the orders an order request of unknown outcome may
// have made: orders for domain bought since it was sent (less the clock
// skew; an order without a purchase time counts), claimed by no other
// request.
func (o *dvOrder) findOrders(ctx context.Context, domain string) ([]int64, error) {
	claimed, err := o.claimedOrders(ctx)
	if err != nil {
		return nil, err
	}
	in := &alicert.ListUserCertificateOrderInput{OrderType: alicert.OrderTypeCPack, Keyword: strings.TrimPrefix(domain, "*.")}
	var found []int64
	for ord, err := range o.c.CAS.AllUserCertificateOrders(ctx, in) {
		if err != nil {
			return nil, err
		}
		if !strings.EqualFold(ord.Domain, domain) || claimed[ord.OrderID] {
			continue
		}
		if b := ord.Bought(); !b.IsZero() && b.Before(o.st.sentAt.Add(-orderClockSkew)) {
			continue
		}
		found = append(found, ord.OrderID)
	}
	return found, nil
}

// claimedOrders returns the order ids other CertificateRequests hold.
func (o *dvOrder) claimedOrders(ctx context.Context) (map[int64]bool, error) {
	var list cmapi.CertificateRequestList
	if err := o.s.Kube.List(ctx, &list); err != nil {
		return nil, fmt.Errorf("listing CertificateRequests: %w", err)
	}
	claimed := make(map[int64]bool)
	for _, cr := range list.Items {
		if cr.UID == o.cr.UID {
			continue
		}
		if id, err := strconv.ParseInt(cr.Annotations[AnnotationOrderID], 10, 64); err == nil {
			claimed[id] = true
		}
	}
	return claimed, nil
}

// follow reads the order's state and does what it asks.
func (o *dvOrder) follow(ctx context.Context, domain string) (signer.PEMBundle, error) {
	id := o.st.orderID
	state, err := o.c.CAS.DescribeCertificateState(ctx, &alicert.DescribeCertificateStateInput{OrderID: id})
	if err != nil {
		if orderGone(err) {
			if o.st.closing != "" {
				return signer.PEMBundle{}, o.closed(domain)
			}
			return signer.PEMBundle{}, permanent(fmt.Errorf("order %d for %s no longer exists (it was deleted outside this issuer): %w", id, domain, err))
		}
		return signer.PEMBundle{}, o.failure(err, "reading the state of order %d", id)
	}
	switch {
	case state.State == alicert.StateCertificate:
		return o.issued(ctx, domain, state)
	case o.st.closing != "":
		return signer.PEMBundle{}, o.close(ctx, domain, state)
	case state.State == alicert.StateVerifyFail:
		return signer.PEMBundle{}, o.startClosing(ctx, domain, state, "failed verification")
	case o.now.After(o.orderedAt().Add(o.timeout())):
		return signer.PEMBundle{}, o.startClosing(ctx, domain, state,
			fmt.Sprintf("was not issued within %s (spec.validationTimeout)", o.timeout()))
	case state.State == alicert.StateDomainVerify:
		return signer.PEMBundle{}, o.present(ctx, domain, state)
	case state.State == alicert.StateProcess:
		return signer.PEMBundle{}, pending(fmt.Errorf("order %d for %s: the CA is reviewing it", id, domain), o.poll())
	}
	return signer.PEMBundle{}, pending(fmt.Errorf("order %d for %s is in state %s", id, domain, state.State), o.poll())
}

// present publishes the validation record the order asks for. The record
// is written on the request before it is presented, so that it is removed
// whatever happens next.
func (o *dvOrder) present(ctx context.Context, domain string, state *alicert.DescribeCertificateStateOutput) error {
	id := o.st.orderID
	rec, err := state.DNSRecord(domain)
	if err != nil {
		return pending(fmt.Errorf("order %d for %s: %w", id, domain, err), o.poll())
	}
	if o.st.record == nil || *o.st.record != rec {
		if err := patchAnnotations(ctx, o.s.Kube, o.cr, annotationPatch{
			set: map[string]*string{AnnotationValidationRecord: ptr(recordAnnotation(rec))},
		}); err != nil {
			return pending(err, time.Second)
		}
		o.st.record = &rec
		o.event(corev1.EventTypeNormal, "Presenting", "order %d for %s: presenting %s", id, domain, rec)
	}
	if err := o.dns().Present(ctx, rec); err != nil {
		// A zone the account does not host or a missing permission is not
		// the request's fault: it waits, and the order times out if
		// nobody fixes it.
		if classify(err) == credentials {
			return issuerProblem(fmt.Errorf("order %d for %s: presenting %s: %w", id, domain, rec, err))
		}
		return pending(fmt.Errorf("order %d for %s: presenting %s: %w", id, domain, rec, err), o.backoff())
	}
	return pending(fmt.Errorf("order %d for %s: presented %s; waiting for the CA to check it", id, domain, rec), o.poll())
}

// issued removes the validation record and returns the chain.
func (o *dvOrder) issued(ctx context.Context, domain string, state *alicert.DescribeCertificateStateOutput) (signer.PEMBundle, error) {
	id := o.st.orderID
	if err := o.cleanUp(ctx); err != nil {
		if classify(err) == transient {
			return signer.PEMBundle{}, pending(fmt.Errorf("order %d for %s is issued; removing its validation record: %w", id, domain, err), o.backoff())
		}
		// The certificate is good: hand it out, and say what is left.
		o.event(corev1.EventTypeWarning, "CleanupFailed", "order %d for %s: %v; remove %s by hand", id, domain, err, o.st.record)
	}
	bundle, err := issuedBundle(state, domain, o.csr)
	if err != nil {
		return signer.PEMBundle{}, permanent(fmt.Errorf("order %d for %s: %w", id, domain, err))
	}
	o.event(corev1.EventTypeNormal, "Issued", "order %d for %s is issued", id, domain)
	return bundle, nil
}

// cleanUp removes the validation record presented, if any, and its
// annotation.
func (o *dvOrder) cleanUp(ctx context.Context) error {
	if o.st.record == nil {
		return nil
	}
	if err := o.dns().CleanUp(ctx, *o.st.record); err != nil {
		return err
	}
	if err := patchAnnotations(ctx, o.s.Kube, o.cr, annotationPatch{set: map[string]*string{AnnotationValidationRecord: nil}}); err != nil {
		return err
	}
	o.st.record = nil
	return nil
}

// startClosing records why the order is given up, then closes it.
func (o *dvOrder) startClosing(ctx context.Context, domain string, state *alicert.DescribeCertificateStateOutput, reason string) error {
	if err := patchAnnotations(ctx, o.s.Kube, o.cr, annotationPatch{set: map[string]*string{AnnotationOrderClosing: ptr(reason)}}); err != nil {
		return pending(err, time.Second)
	}
	o.st.closing = reason
	o.event(corev1.EventTypeWarning, "OrderFailed", "order %d for %s %s; cancelling and deleting it to return its quota", o.st.orderID, domain, reason)
	return o.close(ctx, domain, state)
}

// close cancels the order if it is still open, deletes it, which returns
// its quota, and fails the request. Each step that fails is tried again
// from a fresh state read.
func (o *dvOrder) close(ctx context.Context, domain string, state *alicert.DescribeCertificateStateOutput) error {
	id := o.st.orderID
	if err := o.cleanUp(ctx); err != nil {
		return o.closingFailure(err, "removing the validation record of order %d", id)
	}
	if state.State == alicert.StateDomainVerify || state.State == alicert.StateProcess {
		if _, err := o.c.CAS.CancelOrderRequest(ctx, &alicert.CancelOrderRequestInput{OrderID: id}); err != nil {
			return o.closingFailure(err, "cancelling order %d", id)
		}
	}
	// A refused delete (an order already gone, or in a state the delete
	// does not take) is tried again after the next state read, which
	// tells which.
	if _, err := o.c.CAS.DeleteCertificateRequest(ctx, &alicert.DeleteCertificateRequestInput{OrderID: id}); err != nil {
		return o.closingFailure(err, "deleting order %d", id)
	}
	o.event(corev1.EventTypeWarning, "OrderDeleted", "order %d for %s %s; it was deleted and its quota returned", id, domain, o.st.closing)
	return o.closed(domain)
}

func (o *dvOrder) closed(domain string) error {
	return permanent(fmt.Errorf("order %d for %s %s; it was cancelled and deleted, and its quota returned to the resource plan",
		o.st.orderID, domain, o.st.closing))
}

// closingFailure keeps a request whose order is being closed pending:
// it fails only once the order is gone, whatever the error.
func (o *dvOrder) closingFailure(err error, format string, args ...any) error {
	err = fmt.Errorf("order %d %s; closing it: %s: %w", o.st.orderID, o.st.closing, fmt.Sprintf(format, args...), err)
	if classify(err) == credentials {
		return issuerProblem(err)
	}
	return pending(err, o.backoff())
}

// failure turns an error into what issuer-lib makes of it: a credentials
// problem marks the issuer not Ready, a refusal fails the request, and
// anything else keeps it pending.
func (o *dvOrder) failure(err error, format string, args ...any) error {
	err = fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), err)
	var issuerErr signer.IssuerError
	if errors.As(err, &issuerErr) {
		return err
	}
	switch classify(err) {
	case credentials:
		return issuerProblem(err)
	case refused:
		return permanent(err)
	}
	return pending(err, o.backoff())
}

func (o *dvOrder) dns() *alicert.AlidnsProvider {
	p := alicert.NewAlidnsProvider(o.c)
	p.Zone = o.spec.DNS.Alidns.Zone
	p.TTL = int(o.spec.DNS.Alidns.TTL)
	return p
}

func (o *dvOrder) settle() time.Duration {
	if o.s.UnknownOutcomeSettle > 0 {
		return o.s.UnknownOutcomeSettle
	}
	return DefaultUnknownOutcomeSettle
}

func (o *dvOrder) timeout() time.Duration {
	if t := o.spec.ValidationTimeout; t != nil && t.Duration > 0 {
		return t.Duration
	}
	return DefaultValidationTimeout
}

// orderedAt is when the order was placed: when its request was sent, or,
// for an order id set by hand, when the CertificateRequest was made.
func (o *dvOrder) orderedAt() time.Time {
	if !o.st.sentAt.IsZero() {
		return o.st.sentAt
	}
	return o.cr.CreationTimestamp.Time
}

func (o *dvOrder) poll() time.Duration {
	if o.s.PollInterval > 0 {
		return o.s.PollInterval
	}
	return min(max(o.now.Sub(o.orderedAt())/10, 2*time.Second), time.Minute)
}

func (o *dvOrder) backoff() time.Duration {
	return retryBackoff(o.now.Sub(o.cr.CreationTimestamp.Time))
}

func (o *dvOrder) event(eventType, reason, format string, args ...any) {
	if o.s.Events == nil {
		return
	}
	o.s.Events.Eventf(o.cr, nil, eventType, reason, "Sign", format, args...)
}

// checkQuota fails when the resource plan of the spec's product has no
// more than the spec's minimum of certificates left.
func checkQuota(ctx context.Context, c *alicert.Client, spec *api.CASIssuerSpec) error {
	q, err := c.CAS.DescribePackageState(ctx, &alicert.DescribePackageStateInput{ProductCode: spec.ProductCode})
	if err != nil {
		return fmt.Errorf("reading the quota: %w", err)
	}
	if left := q.Remaining(); left <= spec.MinimumRemainingQuota {
		product := q.ProductCode
		if product == "" {
			product = spec.ProductCode
		}
		return issuerProblem(fmt.Errorf("quota: %d of the %d certificates of the resource plans for %s remain, and the issuer keeps %d (spec.minimumRemainingQuota): buy more, or lower the minimum",
			left, q.TotalCount, product, spec.MinimumRemainingQuota))
	}
	return nil
}

// orderGone reports whether err is the service refusing an order id
// (InvalidParameter for an id it does not know, say): a 4xx other than
// throttling and the credential failures, which say nothing about the
// order.
func orderGone(err error) bool {
	var e *alicert.APIError
	return errors.As(err, &e) && e.Operation == "DescribeCertificateState" && classifyAPIError(e) == refused
}

// issuedBundle checks the issued chain against the request and splits it
// the way cert-manager does (pki.ParseSingleCertificateChain): the leaf
// and its intermediates as the certificate, and the root, or else the
// topmost intermediate, as the CA.
func issuedBundle(state *alicert.DescribeCertificateStateOutput, domain string, csrPEM []byte) (signer.PEMBundle, error) {
	chain, err := state.ParseCertificates()
	if err != nil {
		return signer.PEMBundle{}, fmt.Errorf("the issued certificate does not parse: %w", err)
	}
	csr, err := alicert.ParseCSR(string(csrPEM))
	if err != nil {
		return signer.PEMBundle{}, err
	}
	leaf := chain[0]
	if !alicert.CoversDomain(leaf, domain) {
		return signer.PEMBundle{}, fmt.Errorf("the issued certificate does not cover %s (it names %s)", domain, strings.Join(leaf.DNSNames, ", "))
	}
	if pub, ok := leaf.PublicKey.(interface{ Equal(crypto.PublicKey) bool }); !ok || !pub.Equal(csr.PublicKey) {
		return signer.PEMBundle{}, errors.New("the issued certificate does not hold the public key of the request's CSR")
	}
	bundle, err := pki.ParseSingleCertificateChain(chain)
	if err != nil {
		return signer.PEMBundle{}, fmt.Errorf("the issued chain: %w", err)
	}
	return signer.PEMBundle(bundle), nil
}

package alicerttest

import (
	"crypto/x509"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The certificate order state machine lives here, and only here.
//
// An order starts in domain_verify. Each DescribeCertificateState read
// reports the order's current state and counts towards moving on: after
// readsPerState reads in a state the order takes one step,
//
//	domain_verify -> process -> certificate (or verify_fail)
//
// certificate and verify_fail are final. The step out of domain_verify
// also needs the server's validated hook to agree that the DNS record or
// file the order asks for is in place; without a hook it always is. A fake
// DNS API (Alidns) can set the hook to look for the TXT record in its own
// zone, so that an order waits until the client has added it.

// Order states, as DescribeCertificateState reports them in Type.
const (
	stateDomainVerify = "domain_verify"
	stateProcess      = "process"
	stateCertificate  = "certificate"
	stateVerifyFail   = "verify_fail"
)

// Order and CSR ids are above 2^53, like the service's, and odd, so that
// none survives a trip through float64 (which keeps only even integers up
// there): a client that decodes them as float64 gets every one wrong.
const (
	firstOrderID = 98987582437920969 // next to the order id in the CAS API reference
	firstCsrID   = 1<<53 + 1
	// maxIDStep bounds the random even step between two ids.
	maxIDStep = 1 << 20
)

// nextID returns the id after last: a random even step keeps it odd.
func nextID(last int64) int64 {
	return last + 2 + 2*randomInt(maxIDStep/2)
}

// order is one certificate order.
type order struct {
	id           int64
	certID       int64 // the issued certificate's id (CertId)
	domain       string
	validateType string // "DNS" or "FILE"
	productCode  string
	created      time.Time
	// token is the value of the DNS TXT record (at recordDomain) or the
	// content of the file (at validationURI) the CA looks for.
	token string

	state string
	reads int // reads of DescribeCertificateState in the current state

	// csr is the caller's CSR of an order placed with one
	// (CreateCertificateWithCsrRequest, a renewal with Csr): the
	// certificate is issued for its key, and the order has no private key.
	csr *x509.CertificateRequest
	// certDeleted: DeleteUserCertificate removed the issued certificate
	// from the account (the order stays).
	certDeleted bool
	// expiring: SetOrderExpiring marked the issued order as about to
	// expire, whatever its certificate's dates.
	expiring bool

	issueOnce sync.Once
	// issuedFlag is set once issueOnce has filled the fields below (for
	// Snapshot, which must not issue).
	issuedFlag atomic.Bool
	chainPEM   string // certificate and CA certificate, once issued
	keyPEM     string
	issueErr   error
}

// validationURI is where FILE validation expects the file.
const validationURI = "/.well-known/pki-validation/fileauth.txt"

// recordDomain is the fully qualified name of the TXT record DNS
// validation expects.
func (o *order) recordDomain() string {
	return "_dnsauth." + strings.TrimPrefix(o.domain, "*.")
}

// announcedRecordDomain is the RecordDomain DescribeCertificateState gives
// for o: recordDomain, or with WithRelativeRecordDomain its host record
// relative to the zone holding the domain ("_dnsauth.www" for
// www.example.com in example.com).
func (s *Server) announcedRecordDomain(o *order) string {
	name := o.recordDomain()
	if !s.cfg.relativeRecordDomain {
		return name
	}
	base := normalizeName(strings.TrimPrefix(o.domain, "*."))
	zone := s.dns.zoneOf(base)
	if zone == "" {
		labels := strings.Split(base, ".")
		zone = strings.Join(labels[max(len(labels)-2, 0):], ".")
	}
	return relative(normalizeName(name), zone)
}

// newOrder registers an order and returns it. An order of a server with
// WithImmediateIssue starts in its final state.
func (s *Server) newOrder(domain, validateType, productCode string, now time.Time) *order {
	o := &order{
		domain:       domain,
		validateType: validateType,
		productCode:  productCode,
		created:      now,
		token:        randomHex(16),
		state:        stateDomainVerify,
	}
	if s.cfg.immediate {
		o.state = s.finalState(o)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastOrderID = nextID(s.lastOrderID)
	o.id = s.lastOrderID
	// Even, where order ids are odd, so that a client mixing the two up
	// gets caught; above 2^53 like them.
	o.certID = o.id + 1
	s.orders[o.id] = o
	return o
}

// observe returns the state one DescribeCertificateState read of order id
// sees, and moves the order on. It returns nil for an unknown id.
func (s *Server) observe(id int64) (*order, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orders[id]
	if o == nil {
		return nil, ""
	}
	state := o.state
	if state == stateCertificate || state == stateVerifyFail {
		return o, state
	}
	o.reads++
	if o.reads >= s.cfg.readsPerState {
		if next := s.nextState(o); next != "" {
			o.state, o.reads = next, 0
		}
	}
	return o, state
}

// nextState is the state o moves to from its current one, or "" to stay.
// Called with s.mu held.
func (s *Server) nextState(o *order) string {
	switch o.state {
	case stateDomainVerify:
		if s.validated != nil && !s.validated(o) {
			return ""
		}
		return stateProcess
	case stateProcess:
		return s.finalState(o)
	}
	return ""
}

// finalState is where the CA's review of o ends.
func (s *Server) finalState(o *order) string {
	if s.cfg.verifyFail[strings.ToLower(o.domain)] {
		return stateVerifyFail
	}
	return stateCertificate
}

// issued returns the order's certificate chain and key, issuing them on
// first use (outside the server's lock: key generation and signing take a
// while under the race detector).
func (s *Server) issued(o *order, now time.Time) (chainPEM, keyPEM string, err error) {
	o.issueOnce.Do(func() {
		if o.csr != nil {
			o.chainPEM, o.issueErr = s.ca.issueForCSR(o.csr, o.domain, now)
			o.issuedFlag.Store(o.issueErr == nil)
			return
		}
		o.chainPEM, o.keyPEM, o.issueErr = s.ca.issueForDomain(o.domain, now)
	})
	o.issuedFlag.Store(o.issueErr == nil)
	return o.chainPEM, o.keyPEM, o.issueErr
}

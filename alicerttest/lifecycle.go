package alicerttest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/alicert/alicert/internal/pemchain"
	"github.com/alicert/alicert/internal/wire"
)

// The certificate lifecycle of the fake: the account's certificates
// (issued by orders, uploaded, or seeded for tests), listed and paged the
// way ListUserCertificateOrder lists them, their files, uploads with
// unique names, deletes, cancels, revocations, renewals, and the quota of
// the resource plans.
//
// Orders live in orders.go; this file keeps what the lifecycle adds: the
// uploaded and seeded certificates, the revoked orders, and the quota
// bought per specification. Listing reads both, each under its own lock.

// Lifecycle constants, as the service documents them where it does.
const (
	// defaultShowSize is ListUserCertificateOrder's page size without
	// ShowSize.
	defaultShowSize = 50
	// willExpireWindow is how close to its end a certificate is listed as
	// WILLEXPIRED rather than ISSUED.
	willExpireWindow = 30 * 24 * time.Hour
	// refundWindow is how long after issuance a revocation returns the
	// certificate's quota.
	refundWindow = 30 * 24 * time.Hour
	// defaultPackageTotal is the quota bought for every specification
	// until SetPackageQuota says otherwise.
	defaultPackageTotal = 20
	// maxUploadName is the longest name UploadUserCertificate takes.
	maxUploadName = wire.MaxUploadName
	// firstUserCertID starts the ids of uploaded and seeded certificates:
	// even, like those of issued ones, above 2^53, and apart from them.
	firstUserCertID = 1<<54 + 2
)

// codeOrderState is the fake's error code for an operation on an order or
// certificate in a state the operation is not documented for. The code is
// the fake's own: the models document no error codes for these refusals.
const codeOrderState = "IncorrectOrderStatus"

// Statuses of ListUserCertificateOrder.
const (
	statusPayed       = "PAYED"
	statusChecking    = "CHECKING"
	statusCheckedFail = "CHECKED_FAIL"
	statusIssued      = "ISSUED"
	statusWillExpire  = "WILLEXPIRED"
	statusExpired     = "EXPIRED"
	statusNotActive   = "NOTACTIVATED"
	statusRevoked     = "REVOKED"
)

// statePayed is the state of a cancelled order: waiting to be applied for
// again. The order state machine leaves it there.
const statePayed = "payed"

// packageCodes are the specifications DescribePackageState documents.
var packageCodes = []string{
	"digicert-free-1-free", "symantec-free-1-free", "symantec-dv-1-starter",
	"symantec-ov-1-personal", "symantec-ov-w-personal", "geotrust-dv-1-starter",
	"geotrust-dv-w-starter", "geotrust-ov-1-personal", "geotrust-ov-w-personal",
	"globalsign-dv-1-personal", "globalsign-dv-w-advanced", "globalsign-ov-1-personal",
	"globalsign-ov-w-advanced", "cfca-ov-1-personal", "cfca-ev-w-advanced",
}

// lifecycleState is what the lifecycle keeps besides the orders.
type lifecycleState struct {
	mu      sync.Mutex
	certs   []*userCert // uploaded and seeded, oldest first (the listing order)
	byID    map[int64]*userCert
	lastID  int64
	revoked map[int64]time.Time // order id -> when it was revoked
	quota   map[string]int64    // specification -> certificates bought
}

func newLifecycleState() *lifecycleState {
	return &lifecycleState{
		byID:    make(map[int64]*userCert),
		lastID:  firstUserCertID,
		revoked: make(map[int64]time.Time),
		quota:   make(map[string]int64),
	}
}

// userCert is an uploaded or seeded certificate.
type userCert struct {
	id            int64
	name          string
	domain        string
	upload        bool
	resourceGroup string
	instanceID    string
	notBefore     time.Time
	notAfter      time.Time

	// A seeded certificate gets its PEM and key on first use (signing ten
	// thousand of them up front would take a while under the race
	// detector); an uploaded one has them from the start.
	once sync.Once
	// materialized is set once the fields below are filled (for
	// Snapshot, which must not sign).
	materialized atomic.Bool
	chainPEM     string
	keyPEM       string
	leaf         *x509.Certificate
	err          error
	// uploaded is the leaf of an uploaded certificate, set before the
	// certificate is shared and never changed, so that listing can read it
	// without the once.
	uploaded *x509.Certificate

	// tags are the upload's Tags, as GetUserCertificateDetail returns them.
	tags []tagDoc

	// sm: an SM upload, of the PEM texts below instead of chainPEM and
	// keyPEM (see uploadSMCertificate).
	sm                      bool
	signCert, signKey       string
	encryptCert, encryptKey string
}

// SeedCertificate describes a certificate to add with
// Server.SeedCertificate.
type SeedCertificate struct {
	// Name is the certificate's name; empty means "seed-<id>".
	Name string
	// Domain is the one domain the certificate holds.
	Domain string
	// NotBefore and NotAfter are its validity.
	NotBefore, NotAfter time.Time
	// Upload lists it as uploaded (OrderType UPLOAD) rather than issued.
	Upload bool
}

// WithCertificates seeds the account with n certificates, for tests and
// benchmarks of the inventory: valid 90 days, started up to 80 days before
// the server's clock (so none has expired, and those started more than 60
// days ago are listed as WILLEXPIRED), one in four of them uploaded. The
// first expires soonest: 5 days after the server starts. Domains are
// site-00001.example.com and up, names seed-00001 and up.
// ListUserCertificateOrder with OrderType CERT lists all n.
func WithCertificates(n int) Option {
	return func(c *config) { c.certificates = max(n, 0) }
}

// seedCertificates adds WithCertificates' certificates.
func (s *Server) seedCertificates(n int, now time.Time) {
	const day = 24 * time.Hour
	for i := range n {
		start := now.Add(-time.Duration(i%80)*day - backdate)
		if i == 0 {
			start = now.Add(-85 * day)
		}
		s.SeedCertificate(SeedCertificate{
			Name:      fmt.Sprintf("seed-%05d", i+1),
			Domain:    fmt.Sprintf("site-%05d.example.com", i+1),
			NotBefore: start,
			NotAfter:  start.Add(leafValidity),
			Upload:    i%4 == 3,
		})
	}
}

// SeedCertificate adds a certificate to the account, as if it had been
// issued (or uploaded) before, and returns its id. Its PEM is signed by
// the test CA with the given validity when first asked for.
func (s *Server) SeedCertificate(c SeedCertificate) int64 {
	l := s.life
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lastID += 2 // even, as certificate ids are here
	u := &userCert{
		id: l.lastID, name: c.Name, domain: c.Domain, upload: c.Upload,
		notBefore: c.NotBefore.UTC(), notAfter: c.NotAfter.UTC(),
		instanceID: fmt.Sprintf("cas-seed-%d", l.lastID),
	}
	if u.name == "" {
		u.name = fmt.Sprintf("seed-%d", u.id)
	}
	l.certs = append(l.certs, u)
	l.byID[u.id] = u
	return u.id
}

// SetPackageQuota sets the number of certificates of a specification the
// account bought in resource plans (DescribePackageState's TotalCount;
// 20 for each specification until set).
func (s *Server) SetPackageQuota(productCode string, total int64) {
	s.life.mu.Lock()
	defer s.life.mu.Unlock()
	s.life.quota[productCode] = total
}

// CertificateCount returns how many certificates the account holds:
// uploaded, seeded and issued by orders, not deleted.
func (s *Server) CertificateCount() int {
	s.life.mu.Lock()
	n := len(s.life.certs)
	s.life.mu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.orders {
		if o.state == stateCertificate && !o.certDeleted {
			n++
		}
	}
	return n
}

// materialize signs a seeded certificate on first use.
func (s *Server) materialize(u *userCert) error {
	u.once.Do(func() {
		if u.chainPEM != "" {
			return
		}
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			u.err = err
			return
		}
		issuedAt := u.notBefore.Add(backdate) // issue subtracts backdate again
		leaf, err := s.ca.issue(&x509.Certificate{
			Subject:  pkix.Name{CommonName: u.domain},
			DNSNames: []string{u.domain},
		}, &key.PublicKey, issuedAt, u.notAfter.Sub(issuedAt))
		if err != nil {
			u.err = err
			return
		}
		if u.keyPEM, u.err = privateKeyPEM(key); u.err != nil {
			return
		}
		u.chainPEM = leaf + s.ca.certPEM
		u.leaf, u.err = firstCertificate(u.chainPEM)
		u.materialized.Store(u.err == nil)
	})
	return u.err
}

// issueForCSR signs the leaf of an order placed with a CSR, for domain,
// and returns it followed by the CA certificate.
func (ca *testCA) issueForCSR(csr *x509.CertificateRequest, domain string, now time.Time) (string, error) {
	leaf, err := ca.issue(&x509.Certificate{
		Subject:  pkix.Name{CommonName: domain},
		DNSNames: []string{domain},
	}, csr.PublicKey, now, leafValidity)
	if err != nil {
		return "", err
	}
	return leaf + ca.certPEM, nil
}

// firstCertificate returns the leaf of a stored chain.
func firstCertificate(chainPEM string) (*x509.Certificate, error) {
	certs, err := parseCertificates(chainPEM)
	if err != nil {
		return nil, err
	}
	return certs[0], nil
}

// orderCSR parses and checks the Csr parameter of an order: a CSR whose
// signature verifies, with an RSA key of 2048 bits or more or an ECDSA
// key, naming exactly one domain. It returns the CSR and the domain.
func orderCSR(c *call, name string) (*x509.CertificateRequest, string, *apiError) {
	v := c.get(name)
	block, _ := pem.Decode([]byte(v))
	if block == nil || (block.Type != "CERTIFICATE REQUEST" && block.Type != "NEW CERTIFICATE REQUEST") {
		return nil, "", invalid(name, "the value is not a PEM CERTIFICATE REQUEST")
	}
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		return nil, "", invalid(name, "the CSR does not parse")
	}
	if csr.CheckSignature() != nil {
		return nil, "", invalid(name, "the CSR's signature is invalid")
	}
	switch k := csr.PublicKey.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return nil, "", invalid(name, "an RSA key must have at least 2048 bits")
		}
	case *ecdsa.PublicKey:
	default:
		return nil, "", invalid(name, "the key must be RSA or ECC")
	}
	var names []string
	for _, n := range append([]string{csr.Subject.CommonName}, csr.DNSNames...) {
		if n != "" && !slices.Contains(names, strings.ToLower(n)) {
			names = append(names, strings.ToLower(n))
		}
	}
	if len(names) != 1 || len(csr.IPAddresses)+len(csr.EmailAddresses)+len(csr.URIs) > 0 {
		return nil, "", invalid(name, "the CSR must name exactly one domain")
	}
	return csr, names[0], nil
}

// createCertificateWithCsrRequest creates an order for the domain of the
// caller's CSR.
func (s *Server) createCertificateWithCsrRequest(c *call) (any, *apiError) {
	code := c.get("ProductCode")
	if code == "" {
		code = defaultProductCode
	}
	rule, known := productCodes[code]
	if !known {
		return nil, invalid("ProductCode", fmt.Sprintf("%q is not a DV certificate specification", code))
	}
	for _, name := range []string{"Csr", "Username", "Phone", "Email"} {
		if strings.TrimSpace(c.get(name)) == "" {
			return nil, missing(name)
		}
	}
	if email := c.get("Email"); !isEmailAddress(email) {
		return nil, invalid("Email", fmt.Sprintf("%q is not an email address", email))
	}
	csr, domain, e := orderCSR(c, "Csr")
	if e != nil {
		return nil, e
	}
	if e := checkOrderDomain(domain, rule); e != nil {
		return nil, e
	}
	switch v := c.get("ValidateType"); v {
	case "":
		return nil, missing("ValidateType")
	case "DNS", "FILE":
	default:
		return nil, invalid("ValidateType", fmt.Sprintf("%q is not DNS or FILE", v))
	}
	if e := checkTags(c, csrOrderTagLimits()); e != nil {
		return nil, e
	}
	o := s.newCSROrder(domain, c.get("ValidateType"), code, csr, c.now)
	return createCertificateRequestResponse{OrderID: o.id, RequestID: c.requestID}, nil
}

// newCSROrder registers an order for a CSR's key.
func (s *Server) newCSROrder(domain, validateType, product string, csr *x509.CertificateRequest, now time.Time) *order {
	o := s.newOrder(domain, validateType, product, now)
	s.mu.Lock()
	o.csr = csr // before any read of the order can issue it: reads take s.mu first
	s.mu.Unlock()
	return o
}

// listEntry is one entry of CertificateOrderList.
type listEntry struct {
	OrderID         int64  `json:"OrderId,omitempty"`
	CertificateID   int64  `json:"CertificateId,omitempty"`
	InstanceID      string `json:"InstanceId,omitempty"`
	Name            string `json:"Name,omitempty"`
	Domain          string `json:"Domain,omitempty"`
	CommonName      string `json:"CommonName,omitempty"`
	Sans            string `json:"Sans,omitempty"`
	Status          string `json:"Status"`
	CertType        string `json:"CertType,omitempty"`
	ProductCode     string `json:"ProductCode,omitempty"`
	ProductName     string `json:"ProductName,omitempty"`
	SourceType      string `json:"SourceType,omitempty"`
	Algorithm       string `json:"Algorithm,omitempty"`
	DomainType      string `json:"DomainType,omitempty"`
	DomainCount     int64  `json:"DomainCount,omitempty"`
	RootBrand       string `json:"RootBrand,omitempty"`
	TrusteeStatus   string `json:"TrusteeStatus,omitempty"`
	BuyDate         int64  `json:"BuyDate,omitempty"`
	StartDate       string `json:"StartDate,omitempty"`
	EndDate         string `json:"EndDate,omitempty"`
	CertStartTime   int64  `json:"CertStartTime,omitempty"`
	CertEndTime     int64  `json:"CertEndTime,omitempty"`
	Fingerprint     string `json:"Fingerprint,omitempty"`
	Sha2            string `json:"Sha2,omitempty"`
	SerialNo        string `json:"SerialNo,omitempty"`
	Issuer          string `json:"Issuer,omitempty"`
	ResourceGroupID string `json:"ResourceGroupId,omitempty"`
	Expired         *bool  `json:"Expired,omitempty"`
	Upload          *bool  `json:"Upload,omitempty"`
	// Orders only (OrderType CPACK or BUY, as the model says): the
	// Alibaba Cloud and CA order ids, made up from the order's, and the
	// number of wildcard domains.
	AliyunOrderID   int64  `json:"AliyunOrderId,omitempty"`
	PartnerOrderID  string `json:"PartnerOrderId,omitempty"`
	WildDomainCount *int64 `json:"WildDomainCount,omitempty"`
	// Certificates only (OrderType CERT or UPLOAD): the subject's place
	// and organization, empty when the subject has none.
	City     *string `json:"City,omitempty"`
	Country  *string `json:"Country,omitempty"`
	OrgName  *string `json:"OrgName,omitempty"`
	Province *string `json:"Province,omitempty"`

	keywords []string // what Keyword matches
}

// fillSubject sets the subject fields of a certificate entry, from leaf
// when there is one.
func fillSubject(e *listEntry, leaf *x509.Certificate) {
	var subject pkix.Name
	if leaf != nil {
		subject = leaf.Subject
	}
	first := func(v []string) *string {
		s := ""
		if len(v) > 0 {
			s = v[0]
		}
		return &s
	}
	e.City, e.Country, e.OrgName, e.Province = first(subject.Locality), first(subject.Country), first(subject.Organization), first(subject.Province)
}

type listResponse struct {
	CertificateOrderList []listEntry `json:"CertificateOrderList"`
	TotalCount           int64       `json:"TotalCount"`
	CurrentPage          int64       `json:"CurrentPage"`
	ShowSize             int64       `json:"ShowSize"`
	RequestID            string      `json:"RequestId"`
}

// positiveParam reads an optional positive integer, def when absent.
func positiveParam(c *call, name string, def int64) (int64, *apiError) {
	v := c.get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		return 0, invalid(name, fmt.Sprintf("%q is not a positive integer", v))
	}
	return n, nil
}

// listUserCertificateOrder lists certificates or orders, filtered by
// Status, Keyword and ResourceGroupId, one page of ShowSize entries.
func (s *Server) listUserCertificateOrder(c *call) (any, *apiError) {
	kind := c.get("OrderType")
	switch kind {
	case "":
		kind = "CPACK"
	case "CPACK", "BUY", "CERT", "UPLOAD":
	default:
		return nil, invalid("OrderType", fmt.Sprintf("%q is not CPACK, BUY, UPLOAD or CERT", kind))
	}
	status := c.get("Status")
	switch status {
	case "", statusIssued, statusWillExpire, statusExpired:
	case statusPayed, statusChecking, statusCheckedFail, statusNotActive, statusRevoked:
		if kind == "CERT" || kind == "UPLOAD" {
			return nil, invalid("Status", fmt.Sprintf("%q is valid only with OrderType CPACK or BUY", status))
		}
	default:
		return nil, invalid("Status", fmt.Sprintf("%q is not a certificate status", status))
	}
	page, e := positiveParam(c, "CurrentPage", 1)
	if e != nil {
		return nil, e
	}
	size, e := positiveParam(c, "ShowSize", defaultShowSize)
	if e != nil {
		return nil, e
	}
	var entries []listEntry
	switch kind {
	case "CERT", "UPLOAD":
		entries = s.certificateEntries(kind == "UPLOAD", c.now)
	case "CPACK":
		entries = s.orderEntries(c.now)
	}
	keyword, group := strings.ToLower(c.get("Keyword")), c.get("ResourceGroupId")
	out := listResponse{CurrentPage: page, ShowSize: size, RequestID: c.requestID, CertificateOrderList: []listEntry{}}
	first := (page - 1) * size
	for _, e := range entries {
		if !matchStatus(e.Status, status, kind) || !matchKeyword(e.keywords, keyword) ||
			group != "" && e.ResourceGroupID != group {
			continue
		}
		if out.TotalCount >= first && out.TotalCount < first+size {
			out.CertificateOrderList = append(out.CertificateOrderList, e)
		}
		out.TotalCount++
	}
	return out, nil
}

// matchStatus applies Status: empty lists certificates that are valid
// (ISSUED or WILLEXPIRED), and every order.
func matchStatus(got, want, kind string) bool {
	if want == "" {
		return kind == "CPACK" || kind == "BUY" || got == statusIssued || got == statusWillExpire
	}
	return got == want
}

func matchKeyword(fields []string, keyword string) bool {
	if keyword == "" {
		return true
	}
	for _, f := range fields {
		if strings.Contains(strings.ToLower(f), keyword) {
			return true
		}
	}
	return false
}

// validityStatus is a certificate's status by its dates.
func validityStatus(notAfter, now time.Time) string {
	switch {
	case !now.Before(notAfter):
		return statusExpired
	case notAfter.Sub(now) <= willExpireWindow:
		return statusWillExpire
	}
	return statusIssued
}

// certificateEntries lists the account's certificates: uploaded and
// seeded ones, then those issued by orders, oldest first.
func (s *Server) certificateEntries(uploadsOnly bool, now time.Time) []listEntry {
	s.life.mu.Lock()
	certs := slices.Clone(s.life.certs)
	s.life.mu.Unlock()
	entries := make([]listEntry, 0, len(certs))
	for _, u := range certs {
		if uploadsOnly && !u.upload {
			continue
		}
		e := certEntry(u.id, u.name, u.domain, u.notBefore, u.notAfter, u.upload, now)
		e.InstanceID, e.ResourceGroupID = u.instanceID, u.resourceGroup
		e.keywords = append(e.keywords, u.instanceID)
		if u.uploaded != nil {
			fillHashes(&e, u.uploaded)
		}
		fillSubject(&e, u.uploaded)
		entries = append(entries, e)
	}
	if uploadsOnly {
		return entries
	}
	for _, o := range s.issuedOrders() {
		chain, _, err := s.issued(o, now)
		if err != nil {
			continue
		}
		leaf, err := firstCertificate(chain)
		if err != nil {
			continue
		}
		e := certEntry(o.certID, issuedName(o), o.domain, leaf.NotBefore, leaf.NotAfter, false, now)
		e.Status = s.orderStatus(o, leaf, s.isExpiring(o), now)
		e.InstanceID = orderInstanceID(o)
		fillHashes(&e, leaf)
		fillSubject(&e, leaf)
		entries = append(entries, e)
	}
	return entries
}

func certEntry(id int64, name, domain string, notBefore, notAfter time.Time, upload bool, now time.Time) listEntry {
	expired := !now.Before(notAfter)
	return listEntry{
		CertificateID: id, Name: name, CommonName: domain, Sans: domain,
		Status:    validityStatus(notAfter, now),
		StartDate: notBefore.UTC().Format(time.DateOnly), EndDate: notAfter.UTC().Format(time.DateOnly),
		CertStartTime: notBefore.UnixMilli(), CertEndTime: notAfter.UnixMilli(),
		Expired: &expired, Upload: &upload,
		keywords: []string{name, domain},
	}
}

func fillHashes(e *listEntry, leaf *x509.Certificate) {
	sum1, sum256 := sha1.Sum(leaf.Raw), sha256.Sum256(leaf.Raw)
	e.Fingerprint = strings.ToUpper(hex.EncodeToString(sum1[:]))
	e.Sha2 = strings.ToUpper(hex.EncodeToString(sum256[:]))
	e.SerialNo = leaf.SerialNumber.Text(16)
	e.Issuer = leaf.Issuer.CommonName
}

func issuedName(o *order) string { return fmt.Sprintf("cert-%d", o.certID) }

func orderInstanceID(o *order) string { return fmt.Sprintf("cas-cn-%d", o.id) }

// issuedOrders returns the orders whose certificate is issued and not
// deleted, oldest first.
func (s *Server) issuedOrders() []*order {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*order
	for _, o := range s.orders {
		if o.state == stateCertificate && !o.certDeleted {
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(a, b *order) int { return compareIDs(a.id, b.id) })
	return out
}

func compareIDs(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// isExpiring reports whether SetOrderExpiring marked o.
func (s *Server) isExpiring(o *order) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return o.expiring
}

func (s *Server) isRevoked(orderID int64) bool {
	s.life.mu.Lock()
	defer s.life.mu.Unlock()
	_, ok := s.life.revoked[orderID]
	return ok
}

// orderEntries lists the certificate orders, oldest first.
func (s *Server) orderEntries(now time.Time) []listEntry {
	s.mu.Lock()
	orders := make([]*order, 0, len(s.orders))
	states := make(map[int64]string, len(s.orders))
	for _, o := range s.orders {
		orders = append(orders, o)
		states[o.id] = o.state
	}
	s.mu.Unlock()
	slices.SortFunc(orders, func(a, b *order) int { return compareIDs(a.id, b.id) })
	entries := make([]listEntry, 0, len(orders))
	for _, o := range orders {
		e := listEntry{
			OrderID: o.id, Domain: o.domain, ProductCode: o.productCode, CertType: "DV",
			SourceType: "cpack", Algorithm: "ECC", DomainType: "ONE", DomainCount: 1,
			RootBrand: "alicerttest", TrusteeStatus: "unTrustee", BuyDate: o.created.UnixMilli(),
			InstanceID: orderInstanceID(o), AliyunOrderID: o.id/1000 + 1, PartnerOrderID: fmt.Sprintf("CA-%d", o.id),
			keywords: []string{o.domain, orderInstanceID(o)},
		}
		wild := int64(0)
		if strings.HasPrefix(o.domain, "*.") {
			e.DomainType, wild = "WILDCARD", 1
		}
		e.WildDomainCount = &wild
		if o.csr != nil {
			if _, ok := o.csr.PublicKey.(*rsa.PublicKey); ok {
				e.Algorithm = "RSA"
			}
		}
		switch states[o.id] {
		case stateDomainVerify, stateProcess:
			e.Status = statusChecking
		case stateVerifyFail:
			e.Status = statusCheckedFail
		case statePayed:
			e.Status = statusPayed
		case stateCertificate:
			e.Status = statusIssued
			if chain, _, err := s.issued(o, now); err == nil {
				if leaf, err := firstCertificate(chain); err == nil {
					e.CertStartTime, e.CertEndTime = leaf.NotBefore.UnixMilli(), leaf.NotAfter.UnixMilli()
					e.Status = s.orderStatus(o, leaf, s.isExpiring(o), now)
				}
			}
			if s.isRevoked(o.id) {
				e.Status = statusRevoked
			}
		}
		entries = append(entries, e)
	}
	return entries
}

type certChainEntry struct {
	CommonName       string `json:"CommonName"`
	IssuerCommonName string `json:"IssuerCommonName"`
	NotBefore        int64  `json:"NotBefore"`
	NotAfter         int64  `json:"NotAfter"`
	RemainDay        int64  `json:"RemainDay"`
}

type certificateDetailResponse struct {
	ID             int64            `json:"Id"`
	OrderID        int64            `json:"OrderId,omitempty"`
	Name           string           `json:"Name"`
	Common         string           `json:"Common"`
	Sans           string           `json:"Sans"`
	Cert           string           `json:"Cert,omitempty"`
	Key            string           `json:"Key,omitempty"`
	StartDate      string           `json:"StartDate"`
	EndDate        string           `json:"EndDate"`
	NotBefore      int64            `json:"NotBefore"`
	NotAfter       int64            `json:"NotAfter"`
	Expired        bool             `json:"Expired"`
	Fingerprint    string           `json:"Fingerprint"`
	Sha2           string           `json:"Sha2"`
	CertSha2       string           `json:"CertSha2"`
	SerialNo       string           `json:"SerialNo"`
	CertIdentifier string           `json:"CertIdentifier"`
	InstanceID     string           `json:"InstanceId"`
	Issuer         string           `json:"Issuer"`
	Algorithm      string           `json:"Algorithm"`
	BuyInAliyun    bool             `json:"BuyInAliyun"`
	ResourceGroup  string           `json:"ResourceGroupId,omitempty"`
	CertChain      []certChainEntry `json:"CertChain"`
	City           string           `json:"City"`
	Country        string           `json:"Country"`
	OrgName        string           `json:"OrgName"`
	Province       string           `json:"Province"`
	Tags           []tagDoc         `json:"Tags"`
	// The SM form's certificates and keys (see uploadSMCertificate).
	SignCert          string `json:"SignCert,omitempty"`
	SignPrivateKey    string `json:"SignPrivateKey,omitempty"`
	EncryptCert       string `json:"EncryptCert,omitempty"`
	EncryptPrivateKey string `json:"EncryptPrivateKey,omitempty"`
	RequestID         string `json:"RequestId"`
}

// getUserCertificateDetail returns a certificate with its PEM and key
// (without them for CertFilter=true).
func (s *Server) getUserCertificateDetail(c *call) (any, *apiError) {
	id, e := idParam(c, "CertId")
	if e != nil {
		return nil, e
	}
	filter := false
	switch v := c.get("CertFilter"); v {
	case "", "false":
	case "true":
		filter = true
	default:
		return nil, invalid("CertFilter", fmt.Sprintf("%q is not true or false", v))
	}
	out := certificateDetailResponse{ID: id, RequestID: c.requestID, CertIdentifier: fmt.Sprintf("%d-cn-hangzhou", id), Tags: []tagDoc{}}
	var chain, key string
	s.life.mu.Lock()
	u := s.life.byID[id]
	s.life.mu.Unlock()
	switch {
	case u != nil && u.sm:
		out.Tags = append(out.Tags, u.tags...)
		return smDetail(u, out, filter, c.now), nil
	case u != nil:
		if err := s.materialize(u); err != nil {
			return nil, &apiError{http.StatusInternalServerError, "InternalError", "issuing the certificate: " + err.Error()}
		}
		chain, key = u.chainPEM, u.keyPEM
		out.Name, out.InstanceID, out.ResourceGroup, out.BuyInAliyun = u.name, u.instanceID, u.resourceGroup, !u.upload
		out.Tags = append(out.Tags, u.tags...)
	default:
		o := s.orderOfCert(id)
		if o == nil {
			return nil, invalid("CertId", fmt.Sprintf("there is no certificate %d", id))
		}
		var err error
		if chain, key, err = s.issued(o, c.now); err != nil {
			return nil, &apiError{http.StatusInternalServerError, "InternalError", "issuing the certificate: " + err.Error()}
		}
		out.OrderID, out.Name, out.InstanceID, out.BuyInAliyun = o.id, issuedName(o), orderInstanceID(o), true
	}
	certs, err := parseCertificates(chain)
	if err != nil || len(certs) == 0 {
		return nil, &apiError{http.StatusInternalServerError, "InternalError", "the stored certificate does not parse"}
	}
	leaf := certs[0]
	var e2 listEntry
	fillHashes(&e2, leaf)
	out.Common, out.Sans = leaf.Subject.CommonName, strings.Join(leaf.DNSNames, ",")
	var subject listEntry
	fillSubject(&subject, leaf)
	out.City, out.Country, out.OrgName, out.Province = *subject.City, *subject.Country, *subject.OrgName, *subject.Province
	out.StartDate, out.EndDate = leaf.NotBefore.UTC().Format(time.DateOnly), leaf.NotAfter.UTC().Format(time.DateOnly)
	out.NotBefore, out.NotAfter = leaf.NotBefore.UnixMilli(), leaf.NotAfter.UnixMilli()
	out.Expired = !c.now.Before(leaf.NotAfter)
	out.Fingerprint, out.Sha2, out.CertSha2, out.SerialNo, out.Issuer = e2.Fingerprint, e2.Sha2, e2.Sha2, e2.SerialNo, e2.Issuer
	out.Algorithm = "ECC"
	if _, ok := leaf.PublicKey.(*rsa.PublicKey); ok {
		out.Algorithm = "RSA"
	}
	for _, cert := range certs {
		out.CertChain = append(out.CertChain, certChainEntry{
			CommonName: cert.Subject.CommonName, IssuerCommonName: cert.Issuer.CommonName,
			NotBefore: cert.NotBefore.UnixMilli(), NotAfter: cert.NotAfter.UnixMilli(),
			RemainDay: int64(cert.NotAfter.Sub(c.now) / (24 * time.Hour)),
		})
	}
	if !filter {
		out.Cert, out.Key = chain, key
	}
	return out, nil
}

// tagDoc is one tag as GetUserCertificateDetail returns it.
type tagDoc struct {
	TagKey   string `json:"TagKey"`
	TagValue string `json:"TagValue"`
}

// tagsOf returns a request's Tags.N.Key and Tags.N.Value (checked by
// checkTags), in the order of N.
func tagsOf(c *call) []tagDoc {
	var ns []int
	for k := range c.params {
		if m := tagParam.FindStringSubmatch(k); m != nil && m[2] == "Key" {
			if n, err := strconv.Atoi(m[1]); err == nil {
				ns = append(ns, n)
			}
		}
	}
	slices.Sort(ns)
	var tags []tagDoc
	for _, n := range ns {
		if key := c.get(fmt.Sprintf("Tags.%d.Key", n)); key != "" {
			tags = append(tags, tagDoc{TagKey: key, TagValue: c.get(fmt.Sprintf("Tags.%d.Value", n))})
		}
	}
	return tags
}

// smDetail is GetUserCertificateDetail of an SM upload: its PEM texts in
// SignCert, SignPrivateKey, EncryptCert and EncryptPrivateKey (the keys
// left out with CertFilter=true), and the dates of SignCert when it
// parsed.
func smDetail(u *userCert, out certificateDetailResponse, filter bool, now time.Time) certificateDetailResponse {
	out.Name, out.InstanceID, out.ResourceGroup, out.Common, out.Sans = u.name, u.instanceID, u.resourceGroup, u.domain, u.domain
	out.Algorithm = "SM2"
	out.SignCert, out.EncryptCert = u.signCert, u.encryptCert
	if !u.notAfter.IsZero() {
		out.StartDate, out.EndDate = u.notBefore.UTC().Format(time.DateOnly), u.notAfter.UTC().Format(time.DateOnly)
		out.NotBefore, out.NotAfter = u.notBefore.UnixMilli(), u.notAfter.UnixMilli()
		out.Expired = !now.Before(u.notAfter)
	}
	if !filter {
		out.SignPrivateKey, out.EncryptPrivateKey = u.signKey, u.encryptKey
	}
	return out
}

// orderOfCert returns the issued, undeleted order whose certificate is id.
func (s *Server) orderOfCert(id int64) *order {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.orders {
		if o.certID == id && o.state == stateCertificate && !o.certDeleted {
			return o
		}
	}
	return nil
}

type uploadResponse struct {
	CertID     int64  `json:"CertId"`
	ResourceID string `json:"ResourceId"`
	RequestID  string `json:"RequestId"`
}

// notNameRune reports a character an upload's Name may not hold: the model
// (UploadUserCertificateRequest) allows "letters, digits, and underscores
// (_)", read here as ASCII ones.
func notNameRune(r rune) bool {
	return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_')
}

// uploadUserCertificate stores a certificate and its key under a name
// unique in the account.
func (s *Server) uploadUserCertificate(c *call) (any, *apiError) {
	name := c.get("Name")
	switch {
	case strings.TrimSpace(name) == "":
		return nil, missing("Name")
	case utf8.RuneCountInString(name) > maxUploadName:
		return nil, invalid("Name", fmt.Sprintf("the name has more than %d characters", maxUploadName))
	case strings.IndexFunc(name, notNameRune) >= 0:
		return nil, invalid("Name", "the name can contain letters, digits, and underscores (_)")
	}
	if c.get("Cert") == "" && c.get("Key") == "" {
		return s.uploadSMCertificate(c, name)
	}
	for _, p := range []string{"Cert", "Key"} {
		if strings.TrimSpace(c.get(p)) == "" {
			return nil, missing(p)
		}
	}
	certs, err := parseCertificates(c.get("Cert"))
	if err != nil || len(certs) == 0 {
		return nil, invalid("Cert", "the certificate is not PEM X.509")
	}
	pub, aerr := uploadedPublicKey(c.get("Key"))
	if aerr != nil {
		return nil, aerr
	}
	if k, ok := pub.(interface{ Equal(crypto.PublicKey) bool }); !ok || !k.Equal(certs[0].PublicKey) {
		return nil, invalid("Key", "the private key does not match the certificate")
	}
	if e := checkTags(c, uploadTagLimits()); e != nil {
		return nil, e
	}
	u := &userCert{
		name: name, domain: certs[0].Subject.CommonName, upload: true,
		resourceGroup: c.get("ResourceGroupId"), instanceID: "cas-upload-" + randomHex(3),
		notBefore: certs[0].NotBefore, notAfter: certs[0].NotAfter,
		chainPEM: c.get("Cert"), keyPEM: c.get("Key"), leaf: certs[0], uploaded: certs[0], tags: tagsOf(c),
	}
	if u.domain == "" && len(certs[0].DNSNames) > 0 {
		u.domain = certs[0].DNSNames[0]
	}
	return s.addUpload(c, u)
}

// addUpload stores u, an uploaded certificate (it has nothing to
// materialize), under the next id, unless an uploaded certificate has its
// name, and answers as UploadUserCertificate does.
func (s *Server) addUpload(c *call, u *userCert) (any, *apiError) {
	u.once.Do(func() {})
	u.materialized.Store(true)
	l := s.life
	l.mu.Lock()
	defer l.mu.Unlock()
	if e := l.nameTaken(u.name); e != nil {
		return nil, e
	}
	l.lastID += 2
	u.id = l.lastID
	l.certs = append(l.certs, u)
	l.byID[u.id] = u
	return uploadResponse{CertID: u.id, ResourceID: u.instanceID, RequestID: c.requestID}, nil
}

// nameTaken refuses a name an uploaded certificate has. Called with l.mu
// held.
func (l *lifecycleState) nameTaken(name string) *apiError {
	for _, u := range l.certs {
		if u.upload && u.name == name {
			return &apiError{http.StatusBadRequest, "NameRepeat", "The certificate name already exists."}
		}
	}
	return nil
}

// smUploadParams are the parameters of an SM (ShangMi) upload, each a PEM
// certificate or private key.
var smUploadParams = []struct{ name, kind string }{
	{"SignCert", "CERTIFICATE"}, {"SignPrivateKey", "PRIVATE KEY"},
	{"EncryptCert", "CERTIFICATE"}, {"EncryptPrivateKey", "PRIVATE KEY"},
}

// uploadSMCertificate stores an upload without Cert and Key: the SM form.
// The CAS 2020-04-07 model requires only Name, and describes SignCert,
// SignPrivateKey, EncryptCert and EncryptPrivateKey as the SM signing and
// encryption certificates and keys, "invalid if Cert and Key are not
// empty"; so the fake accepts any of them, or none. It checks only that
// each one given is a PEM block of its kind (its own check: the standard
// library cannot parse SM2 keys), and takes the certificate's dates and
// domain from SignCert when crypto/x509 parses it.
func (s *Server) uploadSMCertificate(c *call, name string) (any, *apiError) {
	for _, p := range smUploadParams {
		v := c.get(p.name)
		if v == "" {
			continue
		}
		block, _ := pem.Decode([]byte(v))
		if block == nil || !strings.HasSuffix(block.Type, p.kind) {
			return nil, invalid(p.name, fmt.Sprintf("the value is not a PEM %s", p.kind))
		}
	}
	if e := checkTags(c, uploadTagLimits()); e != nil {
		return nil, e
	}
	u := &userCert{
		name: name, upload: true, sm: true,
		resourceGroup: c.get("ResourceGroupId"), instanceID: "cas-upload-" + randomHex(3),
		signCert: c.get("SignCert"), signKey: c.get("SignPrivateKey"),
		encryptCert: c.get("EncryptCert"), encryptKey: c.get("EncryptPrivateKey"), tags: tagsOf(c),
	}
	if certs, err := pemchain.Certificates([]byte(u.signCert)); err == nil && len(certs) > 0 {
		u.domain, u.notBefore, u.notAfter = certs[0].Subject.CommonName, certs[0].NotBefore, certs[0].NotAfter
	}
	return s.addUpload(c, u)
}

// uploadedPublicKey parses an uploaded private key PEM and returns its
// public key.
func uploadedPublicKey(keyPEM string) (crypto.PublicKey, *apiError) {
	block, _ := pem.Decode([]byte(keyPEM))
	if block == nil {
		return nil, invalid("Key", "the key is not PEM")
	}
	var (
		key any
		err error
	)
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	default:
		return nil, invalid("Key", "the PEM block is not a private key")
	}
	if err != nil {
		return nil, invalid("Key", "the private key does not parse")
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return k.Public(), nil
	case *ecdsa.PrivateKey:
		return k.Public(), nil
	}
	return nil, invalid("Key", "the key must be RSA or ECC")
}

type requestIDResponse struct {
	RequestID string `json:"RequestId"`
}

// deleteUserCertificate deletes an uploaded, expired or revoked
// certificate: "Deletes an expired, revoked, or manually uploaded
// certificate" (the operation's summary in the CAS 2020-04-07 model). The
// model (DeleteUserCertificateRequest) has CertId alone: anything else sent
// is ignored, as every parameter no action takes is.
func (s *Server) deleteUserCertificate(c *call) (any, *apiError) {
	id, e := idParam(c, "CertId")
	if e != nil {
		return nil, e
	}
	l := s.life
	l.mu.Lock()
	if u := l.byID[id]; u != nil {
		defer l.mu.Unlock()
		if !u.upload && c.now.Before(u.notAfter) {
			return nil, &apiError{http.StatusBadRequest, codeOrderState, "Only an uploaded, expired or revoked certificate can be deleted."}
		}
		delete(l.byID, id)
		l.certs = slices.DeleteFunc(l.certs, func(x *userCert) bool { return x == u })
		return requestIDResponse{RequestID: c.requestID}, nil
	}
	l.mu.Unlock()
	o := s.orderOfCert(id)
	if o == nil {
		// The API reference lists only common errors for this action:
		// this answer to a certificate that does not exist (or no longer
		// does) is the fake's own (see the package doc).
		return nil, invalid("CertId", fmt.Sprintf("there is no certificate %d", id))
	}
	chain, _, err := s.issued(o, c.now)
	if err != nil {
		return nil, &apiError{http.StatusInternalServerError, "InternalError", "issuing the certificate: " + err.Error()}
	}
	if leaf, err := firstCertificate(chain); err == nil && c.now.Before(leaf.NotAfter) && !s.isRevoked(o.id) {
		return nil, &apiError{http.StatusBadRequest, codeOrderState, "Only an uploaded, expired or revoked certificate can be deleted."}
	}
	s.mu.Lock()
	o.certDeleted = true
	s.mu.Unlock()
	return requestIDResponse{RequestID: c.requestID}, nil
}

// withOrder runs f on the order named by OrderId with s.mu held.
func (s *Server) withOrder(c *call, f func(o *order) *apiError) (any, *apiError) {
	id, e := idParam(c, "OrderId")
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orders[id]
	if o == nil {
		return nil, invalid("OrderId", fmt.Sprintf("there is no certificate order %d", id))
	}
	if e := f(o); e != nil {
		return nil, e
	}
	return requestIDResponse{RequestID: c.requestID}, nil
}

func orderStateError(o *order, want string) *apiError {
	return &apiError{http.StatusBadRequest, codeOrderState,
		fmt.Sprintf("The order %d is %s; the operation needs an order that is %s.", o.id, o.state, want)}
}

// deleteCertificateRequest deletes an order whose review failed or that was
// cancelled; its quota is returned.
func (s *Server) deleteCertificateRequest(c *call) (any, *apiError) {
	return s.withOrder(c, func(o *order) *apiError {
		if o.state != stateVerifyFail && o.state != statePayed {
			return orderStateError(o, "verify_fail or cancelled (payed)")
		}
		delete(s.orders, o.id)
		return nil
	})
}

// cancelOrderRequest cancels an order waiting for validation or in review.
func (s *Server) cancelOrderRequest(c *call) (any, *apiError) {
	return s.withOrder(c, func(o *order) *apiError {
		if o.state != stateDomainVerify && o.state != stateProcess {
			return orderStateError(o, "domain_verify or process")
		}
		o.state, o.reads = statePayed, 0
		return nil
	})
}

// cancelCertificateForPackageRequest revokes an order's issued
// certificate, or cancels an order pending application (PAYED) and gives
// its quota back: "Revokes an issued certificate or cancels a pending
// certificate order and restores the quota" (the operation's summary in
// the CAS 2020-04-07 model). The fake deletes the cancelled order, which is
// how its quota comes back here (DescribePackageState counts the orders
// that exist); what the service lists for it afterwards is not documented.
func (s *Server) cancelCertificateForPackageRequest(c *call) (any, *apiError) {
	return s.withOrder(c, func(o *order) *apiError {
		if o.state == statePayed {
			delete(s.orders, o.id)
			return nil
		}
		if o.state != stateCertificate || o.certDeleted {
			return orderStateError(o, "certificate (issued) or payed (pending application)")
		}
		s.life.mu.Lock()
		defer s.life.mu.Unlock()
		if _, done := s.life.revoked[o.id]; done {
			return orderStateError(o, "issued and not revoked")
		}
		s.life.revoked[o.id] = c.now
		return nil
	})
}

// SetOrderExpiring marks the issued order orderID as about to expire, so
// that ListUserCertificateOrder lists it as WILLEXPIRED and
// RenewCertificateOrderForPackageRequest, which renews only such an order,
// accepts it; its certificate's dates do not change. (An order whose
// certificate really ends within 30 days of the server's clock, see
// WithClock, is expiring without it.) It reports an error for an order
// that does not exist, is not issued, or was revoked.
func (s *Server) SetOrderExpiring(orderID int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orders[orderID]
	switch {
	case o == nil:
		return fmt.Errorf("alicerttest: there is no certificate order %d", orderID)
	case o.state != stateCertificate || o.certDeleted:
		return fmt.Errorf("alicerttest: order %d is %s, not issued", orderID, o.state)
	case s.isRevoked(o.id):
		return fmt.Errorf("alicerttest: order %d is revoked", orderID)
	}
	o.expiring = true
	return nil
}

// orderStatus is the ListUserCertificateOrder status of an issued order:
// by its certificate's dates, WILLEXPIRED when SetOrderExpiring says so,
// REVOKED once revoked.
func (s *Server) orderStatus(o *order, leaf *x509.Certificate, expiring bool, now time.Time) string {
	status := validityStatus(leaf.NotAfter, now)
	if expiring && status == statusIssued {
		status = statusWillExpire
	}
	if s.isRevoked(o.id) {
		status = statusRevoked
	}
	return status
}

// renewCertificateOrderForPackageRequest orders again for an expiring
// order's domain, from the same specification. The CAS 2020-04-07 model
// says of the operation: "only when the order of the certificate is in the
// expiring state", and "a new certificate order whose status is pending
// application is generated. You must submit a certificate application for
// the new certificate order". So the old order must be WILLEXPIRED (by its
// dates, or SetOrderExpiring), and the new one starts, and stays, in payed
// (ListUserCertificateOrder status PAYED): the fake offers no application
// step for it, as the models document none that takes an OrderId.
func (s *Server) renewCertificateOrderForPackageRequest(c *call) (any, *apiError) {
	id, e := idParam(c, "OrderId")
	if e != nil {
		return nil, e
	}
	var csr *x509.CertificateRequest
	if c.get("Csr") != "" {
		if csr, _, e = orderCSR(c, "Csr"); e != nil {
			return nil, e
		}
	}
	if e := checkTags(c, renewTagLimits()); e != nil {
		return nil, e
	}
	s.mu.Lock()
	old := s.orders[id]
	var domain, validateType, product, state string
	var expiring, deleted bool
	if old != nil {
		domain, validateType, product, state = old.domain, old.validateType, old.productCode, old.state
		expiring, deleted = old.expiring, old.certDeleted
	}
	s.mu.Unlock()
	switch {
	case old == nil:
		return nil, invalid("OrderId", fmt.Sprintf("there is no certificate order %d", id))
	case state != stateCertificate || deleted:
		return nil, orderStateError(old, "certificate (issued) and about to expire (WILLEXPIRED)")
	case csr != nil && !csrNames(csr, domain):
		return nil, invalid("Csr", fmt.Sprintf("the CSR must name the order's domain %q", domain))
	}
	chain, _, err := s.issued(old, c.now)
	if err != nil {
		return nil, &apiError{http.StatusInternalServerError, "InternalError", "issuing the certificate: " + err.Error()}
	}
	leaf, err := firstCertificate(chain)
	if err != nil {
		return nil, &apiError{http.StatusInternalServerError, "InternalError", "the stored certificate does not parse"}
	}
	if status := s.orderStatus(old, leaf, expiring, c.now); status != statusWillExpire {
		return nil, &apiError{http.StatusBadRequest, codeOrderState,
			fmt.Sprintf("The order %d is %s; only an order that is about to expire (WILLEXPIRED) can be renewed.", id, status)}
	}
	o := s.newPendingOrder(domain, validateType, product, c.now)
	if csr != nil {
		s.mu.Lock()
		o.csr = csr
		s.mu.Unlock()
	}
	return createCertificateRequestResponse{OrderID: o.id, RequestID: c.requestID}, nil
}

// newPendingOrder registers an order pending application (payed), where
// the state machine leaves it.
func (s *Server) newPendingOrder(domain, validateType, product string, now time.Time) *order {
	o := s.newOrder(domain, validateType, product, now)
	s.mu.Lock()
	o.state = statePayed // before anyone reads it: reads take s.mu first
	s.mu.Unlock()
	return o
}

// csrNames reports whether csr names domain (as its common name or a DNS
// name).
func csrNames(csr *x509.CertificateRequest, domain string) bool {
	return strings.EqualFold(csr.Subject.CommonName, domain) ||
		slices.ContainsFunc(csr.DNSNames, func(n string) bool { return strings.EqualFold(n, domain) })
}

type packageStateResponse struct {
	ProductCode string `json:"ProductCode"`
	TotalCount  int64  `json:"TotalCount"`
	UsedCount   int64  `json:"UsedCount"`
	IssuedCount int64  `json:"IssuedCount"`
	RequestID   string `json:"RequestId"`
}

// describePackageState counts a specification's quota: bought, used by the
// orders that exist (a deleted order, and a certificate revoked within 30
// days of issuance, gave theirs back), and issued (not revoked).
func (s *Server) describePackageState(c *call) (any, *apiError) {
	code := c.get("ProductCode")
	if code == "" {
		code = defaultProductCode
	}
	if !slices.Contains(packageCodes, code) {
		return nil, invalid("ProductCode", fmt.Sprintf("%q is not a certificate specification", code))
	}
	s.life.mu.Lock()
	total, ok := s.life.quota[code]
	if !ok {
		total = defaultPackageTotal
	}
	revoked := make(map[int64]time.Time, len(s.life.revoked))
	for id, t := range s.life.revoked {
		revoked[id] = t
	}
	s.life.mu.Unlock()
	out := packageStateResponse{ProductCode: code, TotalCount: total, RequestID: c.requestID}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.orders {
		if o.productCode != code {
			continue
		}
		at, isRevoked := revoked[o.id]
		if isRevoked && at.Sub(o.created) <= refundWindow {
			continue // revoked early: the quota came back
		}
		out.UsedCount++
		if o.state == stateCertificate && !isRevoked {
			out.IssuedCount++
		}
	}
	return out, nil
}

package alicerttest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The fake Private CA (CAS API version 2020-06-30): root and subordinate
// CAs with real keys, the server, client and custom certificates their
// subordinate CAs sign from a CSR, their listings, revocation and the
// revocation list. This file keeps the CAs; pca_issue.go issues
// certificates and pca_list.go describes, lists and revokes them.
//
// What the models leave unsaid, and what the fake does there, is listed in
// the package documentation.

// pcaAPI is the Private CA, API version 2020-06-30 of the same product.
func pcaAPI() api {
	return api{
		product: "cas",
		version: "2020-06-30",
		actions: map[string]handler{
			"CreateRootCACertificate":        (*Server).createRootCACertificate,
			"CreateSubCACertificate":         (*Server).createSubCACertificate,
			"DescribeCACertificate":          (*Server).describeCACertificate,
			"DescribeCACertificateList":      (*Server).describeCACertificateList,
			"CreateServerCertificateWithCsr": (*Server).createServerCertificateWithCsr,
			"CreateClientCertificateWithCsr": (*Server).createClientCertificateWithCsr,
			"CreateCustomCertificate":        (*Server).createCustomCertificate,
			"DescribeClientCertificate":      (*Server).describeClientCertificate,
			"ListClientCertificate":          (*Server).listClientCertificate,
			"CreateRevokeClientCertificate":  (*Server).createRevokeClientCertificate,
			"ListRevokeCertificate":          (*Server).listRevokeCertificate,
		},
	}
}

// Private CA constants: the models' values, and the fake's own where the
// models give none.
const (
	// pcaStatusIssue and pcaStatusRevoke are the Status of a CA or
	// certificate: "ISSUE: issued. REVOKE: revoked." (DescribeCACertificate,
	// DescribeClientCertificate).
	pcaStatusIssue  = "ISSUE"
	pcaStatusRevoke = "REVOKE"
	// CertificateType of a CA ("ROOT", "SUB_ROOT") and of a certificate
	// ("CLIENT", "SERVER").
	pcaTypeRoot   = "ROOT"
	pcaTypeSubCA  = "SUB_ROOT"
	pcaTypeClient = "CLIENT"
	pcaTypeServer = "SERVER"
	// pcaIssuerLocal is the IssuerType of every CA of the fake: "local:
	// private certificate".
	pcaIssuerLocal = "local"
	// defaultSubCAQuota is the certificate quota of a sub-CA, its
	// CertTotalCount. The models say it is bought (AssignCertificateCount
	// hands it out, which the fake does not serve); the fake gives every
	// sub-CA this many until SetSubCAQuota says otherwise.
	defaultSubCAQuota = 1000
	// defaultPCAShowSize is the page size of the listings without
	// ShowSize: "Default value: 20".
	defaultPCAShowSize = 20
	// firstPCACertID starts the Id of issued certificates (an int64 in
	// the models), above 2^53 like the fake's other ids, so that a client
	// that decodes ids as float64 is caught.
	firstPCACertID = 1<<53 + 1
)

// Error codes the fake makes up: the 2020-06-30 models document no error
// codes. The package documentation lists them.
const (
	// codeCustomIdentifierRepeat refuses a CustomIdentifier another
	// certificate already has: the models call it "a unique key".
	codeCustomIdentifierRepeat = "CustomIdentifierRepeat"
	// codeQuotaExhausted refuses a certificate from a sub-CA whose
	// CertRemainingCount is 0.
	codeQuotaExhausted = "QuotaExhausted.Certificate"
)

// pcaAlgorithm is a key algorithm as the models name it,
// "<encryption algorithm>_<key length>".
type pcaAlgorithm struct {
	family string // RSA, ECC or SM2: the Algorithm of the listings
	bits   int    // the KeySize of the listings
}

// pcaAlgorithms are the key algorithms the create operations document.
var pcaAlgorithms = map[string]pcaAlgorithm{
	"RSA_1024": {"RSA", 1024}, "RSA_2048": {"RSA", 2048}, "RSA_4096": {"RSA", 4096},
	"ECC_256": {"ECC", 256}, "ECC_384": {"ECC", 384}, "ECC_512": {"ECC", 512},
	"SM2_256": {"SM2", 256},
}

// subCAAlgorithms are those CreateSubCACertificate documents: it lists no
// ECC_384 or ECC_512.
var subCAAlgorithms = []string{"RSA_1024", "RSA_2048", "RSA_4096", "ECC_256", "SM2_256"}

// defaultRootAlgorithm stands for the algorithm of the private root CA a
// root is created for, which CreateRootCACertificate's Algorithm must
// match: the fake sells none, and takes ECC_256 without Algorithm.
const defaultRootAlgorithm = "ECC_256"

// pcaSignAlgorithms are the signature algorithms the models pair with each
// family ("The corresponding signature algorithm is Sha256WithRSA" ...),
// as the listings' SignAlgorithm spells them.
var pcaSignAlgorithms = map[string]string{"RSA": "SHA256WITHRSA", "ECC": "SHA256WITHECDSA", "SM2": "SM3WITHSM2"}

// pcaState is the fake's Private CA: its CAs and the certificates they
// issued. It has its own lock, taken without the Server's.
type pcaState struct {
	mu       sync.Mutex
	cas      map[string]*pcaCA
	caOrder  []*pcaCA // creation order, the listing order
	certs    map[string]*pcaCert
	order    []*pcaCert        // issue order, the listing order
	byCustom map[string]string // CustomIdentifier -> Identifier
	lastID   int64
	// seededRoot and seededSub are the CAs WithPrivateCA made, "" before.
	seededRoot, seededSub string
}

func newPCAState() *pcaState {
	return &pcaState{
		cas:      make(map[string]*pcaCA),
		certs:    make(map[string]*pcaCert),
		byCustom: make(map[string]string),
		lastID:   firstPCACertID - 1,
	}
}

// pcaCA is a root or subordinate CA. Everything but the quota and the
// status is set before the CA is shared and never changes, so that an
// issuer may read it without the lock.
type pcaCA struct {
	identifier string
	parent     string // the root of a sub-CA; "" for a root
	algorithm  string // the key of pcaAlgorithms
	years      int
	cert       *x509.Certificate
	certPEM    string
	chainPEM   string // this certificate, then its issuer's, up to the root
	key        crypto.Signer

	certMaxTime   int64 // echoed: the models give no unit for it
	crlDay        int64
	enableCrl     bool
	resourceGroup string
	tags          []tagDoc

	// Guarded by pcaState.mu.
	status string
	total  int64 // CertTotalCount
	issued int64 // CertIssuedCount
}

func (ca *pcaCA) isRoot() bool { return ca.parent == "" }

func (ca *pcaCA) family() string { return pcaAlgorithms[ca.algorithm].family }

// pcaCert is a certificate a sub-CA issued. All but status and revoked is
// set before it is shared.
type pcaCert struct {
	id            int64
	identifier    string
	parent        string
	custom        string // CustomIdentifier
	kind          string // CLIENT or SERVER
	family        string // RSA, ECC or SM2
	cert          *x509.Certificate
	certPEM       string
	resourceGroup string
	tags          []tagDoc

	// Guarded by pcaState.mu.
	status  string
	revoked time.Time
}

// ca returns a CA by identifier, or nil.
func (p *pcaState) ca(id string) *pcaCA {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cas[id]
}

// addCA registers a new CA.
func (p *pcaState) addCA(ca *pcaCA) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cas[ca.identifier] = ca
	p.caOrder = append(p.caOrder, ca)
}

// newPCAIdentifier returns an identifier in the models' form: 32 hex
// digits, as in "1a83bcbb89e562885e40aa0108f5****".
func newPCAIdentifier() string { return randomHex(16) }

// WithPrivateCA seeds the fake's Private CA (API version 2020-06-30) at
// NewServer with a ready root CA and one subordinate CA under it, both
// ECC_256 (ECDSA P-256) and status ISSUE, the root valid 10 years and the
// sub-CA 5, and the sub-CA with a quota of 1000 certificates. Issue with
// ParentIdentifier set to PrivateCA().SubCAIdentifier. A server carrying on
// from a state (WithState) that holds the seeded CAs keeps them rather
// than seeding again.
func WithPrivateCA() Option {
	return func(c *config) { c.privateCA = true }
}

// PrivateCA is the root and subordinate CA WithPrivateCA seeded, for a
// test to issue from and to verify against.
type PrivateCA struct {
	// RootIdentifier and SubCAIdentifier are the CAs' Identifier: the
	// ParentIdentifier of the certificates the sub-CA issues is
	// SubCAIdentifier.
	RootIdentifier, SubCAIdentifier string
	// Root is the self-signed root certificate; SubCA is the sub-CA's
	// certificate, which Root signed.
	Root, SubCA *x509.Certificate
}

// Roots returns a pool holding Root, for x509.VerifyOptions.Roots.
func (p PrivateCA) Roots() *x509.CertPool {
	pool := x509.NewCertPool()
	if p.Root != nil {
		pool.AddCert(p.Root)
	}
	return pool
}

// Intermediates returns a pool holding SubCA, for
// x509.VerifyOptions.Intermediates.
func (p PrivateCA) Intermediates() *x509.CertPool {
	pool := x509.NewCertPool()
	if p.SubCA != nil {
		pool.AddCert(p.SubCA)
	}
	return pool
}

// PrivateCA returns the CAs WithPrivateCA seeded; without that option, the
// zero PrivateCA.
func (s *Server) PrivateCA() PrivateCA {
	p := s.pca
	p.mu.Lock()
	defer p.mu.Unlock()
	root, sub := p.cas[p.seededRoot], p.cas[p.seededSub]
	if root == nil || sub == nil {
		return PrivateCA{}
	}
	return PrivateCA{RootIdentifier: root.identifier, SubCAIdentifier: sub.identifier, Root: root.cert, SubCA: sub.cert}
}

// SetSubCAQuota sets how many certificates the sub-CA identifier may issue
// in all (its CertTotalCount; CertRemainingCount is that less
// CertIssuedCount, and at 0 the sub-CA refuses to issue). It fails for an
// identifier that is not a sub-CA of the server, or a negative total.
func (s *Server) SetSubCAQuota(identifier string, total int64) error {
	if total < 0 {
		return errors.New("alicerttest: SetSubCAQuota: the total is negative")
	}
	p := s.pca
	p.mu.Lock()
	defer p.mu.Unlock()
	ca := p.cas[identifier]
	if ca == nil || ca.isRoot() {
		return fmt.Errorf("alicerttest: SetSubCAQuota: %q is not a sub-CA of this server", identifier)
	}
	ca.total = total
	return nil
}

// seedPrivateCA makes the CAs of WithPrivateCA, unless a restored state
// already has them.
func (s *Server) seedPrivateCA(now time.Time) error {
	if s.pca.ca(s.pca.seededRoot) != nil && s.pca.ca(s.pca.seededSub) != nil {
		return nil
	}
	subject := func(cn string) caSubject {
		return caSubject{commonName: cn, country: "CN", state: "Zhejiang", locality: "Hangzhou",
			organization: "alicerttest", unit: "Private CA"}
	}
	root, err := s.newRootCA(caSpec{algorithm: defaultRootAlgorithm, years: 10, subject: subject("alicerttest Root CA " + randomHex(4))}, now)
	if err != nil {
		return err
	}
	s.pca.addCA(root)
	sub, err := s.newSubCA(root, caSpec{algorithm: "ECC_256", years: 5, subject: subject("alicerttest Sub CA " + randomHex(4))}, now)
	if err != nil {
		return err
	}
	s.pca.addCA(sub)
	s.pca.mu.Lock()
	s.pca.seededRoot, s.pca.seededSub = root.identifier, sub.identifier
	s.pca.mu.Unlock()
	return nil
}

// caSubject is the subject of a CA certificate, from the create
// parameters.
type caSubject struct {
	commonName, country, state, locality, organization, unit string
}

func (n caSubject) name() pkix.Name {
	var name pkix.Name
	name.CommonName = n.commonName
	for _, f := range []struct {
		dst *[]string
		v   string
	}{
		{&name.Country, n.country}, {&name.Province, n.state}, {&name.Locality, n.locality},
		{&name.Organization, n.organization}, {&name.OrganizationalUnit, n.unit},
	} {
		if f.v != "" {
			*f.dst = []string{f.v}
		}
	}
	return name
}

// caSpec is what a create asks of a CA.
type caSpec struct {
	algorithm     string
	years         int
	subject       caSubject
	pathLen       int                // sub-CA only
	extKeyUsage   []x509.ExtKeyUsage // sub-CA only
	certMaxTime   int64
	crlDay        int64
	enableCrl     bool
	resourceGroup string
	tags          []tagDoc
}

// newRootCA creates a self-signed root valid spec.years from now.
func (s *Server) newRootCA(spec caSpec, now time.Time) (*pcaCA, error) {
	key, err := s.pcaKey(spec.algorithm, &s.pcaRootRSA)
	if err != nil {
		return nil, err
	}
	tmpl := caTemplate(spec, now)
	tmpl.MaxPathLen = -1 // a root sets no limit: its sub-CAs set theirs
	return finishCA(spec, tmpl, key, nil)
}

// newSubCA creates a sub-CA that root signs, valid spec.years from now.
func (s *Server) newSubCA(root *pcaCA, spec caSpec, now time.Time) (*pcaCA, error) {
	key, err := s.pcaKey(spec.algorithm, &s.pcaSubRSA)
	if err != nil {
		return nil, err
	}
	tmpl := caTemplate(spec, now)
	tmpl.MaxPathLen, tmpl.MaxPathLenZero = spec.pathLen, spec.pathLen == 0
	tmpl.ExtKeyUsage = spec.extKeyUsage
	return finishCA(spec, tmpl, key, root)
}

// caTemplate is what roots and sub-CAs share: a CA certificate that signs
// certificates and CRLs, for the subject and years asked. crypto/x509
// gives it a subject key identifier, and the issuer's as its authority
// key identifier.
func caTemplate(spec caSpec, now time.Time) *x509.Certificate {
	return &x509.Certificate{
		SerialNumber:          randomSerial(),
		Subject:               spec.subject.name(),
		NotBefore:             now,
		NotAfter:              now.AddDate(spec.years, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
}

// finishCA signs a CA certificate for key with issuer's key, or with key
// itself for a root (issuer nil), and makes the CA.
func finishCA(spec caSpec, tmpl *x509.Certificate, key crypto.Signer, issuer *pcaCA) (*pcaCA, error) {
	parentCert, signer, parent, issuerChain := tmpl, key, "", ""
	if issuer != nil {
		parentCert, signer, parent, issuerChain = issuer.cert, issuer.key, issuer.identifier, issuer.chainPEM
	}
	tmpl.SignatureAlgorithm = signatureAlgorithm(signer)
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parentCert, key.Public(), signer)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	certPEM := pemString("CERTIFICATE", der)
	return &pcaCA{
		identifier: newPCAIdentifier(), parent: parent, algorithm: spec.algorithm, years: spec.years,
		cert: cert, certPEM: certPEM, chainPEM: certPEM + issuerChain, key: key,
		certMaxTime: spec.certMaxTime, crlDay: spec.crlDay, enableCrl: spec.enableCrl,
		resourceGroup: spec.resourceGroup, tags: spec.tags,
		status: pcaStatusIssue, total: subCAQuota(parent),
	}, nil
}

// subCAQuota is the quota a new CA starts with: defaultSubCAQuota for a
// sub-CA, none for a root, which issues no certificates of its own.
func subCAQuota(parent string) int64 {
	if parent == "" {
		return 0
	}
	return defaultSubCAQuota
}

// signatureAlgorithm is the one the models pair with the key: SHA-256
// with RSA or ECDSA ("Sha256WithECDSA" whatever the curve).
func signatureAlgorithm(key crypto.Signer) x509.SignatureAlgorithm {
	if _, ok := key.Public().(*rsa.PublicKey); ok {
		return x509.SHA256WithRSA
	}
	return x509.ECDSAWithSHA256
}

// pcaKey makes a CA's key for a documented algorithm. RSA keys come from
// a cache (one key per size; see rsaKeyCache); roots and sub-CAs use
// caches of their own, so that a sub-CA never has its root's key, nor a
// CA the key of a CreateCsr or KMS key. ECC_512 is
// P-521, and SM2_256 a P-256 key (the standard library has no SM2).
func (s *Server) pcaKey(algorithm string, cache *rsaKeyCache) (crypto.Signer, error) {
	alg := pcaAlgorithms[algorithm]
	switch alg.family {
	case "RSA":
		return cache.get(alg.bits)
	case "ECC":
		curve := map[int]elliptic.Curve{256: elliptic.P256(), 384: elliptic.P384(), 512: elliptic.P521()}[alg.bits]
		return ecdsa.GenerateKey(curve, rand.Reader)
	}
	return newECKey()
}

type createCAResponse struct {
	Certificate      string `json:"Certificate"`
	CertificateChain string `json:"CertificateChain"`
	Identifier       string `json:"Identifier"`
	RequestID        string `json:"RequestId"`
}

// createRootCACertificate creates a root CA. The model says "Before
// calling this operation, purchase a private root CA ... Otherwise, the
// call fails"; the fake sells nothing and lets every call create one.
func (s *Server) createRootCACertificate(c *call) (any, *apiError) {
	spec, e := caSpecParams(c, rootCARules())
	if e != nil {
		return nil, e
	}
	ca, err := s.newRootCA(spec, pcaNow(c))
	if err != nil {
		return nil, &apiError{http.StatusInternalServerError, "InternalError", "creating the root CA: " + err.Error()}
	}
	s.pca.addCA(ca)
	return createCAResponse{Certificate: ca.certPEM, CertificateChain: ca.chainPEM, Identifier: ca.identifier, RequestID: c.requestID}, nil
}

// createSubCACertificate creates a sub-CA under a root.
func (s *Server) createSubCACertificate(c *call) (any, *apiError) {
	spec, e := caSpecParams(c, subCARules())
	if e != nil {
		return nil, e
	}
	root, e := s.subCAParent(c, spec)
	if e != nil {
		return nil, e
	}
	ca, err := s.newSubCA(root, spec, pcaNow(c))
	if err != nil {
		return nil, &apiError{http.StatusInternalServerError, "InternalError", "creating the sub-CA: " + err.Error()}
	}
	s.pca.addCA(ca)
	return createCAResponse{Certificate: ca.certPEM, CertificateChain: ca.chainPEM, Identifier: ca.identifier, RequestID: c.requestID}, nil
}

// subCAParent finds the root a sub-CA is created under and checks the
// sub-CA against it: "The encryption algorithm of the intermediate CA
// certificate must be the same as that of the root CA certificate", and
// "The validity period of the intermediate CA certificate cannot exceed
// that of the root CA certificate". The model does not mark
// ParentIdentifier required; the fake needs it to know the root.
func (s *Server) subCAParent(c *call, spec caSpec) (*pcaCA, *apiError) {
	id := c.get("ParentIdentifier")
	if id == "" {
		return nil, missing("ParentIdentifier")
	}
	root := s.pca.ca(id)
	switch {
	case root == nil:
		return nil, invalid("ParentIdentifier", fmt.Sprintf("there is no CA %q", id))
	case !root.isRoot():
		return nil, invalid("ParentIdentifier", fmt.Sprintf("%q is a sub-CA; a sub-CA is created under a root CA", id))
	case root.family() != pcaAlgorithms[spec.algorithm].family:
		return nil, invalid("Algorithm", fmt.Sprintf("%s is not of the root CA's algorithm, %s", spec.algorithm, root.family()))
	case pcaNow(c).AddDate(spec.years, 0, 0).After(root.cert.NotAfter):
		return nil, invalid("Years", fmt.Sprintf("%d years from now is after the root CA's end, %s",
			spec.years, root.cert.NotAfter.UTC().Format(time.RFC3339)))
	}
	return root, nil
}

// caRules are the differences between the two CA creates' models.
type caRules struct {
	algorithms       []string
	algorithmNeeded  bool           // "This parameter is required." (sub-CA)
	countryCode      *regexp.Regexp // what CountryCode must match
	countryCodeWords string
	sub              bool // PathLenConstraint, ExtendedKeyUsages, CRL and CertMaxTime
}

// Upper-case country codes of two, or two or three, letters.
var (
	twoLetterCode        = regexp.MustCompile(`^[A-Z]{2}$`)
	twoOrThreeLetterCode = regexp.MustCompile(`^[A-Z]{2,3}$`)
)

func rootCARules() caRules {
	return caRules{
		algorithms: []string{"RSA_1024", "RSA_2048", "RSA_4096", "ECC_256", "ECC_384", "ECC_512", "SM2_256"},
		// "The two-letter uppercase code of the country or region".
		countryCode: twoLetterCode, countryCodeWords: "a two-letter upper-case country code",
	}
}

func subCARules() caRules {
	return caRules{
		algorithms: subCAAlgorithms, algorithmNeeded: true,
		// "The two- or three-letter country or region code in uppercase".
		countryCode: twoOrThreeLetterCode, countryCodeWords: "a two- or three-letter upper-case country code",
		sub: true,
	}
}

// caSpecParams reads and checks the parameters of a CA create, in the
// order of its model.
func caSpecParams(c *call, rules caRules) (caSpec, *apiError) {
	spec := caSpec{algorithm: c.get("Algorithm"), resourceGroup: c.get("ResourceGroupId")}
	switch {
	case spec.algorithm == "" && rules.algorithmNeeded:
		return spec, missing("Algorithm")
	case spec.algorithm == "":
		spec.algorithm = defaultRootAlgorithm
	case !slices.Contains(rules.algorithms, spec.algorithm):
		return spec, invalid("Algorithm", fmt.Sprintf("%q is not one of %v", spec.algorithm, rules.algorithms))
	}
	for _, name := range []string{"CommonName", "Locality", "Organization", "OrganizationUnit", "State"} {
		if c.get(name) == "" {
			return spec, missing(name)
		}
	}
	spec.subject = caSubject{commonName: c.get("CommonName"), country: c.get("CountryCode"), state: c.get("State"),
		locality: c.get("Locality"), organization: c.get("Organization"), unit: c.get("OrganizationUnit")}
	if cc := spec.subject.country; cc != "" && !rules.countryCode.MatchString(cc) {
		return spec, invalid("CountryCode", fmt.Sprintf("%q is not %s", cc, rules.countryCodeWords))
	}
	// "Set the validity period to 5 to 10 years" (root); "Valid values: 5
	// to 10" (sub-CA).
	years, present, e := intParam(c, "Years", 5, 10)
	if e != nil {
		return spec, e
	}
	if !present {
		return spec, missing("Years")
	}
	spec.years = int(years)
	if e := checkTags(c, tagLimits{}); e != nil { // the models state no tag limits
		return spec, e
	}
	spec.tags = tagsOf(c)
	if rules.sub {
		return subCASpecParams(c, spec)
	}
	return spec, nil
}

// subCASpecParams reads what only a sub-CA takes.
func subCASpecParams(c *call, spec caSpec) (caSpec, *apiError) {
	// "The certificate path length constraint. The default value is 0."
	pathLen, _, e := intParam(c, "PathLenConstraint", 0, 1<<31-1)
	if e != nil {
		return spec, e
	}
	spec.pathLen = int(pathLen)
	// "The validity period of the CRL, in days. Valid values: 1 to 365."
	if spec.crlDay, _, e = intParam(c, "CrlDay", 1, 365); e != nil {
		return spec, e
	}
	switch v := c.get("EnableCrl"); v {
	case "", "false":
	case "true":
		spec.enableCrl = true
	default:
		return spec, invalid("EnableCrl", fmt.Sprintf("%q is not true or false", v))
	}
	if spec.certMaxTime, _, e = intParam(c, "CertMaxTime", 0, 1<<31-1); e != nil {
		return spec, e
	}
	names, e := numberedValues(c, "ExtendedKeyUsages")
	if e != nil {
		return spec, e
	}
	for i, name := range names {
		u, ok := extKeyUsageNames[name]
		if !ok {
			return spec, invalid(fmt.Sprintf("ExtendedKeyUsages.%d", i+1), fmt.Sprintf("%q is not one of %v", name, sortedKeys(extKeyUsageNames)))
		}
		spec.extKeyUsage = append(spec.extKeyUsage, u.usage)
	}
	return spec, nil
}

// intParam reads an optional integer from lo to hi; present reports
// whether it was given.
func intParam(c *call, name string, lo, hi int64) (v int64, present bool, e *apiError) {
	s := c.get(name)
	if s == "" {
		return 0, false, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, false, invalid(name, fmt.Sprintf("%q is not an integer from %d to %d", s, lo, hi))
	}
	return n, true, nil
}

// extKeyUsage is an extended key usage by the name the API takes.
type extKeyUsage struct {
	usage x509.ExtKeyUsage
	oid   []int
}

// extKeyUsageNames are the extended key usages the fake takes, by their
// RFC 5280 names ("serverAuth", "clientAuth", "emailProtection" are the
// ones CreateCustomCertificate's description uses; the models list none).
var extKeyUsageNames = map[string]extKeyUsage{
	"serverAuth":      {x509.ExtKeyUsageServerAuth, []int{1, 3, 6, 1, 5, 5, 7, 3, 1}},
	"clientAuth":      {x509.ExtKeyUsageClientAuth, []int{1, 3, 6, 1, 5, 5, 7, 3, 2}},
	"codeSigning":     {x509.ExtKeyUsageCodeSigning, []int{1, 3, 6, 1, 5, 5, 7, 3, 3}},
	"emailProtection": {x509.ExtKeyUsageEmailProtection, []int{1, 3, 6, 1, 5, 5, 7, 3, 4}},
	"timeStamping":    {x509.ExtKeyUsageTimeStamping, []int{1, 3, 6, 1, 5, 5, 7, 3, 8}},
	"OCSPSigning":     {x509.ExtKeyUsageOCSPSigning, []int{1, 3, 6, 1, 5, 5, 7, 3, 9}},
}

// numberedParam matches the N of a repeated parameter, prefix.N or
// prefix.N.Field.
var numberedParam = regexp.MustCompile(`^([0-9]+)(\..+)?$`)

// numberedIndexes returns the Ns of the parameters prefix.N (fields
// empty) or prefix.N.<field> (one of fields), ascending; a parameter under
// prefix of another shape, or an N below 1, is refused.
func numberedIndexes(c *call, prefix string, fields ...string) ([]int, *apiError) {
	var ns []int
	for k := range c.params {
		rest, ok := strings.CutPrefix(k, prefix+".")
		if !ok {
			if k == prefix {
				return nil, invalid(k, fmt.Sprintf("a list is sent as %s.1, %s.2, ...", prefix, prefix))
			}
			continue
		}
		m := numberedParam.FindStringSubmatch(rest)
		n, err := 0, error(nil)
		if m != nil {
			n, err = strconv.Atoi(m[1])
		}
		switch {
		case m == nil || err != nil || n < 1:
			return nil, invalid(k, fmt.Sprintf("a list is numbered from 1: %s.1, %s.2, ...", prefix, prefix))
		case len(fields) == 0 && m[2] != "", len(fields) > 0 && !slices.Contains(fields, trimDot(m[2])):
			return nil, invalid(k, fmt.Sprintf("not a parameter of %s", prefix))
		}
		if !slices.Contains(ns, n) {
			ns = append(ns, n)
		}
	}
	slices.Sort(ns)
	return ns, nil
}

// numberedValues returns the values of prefix.1, prefix.2, ... in order.
func numberedValues(c *call, prefix string) ([]string, *apiError) {
	ns, e := numberedIndexes(c, prefix)
	if e != nil {
		return nil, e
	}
	values := make([]string, 0, len(ns))
	for _, n := range ns {
		values = append(values, c.get(prefix+"."+strconv.Itoa(n)))
	}
	return values, nil
}

func trimDot(s string) string {
	if s != "" && s[0] == '.' {
		return s[1:]
	}
	return s
}

// pcaNow is the call's time as a certificate holds it: UTC, whole
// seconds, so that a validity compared with a CA's is the one encoded.
func pcaNow(c *call) time.Time { return c.now.UTC().Truncate(time.Second) }

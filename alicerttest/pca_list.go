package alicerttest

import (
	"crypto/ecdsa"
	"crypto/md5"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// The Private CA's reads and its one revocation: DescribeCACertificate,
// DescribeCACertificateList, DescribeClientCertificate,
// ListClientCertificate, CreateRevokeClientCertificate and
// ListRevokeCertificate. The listings go in creation order, oldest first
// (the models give no order), and send every field of their models.

// caEntry is what DescribeCACertificate and DescribeCACertificateList say
// of a CA alike.
type caEntry struct {
	AfterDate        int64  `json:"AfterDate"`  // Unix milliseconds
	Algorithm        string `json:"Algorithm"`  // RSA, ECC or SM2
	BeforeDate       int64  `json:"BeforeDate"` // Unix milliseconds
	CertificateType  string `json:"CertificateType"`
	CommonName       string `json:"CommonName"`
	CountryCode      string `json:"CountryCode"`
	Identifier       string `json:"Identifier"`
	KeySize          int32  `json:"KeySize"`
	Locality         string `json:"Locality"`
	Md5              string `json:"Md5"`
	Organization     string `json:"Organization"`
	OrganizationUnit string `json:"OrganizationUnit"`
	// ParentIdentifier "is returned only when CertificateType is
	// SUB_ROOT".
	ParentIdentifier string `json:"ParentIdentifier,omitempty"`
	ResourceGroupID  string `json:"ResourceGroupId"`
	Sans             string `json:"Sans"` // "This parameter is deprecated": empty
	SerialNumber     string `json:"SerialNumber"`
	Sha2             string `json:"Sha2"`
	SignAlgorithm    string `json:"SignAlgorithm"`
	State            string `json:"State"`
	Status           string `json:"Status"`
	SubjectDN        string `json:"SubjectDN"`
	X509Certificate  string `json:"X509Certificate"`
	Years            int32  `json:"Years"`
}

// caDetail is DescribeCACertificate's Certificate.
type caDetail struct {
	caEntry
	CaCertChain        string   `json:"CaCertChain"`
	CertIssuedCount    int64    `json:"CertIssuedCount"`
	CertMaxTime        int32    `json:"CertMaxTime"`
	CertRemainingCount int64    `json:"CertRemainingCount"`
	CertTotalCount     int64    `json:"CertTotalCount"`
	ClusterID          string   `json:"ClusterId"` // HSM only: empty
	CrlDay             int32    `json:"CrlDay"`
	CrlStatus          string   `json:"CrlStatus"`
	CrlURL             string   `json:"CrlUrl"` // the fake publishes no CRL: empty
	FullAlgorithm      string   `json:"FullAlgorithm"`
	IssuerType         string   `json:"IssuerType"`
	KeyIndex           int32    `json:"KeyIndex"` // HSM only: 0
	Tags               []tagDoc `json:"Tags"`
}

// caListEntry is an entry of DescribeCACertificateList.
type caListEntry struct {
	caEntry
	Alias string `json:"Alias"` // the instance's alias: the fake's CAs have none
	Gift  int32  `json:"Gift"`  // not a free instance: 0
	Trial int32  `json:"Trial"` // not a trial instance: 0
}

type describeCACertificateResponse struct {
	Certificate caDetail `json:"Certificate"`
	RequestID   string   `json:"RequestId"`
	Years       int32    `json:"Years"`
}

// caCounts reads a CA's status and quota under the lock.
func (p *pcaState) caCounts(ca *pcaCA) (status string, total, issued int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return ca.status, ca.total, ca.issued
}

// describeCACertificate describes a root or sub-CA. The model does not
// mark Identifier required; without it there is nothing to describe, and
// the fake answers MissingParameter.
func (s *Server) describeCACertificate(c *call) (any, *apiError) {
	id := c.get("Identifier")
	if id == "" {
		return nil, missing("Identifier")
	}
	ca := s.pca.ca(id)
	if ca == nil {
		return nil, invalid("Identifier", fmt.Sprintf("there is no CA %q", id))
	}
	status, total, issued := s.pca.caCounts(ca)
	// CrlStatus is the CRL's "status (enabled or disabled)": ACTIVE, the
	// model's example, or INACTIVE.
	crl := "INACTIVE"
	if ca.enableCrl {
		crl = "ACTIVE"
	}
	detail := caDetail{
		caEntry: caEntryOf(ca, status), CaCertChain: ca.chainPEM,
		CertIssuedCount: issued, CertTotalCount: total, CertRemainingCount: max(total-issued, 0),
		CertMaxTime: int32(ca.certMaxTime), CrlDay: int32(ca.crlDay), CrlStatus: crl,
		FullAlgorithm: ca.algorithm, IssuerType: pcaIssuerLocal, Tags: nonNilTags(ca.tags),
	}
	return describeCACertificateResponse{Certificate: detail, RequestID: c.requestID, Years: int32(ca.years)}, nil
}

func caEntryOf(ca *pcaCA, status string) caEntry {
	typ := pcaTypeSubCA
	if ca.isRoot() {
		typ = pcaTypeRoot
	}
	e := caEntry{
		AfterDate: ca.cert.NotAfter.UnixMilli(), BeforeDate: ca.cert.NotBefore.UnixMilli(),
		Algorithm: ca.family(), KeySize: int32(pcaAlgorithms[ca.algorithm].bits), CertificateType: typ,
		Identifier: ca.identifier, ParentIdentifier: ca.parent, ResourceGroupID: ca.resourceGroup,
		SignAlgorithm: pcaSignAlgorithms[ca.family()], Status: status, X509Certificate: ca.certPEM, Years: int32(ca.years),
	}
	e.Md5, e.Sha2, e.SerialNumber = fingerprints(ca.cert)
	e.SubjectDN = subjectDN(ca.cert.Subject)
	e.CommonName, e.CountryCode, e.State, e.Locality, e.Organization, e.OrganizationUnit = subjectFields(ca.cert.Subject)
	return e
}

// fingerprints are a certificate's MD5 and SHA-256 fingerprints, lower-case
// hex as in the models' examples, and its serial number.
func fingerprints(cert *x509.Certificate) (md5Hex, sha2Hex, serial string) {
	m, s := md5.Sum(cert.Raw), sha256.Sum256(cert.Raw)
	return hex.EncodeToString(m[:]), hex.EncodeToString(s[:]), serialHex(cert.SerialNumber)
}

func subjectFields(n pkix.Name) (cn, country, state, locality, org, unit string) {
	first := func(v []string) string {
		if len(v) > 0 {
			return v[0]
		}
		return ""
	}
	return n.CommonName, first(n.Country), first(n.Province), first(n.Locality), first(n.Organization), first(n.OrganizationalUnit)
}

// subjectDN is a subject in the models' form,
// "C=CN,O=aliyun,OU=Security,L=Hangzhou,ST=Zhejiang,CN=Aliyun", leaving out
// what it does not have.
func subjectDN(n pkix.Name) string {
	cn, country, state, locality, org, unit := subjectFields(n)
	var parts []string
	for _, kv := range [][2]string{{"C", country}, {"O", org}, {"OU", unit}, {"L", locality}, {"ST", state}, {"CN", cn}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+"="+kv[1])
		}
	}
	return strings.Join(parts, ",")
}

func nonNilTags(tags []tagDoc) []tagDoc {
	if tags == nil {
		return []tagDoc{}
	}
	return tags
}

type describeCACertificateListResponse struct {
	CertificateList []caListEntry `json:"CertificateList"`
	CurrentPage     int32         `json:"CurrentPage"`
	PageCount       int32         `json:"PageCount"`
	RequestID       string        `json:"RequestId"`
	ShowSize        int32         `json:"ShowSize"`
	TotalCount      int32         `json:"TotalCount"`
}

// caFilter is DescribeCACertificateList's filters, each "" for any.
type caFilter struct {
	status, certType, identifier, issuerType, resourceGroup, valid string
}

// caFilters reads the filters, refusing a value the model does not list:
// CaStatus issue, forbidden or revoke; CertType root, subRoot or
// externalCa; IssuerType local, iTrusChina or external; ValidStatus valid
// or notValid.
func caFilters(c *call) (caFilter, *apiError) {
	f := caFilter{status: c.get("CaStatus"), certType: c.get("CertType"), identifier: c.get("Identifier"),
		issuerType: c.get("IssuerType"), resourceGroup: c.get("ResourceGroupId"), valid: c.get("ValidStatus")}
	for _, p := range []struct {
		name, value string
		allowed     []string
	}{
		{"CaStatus", f.status, []string{"issue", "forbidden", "revoke"}},
		{"CertType", f.certType, []string{"root", "subRoot", "externalCa"}},
		{"IssuerType", f.issuerType, []string{"local", "iTrusChina", "external"}},
		{"ValidStatus", f.valid, []string{"valid", "notValid"}},
	} {
		if p.value != "" && !slices.Contains(p.allowed, p.value) {
			return f, invalid(p.name, fmt.Sprintf("%q is not one of %v", p.value, p.allowed))
		}
	}
	return f, nil
}

// keep reports whether a CA passes the filters. The fake's CAs are all
// local, root or subRoot, and never forbidden.
func (f caFilter) keep(ca *pcaCA, status string, now time.Time) bool {
	typ := map[bool]string{true: "root", false: "subRoot"}[ca.isRoot()]
	valid := map[bool]string{true: "valid", false: "notValid"}[!now.After(ca.cert.NotAfter)]
	return (f.status == "" || strings.EqualFold(f.status, status)) &&
		(f.certType == "" || f.certType == typ) &&
		(f.identifier == "" || f.identifier == ca.identifier) &&
		(f.issuerType == "" || f.issuerType == pcaIssuerLocal) &&
		(f.resourceGroup == "" || f.resourceGroup == ca.resourceGroup) &&
		(f.valid == "" || f.valid == valid)
}

// describeCACertificateList lists the CAs, filtered, a page at a time
// (CurrentPage default 1, ShowSize "Default value: 20").
func (s *Server) describeCACertificateList(c *call) (any, *apiError) {
	f, e := caFilters(c)
	if e != nil {
		return nil, e
	}
	current, size, e := page(c, defaultPCAShowSize)
	if e != nil {
		return nil, e
	}
	var list []caListEntry
	p := s.pca
	p.mu.Lock()
	for _, ca := range p.caOrder {
		if f.keep(ca, ca.status, c.now) {
			list = append(list, caListEntry{caEntry: caEntryOf(ca, ca.status)})
		}
	}
	p.mu.Unlock()
	return describeCACertificateListResponse{
		CertificateList: pageSlice(nonNil(list), int64(current), int64(size)), CurrentPage: int32(current), ShowSize: int32(size),
		PageCount: int32(pageCount(len(list), size)), TotalCount: int32(len(list)), RequestID: c.requestID,
	}, nil
}

func nonNil[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}

// pageCount is how many pages of size hold n entries.
func pageCount(n, size int) int { return (n + size - 1) / size }

// pcaCertEntry is what DescribeClientCertificate and ListClientCertificate
// say of a certificate alike.
type pcaCertEntry struct {
	AfterDate        int64  `json:"AfterDate"` // Unix milliseconds
	Algorithm        string `json:"Algorithm"`
	AliasName        string `json:"AliasName"`  // the fake's certificates have no alias
	BeforeDate       int64  `json:"BeforeDate"` // Unix milliseconds
	CertificateType  string `json:"CertificateType"`
	CommonName       string `json:"CommonName"`
	CountryCode      string `json:"CountryCode"`
	CustomIdentifier string `json:"CustomIdentifier"`
	Days             int32  `json:"Days"`
	ID               int64  `json:"Id"`
	Identifier       string `json:"Identifier"`
	KeySize          int32  `json:"KeySize"`
	Locality         string `json:"Locality"`
	Md5              string `json:"Md5"`
	Organization     string `json:"Organization"`
	OrganizationUnit string `json:"OrganizationUnit"`
	ParentIdentifier string `json:"ParentIdentifier"`
	ResourceGroupID  string `json:"ResourceGroupId"`
	Sans             string `json:"Sans"`
	SerialNumber     string `json:"SerialNumber"`
	Sha2             string `json:"Sha2"`
	SignAlgorithm    string `json:"SignAlgorithm"`
	State            string `json:"State"`
	Status           string `json:"Status"`
	SubjectDN        string `json:"SubjectDN"`
	X509Certificate  string `json:"X509Certificate"`
}

// pcaCertDetail is DescribeClientCertificate's Certificate.
type pcaCertDetail struct {
	pcaCertEntry
	CertChain     string   `json:"CertChain"` // "The complete certificate chain": the certificate, its sub-CA, the root
	FullAlgorithm string   `json:"FullAlgorithm"`
	Tags          []tagDoc `json:"Tags"`
	UploadFlag    int32    `json:"UploadFlag"` // not synchronized to the certificate service: 0
}

type describeClientCertificateResponse struct {
	Certificate pcaCertDetail `json:"Certificate"`
	RequestID   string        `json:"RequestId"`
}

// certEntryLocked describes an issued certificate; p.mu is held.
func (p *pcaState) certEntryLocked(leaf *pcaCert) pcaCertEntry {
	cert := leaf.cert
	e := pcaCertEntry{
		AfterDate: cert.NotAfter.UnixMilli(), BeforeDate: cert.NotBefore.UnixMilli(),
		Algorithm: leaf.family, KeySize: int32(keyBits(cert)), CertificateType: leaf.kind,
		CustomIdentifier: leaf.custom, Days: int32(cert.NotAfter.Sub(cert.NotBefore).Round(24*time.Hour) / (24 * time.Hour)),
		ID: leaf.id, Identifier: leaf.identifier, ParentIdentifier: leaf.parent, ResourceGroupID: leaf.resourceGroup,
		Sans: sansJSON(cert), SignAlgorithm: pcaSignAlgorithms[p.cas[leaf.parent].family()], Status: leaf.status,
		SubjectDN: subjectDN(cert.Subject), X509Certificate: leaf.certPEM,
	}
	e.Md5, e.Sha2, e.SerialNumber = fingerprints(cert)
	e.CommonName, e.CountryCode, e.State, e.Locality, e.Organization, e.OrganizationUnit = subjectFields(cert.Subject)
	return e
}

// keyBits is the key length of a certificate's key; a P-521 key counts
// as 512, as the models' ECC_512 names it.
func keyBits(cert *x509.Certificate) int {
	switch k := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		return k.N.BitLen()
	case *ecdsa.PublicKey:
		return min(k.Curve.Params().BitSize, 512)
	}
	return 0
}

// fullAlgorithm is "The algorithm and its length", as in RSA_2048.
func fullAlgorithm(leaf *pcaCert) string {
	return fmt.Sprintf("%s_%d", leaf.family, keyBits(leaf.cert))
}

// sanDoc is one element of Sans: "Type: 1: an email address. 2: a domain
// name. 6: a Uniform Resource Identifier (URI). 7: an IP address."
type sanDoc struct {
	Type  int    `json:"Type"`
	Value string `json:"Value"`
}

// sansJSON is Sans, "a string that is converted from a JSON array".
func sansJSON(cert *x509.Certificate) string {
	list := []sanDoc{}
	for _, v := range cert.EmailAddresses {
		list = append(list, sanDoc{sanEmail, v})
	}
	for _, v := range cert.DNSNames {
		list = append(list, sanDoc{sanDNS, v})
	}
	for _, v := range cert.URIs {
		list = append(list, sanDoc{sanURI, v.String()})
	}
	for _, v := range cert.IPAddresses {
		list = append(list, sanDoc{sanIP, v.String()})
	}
	b, _ := json.Marshal(list) // strings and integers always encode
	return string(b)
}

// describeClientCertificate describes a server or client certificate.
func (s *Server) describeClientCertificate(c *call) (any, *apiError) {
	id := c.get("Identifier")
	if id == "" {
		return nil, missing("Identifier")
	}
	p := s.pca
	p.mu.Lock()
	defer p.mu.Unlock()
	leaf := p.certs[id]
	if leaf == nil {
		return nil, invalid("Identifier", fmt.Sprintf("there is no client or server certificate %q", id))
	}
	detail := pcaCertDetail{
		pcaCertEntry: p.certEntryLocked(leaf), CertChain: leaf.certPEM + p.cas[leaf.parent].chainPEM,
		FullAlgorithm: fullAlgorithm(leaf), Tags: nonNilTags(leaf.tags),
	}
	return describeClientCertificateResponse{Certificate: detail, RequestID: c.requestID}, nil
}

type listClientCertificateResponse struct {
	CertificateList []pcaCertEntry `json:"CertificateList"`
	CurrentPage     int32          `json:"CurrentPage"`
	MaxResults      int32          `json:"MaxResults"` // "the maximum number of entries in the result set": the page size
	PageCount       int32          `json:"PageCount"`
	RequestID       string         `json:"RequestId"`
	ShowSize        int32          `json:"ShowSize"`
	TotalCount      int64          `json:"TotalCount"`
}

// listClientCertificate lists the server and client certificates,
// revoked ones included, or with Identifier the one certificate ("The
// unique identifier of the client or server-side certificate that you
// want to query").
func (s *Server) listClientCertificate(c *call) (any, *apiError) {
	current, size, e := page(c, defaultPCAShowSize)
	if e != nil {
		return nil, e
	}
	id, group := c.get("Identifier"), c.get("ResourceGroupId")
	var list []pcaCertEntry
	p := s.pca
	p.mu.Lock()
	for _, leaf := range p.order {
		if (id == "" || id == leaf.identifier) && (group == "" || group == leaf.resourceGroup) {
			list = append(list, p.certEntryLocked(leaf))
		}
	}
	p.mu.Unlock()
	return listClientCertificateResponse{
		CertificateList: pageSlice(nonNil(list), int64(current), int64(size)), CurrentPage: int32(current), ShowSize: int32(size),
		MaxResults: int32(size), PageCount: int32(pageCount(len(list), size)), TotalCount: int64(len(list)), RequestID: c.requestID,
	}, nil
}

type revokeResponse struct {
	RequestID string `json:"RequestId"`
}

// createRevokeClientCertificate revokes a server or client certificate:
// its Status becomes REVOKE and it joins ListRevokeCertificate. The
// models do not say what revoking a revoked certificate does; the fake
// refuses it with IncorrectOrderStatus, its code for an operation on a
// certificate in the wrong state. The quota does not come back.
func (s *Server) createRevokeClientCertificate(c *call) (any, *apiError) {
	id := c.get("Identifier")
	if id == "" {
		return nil, missing("Identifier")
	}
	p := s.pca
	p.mu.Lock()
	defer p.mu.Unlock()
	leaf := p.certs[id]
	switch {
	case leaf == nil:
		return nil, invalid("Identifier", fmt.Sprintf("there is no client or server certificate %q", id))
	case leaf.status == pcaStatusRevoke:
		return nil, &apiError{http.StatusBadRequest, codeOrderState,
			fmt.Sprintf("The certificate %s is already revoked (Status REVOKE).", id)}
	}
	leaf.status, leaf.revoked = pcaStatusRevoke, pcaNow(c)
	return revokeResponse{RequestID: c.requestID}, nil
}

// revokeDateLayout is the listing's date form, "yyyy-MM-ddT00:00Z" ("2021-12-31T00:00Z").
const revokeDateLayout = "2006-01-02T15:04Z"

// revokedEntry is an entry of ListRevokeCertificate: its dates are strings.
type revokedEntry struct {
	AfterDate        string `json:"AfterDate"`
	Algorithm        string `json:"Algorithm"`
	BeforeDate       string `json:"BeforeDate"`
	CertificateType  string `json:"CertificateType"`
	CommonName       string `json:"CommonName"`
	CountryCode      string `json:"CountryCode"`
	CustomIdentifier string `json:"CustomIdentifier"`
	Identifier       string `json:"Identifier"`
	KeySize          int32  `json:"KeySize"`
	Locality         string `json:"Locality"`
	Md5              string `json:"Md5"`
	Organization     string `json:"Organization"`
	OrganizationUnit string `json:"OrganizationUnit"`
	ParentIdentifier string `json:"ParentIdentifier"`
	RevokeDate       string `json:"RevokeDate"`
	Sans             string `json:"Sans"`
	SerialNumber     string `json:"SerialNumber"`
	Sha2             string `json:"Sha2"`
	SignAlgorithm    string `json:"SignAlgorithm"`
	State            string `json:"State"`
	Status           string `json:"Status"`
	SubjectDN        string `json:"SubjectDN"`
}

// revokedEntryLocked describes a revoked certificate; p.mu is held.
func (p *pcaState) revokedEntryLocked(leaf *pcaCert) revokedEntry {
	e := p.certEntryLocked(leaf)
	date := func(t time.Time) string { return t.UTC().Format(revokeDateLayout) }
	return revokedEntry{
		AfterDate: date(leaf.cert.NotAfter), BeforeDate: date(leaf.cert.NotBefore), RevokeDate: date(leaf.revoked),
		Algorithm: e.Algorithm, CertificateType: e.CertificateType, CommonName: e.CommonName, CountryCode: e.CountryCode,
		CustomIdentifier: e.CustomIdentifier, Identifier: e.Identifier, KeySize: e.KeySize, Locality: e.Locality,
		Md5: e.Md5, Organization: e.Organization, OrganizationUnit: e.OrganizationUnit, ParentIdentifier: e.ParentIdentifier,
		Sans: e.Sans, SerialNumber: e.SerialNumber, Sha2: e.Sha2, SignAlgorithm: e.SignAlgorithm, State: e.State,
		Status: e.Status, SubjectDN: e.SubjectDN,
	}
}

type listRevokeCertificateResponse struct {
	CertificateList []revokedEntry `json:"CertificateList"`
	CurrentPage     int32          `json:"CurrentPage"`
	PageCount       int32          `json:"PageCount"`
	RequestID       string         `json:"RequestId"`
	ShowSize        int32          `json:"ShowSize"`
	TotalCount      int64          `json:"TotalCount"`
}

// listRevokeCertificate lists the revoked certificates, in the order they
// were issued.
func (s *Server) listRevokeCertificate(c *call) (any, *apiError) {
	current, size, e := page(c, defaultPCAShowSize)
	if e != nil {
		return nil, e
	}
	var list []revokedEntry
	p := s.pca
	p.mu.Lock()
	for _, leaf := range p.order {
		if leaf.status == pcaStatusRevoke {
			list = append(list, p.revokedEntryLocked(leaf))
		}
	}
	p.mu.Unlock()
	return listRevokeCertificateResponse{
		CertificateList: pageSlice(nonNil(list), int64(current), int64(size)), CurrentPage: int32(current), ShowSize: int32(size),
		PageCount: int32(pageCount(len(list), size)), TotalCount: int64(len(list)), RequestID: c.requestID,
	}, nil
}

package alicert

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"
)

// SignCSRInput is the input of SignCSR.
type SignCSRInput struct {
	// CAIdentifier is the sub-CA that signs (its Identifier in
	// DescribeCACertificateList). Required.
	CAIdentifier string
	// CSR is the certificate request, PEM, RSA or ECDSA (Go cannot parse
	// SM2). Required. Its key becomes the certificate's; it never leaves
	// the caller with its private half.
	CSR string
	// Duration is the validity from now, to the second. Required; it may
	// not outlast the sub-CA's.
	Duration time.Duration
	// CommonName replaces the CSR's subject with this common name. Empty:
	// the CSR's subject.
	CommonName string
	// Subject, when set, replaces the CSR's subject with these fields (the
	// model's ApiPassthrough.Subject); CommonName, when set too, overrides
	// its common name. Nil: the CSR's subject, or CommonName's.
	Subject *CustomCertificateSubject
	// DNSNames, IPAddresses, EmailAddresses and URIs are the names the
	// certificate holds. All empty: the CSR's names.
	DNSNames       []string
	IPAddresses    []net.IP
	EmailAddresses []string
	URIs           []*url.URL
	// KeyUsage is the key usage, without CertSign or CRLSign. Zero: digital
	// signature and key encipherment, the usage the model gives server,
	// client and mTLS certificates.
	KeyUsage x509.KeyUsage
	// ExtKeyUsages are the extended key usages: x509.ExtKeyUsageServerAuth,
	// ExtKeyUsageClientAuth and ExtKeyUsageEmailProtection, the ones the
	// model names. Empty: none is asked for.
	ExtKeyUsages []x509.ExtKeyUsage
	// CustomIdentifier is a unique key of your choice that the certificate
	// keeps: after an unknown outcome, look for it with
	// ListClientCertificate before signing again.
	CustomIdentifier string
}

// SignCSROutput is the output of SignCSR, split as TLS servers and
// cert-manager expect.
type SignCSROutput struct {
	// Identifier identifies the certificate, for DescribeClientCertificate
	// and CreateRevokeClientCertificate.
	Identifier string
	// Certificate is the issued certificate, parsed.
	Certificate *x509.Certificate
	// CertificatePEM is the issued certificate alone, PEM.
	CertificatePEM string
	// ChainPEM holds the intermediate CAs, issuer of the certificate first,
	// PEM, without the certificate and without the root: append it to
	// CertificatePEM for a server's certificate file.
	ChainPEM string
	// CAPEM is the root CA, PEM: what peers trust. When the service's
	// chain holds no self-signed root, it is the topmost CA it holds.
	CAPEM string
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string
}

// FullChainPEM is the certificate followed by its intermediates: what a
// TLS server presents.
func (o *SignCSROutput) FullChainPEM() string { return o.CertificatePEM + o.ChainPEM }

// extKeyUsageNames are the extended key usages by the names the model's
// description uses.
var extKeyUsageNames = map[x509.ExtKeyUsage]string{
	x509.ExtKeyUsageServerAuth:      "serverAuth",
	x509.ExtKeyUsageClientAuth:      "clientAuth",
	x509.ExtKeyUsageEmailProtection: "emailProtection",
}

func (in *SignCSRInput) validate() ([]FieldError, *x509.CertificateRequest) {
	var p problems
	p.required("CAIdentifier", in.CAIdentifier)
	// Go must parse the CSR, SM2's included, to check the result.
	csr, problem, _ := verifiedCSR(in.CSR)
	if problem != "" {
		p.add("CSR", problem)
	}
	switch {
	case in.Duration <= 0:
		p.add("Duration", "is required: a positive validity")
	case in.Duration < time.Second:
		p.add("Duration", fmt.Sprintf("%v is under a second, the finest validity the service takes", in.Duration))
	}
	if in.KeyUsage&(x509.KeyUsageCertSign|x509.KeyUsageCRLSign) != 0 {
		p.add("KeyUsage", "holds CertSign or CRLSign: SignCSR signs end-entity certificates only")
	}
	for i, u := range in.ExtKeyUsages {
		if _, ok := extKeyUsageNames[u]; !ok {
			p.add(fmt.Sprintf("ExtKeyUsages[%d]", i), fmt.Sprintf("%d is not one the service names: use ServerAuth, ClientAuth or EmailProtection", u))
		}
	}
	if in.Subject != nil {
		// The subject's rules are CreateCustomCertificate's; here its
		// fields are named as SignCSRInput names them.
		var sub problems
		(&CustomCertificatePassthrough{Subject: in.Subject}).check(&sub)
		for _, f := range sub {
			p.add(strings.Replace(f.Field, "APIPassthrough.Subject", "Subject", 1), f.Problem)
		}
	}
	checkNames(&p, "DNSNames", in.DNSNames)
	checkNames(&p, "EmailAddresses", in.EmailAddresses)
	for i, uri := range in.URIs {
		if uri == nil || uri.String() == "" {
			p.add(fmt.Sprintf("URIs[%d]", i), "is empty")
		}
	}
	for i, ip := range in.IPAddresses {
		if len(ip) != net.IPv4len && len(ip) != net.IPv6len {
			p.add(fmt.Sprintf("IPAddresses[%d]", i), "is not an IP address")
		}
	}
	return p, csr
}

// names are the names the certificate is to hold: the input's, else the
// CSR's.
func (in *SignCSRInput) names(csr *x509.CertificateRequest) (dns []string, ips []net.IP, emails []string, uris []*url.URL) {
	if len(in.DNSNames)+len(in.IPAddresses)+len(in.EmailAddresses)+len(in.URIs) > 0 {
		return in.DNSNames, in.IPAddresses, in.EmailAddresses, in.URIs
	}
	return csr.DNSNames, csr.IPAddresses, csr.EmailAddresses, csr.URIs
}

// passthrough is the ApiPassthrough that asks for what in asks for.
func (in *SignCSRInput) passthrough(csr *x509.CertificateRequest) *CustomCertificatePassthrough {
	usage := in.KeyUsage
	if usage == 0 {
		usage = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
	}
	ext := &CustomCertificateExtensions{KeyUsage: &CustomKeyUsage{
		DigitalSignature:  usage&x509.KeyUsageDigitalSignature != 0,
		ContentCommitment: usage&x509.KeyUsageContentCommitment != 0,
		KeyEncipherment:   usage&x509.KeyUsageKeyEncipherment != 0,
		DataEncipherment:  usage&x509.KeyUsageDataEncipherment != 0,
		KeyAgreement:      usage&x509.KeyUsageKeyAgreement != 0,
		EncipherOnly:      usage&x509.KeyUsageEncipherOnly != 0,
		DecipherOnly:      usage&x509.KeyUsageDecipherOnly != 0,
	}}
	for _, u := range in.ExtKeyUsages {
		ext.ExtendedKeyUsages = append(ext.ExtendedKeyUsages, extKeyUsageNames[u])
	}
	dns, ips, emails, uris := in.names(csr)
	for _, n := range dns {
		ext.SubjectAlternativeNames = append(ext.SubjectAlternativeNames, CustomSAN{Type: CustomSANDNS, Value: n})
	}
	for _, ip := range ips {
		ext.SubjectAlternativeNames = append(ext.SubjectAlternativeNames, CustomSAN{Type: CustomSANIP, Value: ip.String()})
	}
	for _, e := range emails {
		ext.SubjectAlternativeNames = append(ext.SubjectAlternativeNames, CustomSAN{Type: CustomSANEmail, Value: e})
	}
	for _, u := range uris {
		ext.SubjectAlternativeNames = append(ext.SubjectAlternativeNames, CustomSAN{Type: CustomSANURI, Value: u.String()})
	}
	pt := &CustomCertificatePassthrough{Extensions: ext}
	if in.Subject != nil {
		subject := *in.Subject
		pt.Subject = &subject
	}
	if in.CommonName != "" {
		if pt.Subject == nil {
			pt.Subject = new(CustomCertificateSubject)
		}
		pt.Subject.CommonName = in.CommonName
	}
	return pt
}

// commonName is the common name the certificate is asked to hold, or ""
// when the CSR's subject is kept.
func (in *SignCSRInput) commonName() string {
	if in.CommonName == "" && in.Subject != nil {
		return in.Subject.CommonName
	}
	return in.CommonName
}

// SignCSR has a sub-CA sign a CSR for a duration, names and usages in one
// synchronous call (CreateCustomCertificate, returning the chain), then
// checks what came back before returning it: the certificate must hold the
// CSR's key, every requested name and extended usage, and chain to the
// returned CA for those usages. The output splits the certificate, its
// intermediates and the root.
//
// It is a create, counted against the sub-CA's quota, and never retried
// once the request may have reached the service: such a failure matches
// ErrOutcomeUnknown; look for in.CustomIdentifier with
// ListClientCertificate before signing again. A certificate that fails the
// checks was issued all the same: the error, an *IssuedCertificateError,
// names its identifier, to revoke it with CreateRevokeClientCertificate.
func (s *PCAService) SignCSR(ctx context.Context, in *SignCSRInput) (*SignCSROutput, error) {
	const op = "SignCSR"
	c := s.owner()
	if c == nil || c.cfg == nil {
		return nil, noClient(&operation{action: op})
	}
	if in == nil {
		in = new(SignCSRInput)
	}
	problems, csr := in.validate()
	if len(problems) > 0 {
		return nil, &ValidationError{Operation: op, Fields: problems}
	}
	out, err := s.CreateCustomCertificate(ctx, &CreateCustomCertificateInput{
		ParentIdentifier: in.CAIdentifier,
		Csr:              in.CSR,
		// The absolute end ("$NotAfter"): a duration in seconds, where the
		// relative forms count whole days.
		Validity:         ValidityUntil(c.cfg.now().Add(in.Duration).Truncate(time.Second)),
		APIPassthrough:   in.passthrough(csr),
		Immediately:      PCAReturnChain,
		CustomIdentifier: in.CustomIdentifier,
	})
	if err != nil {
		return nil, err
	}
	signed, err := in.check(csr, out)
	if err != nil {
		return nil, &IssuedCertificateError{Identifier: out.Identifier, Err: err}
	}
	return signed, nil
}

// IssuedCertificateError is the error of a SignCSR whose certificate the
// service issued, but which fails SignCSR's checks (another key, a name or
// usage missing, no chain to the returned CA). The certificate exists and
// counts against the sub-CA's quota: revoke it, by Identifier, with
// CreateRevokeClientCertificate. Signing again with the same input would
// spend quota on the same answer.
type IssuedCertificateError struct {
	// Identifier identifies the certificate the service issued.
	Identifier string
	// Err says what is wrong with it.
	Err error
}

// Error names the certificate and what is wrong with it.
func (e *IssuedCertificateError) Error() string {
	return "alicert: SignCSR: certificate " + quote(e.Identifier) + " was issued, but " + e.Err.Error() +
		"; revoke it with CreateRevokeClientCertificate"
}

// Unwrap returns Err.
func (e *IssuedCertificateError) Unwrap() error { return e.Err }

// check verifies the issued certificate against the request and splits the
// chain.
func (in *SignCSRInput) check(csr *x509.CertificateRequest, out *CreateCustomCertificateOutput) (*SignCSROutput, error) {
	leaves, err := ParseCertificates(out.Certificate)
	if err != nil || len(leaves) != 1 {
		return nil, errors.New("its Certificate is not one PEM certificate")
	}
	leaf := leaves[0]
	if !samePublicKey(csr.PublicKey, leaf.PublicKey) {
		return nil, errors.New("it does not hold the CSR's public key")
	}
	if missing := in.missingNames(csr, leaf); missing != "" {
		return nil, fmt.Errorf("it lacks the requested name %s", missing)
	}
	// x509.Verify passes a certificate without the extension for every
	// usage: a requested usage must be named.
	for _, u := range in.ExtKeyUsages {
		if !slices.Contains(leaf.ExtKeyUsage, u) {
			return nil, fmt.Errorf("it lacks the requested extended key usage %s", extKeyUsageNames[u])
		}
	}
	var chain []*x509.Certificate
	if strings.TrimSpace(out.CertificateChain) != "" {
		if chain, err = ParseCertificates(out.CertificateChain); err != nil {
			return nil, errors.New("its CertificateChain does not parse")
		}
	}
	intermediates, root := splitCAChain(leaf, chain)
	if root == nil {
		return nil, errors.New("the response holds no CA chain")
	}
	roots, inter := x509.NewCertPool(), x509.NewCertPool()
	roots.AddCert(root)
	for _, ca := range intermediates {
		inter.AddCert(ca)
	}
	usages := in.ExtKeyUsages
	if len(usages) == 0 {
		usages = []x509.ExtKeyUsage{x509.ExtKeyUsageAny}
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, KeyUsages: usages, CurrentTime: leaf.NotBefore}); err != nil {
		return nil, fmt.Errorf("it does not verify against the returned CA for the requested usages: %v", err)
	}
	return &SignCSROutput{
		Identifier:     out.Identifier,
		Certificate:    leaf,
		CertificatePEM: encodeCertificates(leaf),
		ChainPEM:       encodeCertificates(intermediates...),
		CAPEM:          encodeCertificates(root),
		RequestID:      out.RequestID,
	}, nil
}

// missingNames returns the first requested name the leaf does not hold, or
// "".
func (in *SignCSRInput) missingNames(csr *x509.CertificateRequest, leaf *x509.Certificate) string {
	dns, ips, emails, uris := in.names(csr)
	for _, n := range dns {
		if !slices.ContainsFunc(leaf.DNSNames, func(h string) bool { return strings.EqualFold(h, n) }) {
			return quote(n)
		}
	}
	for _, ip := range ips {
		if !slices.ContainsFunc(leaf.IPAddresses, ip.Equal) {
			return ip.String()
		}
	}
	for _, e := range emails {
		if !slices.Contains(leaf.EmailAddresses, e) {
			return quote(e)
		}
	}
	for _, u := range uris {
		if !slices.ContainsFunc(leaf.URIs, func(h *url.URL) bool { return h.String() == u.String() }) {
			return quote(u.String())
		}
	}
	if cn := in.commonName(); cn != "" && leaf.Subject.CommonName != cn {
		return "CN=" + quote(cn)
	}
	return ""
}

// splitCAChain orders the CAs of chain from the leaf's issuer up and
// returns those below the root, and the root: the first self-signed CA
// reached, or the topmost CA when the chain holds none. The leaf itself,
// should the chain repeat it, and CAs off the path are left out.
func splitCAChain(leaf *x509.Certificate, chain []*x509.Certificate) (intermediates []*x509.Certificate, root *x509.Certificate) {
	current := leaf
	for range len(chain) {
		issuer := findIssuer(current, chain)
		if issuer == nil || issuer.Equal(current) {
			break
		}
		if selfSigned(issuer) {
			return intermediates, issuer
		}
		intermediates = append(intermediates, issuer)
		current = issuer
	}
	if len(intermediates) == 0 {
		return nil, nil
	}
	// No self-signed root: the topmost CA reached stands for it.
	return intermediates[:len(intermediates)-1], intermediates[len(intermediates)-1]
}

func findIssuer(cert *x509.Certificate, chain []*x509.Certificate) *x509.Certificate {
	for _, ca := range chain {
		if !ca.Equal(cert) && ca.IsCA && bytes.Equal(cert.RawIssuer, ca.RawSubject) && cert.CheckSignatureFrom(ca) == nil {
			return ca
		}
	}
	return nil
}

func selfSigned(c *x509.Certificate) bool {
	return isSelfIssued(c) && c.CheckSignatureFrom(c) == nil
}

func encodeCertificates(certs ...*x509.Certificate) string {
	var b strings.Builder
	for _, c := range certs {
		_ = pem.Encode(&b, &pem.Block{Type: pemCertificate, Bytes: c.Raw})
	}
	return b.String()
}

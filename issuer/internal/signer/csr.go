package signer

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/alicert/alicert"

	api "github.com/alicert/alicert/issuer/api/v1alpha1"
)

// dvDomain checks a CertificateRequest's CSR against what a DV order
// accepts, before anything is sent, and returns the one domain it names.
// Its error says every problem, for the request's Failed condition. The
// rules are the library's: a CSR whose signature verifies, a key of RSA
// 2048 bits or more or ECDSA P-256 or P-384, exactly one domain name (as
// the common name, a DNS name or both) and nothing else, which the product
// can certify (a wildcard needs a wildcard product). The library checks the
// domain and key with the order's other inputs in ObtainInput.Validate;
// the rest is the shape of the CSR itself.
func dvDomain(csrPEM []byte, isCA bool, spec *api.CASIssuerSpec) (string, error) {
	if isCA {
		return "", errors.New("the request asks for a CA certificate (isCA); a DV certificate from CAS is never one")
	}
	csr, err := alicert.ParseCSR(string(csrPEM))
	if err != nil {
		return "", fmt.Errorf("the CSR does not parse: %w", err)
	}
	if err := csr.CheckSignature(); err != nil {
		return "", fmt.Errorf("the CSR's signature does not verify: %w", err)
	}
	if n := len(csr.IPAddresses) + len(csr.EmailAddresses) + len(csr.URIs); n > 0 {
		return "", errors.New("the CSR names an IP address, email address or URI; a DV certificate holds one domain name only")
	}
	names := csrNames(csr.Subject.CommonName, csr.DNSNames)
	switch len(names) {
	case 0:
		return "", errors.New("the CSR names no domain: set its common name or one DNS name")
	case 1:
	default:
		return "", fmt.Errorf("the CSR names %d domains (%s); a DV certificate from CAS holds exactly one: "+
			"make one Certificate per domain", len(names), strings.Join(names, ", "))
	}
	in := &alicert.ObtainInput{
		Domain: names[0], ProductCode: spec.ProductCode,
		Username: spec.Contact.Name, Phone: spec.Contact.Phone, Email: spec.Contact.Email,
		ValidateType: alicert.ValidateDNS, DNS: noDNS{}, Key: publicKeyOnly{csr.PublicKey},
	}
	var invalid *alicert.ValidationError
	if err := in.Validate(); errors.As(err, &invalid) {
		var csrProblems []string
		for _, f := range invalid.Fields {
			switch f.Field {
			case "Domain":
				csrProblems = append(csrProblems, "its domain: "+f.Problem)
			case "Key":
				csrProblems = append(csrProblems, "its key "+f.Problem)
			}
		}
		if len(csrProblems) > 0 {
			return "", fmt.Errorf("the CSR cannot be ordered: %s", strings.Join(csrProblems, "; "))
		}
		// The rest concerns the issuer's spec, which its check reports.
		return "", issuerProblem(fmt.Errorf("the issuer's spec cannot be ordered with: %w", err))
	}
	return names[0], nil
}

// csrNames is the set of names a CSR holds: its common name and DNS
// names, compared case-insensitively, in order of appearance.
func csrNames(commonName string, dnsNames []string) []string {
	var names []string
	seen := map[string]bool{}
	for _, n := range append([]string{commonName}, dnsNames...) {
		key := strings.ToLower(strings.TrimSuffix(n, "."))
		if key == "" || seen[key] {
			continue
		}
		seen[key] = true
		names = append(names, n)
	}
	return names
}

// publicKeyOnly is a crypto.Signer that holds a CSR's public key, for
// ObtainInput.Validate, which checks the key's type and size. It never
// signs: the private key is in the cluster, where it belongs.
type publicKeyOnly struct{ pub crypto.PublicKey }

func (k publicKeyOnly) Public() crypto.PublicKey { return k.pub }

func (publicKeyOnly) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, errors.New("publicKeyOnly cannot sign")
}

// noDNS stands for the DNS provider in ObtainInput.Validate, which
// requires one for DNS validation; it is never called.
type noDNS struct{}

func (noDNS) Present(context.Context, alicert.DNSRecord) error {
	return errors.New("noDNS publishes nothing")
}

func (noDNS) CleanUp(context.Context, alicert.DNSRecord) error { return nil }

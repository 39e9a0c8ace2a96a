package alicert

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
)

// issuedChain parses the certificate an order returned and checks that it
// can serve domain: Obtain hands out nothing that would break a server
// once installed. It fails when the leaf does not name domain among its
// DNS names (see CoversDomain), or when the leaf's public key is not that of
// the key: own, the caller's key the order's CSR was signed with, or when
// own is nil st.PrivateKey (which must then parse). An empty domain (a
// resumed order given none) skips the name check only. Errors name what is
// wrong and never quote the key.
func issuedChain(st *DescribeCertificateStateOutput, domain string, own crypto.Signer) ([]*x509.Certificate, error) {
	chain, err := st.ParseCertificates()
	if err != nil {
		return nil, err
	}
	leaf := chain[0]
	if domain != "" && !CoversDomain(leaf, domain) {
		return nil, fmt.Errorf("the issued certificate does not cover %s: it names %s; "+
			"it is not installed, check the order in the console", quote(domain), describeNames(leaf))
	}
	if own != nil {
		if !samePublicKey(own.Public(), leaf.PublicKey) {
			return nil, errors.New("the issued certificate does not hold the public key of Key " +
				"(the key the order's CSR was signed with); is OrderID another key's order?")
		}
		return chain, nil
	}
	key, err := parsePrivateKey(st.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("the issued private key is unusable: %w", err)
	}
	if !samePublicKey(key.Public(), leaf.PublicKey) {
		return nil, errors.New("the issued private key does not belong to the issued certificate " +
			"(its public key differs); a server given both could not complete a TLS handshake")
	}
	return chain, nil
}

// CoversDomain reports whether leaf's DNS names serve domain, the way a TLS
// client matches them (the subject's common name is ignored, as Go and
// browsers ignore it). A wildcard domain must be named as such: a
// *.example.com order must hold *.example.com, since a list of single
// names never covers every host below. A single name is covered by
// itself or by a wildcard of its parent (*.example.com covers
// www.example.com, not a.b.example.com or example.com). Names compare
// case-insensitively; nothing is looked up in DNS. It is the one rule
// Obtain checks an issued certificate by, and the alicert command checks
// the certificate files of a directory by.
func CoversDomain(leaf *x509.Certificate, domain string) bool {
	if leaf == nil {
		return false
	}
	want := normalizeName(domain)
	for _, n := range leaf.DNSNames {
		got := normalizeName(n)
		if got == want {
			return true
		}
		if strings.HasPrefix(want, "*.") {
			continue
		}
		if rest, ok := strings.CutPrefix(got, "*."); ok {
			if i := strings.IndexByte(want, '.'); i > 0 && want[i+1:] == rest {
				return true
			}
		}
	}
	return false
}

// describeNames lists a certificate's DNS names for an error, quoted so
// that nothing from the response reaches a terminal raw.
func describeNames(c *x509.Certificate) string {
	if len(c.DNSNames) == 0 {
		return "no DNS name"
	}
	names := c.DNSNames
	more := ""
	if len(names) > 5 {
		names, more = names[:5], fmt.Sprintf(" and %d more", len(c.DNSNames)-5)
	}
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = quote(n)
	}
	return strings.Join(q, ", ") + more
}

package alicert

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/alicert/alicert/internal/pemchain"
)

// PEM block types this file accepts.
const (
	pemCertificate = pemchain.Certificate
	pemCSR         = "CERTIFICATE REQUEST"
	// pemLegacyCSR is the type older tools (Java keytool, Windows certreq)
	// write for the same PKCS #10 content.
	pemLegacyCSR = "NEW CERTIFICATE REQUEST"
)

// ParseCSR parses a PEM-encoded certificate signing request, such as the Csr
// that CreateCsr, GetCsrDetail and KMS CreateCertificate return, into an
// *x509.CertificateRequest.
//
// pemData must hold exactly one "CERTIFICATE REQUEST" block (the older "NEW
// CERTIFICATE REQUEST" type is accepted too), with nothing but whitespace
// around it. ParseCSR does not check the request's signature; call
// CheckSignature on the result for that.
//
// Go's crypto/x509 does not support SM2 keys, so the CSR of an
// AlgorithmSM2 or KeySpecECSM2 request cannot be parsed here.
//
// Errors name what is wrong (no PEM block, another block type, bad DER)
// but never quote the data: a private key passed by mistake is reported as
// such, never echoed.
func ParseCSR(pemData string) (*x509.CertificateRequest, error) {
	const op = "ParseCSR"
	blocks, err := decodePEMBlocks(op, pemData)
	if err != nil {
		return nil, err
	}
	for i, b := range blocks {
		// A private key anywhere is the first thing to say.
		if looksLikePrivateKey(b.Type) {
			return nil, wrongBlockType(op, i+1, b.Type, pemCSR)
		}
	}
	if len(blocks) > 1 {
		return nil, pemErrorf(op, "found %d PEM blocks; a CSR is exactly one %s block", len(blocks), pemCSR)
	}
	b := blocks[0]
	if b.Type != pemCSR && b.Type != pemLegacyCSR {
		return nil, wrongBlockType(op, 1, b.Type, pemCSR)
	}
	csr, err := x509.ParseCertificateRequest(b.Bytes)
	if err != nil {
		return nil, pemErrorf(op, "the %s block is not a valid PKCS #10 request: %w", b.Type, hintSM2(err))
	}
	return csr, nil
}

// ParseCertificates parses every "CERTIFICATE" block of pemData, such as the
// Certificate that DescribeCertificateState returns once an order is issued
// (the certificate, usually followed by its chain).
//
// The result is ordered leaf first: when the blocks form one chain, the
// certificate that issued no other comes first, then its issuer, and so on
// (the order tls.Certificate expects), whatever their order in pemData.
// Certificates outside that chain follow in their original order. When no
// single leaf can be told apart, the original order is kept.
//
// Every block must be a CERTIFICATE, with only whitespace between, before
// and after them: a truncated block at the end is an error, not silently
// dropped. Go's crypto/x509 does not support SM2, so SM2 certificates cannot
// be parsed here. Errors never quote the data; a private key passed by
// mistake is reported as such, never echoed.
func ParseCertificates(pemData string) ([]*x509.Certificate, error) {
	const op = "ParseCertificates"
	certs, err := pemchain.Certificates([]byte(pemData))
	var typeErr *pemchain.TypeError
	var parseErr *pemchain.ParseError
	switch {
	case errors.As(err, &typeErr):
		return nil, wrongBlockType(op, typeErr.N, typeErr.Type, pemCertificate)
	case errors.As(err, &parseErr):
		return nil, pemErrorf(op, "PEM block %d of %d is not a valid X.509 certificate: %w", parseErr.N, parseErr.Total, hintSM2(parseErr.Err))
	case err != nil:
		return nil, pemBlocksError(op, pemData, err)
	}
	return leafFirst(certs), nil
}

// ParseCSR parses o.Csr; see the package function ParseCSR.
func (o *CreateCsrOutput) ParseCSR() (*x509.CertificateRequest, error) {
	if o == nil {
		return nil, pemErrorf("CreateCsrOutput.ParseCSR", "the output is nil")
	}
	return parseOutputCSR("CreateCsrOutput", o.Csr)
}

// ParseCSR parses o.Csr; see the package function ParseCSR. It does not
// touch o.PrivateKey.
func (o *GetCsrDetailOutput) ParseCSR() (*x509.CertificateRequest, error) {
	if o == nil {
		return nil, pemErrorf("GetCsrDetailOutput.ParseCSR", "the output is nil")
	}
	return parseOutputCSR("GetCsrDetailOutput", o.Csr)
}

// ParseCSR parses o.Csr, the request to submit to a CA for the key KMS
// holds; see the package function ParseCSR.
func (o *CreateCertificateOutput) ParseCSR() (*x509.CertificateRequest, error) {
	if o == nil {
		return nil, pemErrorf("CreateCertificateOutput.ParseCSR", "the output is nil")
	}
	return parseOutputCSR("CreateCertificateOutput", o.Csr)
}

// ParseCertificates parses o.Certificate, the issued certificate and its
// chain, leaf first; see the package function ParseCertificates. It fails
// when the order is not issued yet (o.Certificate is empty). It does not
// touch o.PrivateKey.
func (o *DescribeCertificateStateOutput) ParseCertificates() ([]*x509.Certificate, error) {
	const op = "DescribeCertificateStateOutput.ParseCertificates"
	switch {
	case o == nil:
		return nil, pemErrorf(op, "the output is nil")
	case strings.TrimSpace(o.Certificate) != "":
		return ParseCertificates(o.Certificate)
	case o.State != StateCertificate:
		return nil, pemErrorf(op, "the order is not issued yet (state %q); wait for %q, for example with WaitForCertificate", o.State, StateCertificate)
	default:
		return nil, pemErrorf(op, "the order is issued but the output has no Certificate")
	}
}

// parseOutputCSR parses the Csr field of an output named typeName.
func parseOutputCSR(typeName, csr string) (*x509.CertificateRequest, error) {
	if strings.TrimSpace(csr) == "" {
		return nil, pemErrorf(typeName+".ParseCSR", "the output has no Csr")
	}
	return ParseCSR(csr)
}

// decodePEMBlocks splits data into PEM blocks, allowing only whitespace
// outside them. It never puts any of data into an error.
func decodePEMBlocks(op, data string) ([]*pem.Block, error) {
	blocks, err := pemchain.Blocks([]byte(data))
	if err != nil {
		return nil, pemBlocksError(op, data, err)
	}
	return blocks, nil
}

// pemBlocksError words an error of pemchain.Blocks for op.
func pemBlocksError(op, data string, err error) error {
	var perr *pemchain.Error
	if !errors.As(err, &perr) {
		return pemErrorf(op, "%w", err)
	}
	switch perr.Problem {
	case pemchain.Empty:
		return pemErrorf(op, "no PEM block found (%s)", describeEmpty(data))
	case pemchain.NoBlock:
		if perr.PrivateKey {
			return pemErrorf(op, "the data looks like a private key (its content is not shown), not PEM of the expected type")
		}
		return pemErrorf(op, "no PEM block found (the data does not contain a -----BEGIN line)")
	case pemchain.StrayText:
		if perr.Found == 0 {
			return pemErrorf(op, "unexpected text before the first PEM block; only whitespace may surround the blocks")
		}
		return pemErrorf(op, "unexpected text after PEM block %d; only whitespace may follow or separate the blocks", perr.Found)
	default:
		what := "a PEM block"
		if perr.PrivateKey {
			what = "a private key block (its content is not shown)"
		}
		return pemErrorf(op, "%s after %d complete block(s) is truncated or malformed (missing or mismatched -----END line, or bad base64)", what, perr.Found)
	}
}

// wrongBlockType reports block n of the wrong type. A private key's type is
// named, its content never shown.
func wrongBlockType(op string, n int, got, want string) error {
	if looksLikePrivateKey(got) {
		return pemErrorf(op, "PEM block %d is a private key (%q; its content is not shown), not a %s: pass the %s PEM only", n, got, want, want)
	}
	if len(got) > 40 {
		got = got[:40] + "..."
	}
	return pemErrorf(op, "PEM block %d is a %q block, not a %s", n, got, want)
}

func looksLikePrivateKey(s string) bool { return pemchain.LooksLikePrivateKey(s) }

func describeEmpty(s string) string {
	if s == "" {
		return "the data is empty"
	}
	return "the data holds only whitespace"
}

// hintSM2 adds a hint to x509's error for a curve it does not know, which
// for certificates from Alibaba Cloud is almost always SM2.
func hintSM2(err error) error {
	if isSM2Error(err) {
		return fmt.Errorf("%w (Go's crypto/x509 does not support SM2 keys)", err)
	}
	return err
}

// isSM2Error reports x509's error for a curve it does not know: SM2's, for
// data from Alibaba Cloud.
func isSM2Error(err error) bool {
	return strings.Contains(err.Error(), "unsupported elliptic curve")
}

// verifiedCSR parses csrPEM as ParseCSR does and checks its signature. It
// returns the CSR, or what is wrong with it, as a field's problem, and
// whether that is only SM2's curve, which Go cannot parse.
func verifiedCSR(csrPEM string) (csr *x509.CertificateRequest, problem string, sm2 bool) {
	if strings.TrimSpace(csrPEM) == "" {
		return nil, "is required: a PEM CERTIFICATE REQUEST", false
	}
	csr, err := ParseCSR(csrPEM)
	if err != nil {
		return nil, "does not parse: " + err.Error(), isSM2Error(err)
	}
	if err := csr.CheckSignature(); err != nil {
		return nil, "has a signature that does not verify: " + err.Error(), false
	}
	return csr, "", false
}

// pemErrorf formats an error from one of the parse helpers.
func pemErrorf(op, format string, args ...any) error {
	return errorf("alicert: "+op+": "+format, args...)
}

// leafFirst orders a chain leaf first (see ParseCertificates). It keeps the
// input order when it cannot find exactly one leaf.
func leafFirst(certs []*x509.Certificate) []*x509.Certificate {
	if len(certs) < 2 {
		return certs
	}
	// issuedOther[i]: certs[i] issued another certificate of the set. A
	// self-signed root "issues" itself, which does not count.
	issuedOther := make([]bool, len(certs))
	for i, issuer := range certs {
		for j, c := range certs {
			if i != j && !isSelfIssued(c) && bytes.Equal(c.RawIssuer, issuer.RawSubject) {
				issuedOther[i] = true
				break
			}
		}
	}
	leaf := -1
	for i, issued := range issuedOther {
		if !issued {
			if leaf >= 0 {
				return certs // two candidates: not one chain
			}
			leaf = i
		}
	}
	if leaf < 0 {
		return certs
	}
	ordered := make([]*x509.Certificate, 0, len(certs))
	used := make([]bool, len(certs))
	for cur := leaf; cur >= 0; {
		ordered = append(ordered, certs[cur])
		used[cur] = true
		next := -1
		if !isSelfIssued(certs[cur]) {
			for j, c := range certs {
				if !used[j] && bytes.Equal(c.RawSubject, certs[cur].RawIssuer) {
					next = j
					break
				}
			}
		}
		cur = next
	}
	for i, c := range certs {
		if !used[i] {
			ordered = append(ordered, c)
		}
	}
	return ordered
}

func isSelfIssued(c *x509.Certificate) bool {
	return bytes.Equal(c.RawIssuer, c.RawSubject)
}

// parsePrivateKey parses the one private key PEM block of keyPEM (PKCS #8,
// PKCS #1 RSA or SEC 1 EC). Its errors say what kind of data was found,
// never any of it.
func parsePrivateKey(keyPEM string) (crypto.Signer, error) {
	block, _ := pem.Decode([]byte(strings.TrimPrefix(strings.TrimSpace(keyPEM), "\ufeff")))
	switch {
	case strings.TrimSpace(keyPEM) == "":
		return nil, errors.New("it is empty")
	case block == nil:
		return nil, errors.New("it is not PEM")
	case !strings.HasSuffix(block.Type, "PRIVATE KEY"):
		return nil, fmt.Errorf("its PEM block is %s, not a private key", quote(truncate(block.Type, 40)))
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
	default:
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	}
	if err != nil {
		// x509's parse errors describe the structure, never the key bytes.
		return nil, fmt.Errorf("the %s block does not parse: %w", block.Type, hintSM2(err))
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("the %s block holds a %T, which cannot sign", block.Type, key)
	}
	return signer, nil
}

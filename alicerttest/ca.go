package alicerttest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"sync"
	"time"
)

const (
	// leafValidity is how long the certificates the server issues are
	// valid, like the free DV certificates CAS sells.
	leafValidity = 90 * 24 * time.Hour
	// backdate starts certificates before the server's clock, as public CAs
	// do, so that a client whose clock is a little behind accepts them.
	backdate = time.Hour
)

// testCA is the server's in-memory certificate authority.
type testCA struct {
	cert    *x509.Certificate
	certPEM string
	key     *ecdsa.PrivateKey
}

func newTestCA(now time.Time) (*testCA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: randomSerial(),
		Subject: pkix.Name{
			CommonName:   "alicerttest CA " + randomHex(4),
			Organization: []string{"alicerttest"},
		},
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.Add(10 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &testCA{cert: cert, certPEM: pemString("CERTIFICATE", der), key: key}, nil
}

// issue signs a leaf certificate for pub with the subject and names of
// tmpl, valid from now-backdate to now+validity.
func (ca *testCA) issue(tmpl *x509.Certificate, pub crypto.PublicKey, now time.Time, validity time.Duration) (string, error) {
	tmpl.SerialNumber = randomSerial()
	tmpl.NotBefore = now.Add(-backdate)
	tmpl.NotAfter = now.Add(validity)
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	if _, ok := pub.(*rsa.PublicKey); ok {
		tmpl.KeyUsage |= x509.KeyUsageKeyEncipherment
	}
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
	tmpl.BasicConstraintsValid = true
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, pub, ca.key)
	if err != nil {
		return "", err
	}
	return pemString("CERTIFICATE", der), nil
}

// issueForDomain creates a P-256 key and a certificate for one domain name,
// as CAS does for an order. It returns the certificate followed by the CA
// certificate (the chain), and the PKCS #8 key PEM.
func (ca *testCA) issueForDomain(domain string, now time.Time) (chainPEM, keyPEM string, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", "", err
	}
	leaf, err := ca.issue(&x509.Certificate{
		Subject:  pkix.Name{CommonName: domain},
		DNSNames: []string{domain},
	}, &key.PublicKey, now, leafValidity)
	if err != nil {
		return "", "", err
	}
	keyPEM, err = privateKeyPEM(key)
	if err != nil {
		return "", "", err
	}
	return leaf + ca.certPEM, keyPEM, nil
}

// servingCertificate issues the server's own TLS certificate, for the
// loopback addresses and localhost, with a new P-256 key.
func (ca *testCA) servingCertificate(now time.Time) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	leafPEM, err := ca.issue(&x509.Certificate{
		Subject:     pkix.Name{CommonName: "localhost"},
		DNSNames:    []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}, &key.PublicKey, now, leafValidity)
	if err != nil {
		return tls.Certificate{}, err
	}
	block, _ := pem.Decode([]byte(leafPEM))
	return tls.Certificate{Certificate: [][]byte{block.Bytes, ca.cert.Raw}, PrivateKey: key}, nil
}

// signCSR issues a certificate for a PEM CSR, checking its signature first.
func (ca *testCA) signCSR(csrPEM string, now time.Time, validity time.Duration) (string, error) {
	csr, err := parseCSR(csrPEM)
	if err != nil {
		return "", err
	}
	return ca.issue(&x509.Certificate{
		Subject:        csr.Subject,
		DNSNames:       csr.DNSNames,
		IPAddresses:    csr.IPAddresses,
		EmailAddresses: csr.EmailAddresses,
		URIs:           csr.URIs,
	}, csr.PublicKey, now, validity)
}

// parseCSR decodes and checks a PEM certificate signing request.
func parseCSR(csrPEM string) (*x509.CertificateRequest, error) {
	block, _ := pem.Decode([]byte(csrPEM))
	if block == nil || (block.Type != "CERTIFICATE REQUEST" && block.Type != "NEW CERTIFICATE REQUEST") {
		return nil, errors.New("alicerttest: SignCSR: no PEM CERTIFICATE REQUEST block")
	}
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("alicerttest: SignCSR: %w", err)
	}
	if err := csr.CheckSignature(); err != nil {
		return nil, fmt.Errorf("alicerttest: SignCSR: the CSR's signature is invalid: %w", err)
	}
	return csr, nil
}

// newCSR creates a PEM CSR for subject and names, signed with key.
func newCSR(key crypto.Signer, subject pkix.Name, names []string) (string, error) {
	dns, ips := splitNames(names)
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject:     subject,
		DNSNames:    dns,
		IPAddresses: ips,
	}, key)
	if err != nil {
		return "", err
	}
	return pemString("CERTIFICATE REQUEST", der), nil
}

// newECKey creates a P-256 key. It also stands in for SM2: the standard
// library has no SM2 curve, and tests of the client only need a CSR that
// parses and verifies.
func newECKey() (crypto.Signer, error) {
	return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
}

// rsaKeyCache holds one RSA key per size. RSA key generation takes seconds
// under the race detector, so every RSA CSR of one size from one server
// shares a key: fine for a fake, never for real use.
type rsaKeyCache struct {
	mu   sync.Mutex
	keys map[int]*rsaKeyEntry
}

type rsaKeyEntry struct {
	once sync.Once
	key  *rsa.PrivateKey
	err  error
}

// get returns the server's RSA key of the given size, creating it on first
// use. Concurrent first calls wait for the one generation.
func (c *rsaKeyCache) get(bits int) (*rsa.PrivateKey, error) {
	c.mu.Lock()
	if c.keys == nil {
		c.keys = make(map[int]*rsaKeyEntry)
	}
	e := c.keys[bits]
	if e == nil {
		e = &rsaKeyEntry{}
		c.keys[bits] = e
	}
	c.mu.Unlock()
	e.once.Do(func() { e.key, e.err = rsa.GenerateKey(rand.Reader, bits) })
	return e.key, e.err
}

func privateKeyPEM(key crypto.Signer) (string, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", err
	}
	return pemString("PRIVATE KEY", der), nil
}

func pemString(typ string, der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

// randomSerial returns a positive 127-bit serial number.
func randomSerial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic("alicerttest: crypto/rand failed: " + err.Error())
	}
	return n.Add(n, big.NewInt(1))
}

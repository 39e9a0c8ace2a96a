package alicert_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
)

// examplePCA returns a client of a fake with a ready root and sub-CA, and
// the sub-CA's identifier.
func examplePCA() (*alicert.Client, *alicerttest.Server, string) {
	client, srv := newExampleClient(alicerttest.WithPrivateCA())
	return client, srv, srv.PrivateCA().SubCAIdentifier
}

// exampleCSR returns a new key and a CSR for names; the key never leaves
// the caller.
func exampleCSR(cn string, names ...string) (*ecdsa.PrivateKey, string) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: cn}, DNSNames: names,
	}, key)
	if err != nil {
		log.Fatal(err)
	}
	return key, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
}

// exampleIssued has the sub-CA issue a certificate and returns its
// identifier.
func exampleIssued(client *alicert.Client, subCA, cn string) string {
	_, csr := exampleCSR(cn, cn)
	out, err := client.PCA.SignCSR(context.Background(), &alicert.SignCSRInput{
		CAIdentifier: subCA, CSR: csr, Duration: 24 * time.Hour,
		ExtKeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	if err != nil {
		log.Fatal(err)
	}
	return out.Identifier
}

func ExamplePCAService_SignCSR() {
	client, srv, subCA := examplePCA()
	defer srv.Close()

	// The key is made here and never leaves: only the CSR is sent.
	_, csr := exampleCSR("api.internal", "api.internal", "api.prod.svc")
	out, err := client.PCA.SignCSR(context.Background(), &alicert.SignCSRInput{
		CAIdentifier:     subCA,
		CSR:              csr,
		Duration:         72 * time.Hour,
		ExtKeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		CustomIdentifier: "api-2025-03", // to find it again after an unknown outcome
	})
	if errors.Is(err, alicert.ErrOutcomeUnknown) {
		log.Fatal("the certificate may exist: look for its CustomIdentifier with ListClientCertificate")
	}
	if err != nil {
		log.Fatal(err)
	}
	// Peers trust out.CAPEM; a server presents out.FullChainPEM().
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM([]byte(out.CAPEM))
	inter := x509.NewCertPool()
	inter.AppendCertsFromPEM([]byte(out.ChainPEM))
	_, err = out.Certificate.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, DNSName: "api.prod.svc"})
	fmt.Println("names:", out.Certificate.DNSNames)
	fmt.Println("valid for:", out.Certificate.NotAfter.Sub(out.Certificate.NotBefore).Round(time.Hour))
	fmt.Println("verifies:", err == nil)
	// Output:
	// names: [api.internal api.prod.svc]
	// valid for: 72h0m0s
	// verifies: true
}

func ExamplePCAService_CreateRootCACertificate() {
	client, srv := newExampleClient()
	defer srv.Close()

	out, err := client.PCA.CreateRootCACertificate(context.Background(), &alicert.CreateRootCACertificateInput{
		CommonName: "Example Root CA", Organization: "Example", OrganizationUnit: "Security",
		Locality: "Hangzhou", State: "Zhejiang", CountryCode: "CN", Years: 10,
		Algorithm:   alicert.PCAKeyECC256,
		ClientToken: "root-ca-2025", // the same token makes a repeat safe after an unknown outcome
	})
	if err != nil {
		log.Fatal(err)
	}
	root, err := alicert.ParseCertificates(out.Certificate)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(root[0].Subject.CommonName, root[0].IsCA)
	// Output: Example Root CA true
}

func ExamplePCAService_CreateSubCACertificate() {
	client, srv := newExampleClient(alicerttest.WithPrivateCA())
	defer srv.Close()

	out, err := client.PCA.CreateSubCACertificate(context.Background(), &alicert.CreateSubCACertificateInput{
		ParentIdentifier: srv.PrivateCA().RootIdentifier,
		Algorithm:        alicert.PCAKeyECC256,
		CommonName:       "Example Issuing CA", Organization: "Example", OrganizationUnit: "Security",
		Locality: "Hangzhou", State: "Zhejiang", Years: 5,
	})
	if err != nil {
		log.Fatal(err)
	}
	sub, err := alicert.ParseCertificates(out.Certificate)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(sub[0].Subject.CommonName, "signed by the root:", sub[0].CheckSignatureFrom(srv.PrivateCA().Root) == nil)
	// Output: Example Issuing CA signed by the root: true
}

func ExamplePCAService_DescribeCACertificate() {
	client, srv, subCA := examplePCA()
	defer srv.Close()

	out, err := client.PCA.DescribeCACertificate(context.Background(), &alicert.DescribeCACertificateInput{Identifier: subCA})
	if err != nil {
		log.Fatal(err)
	}
	ca := out.Certificate
	fmt.Println(ca.CertificateType, ca.Status, "quota left:", ca.CertRemainingCount, "of", ca.CertTotalCount)
	// Output: SUB_ROOT ISSUE quota left: 1000 of 1000
}

func ExamplePCAService_DescribeCACertificateList() {
	client, srv, subCA := examplePCA()
	defer srv.Close()

	out, err := client.PCA.DescribeCACertificateList(context.Background(), &alicert.DescribeCACertificateListInput{CertType: "subRoot"})
	if err != nil {
		log.Fatal(err)
	}
	for _, ca := range out.CertificateList {
		fmt.Println(ca.CertificateType, ca.Status, ca.Identifier == subCA)
	}
	// Output: SUB_ROOT ISSUE true
}

func ExamplePCAService_CreateServerCertificateWithCsr() {
	client, srv, subCA := examplePCA()
	defer srv.Close()

	_, csr := exampleCSR("www.internal")
	out, err := client.PCA.CreateServerCertificateWithCsr(context.Background(), &alicert.CreateServerCertificateWithCsrInput{
		ParentIdentifier: subCA, Csr: csr, Domain: []string{"www.internal", "10.0.0.8"}, Days: 30,
		Immediately: alicert.PCAReturnChain, CustomIdentifier: "www-internal-1",
	})
	if err != nil {
		log.Fatal(err)
	}
	certs, err := alicert.ParseCertificates(out.X509Certificate)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(certs[0].DNSNames, certs[0].IPAddresses, certs[0].ExtKeyUsage[0] == x509.ExtKeyUsageServerAuth)
	// Output: [www.internal] [10.0.0.8] true
}

func ExamplePCAService_CreateClientCertificateWithCsr() {
	client, srv, subCA := examplePCA()
	defer srv.Close()

	_, csr := exampleCSR("device-42")
	out, err := client.PCA.CreateClientCertificateWithCsr(context.Background(), &alicert.CreateClientCertificateWithCsrInput{
		ParentIdentifier: subCA, Csr: csr, Days: 7, Immediately: alicert.PCAReturnCertificate,
		SANType: alicert.SANEmail, SANValues: []string{"device-42@example.com"},
	})
	if err != nil {
		log.Fatal(err)
	}
	certs, err := alicert.ParseCertificates(out.X509Certificate)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(certs[0].Subject.CommonName, certs[0].EmailAddresses, certs[0].ExtKeyUsage[0] == x509.ExtKeyUsageClientAuth)
	// Output: device-42 [device-42@example.com] true
}

func ExamplePCAService_CreateCustomCertificate() {
	client, srv, subCA := examplePCA()
	defer srv.Close()

	_, csr := exampleCSR("ignored: the subject below replaces the CSR's")
	out, err := client.PCA.CreateCustomCertificate(context.Background(), &alicert.CreateCustomCertificateInput{
		ParentIdentifier: subCA, Csr: csr,
		Validity:    alicert.ValidityFor(90, 'd'),
		Immediately: alicert.PCAReturnChain,
		APIPassthrough: &alicert.CustomCertificatePassthrough{
			Subject: &alicert.CustomCertificateSubject{CommonName: "mesh-node-7", Organization: "Example"},
			Extensions: &alicert.CustomCertificateExtensions{
				KeyUsage:                &alicert.CustomKeyUsage{DigitalSignature: true, KeyEncipherment: true},
				ExtendedKeyUsages:       []string{"serverAuth", "clientAuth"},
				SubjectAlternativeNames: []alicert.CustomSAN{{Type: alicert.CustomSANDNS, Value: "node-7.mesh.internal"}},
			},
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	certs, err := alicert.ParseCertificates(out.Certificate)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(certs[0].Subject.CommonName, certs[0].DNSNames, len(certs[0].ExtKeyUsage))
	// Output: mesh-node-7 [node-7.mesh.internal] 2
}

func ExamplePCAService_DescribeClientCertificate() {
	client, srv, subCA := examplePCA()
	defer srv.Close()
	id := exampleIssued(client, subCA, "app.internal")

	out, err := client.PCA.DescribeClientCertificate(context.Background(), &alicert.DescribeClientCertificateInput{Identifier: id})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(out.Certificate.CommonName, out.Certificate.Status, out.Certificate.NotAfter().Sub(out.Certificate.NotBefore()))
	// Output: app.internal ISSUE 24h0m0s
}

func ExamplePCAService_ListClientCertificate() {
	client, srv, subCA := examplePCA()
	defer srv.Close()
	exampleIssued(client, subCA, "a.internal")
	exampleIssued(client, subCA, "b.internal")

	out, err := client.PCA.ListClientCertificate(context.Background(), &alicert.ListClientCertificateInput{ShowSize: 50})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("total:", out.TotalCount)
	for _, c := range out.CertificateList {
		fmt.Println(c.CommonName, c.Status)
	}
	// Output:
	// total: 2
	// a.internal ISSUE
	// b.internal ISSUE
}

func ExamplePCAService_CreateRevokeClientCertificate() {
	client, srv, subCA := examplePCA()
	defer srv.Close()
	id := exampleIssued(client, subCA, "stolen-laptop.internal")

	_, err := client.PCA.CreateRevokeClientCertificate(context.Background(), &alicert.CreateRevokeClientCertificateInput{Identifier: id})
	if errors.Is(err, alicert.ErrOutcomeUnknown) {
		log.Fatal("it may be revoked: check with DescribeClientCertificate before revoking again")
	}
	if err != nil {
		log.Fatal(err)
	}
	out, err := client.PCA.DescribeClientCertificate(context.Background(), &alicert.DescribeClientCertificateInput{Identifier: id})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(out.Certificate.Status)
	// Output: REVOKE
}

func ExamplePCAService_ListRevokeCertificate() {
	client, srv, subCA := examplePCA()
	defer srv.Close()
	id := exampleIssued(client, subCA, "old.internal")
	if _, err := client.PCA.CreateRevokeClientCertificate(context.Background(), &alicert.CreateRevokeClientCertificateInput{Identifier: id}); err != nil {
		log.Fatal(err)
	}

	out, err := client.PCA.ListRevokeCertificate(context.Background(), &alicert.ListRevokeCertificateInput{})
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range out.CertificateList {
		fmt.Println(c.CommonName, c.Identifier == id, c.RevokeDate != "")
	}
	// Output: old.internal true true
}

func ExamplePCAService_AllClientCertificates() {
	client, srv, subCA := examplePCA()
	defer srv.Close()
	for _, cn := range []string{"a.internal", "b.internal", "c.internal"} {
		exampleIssued(client, subCA, cn)
	}

	// Pages of two, read as the loop asks for more.
	for c, err := range client.PCA.AllClientCertificates(context.Background(), &alicert.ListClientCertificateInput{ShowSize: 2}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(c.CommonName, c.Status)
	}
	// Output:
	// a.internal ISSUE
	// b.internal ISSUE
	// c.internal ISSUE
}

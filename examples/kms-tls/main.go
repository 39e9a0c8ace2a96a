// Command kms-tls serves HTTPS with a private key that never leaves KMS,
// and connects to itself: it creates a KMS signing key, has a CA certify
// it through a CSR that KMS signs, serves with the resulting
// tls.Certificate, and makes one request as a client that trusts the CA.
// Every TLS handshake costs the server one KMS AsymmetricSign request.
//
// It runs against the in-process fake from package alicerttest, whose test
// CA plays the CA. Against Alibaba Cloud the steps are the same with a
// client from alicert.NewClient and a key of your own:
//
//	signer, err := alicert.NewKMSSigner(ctx, client, keyID, "")
//	cert, err := signer.TLSCertificate(chainPEM) // your CA's certificate for signer.Public()
//	server := &http.Server{TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}}
//
//	go run ./examples/kms-tls
//	go run ./examples/kms-tls -spec RSA_2048 -tls 1.2
package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// serverName is the name the certificate is for and the client asks for.
const serverName = "kms-tls.example.com"

// run is main without the process: tests call it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kms-tls", flag.ContinueOnError)
	fs.SetOutput(stderr)
	spec := fs.String("spec", "EC_P256", "KMS key spec: EC_P256, RSA_2048 or RSA_3072")
	version := fs.String("tls", "1.3", "TLS version of the connection: 1.2 or 1.3")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	tlsVersion, ok := map[string]uint16{"1.2": tls.VersionTLS12, "1.3": tls.VersionTLS13}[*version]
	if !ok {
		fmt.Fprintf(stderr, "kms-tls: -tls %q: use 1.2 or 1.3\n", *version)
		return 2
	}
	if err := runFake(ctx, *spec, tlsVersion, stdout); err != nil {
		fmt.Fprintln(stderr, "kms-tls:", err)
		return 1
	}
	return 0
}

func runFake(ctx context.Context, spec string, tlsVersion uint16, stdout io.Writer) error {
	kms := alicerttest.NewServer()
	defer kms.Close()
	client, err := alicert.NewClient(kms.ClientOptions()...)
	if err != nil {
		return err
	}

	// 1. A key whose private half stays in KMS.
	key, err := client.KMS.CreateKey(ctx, &alicert.CreateKeyInput{KeySpec: spec, KeyUsage: alicert.KeyUsageSignVerify})
	if err != nil {
		return err
	}
	signer, err := alicert.NewKMSSigner(ctx, client, key.KeyMetadata.KeyID, "")
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "KMS key %s (%s), version %s\n", signer.KeyID(), spec, signer.KeyVersionID())

	// 2. A certificate for it: KMS signs the CSR, the CA signs the certificate.
	chainPEM, err := certify(kms, signer)
	if err != nil {
		return err
	}
	cert, err := signer.TLSCertificate(chainPEM)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Certificate for %s, signature schemes %v\n", cert.Leaf.DNSNames[0], cert.SupportedSignatureAlgorithms)

	// 3. Serve with it, and connect.
	signsBefore := kms.RequestCount("AsymmetricSign")
	body, state, err := serveAndGet(ctx, cert, kms.CAPool(), tlsVersion)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s, %s: %s\n", tls.VersionName(state.Version), tls.CipherSuiteName(state.CipherSuite), body)
	fmt.Fprintf(stdout, "KMS AsymmetricSign requests for the handshake: %d\n", kms.RequestCount("AsymmetricSign")-signsBefore)
	return nil
}

// certify builds a CSR signed by the KMS key and has the fake's CA issue a
// certificate for it; it returns the certificate followed by the CA's.
func certify(kms *alicerttest.Server, signer *alicert.KMSSigner) ([]byte, error) {
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject:  pkix.Name{CommonName: serverName},
		DNSNames: []string{serverName},
	}, signer)
	if err != nil {
		return nil, fmt.Errorf("creating the CSR: %w", err)
	}
	leafPEM, err := kms.SignCSR(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})), 0)
	if err != nil {
		return nil, err
	}
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: kms.CACertificate().Raw})
	return append([]byte(leafPEM), ca...), nil
}

// serveAndGet serves HTTPS on 127.0.0.1 with cert and makes one GET as a
// client trusting roots.
func serveAndGet(ctx context.Context, cert tls.Certificate, roots *x509.CertPool, version uint16) (string, tls.ConnectionState, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", tls.ConnectionState{}, err
	}
	server := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			fmt.Fprint(w, "hello from a server whose key is in KMS")
		}),
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: version, MaxVersion: version},
	}
	done := make(chan error, 1)
	go func() { done <- server.ServeTLS(ln, "", "") }()
	defer func() {
		_ = server.Close()
		<-done
	}()

	transport := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, ServerName: serverName, MinVersion: version, MaxVersion: version}}
	defer transport.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+ln.Addr().String()+"/", nil)
	if err != nil {
		return "", tls.ConnectionState{}, err
	}
	resp, err := (&http.Client{Transport: transport}).Do(req)
	if err != nil {
		return "", tls.ConnectionState{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", tls.ConnectionState{}, err
	}
	if resp.TLS == nil {
		return "", tls.ConnectionState{}, errors.New("the response did not come over TLS")
	}
	return string(body), *resp.TLS, nil
}

// Command private-ca issues a server and a client certificate from a
// sub-CA of the Alibaba Cloud Private CA, each with one SignCSR call, and
// runs a mutual TLS handshake between them: the server requires a client
// certificate, and both sides trust only the Private CA's root.
//
// By default it runs against the in-process fake from package alicerttest,
// whose Private CA has a root and a sub-CA with real keys: no credentials,
// no network, no cost. With -real it uses your Private CA: credentials from
// the default chain (ALIBABA_CLOUD_ACCESS_KEY_ID and _SECRET, a CLI
// profile, an ECS RAM role, ...), the endpoint from ALICERT_CAS_ENDPOINT
// when set (alicert fake prints it), and -ca the sub-CA that signs (alicert
// pca list shows it). Each run then takes two certificates of its quota.
//
//	go run ./examples/private-ca
//	go run ./examples/private-ca -real -ca 1a83bcbb89e562885e40aa0108f5xxxx
package main

import (
	"bufio"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// The names of the two certificates: the server's is what the client
// dials, the client's what the server sees.
const (
	serverName = "localhost"
	clientName = "device-0001.example.internal"
)

// run is main without the process: tests call it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("private-ca", flag.ContinueOnError)
	fs.SetOutput(stderr)
	real := fs.Bool("real", false, "use your Private CA (credentials from the default chain) instead of the in-process fake")
	ca := fs.String("ca", "", "with -real: the identifier of the sub-CA that signs (alicert pca list shows it)")
	validity := fs.Duration("validity", 24*time.Hour, "how long the two certificates are valid")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *real && *ca == "" {
		fmt.Fprintln(stderr, "private-ca: -real needs -ca, the sub-CA that signs (alicert pca list shows it)")
		return 2
	}
	client, subCA, stop, err := newClient(*real, *ca, stdout)
	if err != nil {
		fmt.Fprintln(stderr, "private-ca:", err)
		return 1
	}
	defer stop()
	if err := issueAndHandshake(ctx, client, subCA, *validity, stdout); err != nil {
		fmt.Fprintln(stderr, "private-ca:", err)
		return 1
	}
	return 0
}

// newClient returns a client of your Private CA and the sub-CA given, or
// of a fake one and its sub-CA, and the function that releases it.
func newClient(real bool, subCA string, stdout io.Writer) (*alicert.Client, string, func(), error) {
	if real {
		c, err := alicert.NewClient()
		return c, subCA, func() {}, err
	}
	fmt.Fprintln(stdout, "Using the in-process fake Private CA (pass -real -ca SUB_CA_ID to use yours).")
	srv := alicerttest.NewServer(alicerttest.WithPrivateCA())
	c, err := alicert.NewClient(srv.ClientOptions()...)
	if err != nil {
		srv.Close()
		return nil, "", nil, err
	}
	return c, srv.PrivateCA().SubCAIdentifier, srv.Close, nil
}

// issueAndHandshake has the sub-CA sign a server and a client
// certificate, then connects the two over mutual TLS.
func issueAndHandshake(ctx context.Context, client *alicert.Client, subCA string, validity time.Duration, stdout io.Writer) error {
	server, err := issue(ctx, client, subCA, serverName, x509.ExtKeyUsageServerAuth, validity)
	if err != nil {
		return fmt.Errorf("the server certificate: %w", err)
	}
	peer, err := issue(ctx, client, subCA, clientName, x509.ExtKeyUsageClientAuth, validity)
	if err != nil {
		return fmt.Errorf("the client certificate: %w", err)
	}
	fmt.Fprintf(stdout, "Sub-CA %s signed:\n", subCA)
	for _, c := range []issued{server, peer} {
		fmt.Fprintf(stdout, "  %s certificate %s for %s, valid until %s\n", c.role, c.out.Identifier,
			c.out.Certificate.DNSNames[0], c.out.Certificate.NotAfter.UTC().Format(time.DateOnly))
	}

	// Peers trust the root alone: what CAPEM holds, ca.pem of alicert pca
	// issue. Each side presents its certificate and the intermediates.
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM([]byte(server.out.CAPEM)) {
		return errors.New("the root CA does not parse")
	}
	fmt.Fprintf(stdout, "Trusting only the root %q\n", rootName(server.out.CAPEM))
	state, verifiedClient, greeting, err := handshake(server.pair, peer.pair, roots)
	if err != nil {
		return fmt.Errorf("the mTLS handshake: %w", err)
	}
	fmt.Fprintf(stdout, "mTLS handshake: %s; the server verified client %q, the client verified server %q\n",
		tls.VersionName(state.Version), verifiedClient, state.PeerCertificates[0].DNSNames[0])
	fmt.Fprintf(stdout, "Server said: %s\n", greeting)
	return nil
}

// issued is a certificate SignCSR returned, with its key as a TLS pair.
type issued struct {
	role string
	out  *alicert.SignCSROutput
	pair tls.Certificate
}

// issue makes a P-256 key, which never leaves this process, and has the
// sub-CA sign a certificate for name and usage with one SignCSR call. The
// custom identifier is the certificate's key to find it after a failure
// whose outcome is unknown (errors.Is(err, alicert.ErrOutcomeUnknown)):
// look for it with ListClientCertificate before signing again.
func issue(ctx context.Context, client *alicert.Client, subCA, name string, usage x509.ExtKeyUsage, validity time.Duration) (issued, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return issued{}, err
	}
	csr, err := newCSR(key, name)
	if err != nil {
		return issued{}, err
	}
	role := map[x509.ExtKeyUsage]string{x509.ExtKeyUsageServerAuth: "server", x509.ExtKeyUsageClientAuth: "client"}[usage]
	out, err := client.PCA.SignCSR(ctx, &alicert.SignCSRInput{
		CAIdentifier:     subCA,
		CSR:              csr,
		Duration:         validity,
		ExtKeyUsages:     []x509.ExtKeyUsage{usage},
		CustomIdentifier: "private-ca-example-" + role + "-" + randomHex(6),
	})
	if err != nil {
		return issued{}, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return issued{}, err
	}
	pair, err := tls.X509KeyPair([]byte(out.FullChainPEM()), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	if err != nil {
		return issued{}, err
	}
	return issued{role: role, out: out, pair: pair}, nil
}

// newCSR is a certificate request for name signed by key.
func newCSR(key crypto.Signer, name string) (string, error) {
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: name}, DNSNames: []string{name},
	}, key)
	if err != nil {
		return "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})), nil
}

// handshake serves TLS on 127.0.0.1 with server, requiring a client
// certificate that chains to roots, and connects with client, trusting
// roots alone. It returns the client's view of the connection, the name
// the server verified in the client's certificate, and the server's
// greeting.
func handshake(server, client tls.Certificate, roots *x509.CertPool) (tls.ConnectionState, string, string, error) {
	fail := func(err error) (tls.ConnectionState, string, string, error) {
		return tls.ConnectionState{}, "", "", err
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates: []tls.Certificate{server},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    roots,
		MinVersion:   tls.VersionTLS12,
	})
	if err != nil {
		return fail(err)
	}
	defer ln.Close()
	verified := make(chan greeted, 1)
	go func() { verified <- greet(ln) }()

	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", ln.Addr().String(), &tls.Config{
		Certificates: []tls.Certificate{client},
		RootCAs:      roots,
		ServerName:   serverName,
		MinVersion:   tls.VersionTLS12,
	})
	if err != nil {
		return fail(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	line, err := bufio.NewReader(conn).ReadString('\n')
	g := <-verified
	switch {
	case g.err != nil:
		return fail(fmt.Errorf("the server: %w", g.err))
	case err != nil:
		return fail(fmt.Errorf("reading the greeting: %w", err))
	}
	return conn.ConnectionState(), g.client, strings.TrimSuffix(line, "\n"), nil
}

// greeted is what the server side of handshake saw.
type greeted struct {
	client string // the DNS name of the verified client certificate
	err    error
}

// greet accepts one connection, completes the handshake, which verifies
// the client's certificate, and greets the client by its name.
func greet(ln net.Listener) greeted {
	conn, err := ln.Accept()
	if err != nil {
		return greeted{err: err}
	}
	defer conn.Close()
	tc := conn.(*tls.Conn)
	_ = tc.SetDeadline(time.Now().Add(10 * time.Second))
	if err := tc.Handshake(); err != nil {
		return greeted{err: err}
	}
	peer := tc.ConnectionState().PeerCertificates
	if len(peer) == 0 || len(peer[0].DNSNames) == 0 {
		return greeted{err: errors.New("the client presented no certificate with a name")}
	}
	name := peer[0].DNSNames[0]
	_, err = fmt.Fprintf(tc, "hello %s\n", name)
	return greeted{client: name, err: err}
}

// rootName is the common name of the root CA in caPEM.
func rootName(caPEM string) string {
	block, _ := pem.Decode([]byte(caPEM))
	if block == nil {
		return ""
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return ""
	}
	return c.Subject.CommonName
}

// randomHex is n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}

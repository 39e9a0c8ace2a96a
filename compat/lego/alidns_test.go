package lego

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/alicert/alicert/alicerttest"
	"github.com/go-acme/lego/v5/challenge/dns01"
	"github.com/go-acme/lego/v5/providers/dns/alidns"
	"github.com/miekg/dns"
)

// zone is the hosted zone of the test, served by the fake Alidns and
// announced by the test's DNS server.
const zone = "example.com"

// TestLegoAlidnsProvider drives lego's Alidns provider, unchanged, against
// the fake: Present adds the DNS-01 TXT record (after finding the zone
// with DescribeDomains), CleanUp finds it with DescribeDomainRecords and
// deletes it.
//
// The provider builds its own darabonba client for the region's public
// endpoint over HTTPS and offers no way to change either; the darabonba
// transport honours HTTPS_PROXY, so the test reaches the fake through a
// proxy of its own that terminates TLS with a certificate from a test CA
// (trusted through SSL_CERT_FILE) and forwards each request, Host header
// and all, to the fake. The provider also asks a recursive DNS server for
// the zone's SOA; lego's default DNS client is pointed at a DNS server of
// the test's that announces the zone.
//
// The process loads its system roots once, at its first TLS verification,
// so this test sets SSL_CERT_FILE before any, and it is the only test of
// this package that makes TLS connections.
func TestLegoAlidnsProvider(t *testing.T) {
	srv := alicerttest.NewServer(alicerttest.WithDNSZones(zone))
	t.Cleanup(srv.Close)

	ca := newTestCA(t)
	t.Setenv("SSL_CERT_FILE", ca.writePEM(t))
	t.Setenv("HTTPS_PROXY", "http://"+startProxy(t, ca, srv))
	t.Setenv("https_proxy", "")
	t.Setenv("NO_PROXY", "")
	t.Setenv("no_proxy", "")

	previous := dns01.DefaultClient()
	dns01.SetDefaultClient(dns01.NewClient(&dns01.Options{RecursiveNameservers: []string{startDNS(t)}, Timeout: 5 * time.Second}))
	t.Cleanup(func() { dns01.SetDefaultClient(previous) })

	id, secret := srv.Credentials()
	cfg := alidns.NewDefaultConfig()
	cfg.APIKey, cfg.SecretKey, cfg.RegionID = id, secret, "cn-hangzhou"
	provider, err := alidns.NewDNSProviderConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}

	ctx := t.Context()
	const domain, keyAuth = "www." + zone, "token.thumbprint"
	want := dns01.GetChallengeInfo(ctx, domain, keyAuth).Value
	if err := provider.Present(ctx, domain, "token", keyAuth); err != nil {
		t.Fatalf("Present: %v", err)
	}
	if n := countTXT(srv, "_acme-challenge.www."+zone, want); n != 1 {
		t.Fatalf("after Present the fake holds %d TXT records %q at _acme-challenge.www.%s, want 1; records: %+v", n, want, zone, srv.DNSRecords())
	}
	if err := provider.CleanUp(ctx, domain, "token", keyAuth); err != nil {
		t.Fatalf("CleanUp: %v", err)
	}
	if n := countTXT(srv, "_acme-challenge.www."+zone, want); n != 0 {
		t.Fatalf("after CleanUp the fake still holds %d TXT records %q; records: %+v", n, want, srv.DNSRecords())
	}
	for _, action := range []string{"DescribeDomains", "AddDomainRecord", "DescribeDomainRecords", "DeleteDomainRecord"} {
		if srv.RequestCount(action) == 0 {
			t.Errorf("lego's provider sent no %s", action)
		}
	}
}

// countTXT counts the fake's TXT records of name with value.
func countTXT(srv *alicerttest.Server, name, value string) int {
	n := 0
	for _, r := range srv.DNSRecords() {
		if r.Name == name && r.Type == "TXT" && r.Value == value {
			n++
		}
	}
	return n
}

// testCA issues the proxy's certificates.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey

	mu     sync.Mutex
	leaves map[string]*tls.Certificate // by host name
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "lego compat test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &testCA{cert: cert, key: key, leaves: make(map[string]*tls.Certificate)}
}

// writePEM writes the CA certificate to a file of the test's and returns
// its path.
func (ca *testCA) writePEM(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.cert.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// leaf returns a certificate for the host the client asks for (SNI).
func (ca *testCA) leaf(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	host := hello.ServerName
	if host == "" {
		return nil, errors.New("no server name")
	}
	ca.mu.Lock()
	defer ca.mu.Unlock()
	if c := ca.leaves[host]; c != nil {
		return c, nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		return nil, err
	}
	der, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: host}, DNSNames: []string{host},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return nil, err
	}
	c := &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	ca.leaves[host] = c
	return c, nil
}

// startProxy starts an HTTPS proxy that answers CONNECT by terminating TLS
// itself and forwarding every request on the tunnel to the fake, and
// returns its address.
func startProxy(t *testing.T, ca *testCA, srv *alicerttest.Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	proxy := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			http.Error(w, "this proxy only tunnels", http.StatusMethodNotAllowed)
			return
		}
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		if _, err := io.WriteString(conn, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
			return
		}
		tunnel := tls.Server(conn, &tls.Config{GetCertificate: ca.leaf, MinVersion: tls.VersionTLS12})
		forward(r.Context(), tunnel, srv)
	}), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = proxy.Serve(ln) }()
	t.Cleanup(func() { _ = proxy.Close() })
	return ln.Addr().String()
}

// forward reads requests from a tunnel until it closes and answers each
// with the fake's response to it.
func forward(ctx context.Context, tunnel *tls.Conn, srv *alicerttest.Server) {
	in := bufio.NewReader(tunnel)
	for {
		req, err := http.ReadRequest(in)
		if err != nil {
			return
		}
		out, err := http.NewRequestWithContext(ctx, req.Method, srv.URL+req.URL.RequestURI(), req.Body)
		if err != nil {
			return
		}
		out.Header = req.Header.Clone()
		out.Host = req.Host // signed by signature V3
		out.ContentLength = req.ContentLength
		resp, err := srv.Client().Do(out)
		if err != nil {
			return
		}
		err = resp.Write(tunnel)
		resp.Body.Close()
		if err != nil {
			return
		}
	}
}

// startDNS starts a DNS server on UDP that announces zone (its SOA) and
// answers every other question with an empty success, and returns its
// address.
func startDNS(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	server := &dns.Server{PacketConn: pc, NotifyStartedFunc: func() { close(started) }, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		m.Authoritative = true
		if len(q.Question) == 1 && q.Question[0].Qtype == dns.TypeSOA && q.Question[0].Name == dns.Fqdn(zone) {
			m.Answer = append(m.Answer, &dns.SOA{
				Hdr: dns.RR_Header{Name: dns.Fqdn(zone), Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: 600},
				Ns:  "dns1.hichina.com.", Mbox: "hostmaster.hichina.com.",
				Serial: 1, Refresh: 3600, Retry: 1200, Expire: 86400, Minttl: 600,
			})
		}
		_ = w.WriteMsg(m)
	})}
	go func() { _ = server.ActivateAndServe() }()
	<-started
	t.Cleanup(func() { _ = server.Shutdown() })
	return pc.LocalAddr().String()
}

package alicert_test

// Benchmarks of KMSSigner against the in-process fake, next to a local key.
// They only measure; nothing here fails on timing. Run them with
//
//	go test -run '^$' -bench 'KMSSigner|LocalECDSA|KMSTLS' -benchmem .
//
// A Sign through the fake is one signed HTTP round trip on loopback plus the
// fake's own signing and the signer's verification; against Alibaba Cloud
// add the network round trip to the KMS endpoint.

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"net"
	"testing"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
)

func benchKMSSigner(b *testing.B, spec string) (*alicerttest.Server, *alicert.KMSSigner) {
	b.Helper()
	srv := alicerttest.NewServer()
	b.Cleanup(srv.Close)
	c, err := alicert.NewClient(srv.ClientOptions()...)
	if err != nil {
		b.Fatal(err)
	}
	key, err := c.KMS.CreateKey(b.Context(), &alicert.CreateKeyInput{KeySpec: spec, KeyUsage: alicert.KeyUsageSignVerify})
	if err != nil {
		b.Fatal(err)
	}
	signer, err := alicert.NewKMSSigner(b.Context(), c, key.KeyMetadata.KeyID, "")
	if err != nil {
		b.Fatal(err)
	}
	return srv, signer
}

func BenchmarkKMSSignerSign(b *testing.B) {
	digest := sha256.Sum256([]byte("benchmark"))
	for _, spec := range []string{"EC_P256", "RSA_2048"} {
		b.Run(spec, func(b *testing.B) {
			_, signer := benchKMSSigner(b, spec)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := signer.Sign(rand.Reader, digest[:], crypto.SHA256); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLocalECDSASign is the floor: the same signature with the key in
// memory.
func BenchmarkLocalECDSASign(b *testing.B) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	digest := sha256.Sum256([]byte("benchmark"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := key.Sign(rand.Reader, digest[:], crypto.SHA256); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkKMSTLSHandshake measures full TLS 1.3 handshakes (no
// resumption) against a server whose key is in the fake KMS, and reports
// the KMS requests each one cost.
func BenchmarkKMSTLSHandshake(b *testing.B) {
	for _, spec := range []string{"EC_P256", "RSA_2048"} {
		b.Run(spec, func(b *testing.B) {
			srv, signer := benchKMSSigner(b, spec)
			chain := ksIssue(b, srv, signer, "www.example.com")
			cert, err := signer.TLSCertificate([]byte(chain))
			if err != nil {
				b.Fatal(err)
			}
			serverConfig := &tls.Config{Certificates: []tls.Certificate{cert}, SessionTicketsDisabled: true}
			clientConfig := &tls.Config{RootCAs: srv.CAPool(), ServerName: "www.example.com"}
			gets, signs := srv.RequestCount("GetPublicKey"), srv.RequestCount("AsymmetricSign")
			n := 0
			b.ReportAllocs()
			for b.Loop() {
				sc, cc := net.Pipe()
				errc := make(chan error, 1)
				go func() { errc <- tls.Server(sc, serverConfig).Handshake() }()
				if err := tls.Client(cc, clientConfig).Handshake(); err != nil {
					b.Fatal(err)
				}
				if err := <-errc; err != nil {
					b.Fatal(err)
				}
				sc.Close()
				cc.Close()
				n++
			}
			b.ReportMetric(float64(srv.RequestCount("AsymmetricSign")-signs)/float64(n), "AsymmetricSign/op")
			b.ReportMetric(float64(srv.RequestCount("GetPublicKey")-gets)/float64(n), "GetPublicKey/op")
		})
	}
}

package alicerttest_test

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
)

// Point a client at the fake, apply for a certificate and wait for it.
func Example() {
	srv := alicerttest.NewServer()
	defer srv.Close()

	client, err := alicert.NewClient(srv.ClientOptions()...)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	order, err := client.CAS.CreateCertificateRequest(ctx, &alicert.CreateCertificateRequestInput{
		Domain: "www.example.com", ValidateType: alicert.ValidateDNS,
		Username: "Tom", Phone: "1390000****", Email: "tom@example.com",
	})
	if err != nil {
		log.Fatal(err)
	}
	out, err := client.CAS.WaitForCertificate(ctx, &alicert.DescribeCertificateStateInput{OrderID: order.OrderID},
		alicert.WithPollInterval(time.Millisecond),
		alicert.WithProgress(func(o *alicert.DescribeCertificateStateOutput) {
			if o.State == alicert.StateDomainVerify {
				fmt.Println("add a", o.RecordType, "record at", o.RecordDomain)
			}
			fmt.Println("state:", o.State)
		}))
	if err != nil {
		log.Fatal(err)
	}

	// The certificate comes from the server's test CA.
	block, _ := pem.Decode([]byte(out.Certificate))
	leaf, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		log.Fatal(err)
	}
	_, err = leaf.Verify(x509.VerifyOptions{DNSName: "www.example.com", Roots: srv.CAPool()})
	fmt.Println("verifies:", err == nil)
	// Output:
	// add a TXT record at _dnsauth.www.example.com
	// state: domain_verify
	// state: process
	// state: certificate
	// verifies: true
}

// Make the service fail, and check what the client did about it.
func ExampleServer_InjectFault() {
	srv := alicerttest.NewServer()
	defer srv.Close()
	client, err := alicert.NewClient(append(srv.ClientOptions(),
		alicert.WithRetryDelay(time.Millisecond, 10*time.Millisecond))...)
	if err != nil {
		log.Fatal(err)
	}
	in := &alicert.CreateCertificateRequestInput{Domain: "www.example.com", ValidateType: alicert.ValidateDNS,
		Username: "Tom", Phone: "1390000****", Email: "tom@example.com"}

	// Throttling is retried: the order is created once.
	srv.InjectFault("CreateCertificateRequest", alicerttest.Fault{Kind: alicerttest.FaultThrottle}, 2)
	_, err = client.CAS.CreateCertificateRequest(context.Background(), in)
	fmt.Println(err, srv.RequestCount("CreateCertificateRequest"), srv.OrderCount())

	// A reset after the server created the order is not retried: the
	// outcome is unknown, and indeed an order exists.
	srv.InjectFault("CreateCertificateRequest", alicerttest.Fault{Kind: alicerttest.FaultResetAfterAct}, 1)
	_, err = client.CAS.CreateCertificateRequest(context.Background(), in)
	fmt.Println(errors.Is(err, alicert.ErrOutcomeUnknown), srv.RequestCount("CreateCertificateRequest"), srv.OrderCount())
	// Output:
	// <nil> 3 1
	// true 4 2
}

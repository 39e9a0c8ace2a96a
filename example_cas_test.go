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
	"math/big"
	"strings"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
)

// exampleContact is the applicant every example order names.
var exampleContact = struct{ user, phone, email string }{"Zhang San", "13800000000", "ops@example.com"}

// exampleOrder places an order for domain and returns its id.
func exampleOrder(client *alicert.Client, domain string) int64 {
	order, err := client.CAS.CreateCertificateRequest(context.Background(), &alicert.CreateCertificateRequestInput{
		Domain: domain, ValidateType: alicert.ValidateDNS,
		Username: exampleContact.user, Phone: exampleContact.phone, Email: exampleContact.email,
	})
	if err != nil {
		log.Fatal(err)
	}
	return order.OrderID
}

// exampleSelfSigned returns a certificate PEM for domain and its key PEM,
// standing in for a certificate bought elsewhere.
func exampleSelfSigned(domain string) (certPEM, keyPEM string) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: domain}, DNSNames: []string{domain},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(365 * 24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		log.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		log.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}))
}

func ExampleCASService_CreateCertificateWithCsrRequest() {
	client, srv := newExampleClient()
	defer srv.Close()

	// The key is made here and never leaves: only the CSR is sent.
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: "www.example.com"}, DNSNames: []string{"www.example.com"},
	}, key)
	if err != nil {
		log.Fatal(err)
	}
	order, err := client.CAS.CreateCertificateWithCsrRequest(context.Background(), &alicert.CreateCertificateWithCsrRequestInput{
		Csr:          string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})),
		Username:     exampleContact.user,
		Phone:        exampleContact.phone,
		Email:        exampleContact.email,
		ValidateType: alicert.ValidateDNS,
	})
	if errors.Is(err, alicert.ErrOutcomeUnknown) {
		log.Fatal("the order may exist: look with ListUserCertificateOrder before ordering again")
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("ordered:", order.OrderID > 0)
	// Output: ordered: true
}

func ExampleCASService_ListUserCertificateOrder() {
	client, srv := newExampleClient(alicerttest.WithCertificates(3))
	defer srv.Close()

	page, err := client.CAS.ListUserCertificateOrder(context.Background(), &alicert.ListUserCertificateOrderInput{
		OrderType: alicert.OrderTypeCert, ShowSize: 2,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("total:", page.TotalCount)
	for _, c := range page.CertificateOrderList {
		fmt.Println(c.Name, c.CommonName, c.Status)
	}
	// Output:
	// total: 3
	// seed-00001 site-00001.example.com WILLEXPIRED
	// seed-00002 site-00002.example.com ISSUED
}

func ExampleCASService_AllUserCertificateOrders() {
	client, srv := newExampleClient(alicerttest.WithCertificates(120))
	defer srv.Close()

	// Every certificate that expires within 30 days, one page at a time.
	now := time.Now()
	in := &alicert.ListUserCertificateOrderInput{OrderType: alicert.OrderTypeCert}
	n := 0
	for c, err := range client.CAS.AllUserCertificateOrders(context.Background(), in) {
		if err != nil {
			log.Fatal(err)
		}
		if c.ExpiresWithin(30*24*time.Hour, now) {
			n++
			if n == 1 {
				fmt.Printf("%s expires in %d days\n", c.CommonName, c.Remaining(now).Round(24*time.Hour)/(24*time.Hour))
			}
		}
	}
	fmt.Println("expiring within 30 days:", n)
	// Output:
	// site-00001.example.com expires in 5 days
	// expiring within 30 days: 21
}

func ExampleCASService_GetUserCertificateDetail() {
	client, srv := newExampleClient(alicerttest.WithCertificates(1))
	defer srv.Close()
	ctx := context.Background()
	page, err := client.CAS.ListUserCertificateOrder(ctx, &alicert.ListUserCertificateOrderInput{OrderType: alicert.OrderTypeCert})
	if err != nil {
		log.Fatal(err)
	}

	detail, err := client.CAS.GetUserCertificateDetail(ctx, &alicert.GetUserCertificateDetailInput{
		CertID: page.CertificateOrderList[0].CertificateID,
	})
	if err != nil {
		log.Fatal(err)
	}
	chain, err := alicert.ParseCertificates(detail.Cert)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(chain[0].Subject.CommonName, "key held:", strings.Contains(detail.Key, "PRIVATE KEY"))
	// Printing the output never shows the key.
	fmt.Println("key printed:", strings.Contains(fmt.Sprint(detail), "PRIVATE KEY"))
	// Output:
	// site-00001.example.com key held: true
	// key printed: false
}

func ExampleCASService_UploadUserCertificate() {
	client, srv := newExampleClient()
	defer srv.Close()
	ctx := context.Background()
	certPEM, keyPEM := exampleSelfSigned("shop.example.com")

	in := &alicert.UploadUserCertificateInput{Name: "shop_2025", Cert: certPEM, Key: keyPEM}
	up, err := client.CAS.UploadUserCertificate(ctx, in)
	if errors.Is(err, alicert.ErrOutcomeUnknown) {
		// The name is unique: look it up rather than upload twice.
		found, ferr := client.CAS.FindUploadedCertificate(ctx, in.Name)
		if ferr != nil || found == nil {
			log.Fatal(err)
		}
	} else if err != nil {
		log.Fatal(err)
	}
	fmt.Println("uploaded:", up.CertID > 0)

	_, err = client.CAS.UploadUserCertificate(ctx, in)
	var apiErr *alicert.APIError
	if errors.As(err, &apiErr) {
		fmt.Println("again:", apiErr.Code)
	}
	found, err := client.CAS.FindUploadedCertificate(ctx, "shop_2025")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("found:", found.CertificateID == up.CertID)
	// Output:
	// uploaded: true
	// again: NameRepeat
	// found: true
}

func ExampleCASService_DeleteUserCertificate() {
	client, srv := newExampleClient()
	defer srv.Close()
	ctx := context.Background()
	certPEM, keyPEM := exampleSelfSigned("old.example.com")
	up, err := client.CAS.UploadUserCertificate(ctx, &alicert.UploadUserCertificateInput{Name: "old", Cert: certPEM, Key: keyPEM})
	if err != nil {
		log.Fatal(err)
	}

	if _, err := client.CAS.DeleteUserCertificate(ctx, &alicert.DeleteUserCertificateInput{CertID: up.CertID}); err != nil {
		log.Fatal(err)
	}
	found, err := client.CAS.FindUploadedCertificate(ctx, "old")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("still there:", found != nil)
	// Output: still there: false
}

func ExampleCASService_CancelOrderRequest() {
	client, srv := newExampleClient()
	defer srv.Close()
	ctx := context.Background()
	id := exampleOrder(client, "www.example.com")

	if _, err := client.CAS.CancelOrderRequest(ctx, &alicert.CancelOrderRequestInput{OrderID: id}); err != nil {
		log.Fatal(err)
	}
	st, err := client.CAS.DescribeCertificateState(ctx, &alicert.DescribeCertificateStateInput{OrderID: id})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(st.State)
	// Output: payed
}

func ExampleCASService_DeleteCertificateRequest() {
	client, srv := newExampleClient()
	defer srv.Close()
	ctx := context.Background()
	id := exampleOrder(client, "www.example.com")
	quota := func() int64 {
		p, err := client.CAS.DescribePackageState(ctx, &alicert.DescribePackageStateInput{})
		if err != nil {
			log.Fatal(err)
		}
		return p.UsedCount
	}
	fmt.Println("used:", quota())

	// Only a cancelled (or failed) order can be deleted; its quota comes back.
	if _, err := client.CAS.CancelOrderRequest(ctx, &alicert.CancelOrderRequestInput{OrderID: id}); err != nil {
		log.Fatal(err)
	}
	if _, err := client.CAS.DeleteCertificateRequest(ctx, &alicert.DeleteCertificateRequestInput{OrderID: id}); err != nil {
		log.Fatal(err)
	}
	fmt.Println("used:", quota())
	// Output:
	// used: 1
	// used: 0
}

func ExampleCASService_CancelCertificateForPackageRequest() {
	client, srv := newExampleClient(alicerttest.WithImmediateIssue())
	defer srv.Close()
	ctx := context.Background()
	id := exampleOrder(client, "www.example.com")
	if _, err := client.CAS.DescribeCertificateState(ctx, &alicert.DescribeCertificateStateInput{OrderID: id}); err != nil {
		log.Fatal(err)
	}

	// Revoking cannot be undone: ask before calling it.
	if _, err := client.CAS.CancelCertificateForPackageRequest(ctx, &alicert.CancelCertificateForPackageRequestInput{OrderID: id}); err != nil {
		log.Fatal(err)
	}
	in := &alicert.ListUserCertificateOrderInput{OrderType: alicert.OrderTypeCPack, Status: alicert.OrderStatusRevoked}
	for o, err := range client.CAS.AllUserCertificateOrders(ctx, in) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(o.Domain, o.Status)
	}
	// Output: www.example.com REVOKED
}

func ExampleCASService_RenewCertificateOrderForPackageRequest() {
	client, srv := newExampleClient(alicerttest.WithImmediateIssue())
	defer srv.Close()
	ctx := context.Background()
	id := exampleOrder(client, "www.example.com")
	if _, err := client.CAS.DescribeCertificateState(ctx, &alicert.DescribeCertificateStateInput{OrderID: id}); err != nil {
		log.Fatal(err)
	}
	// The service renews only an order about to expire; the fake's issued
	// order is new, so mark it as expiring.
	if err := srv.SetOrderExpiring(id); err != nil {
		log.Fatal(err)
	}

	renewed, err := client.CAS.RenewCertificateOrderForPackageRequest(ctx, &alicert.RenewCertificateOrderForPackageRequestInput{OrderID: id})
	if err != nil {
		log.Fatal(err)
	}
	// The new order waits for its application, submitted in the console.
	st, err := client.CAS.DescribeCertificateState(ctx, &alicert.DescribeCertificateStateInput{OrderID: renewed.OrderID})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("new order:", renewed.OrderID != id, st.State)
	// Output: new order: true payed
}

func ExampleCASService_DescribePackageState() {
	client, srv := newExampleClient(alicerttest.WithImmediateIssue())
	defer srv.Close()
	ctx := context.Background()
	srv.SetPackageQuota("digicert-free-1-free", 20)
	id := exampleOrder(client, "www.example.com")
	if _, err := client.CAS.DescribeCertificateState(ctx, &alicert.DescribeCertificateStateInput{OrderID: id}); err != nil {
		log.Fatal(err)
	}

	p, err := client.CAS.DescribePackageState(ctx, &alicert.DescribePackageStateInput{ProductCode: "digicert-free-1-free"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %d bought, %d used, %d issued, %d left\n", p.ProductCode, p.TotalCount, p.UsedCount, p.IssuedCount, p.Remaining())
	// Output: digicert-free-1-free: 20 bought, 1 used, 1 issued, 19 left
}

func ExampleCASService_Obtain_ownKey() {
	client, srv := newExampleClient(alicerttest.WithImmediateIssue())
	defer srv.Close()

	// The key stays here: Obtain sends a CSR of it.
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	out, err := client.CAS.Obtain(context.Background(), &alicert.ObtainInput{
		Domain: "www.example.com", Key: key, DNS: alicert.NewAlidnsProvider(client),
		Username: exampleContact.user, Phone: exampleContact.phone, Email: exampleContact.email,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("leaf holds the key:", key.PublicKey.Equal(out.Leaf().PublicKey))
	fmt.Println("key in the output:", out.PrivateKey != "")
	// Output:
	// leaf holds the key: true
	// key in the output: false
}

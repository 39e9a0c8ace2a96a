// Command csr has Certificate Management Service create a key pair and a CSR,
// fetches it back with GetCsrDetail, and prints the parsed subject and names.
//
// By default it runs against the in-process fake from package alicerttest;
// with -real it calls Alibaba Cloud with credentials from the default chain.
//
//	go run ./examples/csr
//	go run ./examples/csr -real -cn www.example.com -san api.example.com,static.example.com
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: tests call it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("csr", flag.ContinueOnError)
	fs.SetOutput(stderr)
	real := fs.Bool("real", false, "call Alibaba Cloud (credentials from the default chain) instead of the in-process fake")
	cn := fs.String("cn", "www.example.com", "common name (primary domain)")
	sans := fs.String("san", "api.example.com", "comma-separated further domain names")
	alg := fs.String("alg", "ECC", "key algorithm: RSA, ECC or SM2")
	size := fs.Int("size", 256, "key size: 2048, 3072 or 4096 for RSA; 256 for ECC and SM2")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	in := &alicert.CreateCsrInput{
		Algorithm: alicert.KeyAlgorithm(strings.ToUpper(*alg)), KeySize: *size,
		CommonName: *cn, CountryCode: "CN", Province: "Zhejiang", Locality: "Hangzhou",
		CorpName: "Example Ltd", Department: "IT", Name: "quickstart-csr",
	}
	for _, san := range strings.Split(*sans, ",") {
		if san = strings.TrimSpace(san); san != "" { // "a,,b," has two names
			in.SANs = append(in.SANs, san)
		}
	}
	if err := createAndShow(ctx, *real, in, stdout); err != nil {
		fmt.Fprintln(stderr, "csr:", err)
		return 1
	}
	return 0
}

func createAndShow(ctx context.Context, real bool, in *alicert.CreateCsrInput, stdout io.Writer) error {
	client, stop, err := newClient(real)
	if err != nil {
		return err
	}
	defer stop()

	created, err := client.CAS.CreateCsr(ctx, in)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "CSR %d created.\n", created.CsrID)

	detail, err := client.CAS.GetCsrDetail(ctx, &alicert.GetCsrDetailInput{CsrID: created.CsrID})
	if err != nil {
		return err
	}
	csr, err := detail.ParseCSR()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Subject: %s\n", csr.Subject)
	fmt.Fprintf(stdout, "SANs:    %s\n", strings.Join(csr.DNSNames, ", "))
	fmt.Fprintf(stdout, "Key:     %s\n", csr.PublicKeyAlgorithm)
	// detail.PrivateKey holds the key PEM; it is not printed here, and %v of
	// detail would show it as [redacted].
	return nil
}

// newClient returns a client for the real service or for a fresh fake, and
// a function that stops the fake.
func newClient(real bool) (*alicert.Client, func(), error) {
	if real {
		c, err := alicert.NewClient()
		return c, func() {}, err
	}
	srv := alicerttest.NewServer()
	c, err := alicert.NewClient(srv.ClientOptions()...)
	if err != nil {
		srv.Close()
		return nil, nil, err
	}
	return c, srv.Close, nil
}

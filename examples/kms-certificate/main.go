// Command kms-certificate creates a certificate whose private key never
// leaves KMS: KMS returns a CSR, a CA signs it, and the certificate is
// uploaded back to KMS.
//
// By default it runs against the in-process fake from package alicerttest,
// whose test CA plays the CA. With -real it calls Alibaba Cloud with
// credentials from the default chain: it writes the CSR to csr.pem and, when
// given -cert (and -chain) files signed by your CA for a -id from an earlier
// run, uploads them.
//
//	go run ./examples/kms-certificate
//	go run ./examples/kms-certificate -real -region cn-hangzhou            # step 1: CSR
//	go run ./examples/kms-certificate -real -id <id> -cert cert.pem -chain chain.pem   # step 2
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

type options struct {
	real          bool
	region        string
	id            string
	cert, chain   string
	commonName    string
	csrOutputPath string
}

// run is main without the process: tests call it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kms-certificate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.BoolVar(&o.real, "real", false, "call Alibaba Cloud (credentials from the default chain) instead of the in-process fake")
	fs.StringVar(&o.region, "region", "cn-hangzhou", "KMS region with -real")
	fs.StringVar(&o.id, "id", "", "with -real: the CertificateId of an earlier run, to upload -cert for")
	fs.StringVar(&o.cert, "cert", "", "with -real and -id: PEM file of the certificate your CA issued")
	fs.StringVar(&o.chain, "chain", "", "with -real and -id: PEM file of the CA chain (optional)")
	fs.StringVar(&o.commonName, "cn", "service.example.com", "common name of the certificate")
	fs.StringVar(&o.csrOutputPath, "csr-out", "csr.pem", "with -real: where to write the CSR")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var err error
	if o.real {
		err = runReal(ctx, o, stdout)
	} else {
		err = runFake(ctx, o, stdout)
	}
	if err != nil {
		fmt.Fprintln(stderr, "kms-certificate:", err)
		return 1
	}
	return 0
}

func certificateInput(cn string) *alicert.CreateCertificateInput {
	return &alicert.CreateCertificateInput{
		KeySpec: alicert.KeySpecECP256,
		Subject: alicert.Subject{
			CommonName: cn, Country: "CN", Organization: "Example Ltd",
			OrganizationalUnit: "Platform", Province: "Zhejiang", Locality: "Hangzhou",
		},
		SubjectAlternativeNames: []string{cn},
		ExportablePrivateKey:    false, // the key stays in KMS
	}
}

// runFake does the whole round trip against the fake, whose test CA signs.
func runFake(ctx context.Context, o options, stdout io.Writer) error {
	srv := alicerttest.NewServer()
	defer srv.Close()
	client, err := alicert.NewClient(srv.ClientOptions()...)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "Using the in-process fake service (pass -real to call Alibaba Cloud).")

	created, err := createAndShow(ctx, client, o.commonName, stdout)
	if err != nil {
		return err
	}
	certPEM, err := srv.SignCSR(created.Csr, 90*24*time.Hour)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "The fake's test CA signed the CSR.")
	if _, err := client.KMS.UploadCertificate(ctx, &alicert.UploadCertificateInput{
		CertificateID: created.CertificateID, Certificate: certPEM,
	}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Uploaded the certificate to %s.\n", created.CertificateID)
	return nil
}

func createAndShow(ctx context.Context, client *alicert.Client, cn string, stdout io.Writer) (*alicert.CreateCertificateOutput, error) {
	created, err := client.KMS.CreateCertificate(ctx, certificateInput(cn))
	if err != nil {
		return nil, err
	}
	csr, err := created.ParseCSR()
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(stdout, "KMS certificate %s created (%s).\n", created.CertificateID, created.Arn)
	fmt.Fprintf(stdout, "CSR subject: %s, names: %v\n", csr.Subject, csr.DNSNames)
	return created, nil
}

// runReal creates the certificate and writes its CSR, or uploads a signed
// certificate for an earlier one.
func runReal(ctx context.Context, o options, stdout io.Writer) error {
	client, err := alicert.NewClient(alicert.WithRegion(o.region))
	if err != nil {
		return err
	}
	if o.id == "" {
		created, err := createAndShow(ctx, client, o.commonName, stdout)
		if err != nil {
			return err
		}
		if err := os.WriteFile(o.csrOutputPath, []byte(created.Csr), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Wrote %s. Have your CA sign it, then run again with -id %s -cert <file>.\n", o.csrOutputPath, created.CertificateID)
		return nil
	}
	cert, err := os.ReadFile(o.cert)
	if err != nil {
		return err
	}
	var chain []byte
	if o.chain != "" {
		if chain, err = os.ReadFile(o.chain); err != nil {
			return err
		}
	}
	if _, err := client.KMS.UploadCertificate(ctx, &alicert.UploadCertificateInput{
		CertificateID: o.id, Certificate: string(cert), CertificateChain: string(chain),
	}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Uploaded %s for %s.\n", o.cert, o.id)
	return nil
}

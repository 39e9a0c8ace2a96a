package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/alicert/alicert"
)

func (c *cli) status(ctx context.Context, args []string) int {
	var g common
	var order int64
	var domain string
	fs := c.newFlagSet("status", "status -order ID [-domain example.com] [flags]",
		`Reads a certificate order and prints the order's state; while it waits for
validation, the DNS record (its name completed with -domain) or the file to
publish; once issued, the certificate's subject, names and validity. It never
prints the private key. Credentials as for obtain.
`)
	// No -fake: a fresh fake knows no order, so status could never
	// succeed against it.
	g.register(fs, "")
	fs.Int64Var(&order, "order", 0, "the order id (required)")
	fs.StringVar(&domain, "domain", "", "the order's domain, to show the full name of a DNS record the service gives relative to it")
	if code, stop := c.parse(fs, args); stop {
		return code
	}
	if order <= 0 {
		return c.usageError(fs, "-order is required: a positive order id")
	}
	g.fake = c.fake != nil // tests' fake
	cl, release, err := c.client(g)
	if err != nil {
		return c.failf(exitUsage, "%v", err)
	}
	defer release()
	st, err := cl.CAS.DescribeCertificateState(ctx, &alicert.DescribeCertificateStateInput{OrderID: order})
	if err != nil {
		return c.failf(exitFailure, "%v", err)
	}
	if err := printState(c.stdout, order, st, domain); err != nil {
		return c.failf(exitFailure, "%v", err)
	}
	return exitOK
}

// printState prints what status shows of an order: its state, and the
// validation it waits for or the certificate it got. domain completes a
// record name the service gives relative to the zone.
func printState(w io.Writer, order int64, st *alicert.DescribeCertificateStateOutput, domain string) error {
	fmt.Fprintf(w, "order %d: %s\n", order, st.State)
	switch {
	case st.State == alicert.StateDomainVerify && st.RecordDomain != "":
		r, err := st.DNSRecord(domain)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "waiting for the DNS record: %s\n", r)
	case st.State == alicert.StateDomainVerify && st.URI != "":
		f, err := st.FileChallenge(domain)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "waiting for the file: http://%s%s\n", f.Domain, f.Path)
	case st.State == alicert.StateCertificate:
		chain, err := st.ParseCertificates()
		if err != nil {
			return err
		}
		leaf := chain[0]
		fmt.Fprintf(w, "certificate: %s, names %s, valid %s to %s\n", leaf.Subject, strings.Join(leaf.DNSNames, ","),
			leaf.NotBefore.UTC().Format(time.RFC3339), leaf.NotAfter.UTC().Format(time.RFC3339))
	}
	return nil
}

// csrFlags are csr's flags.
type csrFlags struct {
	common
	in      alicert.CreateCsrInput
	sans    string
	alg     string
	keyPath string
}

func (c *cli) csr(ctx context.Context, args []string) int {
	var f csrFlags
	fs := c.newFlagSet("csr", "csr -cn example.com -country CN -province P -locality L [flags]",
		`Has Certificate Management Service create a key pair and a CSR, and prints
the CSR (PEM) to stdout and its id to stderr. With -key it also fetches the
private key the service generated and writes it to that file (mode 0600,
never overwritten). Credentials as for obtain; -fake uses an in-process fake.
`)
	f.register(fs, fakeUsage)
	fs.StringVar(&f.in.CommonName, "cn", "", "common name: the primary domain (required)")
	fs.StringVar(&f.sans, "san", "", "further domain names, comma-separated")
	fs.StringVar(&f.in.CountryCode, "country", "", "two-letter country code, such as CN (required)")
	fs.StringVar(&f.in.Province, "province", "", "province or state (required)")
	fs.StringVar(&f.in.Locality, "locality", "", "city (required)")
	fs.StringVar(&f.in.CorpName, "org", "", "company name")
	fs.StringVar(&f.in.Department, "department", "", "department")
	fs.StringVar(&f.in.Name, "name", "", "name of the CSR in the console")
	fs.StringVar(&f.alg, "algorithm", "RSA", "key algorithm: RSA, ECC or SM2")
	fs.IntVar(&f.in.KeySize, "key-size", 0, "key size: 2048, 3072 or 4096 for RSA (default 2048), 256 for ECC and SM2")
	fs.StringVar(&f.keyPath, "key", "", "also fetch the private key and write it to this file (mode 0600; never overwritten)")
	if code, stop := c.parse(fs, args); stop {
		return code
	}
	f.in.Algorithm = alicert.KeyAlgorithm(strings.ToUpper(f.alg))
	f.in.SANs = splitList(f.sans)
	if f.in.KeySize == 0 {
		f.in.KeySize = 2048
		if f.in.Algorithm != alicert.AlgorithmRSA {
			f.in.KeySize = 256
		}
	}
	if f.keyPath != "" {
		if _, err := os.Stat(f.keyPath); err == nil {
			return c.usageError(fs, "-key %s exists; it is never overwritten", f.keyPath)
		}
	}
	cl, release, err := c.client(f.common)
	if err != nil {
		return c.failf(exitUsage, "%v", err)
	}
	defer release()
	out, err := cl.CAS.CreateCsr(ctx, &f.in)
	var ve *alicert.ValidationError
	switch {
	case errors.As(err, &ve):
		return c.usageError(fs, "%v", err)
	case errors.Is(err, alicert.ErrOutcomeUnknown):
		return c.failf(exitOutcomeUnknown, "%v", err)
	case err != nil:
		return c.failf(exitFailure, "%v", err)
	}
	fmt.Fprintf(c.stderr, "alicert: CSR %d created\n", out.CsrID)
	fmt.Fprint(c.stdout, out.Csr)
	if !strings.HasSuffix(out.Csr, "\n") {
		fmt.Fprintln(c.stdout)
	}
	if f.keyPath == "" {
		return exitOK
	}
	detail, err := cl.CAS.GetCsrDetail(ctx, &alicert.GetCsrDetailInput{CsrID: out.CsrID})
	if err != nil {
		return c.failf(exitFailure, "CSR %d was created, but fetching its key failed: %v", out.CsrID, err)
	}
	if err := writeNewFile(f.keyPath, []byte(detail.PrivateKey)); err != nil {
		return c.failf(exitFailure, "CSR %d was created, but writing its key failed: %v", out.CsrID, err)
	}
	fmt.Fprintf(c.stderr, "alicert: key written to %s\n", f.keyPath)
	return exitOK
}

// writeNewFile writes a 0600 file atomically, failing if it exists.
func writeNewFile(path string, data []byte) error {
	dir, name := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := writeTemp(dir, outFile{name, data, 0o600})
	if err != nil {
		if tmp != "" {
			os.Remove(tmp)
		}
		return err
	}
	// A hard link fails when path exists, unlike a rename; that keeps an
	// existing key that appeared since the flag was checked.
	err = os.Link(tmp, path)
	os.Remove(tmp)
	return err
}

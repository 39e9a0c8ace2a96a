package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/cmd/alicert/internal/store"
)

// csrFlagOf maps the fields of CreateCsrInput to the flags that set them,
// so that a refused value is reported by its flag.
func csrFlagOf() map[string]string {
	return map[string]string{
		"CommonName": "cn", "SANs": "san", "CountryCode": "country", "Province": "province", "Locality": "locality",
		"CorpName": "org", "Department": "department", "Name": "name", "Algorithm": "algorithm", "KeySize": "key-size",
	}
}

// csrFlags are csr's flags.
type csrFlags struct {
	common
	in      alicert.CreateCsrInput
	sans    string
	alg     string
	keyPath string
	json    bool
	timeout time.Duration
}

func (c *cli) csr(ctx context.Context, args []string) int {
	var f csrFlags
	fs := c.newFlagSet("csr", "csr -cn example.com -country CN -province P -locality L [flags]",
		`Has Certificate Management Service create a key pair and a CSR, and prints
the CSR (PEM) to stdout and its id to stderr. With -key it also fetches the
private key the service generated and writes it to that file (mode 0600,
never overwritten). -timeout (default 10m) bounds the fetch of the key; the
request that creates the CSR runs to its end, so that its outcome is never
left unknown by a timeout. Credentials as for obtain; -fake uses an
in-process fake. -json prints the CSR's id, the CSR and the key file as JSON.
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
	fs.BoolVar(&f.json, "json", false, "print the CSR's id, the CSR and the key file as JSON")
	timeoutVar(fs, &f.timeout, "give up fetching the key of -key after this long (the CSR's creation itself runs to its end)")
	if code, stop := c.parse(fs, args); stop {
		return code
	}
	if code, stop := c.checkTimeout(fs, f.timeout); stop {
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
		if _, err := os.Lstat(f.keyPath); err == nil {
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
		return c.validationUsage(fs, ve, csrFlagOf())
	case errors.Is(err, alicert.ErrOutcomeUnknown):
		return c.failf(exitOutcomeUnknown, "%v", err)
	case err != nil:
		return c.failf(exitFailure, "%v", err)
	}
	fmt.Fprintf(c.stderr, "alicert: CSR %d created\n", out.CsrID)
	if !f.json {
		fmt.Fprint(c.stdout, out.Csr)
		if !strings.HasSuffix(out.Csr, "\n") {
			fmt.Fprintln(c.stdout)
		}
	}
	if f.keyPath == "" {
		return c.printCSRJSON(f, out)
	}
	lookup, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	detail, err := cl.CAS.GetCsrDetail(lookup, &alicert.GetCsrDetailInput{CsrID: out.CsrID})
	if err != nil {
		return c.failf(exitFailure, "CSR %d was created, but fetching its key failed: %v", out.CsrID, err)
	}
	if err := store.WriteNewFile(f.keyPath, []byte(detail.PrivateKey)); err != nil {
		return c.failf(exitFailure, "CSR %d was created, but writing its key failed: %v", out.CsrID, err)
	}
	fmt.Fprintf(c.stderr, "alicert: key written to %s\n", f.keyPath)
	return c.printCSRJSON(f, out)
}

// printCSRJSON prints, with -json, what csr made: the CSR's id, the CSR
// and the file the key went to (never the key).
func (c *cli) printCSRJSON(f csrFlags, out *alicert.CreateCsrOutput) int {
	if !f.json {
		return exitOK
	}
	err := writeJSON(c.stdout, struct {
		CsrID   int64  `json:"csr_id"`
		Csr     string `json:"csr"`
		KeyFile string `json:"key_file,omitempty"`
	}{out.CsrID, out.Csr, f.keyPath})
	if err != nil {
		return c.failf(exitFailure, "%v", err)
	}
	return exitOK
}

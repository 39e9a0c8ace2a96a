package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/alicert/alicert"
)

func (c *cli) status(ctx context.Context, args []string) int {
	var g common
	var order int64
	var domain string
	var timeout time.Duration
	fs := c.newFlagSet("status", "status -order ID [-domain example.com] [flags]",
		`Reads a certificate order and prints the order's state; while it waits for
validation, the DNS record (its name completed with -domain) or the file to
publish; once issued, the certificate's subject, names and validity. It never
prints the private key. -timeout (default 10m) bounds the read.
Credentials as for obtain.
`)
	// No -fake: a fresh fake knows no order, so status could never
	// succeed against it.
	g.register(fs, "")
	fs.Int64Var(&order, "order", 0, "the order id (required)")
	fs.StringVar(&domain, "domain", "", "the order's domain, to show the full name of a DNS record the service gives relative to it")
	timeoutVar(fs, &timeout, "give up reading the order after this long")
	if code, stop := c.parse(fs, args); stop {
		return code
	}
	if code, stop := c.checkTimeout(fs, timeout); stop {
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
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
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
	fmt.Fprintf(w, "order %d: %s\n", order, shown(string(st.State)))
	switch {
	case st.State == alicert.StateDomainVerify && st.RecordDomain != "":
		r, err := st.DNSRecord(domain)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "waiting for the DNS record: %s\n", shown(fmt.Sprint(r)))
	case st.State == alicert.StateDomainVerify && st.URI != "":
		f, err := st.FileChallenge(domain)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "waiting for the file: http://%s%s\n", shown(f.Domain), shown(f.Path))
	case st.State == alicert.StateCertificate:
		chain, err := st.ParseCertificates()
		if err != nil {
			return err
		}
		leaf := chain[0]
		fmt.Fprintf(w, "certificate: %s, names %s, valid %s to %s\n", shown(leaf.Subject.String()), shown(strings.Join(leaf.DNSNames, ",")),
			leaf.NotBefore.UTC().Format(time.RFC3339), leaf.NotAfter.UTC().Format(time.RFC3339))
	}
	return nil
}

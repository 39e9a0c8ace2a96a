package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/alicert/alicert"
)

func (c *cli) status(ctx context.Context, args []string) int {
	var g common
	var order int64
	var domain string
	var timeout time.Duration
	var asJSON bool
	fs := c.newFlagSet("status", "status -order ID [-domain example.com] [-json] [flags]",
		`Reads a certificate order and prints the order's state; while it waits for
validation, the DNS record (its name completed with -domain) or the file to
publish; once issued, the certificate's subject, names and validity. It never
prints the private key.

-timeout (default 10m) bounds the read. Credentials as for obtain; -fake
reads an order of a fake account (its issued order unless -order is given).
`)
	g.register(fs, fakeVerbUsage+"; -order defaults to that order")
	fs.Int64Var(&order, "order", 0, "the order id (required)")
	fs.StringVar(&domain, "domain", "", "the order's domain, to show the full name of a DNS record the service gives relative to it")
	fs.BoolVar(&asJSON, "json", false, "print the order's state as JSON")
	timeoutVar(fs, &timeout, "give up reading the order after this long")
	if code, stop := c.parse(fs, args); stop {
		return code
	}
	if code, stop := c.checkTimeout(fs, timeout); stop {
		return code
	}
	defaulted := order == 0 && g.fake && c.fake == nil
	if order < 0 || order == 0 && !defaulted {
		return c.usageError(fs, "-order is required: a positive order id")
	}
	g.fake = g.fake || c.fake != nil // tests' fake
	cl, release, seed, err := c.verbClient(ctx, g)
	if err != nil {
		return c.failf(exitUsage, "%v", err)
	}
	defer release()
	if defaulted {
		order = seed.order
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	st, err := cl.CAS.DescribeCertificateState(ctx, &alicert.DescribeCertificateStateInput{OrderID: order})
	if err != nil {
		return c.failf(exitFailure, "%v", err)
	}
	if asJSON {
		err = printStateJSON(c.stdout, order, st, domain)
	} else {
		err = printState(c.stdout, order, st, domain)
	}
	if err != nil {
		return c.failf(exitFailure, "%v", err)
	}
	return exitOK
}

// stateJSON is status's JSON form: the order's state, the record or file
// it waits for, or the certificate it got (never the key).
type stateJSON struct {
	OrderID     int64        `json:"order_id"`
	State       string       `json:"state"`
	CertID      int64        `json:"cert_id,omitempty"`
	Record      *stateRecord `json:"record,omitempty"`
	FileURL     string       `json:"file_url,omitempty"`
	FileContent string       `json:"file_content,omitempty"`
	Subject     string       `json:"subject,omitempty"`
	Domains     []string     `json:"domains,omitempty"`
	NotBefore   string       `json:"not_before,omitempty"`
	NotAfter    string       `json:"not_after,omitempty"`
}

// stateRecord is the DNS record an order waits for, in status's JSON.
type stateRecord struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	Value string `json:"value"`
}

// printStateJSON prints what printState does, as JSON.
func printStateJSON(w io.Writer, order int64, st *alicert.DescribeCertificateStateOutput, domain string) error {
	doc := stateJSON{OrderID: order, State: string(st.State)}
	switch {
	case st.State == alicert.StateDomainVerify && st.RecordDomain != "":
		r, err := st.DNSRecord(domain)
		if err != nil {
			return err
		}
		doc.Record = &stateRecord{Name: r.Name, Type: r.Type, Value: r.Value}
	case st.State == alicert.StateDomainVerify && st.URI != "":
		f, err := st.FileChallenge(domain)
		if err != nil {
			return err
		}
		doc.FileURL, doc.FileContent = "http://"+f.Domain+f.Path, f.Content
	case st.State == alicert.StateCertificate:
		chain, err := st.ParseCertificates()
		if err != nil {
			return err
		}
		leaf := chain[0]
		doc.Subject, doc.Domains = leaf.Subject.String(), leaf.DNSNames
		doc.NotBefore, doc.NotAfter = jsonTime(leaf.NotBefore), jsonTime(leaf.NotAfter)
		if id, err := strconv.ParseInt(st.CertID, 10, 64); err == nil && id > 0 {
			doc.CertID = id
		}
	}
	return writeJSON(w, doc)
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

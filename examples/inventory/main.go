// Command inventory lists the certificates of the account that expire
// within a given time, soonest first: the whole inventory is read one page
// at a time with AllUserCertificateOrders, and never held whole.
//
// By default it runs against the in-process fake from package alicerttest,
// seeded with 500 certificates (one of them expiring in 5 days); with
// -real it calls Alibaba Cloud with credentials from the default chain.
//
//	go run ./examples/inventory
//	go run ./examples/inventory -real -within 720h
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: tests call it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("inventory", flag.ContinueOnError)
	fs.SetOutput(stderr)
	real := fs.Bool("real", false, "call Alibaba Cloud (credentials from the default chain) instead of the in-process fake")
	within := fs.Duration("within", 30*24*time.Hour, "list the certificates that expire within this time")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if err := list(ctx, *real, *within, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "inventory:", err)
		return 1
	}
	return 0
}

func list(ctx context.Context, real bool, within time.Duration, stdout, stderr io.Writer) error {
	client, stop, err := newClient(real)
	if err != nil {
		return err
	}
	defer stop()

	now := time.Now()
	var expiring []alicert.CertificateOrder
	seen := 0
	// With no Status the service lists the valid certificates; the
	// expired ones expire "within" any time too, so ask for them as well.
	for _, status := range []string{"", alicert.OrderStatusExpired} {
		in := &alicert.ListUserCertificateOrderInput{OrderType: alicert.OrderTypeCert, Status: status}
		for c, err := range client.CAS.AllUserCertificateOrders(ctx, in) {
			if err != nil {
				return err
			}
			if seen++; seen%1000 == 0 {
				fmt.Fprintf(stderr, "%d certificates read\n", seen)
			}
			if c.ExpiresWithin(within, now) {
				expiring = append(expiring, c)
			}
		}
	}
	slices.SortFunc(expiring, func(a, b alicert.CertificateOrder) int { return a.NotAfter().Compare(b.NotAfter()) })

	fmt.Fprintf(stdout, "%d of %d certificates expire within %s.\n", len(expiring), seen, within)
	if len(expiring) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tDOMAIN\tEXPIRES\tDAYS LEFT\tSTATUS")
	for _, c := range expiring {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\n", c.CertificateID, c.Name, c.CommonName,
			c.NotAfter().Format(time.DateOnly), int(c.Remaining(now).Hours()/24), c.Status)
	}
	return tw.Flush()
}

// newClient returns a client of Alibaba Cloud, or of a fake seeded with
// certificates, and the function that releases it.
func newClient(real bool) (*alicert.Client, func(), error) {
	if real {
		c, err := alicert.NewClient()
		return c, func() {}, err
	}
	srv := alicerttest.NewServer(alicerttest.WithCertificates(500))
	c, err := alicert.NewClient(srv.ClientOptions()...)
	if err != nil {
		srv.Close()
		return nil, nil, err
	}
	return c, srv.Close, nil
}

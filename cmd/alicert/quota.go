package main

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/alicert/alicert"
)

// quotaFlags are quota's flags.
type quotaFlags struct {
	common
	product string
	json    bool
	timeout time.Duration
}

const quotaDescription = `Shows the quota of the resource plans of one certificate specification
(DescribePackageState): certificates bought, applications made (each order,
issued or not), certificates issued, and applications left.

-timeout (default 10m) bounds the read.

Exit codes: 0 done; 1 failure; 2 usage.

Credentials as for obtain. -fake shows a fake account's quota: 20 bought,
one order made.
`

func (c *cli) quota(ctx context.Context, args []string) int {
	var f quotaFlags
	fs := c.newFlagSet("quota", "quota [-product CODE] [-json] [flags]", quotaDescription)
	f.register(fs, fakeVerbUsage)
	fs.StringVar(&f.product, "product", "", "certificate specification, such as digicert-free-1-free (default: the service's)")
	fs.BoolVar(&f.json, "json", false, "print the quota as JSON")
	timeoutVar(fs, &f.timeout, "give up reading the quota after this long")
	if code, stop := c.parse(fs, args); stop {
		return code
	}
	if code, stop := c.checkTimeout(fs, f.timeout); stop {
		return code
	}
	cl, release, _, err := c.verbClient(ctx, f.common)
	if err != nil {
		return c.failf(exitUsage, "%v", err)
	}
	defer release()
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	out, err := cl.CAS.DescribePackageState(ctx, &alicert.DescribePackageStateInput{ProductCode: f.product})
	var ve *alicert.ValidationError
	switch {
	case errors.As(err, &ve):
		return c.validationUsage(fs, ve, map[string]string{"ProductCode": "product"})
	case err != nil:
		return c.failf(exitFailure, "%v", err)
	}
	if f.json {
		// The keys are the table's headers.
		err = writeJSON(c.stdout, struct {
			Product string `json:"product"`
			Bought  int64  `json:"bought"`
			Used    int64  `json:"used"`
			Issued  int64  `json:"issued"`
			Left    int64  `json:"left"`
		}{out.ProductCode, out.TotalCount, out.UsedCount, out.IssuedCount, out.Remaining()})
	} else {
		tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "PRODUCT\tBOUGHT\tUSED\tISSUED\tLEFT")
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\n", shown(out.ProductCode), out.TotalCount, out.UsedCount, out.IssuedCount, out.Remaining())
		err = tw.Flush()
	}
	if err != nil {
		return c.failf(exitFailure, "%v", err)
	}
	return exitOK
}

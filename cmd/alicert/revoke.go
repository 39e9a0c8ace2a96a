package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/alicert/alicert"
)

// revokeFlags are revoke's flags.
type revokeFlags struct {
	common
	order   int64
	yes     bool
	json    bool
	timeout time.Duration
}

const revokeDescription = `Revokes the issued certificate of order -order and cancels the order
(CancelCertificateForPackageRequest). This cannot be undone: every server
still using the certificate starts failing TLS handshakes. Revoked within 30
days of issuance, the certificate's quota is returned to the resource plan.

Nothing is sent without -yes: the command then says what it would do and
exits 2.

The request is not repeated once it may have reached the service: after an
unknown outcome (exit 3), check with 'alicert list -status all' or the console
before running it again. -timeout (default 10m) bounds the request: one cut
short after it may have reached the service is an unknown outcome too.

Exit codes: 0 revoked; 1 failure (the order is not issued, or already
revoked, say); 2 usage (also: no -yes; nothing was done); 3 outcome unknown:
the certificate may have been revoked.

Credentials as for obtain. With -fake, -order defaults to the fake's issued
order.
`

func (c *cli) revoke(ctx context.Context, args []string) int {
	var f revokeFlags
	fs := c.newFlagSet("revoke", "revoke -order ID -yes [flags]", revokeDescription)
	f.register(fs, fakeVerbUsage+"; -order defaults to that order")
	fs.Int64Var(&f.order, "order", 0, "the order whose certificate to revoke (required)")
	fs.BoolVar(&f.yes, "yes", false, "revoke for real: without it nothing is sent")
	fs.BoolVar(&f.json, "json", false, "print the result as JSON")
	timeoutVar(fs, &f.timeout, "give up after this long (once the request may have reached the service, the outcome is unknown: exit 3)")
	if code, stop := c.parse(fs, args); stop {
		return code
	}
	if code, stop := c.checkTimeout(fs, f.timeout); stop {
		return code
	}
	defaulted := f.order == 0 && f.fake && c.fake == nil
	switch {
	case f.order < 0 || f.order == 0 && !defaulted:
		return c.usageError(fs, "-order is required: the id of the order whose certificate to revoke")
	case !f.yes && defaulted:
		return c.usageError(fs, "without -yes nothing was done: this would revoke the certificate of the fake's issued order, "+
			"for good; add -yes to revoke it")
	case !f.yes:
		return c.usageError(fs, "without -yes nothing was done: this would revoke the certificate of order %d for good, "+
			"and every server still using it would fail TLS handshakes; add -yes to revoke it", f.order)
	}
	cl, release, seed, err := c.verbClient(ctx, f.common)
	if err != nil {
		return c.failf(exitUsage, "%v", err)
	}
	defer release()
	if defaulted {
		f.order = seed.order
		c.errorf("-fake: revoking the certificate of the fake's issued order %d", f.order)
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	_, err = cl.CAS.CancelCertificateForPackageRequest(ctx, &alicert.CancelCertificateForPackageRequestInput{OrderID: f.order})
	switch {
	case errors.Is(err, alicert.ErrOutcomeUnknown):
		return c.failf(exitOutcomeUnknown, "%v", err)
	case err != nil:
		return c.failf(exitFailure, "%v", err)
	}
	if f.json {
		err = writeJSON(c.stdout, struct {
			OrderID int64 `json:"order_id"`
			Revoked bool  `json:"revoked"`
		}{f.order, true})
	} else {
		_, err = fmt.Fprintf(c.stdout, "revoked the certificate of order %d\n", f.order)
	}
	if err != nil {
		return c.failf(exitFailure, "%v", err)
	}
	return exitOK
}

package main

import (
	"context"
	"fmt"
	"time"

	"github.com/alicert/alicert"
)

// deleteFlags are delete's flags.
type deleteFlags struct {
	common
	cert    int64
	yes     bool
	json    bool
	timeout time.Duration
}

const deleteDescription = `Deletes certificate -cert (its id, as list shows it) from the account
(DeleteUserCertificate). The official model describes the action as
deleting "an expired, revoked, or manually uploaded certificate".
alicert keeps no copy of what it deletes: this cannot be undone.

Nothing is sent without -yes: the command then says what it would do and
exits 2.

-timeout (default 10m) bounds the request.

Exit codes: 0 deleted; 1 failure (the certificate does not exist, or is
still valid and not uploaded, say); 2 usage (also: no -yes; nothing was done).

Credentials as for obtain. With -fake, -cert defaults to the fake's expired
certificate.
`

func (c *cli) delete(ctx context.Context, args []string) int {
	var f deleteFlags
	fs := c.newFlagSet("delete", "delete -cert ID -yes [flags]", deleteDescription)
	f.register(fs, fakeVerbUsage+"; -cert defaults to the expired one")
	fs.Int64Var(&f.cert, "cert", 0, "the certificate to delete (required)")
	fs.BoolVar(&f.yes, "yes", false, "delete for real: without it nothing is sent")
	fs.BoolVar(&f.json, "json", false, "print the result as JSON")
	timeoutVar(fs, &f.timeout, "give up after this long")
	if code, stop := c.parse(fs, args); stop {
		return code
	}
	if code, stop := c.checkTimeout(fs, f.timeout); stop {
		return code
	}
	defaulted := f.cert == 0 && f.fake && c.fake == nil
	switch {
	case f.cert < 0 || f.cert == 0 && !defaulted:
		return c.usageError(fs, "-cert is required: the id of the certificate to delete, as 'alicert list' shows it")
	case !f.yes && defaulted:
		return c.usageError(fs, "without -yes nothing was done: this would delete the fake's expired certificate, for good; add -yes to delete it")
	case !f.yes:
		return c.usageError(fs, "without -yes nothing was done: this would delete certificate %d from the account, for good; "+
			"add -yes to delete it", f.cert)
	}
	cl, release, seed, err := c.verbClient(ctx, f.common)
	if err != nil {
		return c.failf(exitUsage, "%v", err)
	}
	defer release()
	if defaulted {
		f.cert = seed.expired
		c.errorf("-fake: deleting the fake's expired certificate %d", f.cert)
	}
	// Retried by the client: a repeat names the same CertId, so it can only
	// delete the same certificate.
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	if _, err := cl.CAS.DeleteUserCertificate(ctx, &alicert.DeleteUserCertificateInput{CertID: f.cert}); err != nil {
		return c.failf(exitFailure, "%v", err)
	}
	if f.json {
		err = writeJSON(c.stdout, struct {
			CertID  int64 `json:"cert_id"`
			Deleted bool  `json:"deleted"`
		}{f.cert, true})
	} else {
		_, err = fmt.Fprintf(c.stdout, "deleted certificate %d\n", f.cert)
	}
	if err != nil {
		return c.failf(exitFailure, "%v", err)
	}
	return exitOK
}

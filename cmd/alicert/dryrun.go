package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/cmd/alicert/internal/store"
)

// dryRunObtain checks what obtain -dry-run can check short of buying, with
// reads only, and prints what a real run would do: the flags (checked
// before it is called), the output directory and the state file as they
// are, the credentials and the quota (one DescribePackageState), the DNS
// zone (a read of its records, never a write; not with -validation-hook,
// whose DNS host alicert cannot read) and, with -deploy, the cloud
// resources to deploy to. It orders nothing and writes nothing: no
// directory, no lock, no state file.
func (c *cli) dryRunObtain(ctx context.Context, f *obtainFlags) int {
	r := &obtainRun{c: c, f: f, info: c.stderr}
	if f.quiet {
		r.info = io.Discard
	}
	defer func() {
		if r.release != nil {
			r.release()
		}
	}()
	w := c.stdout
	fail := func(format string, args ...any) int {
		return c.failf(exitFailure, "dry run: "+format, args...)
	}
	st, due, code, stop := r.dryRunDisk()
	if stop {
		return code
	}
	cl, err := r.client()
	if err != nil {
		return c.failf(exitUsage, "%v", err)
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	quota, err := cl.CAS.DescribePackageState(ctx, &alicert.DescribePackageStateInput{ProductCode: f.product})
	if err != nil {
		return fail("checking the credentials and the quota (DescribePackageState): %v", err)
	}
	fmt.Fprintf(w, "dry run: credentials work; %s: %d of %d certificate applications left\n",
		shown(quota.ProductCode), quota.Remaining(), quota.TotalCount)
	if quota.Remaining() <= 0 && due {
		return fail("no certificate application is left in the resource plan of %s: a real run could not order", shown(quota.ProductCode))
	}
	publish := "publish its validation record in Alibaba Cloud DNS"
	if f.validationHook != "" {
		// Where the hook publishes is not known here, and running it
		// would publish.
		fmt.Fprintf(w, "dry run: -validation-hook is not run, and where it publishes the validation is not checked\n")
		publish = "publish its validation with -validation-hook"
	} else {
		if err := checkZone(ctx, cl, f.domain, f.zone); err != nil {
			return fail("%v", err)
		}
		fmt.Fprintf(w, "dry run: Alibaba Cloud DNS hosts the zone of %s (checked with a read)\n", f.domain)
	}
	if f.kmsKey != "" {
		fmt.Fprintf(w, "dry run: -kms-key %s is not checked\n", f.kmsKey)
	}
	targets := ""
	if f.deploy {
		n, what, err := dryRunTargets(ctx, cl, f.domain, st)
		if err != nil {
			return fail("finding the cloud resources serving %s: %v", what, err)
		}
		targets = fmt.Sprintf(", then deploy it to the %d cloud resources serving %s", n, what)
	}
	if !due {
		fmt.Fprintf(w, "dry run: a real run would do nothing now\n")
		return exitOK
	}
	hook := ""
	if f.deployHook != "" {
		hook = ", run -deploy-hook"
	}
	fmt.Fprintf(w, "dry run: a real run would order a certificate for %s (%s key), %s, "+
		"write it to %s%s%s\n", f.domain, r.dryRunKey(), publish, f.out, hook, targets)
	return exitOK
}

// dryRunDisk reads, without writing, the output directory and its state
// file, and says whether a real run would order (due).
func (r *obtainRun) dryRunDisk() (st *store.State, due bool, code int, stop bool) {
	c, f, w := r.c, r.f, r.c.stdout
	fi, err := os.Stat(f.out)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		fmt.Fprintf(w, "dry run: %s does not exist; a real run would create it\n", f.out)
		return nil, true, 0, false
	case err != nil:
		return nil, false, c.failf(exitFailure, "dry run: -out %s: %v", f.out, err), true
	case !fi.IsDir():
		return nil, false, c.failf(exitFailure, "dry run: -out %s is not a directory", f.out), true
	}
	if st, err = store.LoadState(f.out); err != nil {
		return nil, false, c.failf(exitFailure, "dry run: %v", err), true
	}
	if st != nil && !strings.EqualFold(st.Domain, f.domain) {
		return nil, false, c.failf(exitUsage, "dry run: %s holds the state of an order for %s, not %s",
			filepath.Join(f.out, store.StateFile), st.Domain, f.domain), true
	}
	if st.Pending() && !f.newOrder && f.order == 0 {
		return nil, false, c.failf(exitOutcomeUnknown, "dry run: a real run would stop here: %s", unknownOutcomeAdvice(f.out, st)), true
	}
	if st != nil && st.OrderID > 0 {
		fmt.Fprintf(w, "dry run: %s names order %d; a real run would resume it\n", filepath.Join(f.out, store.StateFile), st.OrderID)
	}
	existing, err := store.ExistingCert(f.out)
	if err != nil {
		return nil, false, c.failf(exitFailure, "dry run: %v", err), true
	}
	within := time.Duration(f.renewWithin)
	if existing != nil && within > 0 && existing.NotAfter.Sub(c.now()) > within && r.pairProblem(f.out) == "" {
		fmt.Fprintf(w, "dry run: %s is valid until %s, more than -renew-within %s away\n",
			filepath.Join(f.out, store.CertFile), existing.NotAfter.UTC().Format(time.RFC3339), formatDays(within))
		return st, false, 0, false
	}
	return st, true, 0, false
}

// dryRunKey names the key a real run would order with.
func (r *obtainRun) dryRunKey() string {
	switch {
	case r.f.kmsKey != "":
		return "KMS " + r.f.kmsKey
	case r.f.keySource == keySourceService:
		return "service-made"
	}
	return r.f.keyType
}

// dryRunTargets counts the cloud resources a deployment would go to: those
// serving the certificate the state file names, or else those serving a
// certificate for domain.
func dryRunTargets(ctx context.Context, cl *alicert.Client, domain string, st *store.State) (n int, what string, err error) {
	var found []alicert.CloudResource
	if st != nil && st.CertID > 0 {
		what = fmt.Sprintf("certificate %d", st.CertID)
		found, err = cl.CAS.CloudResourcesServing(ctx, st.CertID)
	} else {
		what = "a certificate for " + domain
		found, err = cl.CAS.CloudResourcesForDomain(ctx, strings.TrimSuffix(strings.TrimSpace(domain), "."))
	}
	return len(found), what, err
}

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
)

// What the certificate verbs (list, get, upload, revoke, delete, quota)
// share: the seeded fake of -fake, and JSON output.

// fakeSeed names what a -fake run's account holds, so that a verb can
// default to one of them when its id flag is left out: a new user then sees
// real output without knowing an id.
type fakeSeed struct {
	// soon is a certificate that expires within days.
	soon int64
	// expired is a certificate that has expired (one delete may remove).
	expired int64
	// order is an issued order (one revoke may revoke).
	order int64
}

// fakeVerbUsage is the -fake usage of the certificate verbs.
const fakeVerbUsage = "run against an in-process fake account with a test CA, seeded with a few certificates " +
	"(one expiring within days, one expired, one uploaded) and an issued order"

// verbClient returns the client for g and a function to release it. With
// -fake and no test server it starts a fake account and seeds it (seed is
// then set); a test's own server is used as it is.
func (c *cli) verbClient(ctx context.Context, g common) (*alicert.Client, func(), *fakeSeed, error) {
	if !g.fake || c.fake != nil {
		cl, release, err := c.client(g)
		return cl, release, nil, err
	}
	// Orders are issued as soon as they exist: the seed needs one, and
	// nothing here waits for a DNS record.
	srv := alicerttest.NewServer(alicerttest.WithImmediateIssue())
	seeded := *c
	seeded.fake = srv
	cl, release, err := seeded.client(g)
	if err != nil {
		srv.Close()
		return nil, nil, nil, err
	}
	stop := func() { release(); srv.Close() }
	seed, err := seedFake(ctx, srv, cl, c.now())
	if err != nil {
		stop()
		return nil, nil, nil, fmt.Errorf("seeding the fake: %w", err)
	}
	return cl, stop, seed, nil
}

// seedFake fills a fake account: certificates that expire in 5 days (the
// one to renew), in 60 days, and 10 days ago, one uploaded certificate,
// and an issued order of its own.
func seedFake(ctx context.Context, srv *alicerttest.Server, cl *alicert.Client, now time.Time) (*fakeSeed, error) {
	cert := func(name, domain string, ends time.Duration, upload bool) int64 {
		end := now.Add(ends)
		return srv.SeedCertificate(alicerttest.SeedCertificate{
			Name: name, Domain: domain, NotBefore: end.Add(-90 * day), NotAfter: end, Upload: upload,
		})
	}
	seed := &fakeSeed{
		soon:    cert("shop", "shop.example.com", 5*day, false),
		expired: cert("old-blog", "blog.example.com", -10*day, false),
	}
	cert("api", "api.example.com", 60*day, false)
	cert("legacy-upload", "legacy.example.org", 200*day, true)
	out, err := cl.CAS.CreateCertificateRequest(ctx, &alicert.CreateCertificateRequestInput{
		Domain: "www.example.com", ValidateType: alicert.ValidateDNS,
		Username: fakeUsername, Phone: fakePhone, Email: fakeEmail,
	})
	if err != nil {
		return nil, err
	}
	seed.order = out.OrderID
	return seed, nil
}

// writeJSON writes v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	doc, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(jsonSafe(doc), '\n'))
	return err
}

// jsonTime formats a time for JSON output, "" when it is not known.
func jsonTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

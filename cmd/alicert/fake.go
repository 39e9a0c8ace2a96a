package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
)

// This file alone wires the in-process fake of -fake (package alicerttest)
// into the command: the accounts each verb's -fake runs against, and the
// client options that point a client at one.

// fakeServer is the in-process fake; cli.fake holds a test's own.
type fakeServer = alicerttest.Server

// fakeUsage is the -fake flag's usage, unless a command says more.
const fakeUsage = "run against an in-process fake of the services, with a test CA"

// fakePollInterval is the poll interval in fake mode, where the order moves
// on with every read.
const fakePollInterval = 10 * time.Millisecond

// Placeholders for the contact details of a -fake run, which orders from
// a fake only.
const (
	fakeUsername = "Fake Applicant"
	fakePhone    = "13800000000"
	fakeEmail    = "fake@example.com"
)

// fakeOldCert is the certificate the resources of a -fake deploy serve
// when -replace names none.
const fakeOldCert = 1001

// fakeOptions returns the client options of a -fake run: the test's own
// server (cli.fake), or a new fake whose orders wait for their DNS record,
// as the real CA's do, released with release.
func (c *cli) fakeOptions() (opts []alicert.Option, release func()) {
	srv, release := c.fake, func() {}
	if srv == nil {
		srv = alicerttest.NewServer(alicerttest.WithDNSCheck())
		release = srv.Close
	}
	opts = append(srv.ClientOptions(), alicert.WithRetryDelay(time.Millisecond, 10*time.Millisecond))
	return opts, release
}

// fakeAccountClient returns a client for g against a new fake made with
// opts; releasing the client closes the fake.
func (c *cli) fakeAccountClient(g common, opts ...alicerttest.Option) (*alicert.Client, func(), *fakeServer, error) {
	srv := alicerttest.NewServer(opts...)
	seeded := *c
	seeded.fake = srv
	cl, release, err := seeded.client(g)
	if err != nil {
		srv.Close()
		return nil, nil, nil, err
	}
	return cl, func() { release(); srv.Close() }, srv, nil
}

// fakeDeployClient is the client of a -fake run of obtain -deploy: an
// account with a contact, and a CDN domain and a load balancer listener for
// domain serving an old certificate.
func (c *cli) fakeDeployClient(g common, domain string) (*alicert.Client, func(), error) {
	opts := append([]alicerttest.Option{alicerttest.WithDNSCheck()}, fakeDeployAccount(domain)...)
	cl, release, _, err := c.fakeAccountClient(g, opts...)
	return cl, release, err
}

// fakeDeployAccount is the account of a -fake run with -deploy: a contact,
// and a CDN domain and a load balancer listener for domain, both serving an
// old certificate.
func fakeDeployAccount(domain string) []alicerttest.Option {
	return []alicerttest.Option{
		alicerttest.WithContact("Ops", "ops@example.com", "13800000000"),
		alicerttest.WithCloudResource(alicerttest.CloudResource{CloudProduct: "CDN", Domain: domain, CertID: fakeOldCert}),
		alicerttest.WithCloudResource(alicerttest.CloudResource{CloudProduct: "SLB", Domain: domain, InstanceID: "lb-bp1example",
			ListenerID: "lsn-bp1example@443", ListenerPort: "443", CertID: fakeOldCert}),
	}
}

// deployClient returns the client; with -fake and no test server, a fake
// account seeded with a contact, a CDN domain and a load balancer.
func (c *cli) deployClient(f deployFlags) (*alicert.Client, func(), error) {
	if !f.fake || c.fake != nil {
		return c.client(f.common)
	}
	old := f.replace
	if old <= 0 {
		old = fakeOldCert
	}
	cl, release, _, err := c.fakeAccountClient(f.common,
		alicerttest.WithContact("Ops", "ops@example.com", "13800000000"),
		alicerttest.WithCloudResource(alicerttest.CloudResource{ID: 2356, CloudProduct: "CDN", Domain: "www.example.com", CertID: old}),
		alicerttest.WithCloudResource(alicerttest.CloudResource{ID: 2357, CloudProduct: "SLB", InstanceID: "lb-bp1example",
			ListenerID: "lsn-bp1example@443", ListenerPort: "443", CertID: old}),
	)
	return cl, release, err
}

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
	cl, stop, srv, err := c.fakeAccountClient(g, alicerttest.WithImmediateIssue())
	if err != nil {
		return nil, nil, nil, err
	}
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

// pcaFake names what the Private CA of a -fake run holds, so that the pca
// commands can default to it when their id flag is left out.
type pcaFake struct {
	// subCA and root are the seeded CAs; "" in a test's own server made
	// without alicerttest.WithPrivateCA.
	subCA, root string
	// cert is a certificate the sub-CA issued (one pca revoke may revoke);
	// "" in a test's own server.
	cert string
}

// fakePCAUsage is the -fake usage of the pca commands.
const fakePCAUsage = "run against an in-process fake Private CA: a root and a sub-CA with real keys (quota 1000), " +
	"and a certificate the sub-CA issued"

// fakePCASeedID is the custom identifier of the certificate a -fake run's
// sub-CA holds from the start.
const fakePCASeedID = "alicert-fake-seed"

// pcaClient returns the client for g and a function to release it. With
// -fake and no test server it starts a fake Private CA, whose sub-CA has
// issued one certificate; a test's own server is used as it is. With
// -fake, the returned pcaFake names what the fake holds.
func (c *cli) pcaClient(ctx context.Context, g common) (*alicert.Client, func(), *pcaFake, error) {
	if !g.fake || c.fake != nil {
		cl, release, err := c.client(g)
		if err != nil || !g.fake {
			return cl, release, nil, err
		}
		p := c.fake.PrivateCA()
		return cl, release, &pcaFake{subCA: p.SubCAIdentifier, root: p.RootIdentifier}, nil
	}
	cl, stop, srv, err := c.fakeAccountClient(g, alicerttest.WithPrivateCA())
	if err != nil {
		return nil, nil, nil, err
	}
	p := srv.PrivateCA()
	seed := &pcaFake{subCA: p.SubCAIdentifier, root: p.RootIdentifier}
	if seed.cert, err = seedFakePCA(ctx, cl, seed.subCA); err != nil {
		stop()
		return nil, nil, nil, fmt.Errorf("seeding the fake: %w", err)
	}
	return cl, stop, seed, nil
}

// seedFakePCA has the fake's sub-CA issue a server certificate for
// www.example.com, valid 90 days, and returns its identifier.
func seedFakePCA(ctx context.Context, cl *alicert.Client, subCA string) (string, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", err
	}
	csr, err := pcaCSR(key, []string{"www.example.com"})
	if err != nil {
		return "", err
	}
	out, err := cl.PCA.SignCSR(ctx, &alicert.SignCSRInput{
		CAIdentifier: subCA, CSR: csr, Duration: 90 * day,
		ExtKeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, CustomIdentifier: fakePCASeedID,
	})
	if err != nil {
		return "", err
	}
	return out.Identifier, nil
}

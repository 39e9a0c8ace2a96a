package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/alicert/alicert"
)

// pcaRevokeFlags are pca revoke's flags.
type pcaRevokeFlags struct {
	common
	id      string
	yes     bool
	json    bool
	timeout time.Duration
}

const pcaRevokeDescription = `Revokes certificate -id, which a sub-CA of the Private CA issued
(CreateRevokeClientCertificate). This cannot be undone: the model warns that
"the client or server where the certificate is installed cannot establish
HTTPS connections with other devices", and the certificate is listed as
revoked (ListRevokeCertificate) for the peers that check.

Nothing is sent without -yes: the command then says what it would do and
exits 2.

It reads the certificate first (DescribeClientCertificate): one already
revoked is left as it is (exit 0). The revocation is not repeated once it
may have reached the service: after an unknown outcome (exit 3), check with
'alicert pca list -certs' (STATUS REVOKE), or run the command again, which
then finds it revoked and sends nothing. -timeout (default 10m) bounds the
read and the request, each on its own.

Exit codes: 0 revoked, or already revoked; 1 failure (no such certificate,
say); 2 usage (also: no -yes; nothing was done); 3 outcome unknown: the
certificate may have been revoked.

Credentials as for obtain. With -fake, -id defaults to the certificate the
fake's sub-CA holds.
`

// pcaStatusRevoked is the Status of a revoked Private CA certificate, as
// the models give it ("REVOKE").
const pcaStatusRevoked = "REVOKE"

func (c *cli) pcaRevoke(ctx context.Context, args []string) int {
	var f pcaRevokeFlags
	fs := c.newFlagSet("pca revoke", "pca revoke -id IDENTIFIER -yes [flags]", pcaRevokeDescription)
	f.register(fs, fakePCAUsage+"; -id defaults to that certificate")
	fs.StringVar(&f.id, "id", "", "the certificate's identifier, as 'alicert pca list -certs' shows it (required)")
	fs.BoolVar(&f.yes, "yes", false, "revoke for real: without it nothing is sent")
	fs.BoolVar(&f.json, "json", false, "print the result as JSON")
	timeoutVar(fs, &f.timeout, "give up after this long (once the revocation may have reached the service, the outcome is unknown: exit 3)")
	if code, stop := c.parse(fs, args); stop {
		return code
	}
	if code, stop := c.checkTimeout(fs, f.timeout); stop {
		return code
	}
	defaulted := f.id == "" && f.fake && c.fake == nil
	switch {
	case f.id == "" && !defaulted:
		return c.usageError(fs, "-id is required: the identifier of the certificate to revoke, as 'alicert pca list -certs' shows it")
	case f.id != "" && !printableWord(f.id):
		return c.usageError(fs, "-id %s is not a certificate identifier", quoteArg(f.id))
	case !f.yes && defaulted:
		return c.usageError(fs, "without -yes nothing was done: this would revoke the certificate the fake's sub-CA issued, "+
			"for good; add -yes to revoke it")
	case !f.yes:
		return c.usageError(fs, "without -yes nothing was done: this would revoke certificate %s for good, "+
			"and every server or client still using it would fail TLS handshakes; add -yes to revoke it", f.id)
	}
	cl, release, fk, err := c.pcaClient(ctx, f.common)
	if err != nil {
		return c.failf(exitUsage, "%v", err)
	}
	defer release()
	if defaulted {
		f.id = fk.cert
		c.errorf("-fake: revoking certificate %s, which the fake's sub-CA issued", f.id)
	}
	lookup, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	d, err := cl.PCA.DescribeClientCertificate(lookup, &alicert.DescribeClientCertificateInput{Identifier: f.id})
	if err != nil {
		return c.failf(exitFailure, "looking up certificate %s: %v; nothing was revoked", f.id, err)
	}
	already := d.Certificate.Status == pcaStatusRevoked
	if !already {
		revoke, cancel := context.WithTimeout(ctx, f.timeout)
		defer cancel()
		_, err = cl.PCA.CreateRevokeClientCertificate(revoke, &alicert.CreateRevokeClientCertificateInput{Identifier: f.id})
		switch {
		case errors.Is(err, alicert.ErrOutcomeUnknown):
			return c.failf(exitOutcomeUnknown, "%v; check with 'alicert pca list -certs' (STATUS REVOKE), or run this again: "+
				"it then finds the certificate revoked and sends nothing", err)
		case err != nil:
			return c.failf(exitFailure, "%v", err)
		}
	}
	return c.printRevoked(&f, &d.Certificate, already)
}

// pcaRevoked is the JSON form of pca revoke's result.
type pcaRevoked struct {
	Identifier string   `json:"identifier"`
	CommonName string   `json:"common_name"`
	Names      []string `json:"names"`
	Revoked    bool     `json:"revoked"`
	// AlreadyRevoked says nothing was sent: it was revoked before.
	AlreadyRevoked bool `json:"already_revoked"`
}

// printRevoked prints what pca revoke did.
func (c *cli) printRevoked(f *pcaRevokeFlags, cert *alicert.PCACertificate, already bool) int {
	res := pcaRevoked{Identifier: f.id, CommonName: cert.CommonName, Names: pemNames(cert.X509Certificate), Revoked: true, AlreadyRevoked: already}
	var err error
	switch {
	case f.json:
		err = writeJSON(c.stdout, res)
	case already:
		_, err = fmt.Fprintf(c.stdout, "certificate %s (%s) was already revoked; nothing was sent\n", f.id, shown(cert.CommonName))
	default:
		_, err = fmt.Fprintf(c.stdout, "revoked certificate %s (%s)\n", f.id, shown(cert.CommonName))
	}
	if err != nil {
		return c.failf(exitFailure, "%v", err)
	}
	return exitOK
}

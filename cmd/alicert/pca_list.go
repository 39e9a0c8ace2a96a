package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/alicert/alicert"
)

// pcaListFlags are pca list's flags.
type pcaListFlags struct {
	common
	certs    bool
	ca       string
	customID string
	json     bool
	quiet    bool
	timeout  time.Duration
}

const pcaListDescription = `Lists the Private CA's CAs, roots and sub-CAs, with their status, validity
and the certificates each sub-CA may still issue (QUOTA LEFT, of QUOTA
TOTAL): a table on stdout, or JSON with -json (an array, [] when there is
none; its objects hold each CA's certificate too, PEM).

The list is read one page at a time (DescribeCACertificateList), then each
sub-CA once (DescribeCACertificate), since only that gives its quota.

-certs lists the certificates the sub-CAs issued instead, soonest expiry
first, revoked ones included (ListClientCertificate), with the custom
identifier each was issued with: after an unknown outcome of pca issue,
-custom-id ID shows whether that certificate exists. -ca ID keeps one CA,
or with -certs the certificates it issued.

-timeout (default 10m) bounds the reading: a service that never answers,
or never ends its listing, makes the command fail then (exit 1).

Exit codes: 0 done (also when nothing matched); 1 failure; 2 usage.

Credentials as for obtain. -fake lists a fake Private CA: a root, a sub-CA
and a certificate the sub-CA issued.
`

// pcaPageSize is the page size of the Private CA listings: 20, the
// models' default ("Default value: 20"), which no model says the service
// raises. The library's iterators end a listing that does not page as
// asked.
const pcaPageSize = 20

func (c *cli) pcaList(ctx context.Context, args []string) int {
	var f pcaListFlags
	fs := c.newFlagSet("pca list", "pca list [-certs [-custom-id ID]] [-ca ID] [-json] [flags]", pcaListDescription)
	f.register(fs, fakePCAUsage)
	fs.BoolVar(&f.certs, "certs", false, "list the certificates the sub-CAs issued, not the CAs")
	fs.StringVar(&f.ca, "ca", "", "list this CA only; with -certs, the certificates it issued")
	fs.StringVar(&f.customID, "custom-id", "", "with -certs: the certificate issued with this custom identifier (pca issue prints it)")
	fs.BoolVar(&f.json, "json", false, "print a JSON array")
	fs.BoolVar(&f.quiet, "q", false, "quiet: nothing at all when nothing matches")
	timeoutVar(fs, &f.timeout, "give up reading after this long")
	if code, stop := c.parse(fs, args); stop {
		return code
	}
	if code, stop := c.checkTimeout(fs, f.timeout); stop {
		return code
	}
	switch {
	case f.customID != "" && !f.certs:
		return c.usageError(fs, "-custom-id needs -certs: it names a certificate, not a CA")
	case f.ca != "" && !printableWord(f.ca):
		return c.usageError(fs, "-ca %s is not a CA identifier", quoteArg(f.ca))
	}
	cl, release, _, err := c.pcaClient(ctx, f.common)
	if err != nil {
		return c.failf(exitUsage, "%v", err)
	}
	defer release()
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	if f.certs {
		return c.pcaListCerts(ctx, cl, &f)
	}
	return c.pcaListCAs(ctx, cl, &f)
}

// listedCA is the JSON form of one CA of pca list.
type listedCA struct {
	Identifier string `json:"identifier"`
	// ParentIdentifier is the root of a sub-CA; "" for a root.
	ParentIdentifier string `json:"parent_identifier"`
	Type             string `json:"type"`
	Status           string `json:"status"`
	CommonName       string `json:"common_name"`
	Algorithm        string `json:"algorithm"`
	NotBefore        string `json:"not_before,omitempty"`
	NotAfter         string `json:"not_after,omitempty"`
	Expires          string `json:"expires,omitempty"`
	DaysLeft         int64  `json:"days_left"`
	// QuotaLeft, QuotaTotal and Issued are a sub-CA's quota
	// (CertRemainingCount, CertTotalCount, CertIssuedCount); null for a
	// root, which issues only sub-CAs.
	QuotaLeft  *int64 `json:"quota_left"`
	QuotaTotal *int64 `json:"quota_total"`
	Issued     *int64 `json:"issued"`
	// Certificate is the CA's certificate, PEM: what peers trust (a root).
	Certificate string `json:"certificate"`
}

// pcaTypeRoot is the CertificateType of a root CA ("ROOT"; a sub-CA's is
// "SUB_ROOT").
const pcaTypeRoot = "ROOT"

// pcaListCAs lists the CAs.
func (c *cli) pcaListCAs(ctx context.Context, cl *alicert.Client, f *pcaListFlags) int {
	var cas []alicert.CAListEntry
	for ca, err := range cl.PCA.AllCACertificates(ctx, &alicert.DescribeCACertificateListInput{Identifier: f.ca, ShowSize: pcaPageSize}) {
		if err != nil {
			return c.failf(exitFailure, "%v", err)
		}
		cas = append(cas, ca)
	}
	now := c.now()
	rows := make([]listedCA, 0, len(cas))
	for _, ca := range cas {
		row := listedCA{
			Identifier: ca.Identifier, ParentIdentifier: ca.ParentIdentifier, Type: ca.CertificateType, Status: ca.Status,
			CommonName: ca.CommonName, Algorithm: caAlgorithm(ca), NotBefore: jsonTime(ca.NotBefore()), NotAfter: jsonTime(ca.NotAfter()),
			Expires: dateOf(ca.NotAfter()), DaysLeft: daysUntil(ca.NotAfter(), now), Certificate: ca.X509Certificate,
		}
		if ca.CertificateType != pcaTypeRoot {
			d, err := cl.PCA.DescribeCACertificate(ctx, &alicert.DescribeCACertificateInput{Identifier: ca.Identifier})
			if err != nil {
				return c.failf(exitFailure, "reading the quota of sub-CA %s: %v", ca.Identifier, err)
			}
			left, total, issued := d.Certificate.CertRemainingCount, d.Certificate.CertTotalCount, d.Certificate.CertIssuedCount
			row.QuotaLeft, row.QuotaTotal, row.Issued = &left, &total, &issued
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 && f.quiet {
		return exitOK
	}
	var err error
	if f.json {
		err = writeJSON(c.stdout, rows)
	} else {
		err = printCAs(c.stdout, rows)
	}
	if err != nil {
		return c.failf(exitFailure, "%v", err)
	}
	return exitOK
}

// caAlgorithm is a CA's key algorithm with its length, as RSA_2048.
func caAlgorithm(ca alicert.CAListEntry) string {
	if ca.KeySize > 0 {
		return fmt.Sprintf("%s_%d", ca.Algorithm, ca.KeySize)
	}
	return ca.Algorithm
}

// printCAs prints the CAs as a table.
func printCAs(w io.Writer, rows []listedCA) error {
	if len(rows) == 0 {
		_, err := fmt.Fprintln(w, "no CAs")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	// The headers are the JSON keys (-json), in capitals.
	fmt.Fprintln(tw, "IDENTIFIER\tTYPE\tSTATUS\tCOMMON NAME\tEXPIRES\tDAYS LEFT\tQUOTA LEFT\tQUOTA TOTAL")
	for _, r := range rows {
		left, total := "-", "-"
		if r.QuotaLeft != nil {
			left, total = fmt.Sprint(*r.QuotaLeft), fmt.Sprint(*r.QuotaTotal)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", shown(r.Identifier), shown(r.Type), shown(r.Status),
			shown(cmp.Or(r.CommonName, "-")), cmp.Or(r.Expires, "-"), daysShown(r.NotAfter, r.DaysLeft), left, total)
	}
	return tw.Flush()
}

// listedPCACert is the JSON form of one certificate of pca list -certs.
type listedPCACert struct {
	Identifier       string   `json:"identifier"`
	CustomIdentifier string   `json:"custom_identifier"`
	CA               string   `json:"ca"`
	Type             string   `json:"type"`
	CommonName       string   `json:"common_name"`
	Names            []string `json:"names"`
	SerialNumber     string   `json:"serial_number"`
	NotBefore        string   `json:"not_before,omitempty"`
	NotAfter         string   `json:"not_after,omitempty"`
	Expires          string   `json:"expires,omitempty"`
	DaysLeft         int64    `json:"days_left"`
	Status           string   `json:"status"`
}

// pcaListCerts lists the certificates the sub-CAs issued.
func (c *cli) pcaListCerts(ctx context.Context, cl *alicert.Client, f *pcaListFlags) int {
	now := c.now()
	rows := []listedPCACert{}
	for e, err := range cl.PCA.AllClientCertificates(ctx, &alicert.ListClientCertificateInput{ShowSize: pcaPageSize}) {
		if err != nil {
			return c.failf(exitFailure, "%v", err)
		}
		if f.ca != "" && e.ParentIdentifier != f.ca || f.customID != "" && e.CustomIdentifier != f.customID {
			continue
		}
		rows = append(rows, listedPCACert{
			Identifier: e.Identifier, CustomIdentifier: e.CustomIdentifier, CA: e.ParentIdentifier, Type: e.CertificateType,
			CommonName: e.CommonName, Names: pemNames(e.X509Certificate), SerialNumber: e.SerialNumber,
			NotBefore: jsonTime(e.NotBefore()), NotAfter: jsonTime(e.NotAfter()), Expires: dateOf(e.NotAfter()),
			DaysLeft: daysUntil(e.NotAfter(), now), Status: e.Status,
		})
	}
	// Soonest expiry first, as list shows the account's certificates;
	// those without an end date last.
	slices.SortStableFunc(rows, func(a, b listedPCACert) int {
		if (a.NotAfter == "") != (b.NotAfter == "") {
			if a.NotAfter == "" {
				return 1
			}
			return -1
		}
		return cmp.Compare(a.NotAfter, b.NotAfter)
	})
	if len(rows) == 0 && f.quiet {
		return exitOK
	}
	var err error
	if f.json {
		err = writeJSON(c.stdout, rows)
	} else {
		err = printPCACerts(c.stdout, rows)
	}
	if err != nil {
		return c.failf(exitFailure, "%v", err)
	}
	return exitOK
}

// printPCACerts prints the certificates as a table.
func printPCACerts(w io.Writer, rows []listedPCACert) error {
	if len(rows) == 0 {
		_, err := fmt.Fprintln(w, "no certificates")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	// The headers are the JSON keys (-json), in capitals.
	fmt.Fprintln(tw, "IDENTIFIER\tCUSTOM IDENTIFIER\tTYPE\tCOMMON NAME\tEXPIRES\tDAYS LEFT\tSTATUS")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", shown(r.Identifier), shown(cmp.Or(r.CustomIdentifier, "-")), shown(r.Type),
			shown(cmp.Or(r.CommonName, "-")), cmp.Or(r.Expires, "-"), daysShown(r.NotAfter, r.DaysLeft), shown(r.Status))
	}
	return tw.Flush()
}

// pemNames are the names of the certificate a listing gives in PEM (its
// DNS names and IP addresses), nil when it does not parse. The entries'
// Sans holds them too, but as "a string that is converted from a JSON
// array", whose example in the models is no valid JSON.
func pemNames(certPEM string) []string {
	certs, err := alicert.ParseCertificates(certPEM)
	if err != nil {
		return nil
	}
	return certNames(certs[0])
}

// dateOf is the UTC date of t, "" when t is not known.
func dateOf(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

// daysUntil counts the calendar days (UTC) from now to end, as list's
// DAYS LEFT does; 0 when end is not known.
func daysUntil(end, now time.Time) int64 {
	if end.IsZero() {
		return 0
	}
	return calendarDays(now, end)
}

// daysShown is DAYS LEFT in a table: "-" when the end is not known.
func daysShown(notAfter string, days int64) string {
	if notAfter == "" {
		return "-"
	}
	return fmt.Sprint(days)
}

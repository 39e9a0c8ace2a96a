package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/alicert/alicert"
)

// listFlags are list's flags.
type listFlags struct {
	common
	expiring daysValue
	status   string
	json     bool
	quiet    bool
	timeout  time.Duration
}

const listDescription = `Lists the account's certificates, issued and uploaded, soonest expiry
first: a table on stdout, or JSON with -json (an array, [] when nothing
matches). The inventory is read one page at a time, with a progress line on
stderr every 1000 certificates.

-expiring keeps the certificates that expire within that time, in days
("30d") or as a Go duration ("720h"); those already expired are listed too
unless -status says otherwise. From cron, "alicert list -expiring 30d -q"
prints nothing unless a certificate needs renewing.

-status picks by status, comma-separated: valid (issued or expiring soon;
the default), issued, willexpired, expired, or all. The service lists only
valid certificates unless asked for expired ones, which are then read too.

-timeout (default 10m) bounds the reading: a service that never answers,
or never ends its listing, makes list fail then (exit 1).

Exit codes: 0 done (also when nothing matched); 1 failure; 2 usage.

Credentials as for obtain. -fake lists a fake account seeded with a few
certificates, one of them expiring within days.
`

// listStatusWords maps -status words to the statuses they select.
var listStatusWords = map[string][]string{
	"valid":       {alicert.OrderStatusIssued, alicert.OrderStatusWillExpire},
	"issued":      {alicert.OrderStatusIssued},
	"willexpired": {alicert.OrderStatusWillExpire},
	"expired":     {alicert.OrderStatusExpired},
	"all":         {alicert.OrderStatusIssued, alicert.OrderStatusWillExpire, alicert.OrderStatusExpired},
}

// progressEvery is how many certificates list reads between two progress
// lines.
const progressEvery = 1000

func (c *cli) list(ctx context.Context, args []string) int {
	var f listFlags
	fs := c.newFlagSet("list", "list [-expiring 30d] [-status valid|issued|willexpired|expired|all] [-json] [flags]", listDescription)
	f.register(fs, fakeVerbUsage)
	fs.Var(&f.expiring, "expiring", `list only the certificates that expire within this time: days ("30d") or a duration ("720h")`)
	fs.StringVar(&f.status, "status", "", "statuses to list, comma-separated: valid, issued, willexpired, expired, all "+
		"(default valid; with -expiring, valid and expired)")
	fs.BoolVar(&f.json, "json", false, "print the certificates as a JSON array")
	fs.BoolVar(&f.quiet, "q", false, "quiet: no progress; nothing at all when no certificate matches (for cron)")
	timeoutVar(fs, &f.timeout, "give up reading the inventory after this long")
	if code, stop := c.parse(fs, args); stop {
		return code
	}
	if code, stop := c.checkTimeout(fs, f.timeout); stop {
		return code
	}
	expiring := flagSet(fs, "expiring")
	statuses, err := listStatuses(f.status, expiring)
	if err != nil {
		return c.usageError(fs, "-status: %v", err)
	}
	cl, release, _, err := c.verbClient(ctx, f.common)
	if err != nil {
		return c.failf(exitUsage, "%v", err)
	}
	defer release()
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	progress := c.stderr
	if f.quiet {
		progress = io.Discard
	}
	now := c.now()
	keep := func(o alicert.CertificateOrder) bool {
		return !expiring || o.ExpiresWithin(time.Duration(f.expiring), now)
	}
	certs, err := readInventory(ctx, cl, statuses, keep, progress)
	if err != nil {
		return c.failf(exitFailure, "%v", err)
	}
	if len(certs) == 0 && f.quiet {
		return exitOK
	}
	if f.json {
		err = writeJSON(c.stdout, listJSON(certs, now))
	} else {
		err = printList(c.stdout, certs, now)
	}
	if err != nil {
		return c.failf(exitFailure, "%v", err)
	}
	return exitOK
}

// listStatuses returns the statuses -status selects: valid ones by
// default, expired ones too when -expiring is given.
func listStatuses(s string, expiring bool) (map[string]bool, error) {
	words := splitList(strings.ToLower(s))
	if len(words) == 0 {
		words = []string{"valid"}
		if expiring {
			words = append(words, "expired")
		}
	}
	out := map[string]bool{}
	for _, w := range words {
		sel, ok := listStatusWords[w]
		if !ok {
			return nil, fmt.Errorf("%q is not one of valid, issued, willexpired, expired, all", w)
		}
		for _, st := range sel {
			out[st] = true
		}
	}
	return out, nil
}

// statusQueries are the Status values to list for the selected statuses:
// "" (the valid ones, in one listing) or one status, and EXPIRED apart,
// which the service lists only when asked.
func statusQueries(statuses map[string]bool) []string {
	var qs []string
	switch issued, will := statuses[alicert.OrderStatusIssued], statuses[alicert.OrderStatusWillExpire]; {
	case issued && will:
		qs = append(qs, "")
	case issued:
		qs = append(qs, alicert.OrderStatusIssued)
	case will:
		qs = append(qs, alicert.OrderStatusWillExpire)
	}
	if statuses[alicert.OrderStatusExpired] {
		qs = append(qs, alicert.OrderStatusExpired)
	}
	return qs
}

// readInventory reads the certificates of the selected statuses, issued
// (OrderType CERT) and uploaded (OrderType UPLOAD; a certificate listed by
// both counts once), keeps those keep accepts, and returns them soonest
// expiry first. Only the kept ones are held: the listing is read a page at
// a time.
func readInventory(ctx context.Context, cl *alicert.Client, statuses map[string]bool, keep func(alicert.CertificateOrder) bool,
	progress io.Writer) ([]alicert.CertificateOrder, error) {
	var kept []alicert.CertificateOrder
	seen := map[int64]bool{}
	read := 0
	for _, status := range statusQueries(statuses) {
		for _, kind := range []alicert.OrderType{alicert.OrderTypeCert, alicert.OrderTypeUpload} {
			in := &alicert.ListUserCertificateOrderInput{OrderType: kind, Status: status}
			for o, err := range cl.CAS.AllUserCertificateOrders(ctx, in) {
				if err != nil {
					return nil, err
				}
				if read++; read%progressEvery == 0 {
					fmt.Fprintf(progress, "alicert: %d certificates read\n", read)
				}
				if seen[o.CertificateID] {
					continue
				}
				seen[o.CertificateID] = true
				if keep(o) {
					kept = append(kept, o)
				}
			}
		}
	}
	slices.SortStableFunc(kept, func(a, b alicert.CertificateOrder) int {
		// Those without an end date (never the case for a certificate,
		// but the service does not promise it) go last.
		if a.NotAfter().IsZero() != b.NotAfter().IsZero() {
			if a.NotAfter().IsZero() {
				return 1
			}
			return -1
		}
		return cmp.Or(a.NotAfter().Compare(b.NotAfter()), cmp.Compare(a.CertificateID, b.CertificateID))
	})
	return kept, nil
}

// listedCert is the JSON form of one certificate of list.
type listedCert struct {
	CertID     int64    `json:"cert_id"`
	Name       string   `json:"name"`
	CommonName string   `json:"common_name"`
	Domains    []string `json:"domains"`
	Status     string   `json:"status"`
	NotBefore  string   `json:"not_before,omitempty"`
	NotAfter   string   `json:"not_after,omitempty"`
	DaysLeft   int64    `json:"days_left"`
	Domain     string   `json:"domain"`
	Expires    string   `json:"expires,omitempty"`
	Source     string   `json:"source"`
	Uploaded   bool     `json:"uploaded"`
	Issuer     string   `json:"issuer,omitempty"`
	InstanceID string   `json:"instance_id,omitempty"`
	SHA256     string   `json:"sha256,omitempty"`
}

// listJSON is the JSON form of certs.
func listJSON(certs []alicert.CertificateOrder, now time.Time) []listedCert {
	out := make([]listedCert, 0, len(certs))
	for _, o := range certs {
		out = append(out, listedCert{
			CertID: o.CertificateID, Name: o.Name, CommonName: o.CommonName, Domains: splitList(o.Sans),
			Status: o.Status, NotBefore: jsonTime(o.NotBefore()), NotAfter: jsonTime(o.NotAfter()),
			DaysLeft: daysLeft(o, now), Domain: listDomain(o), Expires: listExpires(o), Source: listSource(o), Uploaded: o.Upload, Issuer: o.Issuer, InstanceID: o.InstanceID, SHA256: o.Sha2,
		})
	}
	return out
}

// daysLeft counts the calendar days (UTC) from now to o's expiry, as the
// date a renewal tool shows: 5 for a certificate ending 5 days from now at
// any time of that day, 0 for one ending today, negative once expired (-10
// for one that ended 10 days ago), 0 when the end is not known.
func daysLeft(o alicert.CertificateOrder, now time.Time) int64 {
	end := o.NotAfter()
	if end.IsZero() {
		return 0
	}
	return calendarDays(now, end)
}

// calendarDays is the number of UTC dates from from's to to's.
func calendarDays(from, to time.Time) int64 {
	midnight := func(t time.Time) time.Time {
		y, m, d := t.UTC().Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	return int64(midnight(to).Sub(midnight(from)) / day)
}

// printList prints certs as a table.
func printList(w io.Writer, certs []alicert.CertificateOrder, now time.Time) error {
	if len(certs) == 0 {
		_, err := fmt.Fprintln(w, "no certificates")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	// The headers are the JSON keys (-json), in capitals.
	fmt.Fprintln(tw, "CERT ID\tNAME\tDOMAIN\tEXPIRES\tDAYS LEFT\tSTATUS\tSOURCE")
	for _, o := range certs {
		left := "-"
		if !o.NotAfter().IsZero() {
			left = fmt.Sprint(daysLeft(o, now))
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", o.CertificateID, shown(cmp.Or(o.Name, "-")), shown(cmp.Or(listDomain(o), "-")),
			cmp.Or(listExpires(o), "-"), left, shown(o.Status), listSource(o))
	}
	return tw.Flush()
}

// listDomain is the DOMAIN of a certificate: its common name, or its
// names when it has none.
func listDomain(o alicert.CertificateOrder) string { return cmp.Or(o.CommonName, o.Sans) }

// listExpires is the EXPIRES of a certificate: the UTC date it ends, ""
// when not known.
func listExpires(o alicert.CertificateOrder) string {
	if end := o.NotAfter(); !end.IsZero() {
		return end.UTC().Format(time.DateOnly)
	}
	return ""
}

// listSource is the SOURCE of a certificate: issued or uploaded.
func listSource(o alicert.CertificateOrder) string {
	if o.Upload {
		return "uploaded"
	}
	return "issued"
}

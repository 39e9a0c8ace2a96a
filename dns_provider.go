package alicert

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
)

// AlidnsProvider publishes DNS validation records in Alibaba Cloud DNS. It
// implements DNSProvider for Obtain. Create it with NewAlidnsProvider; it is
// safe for concurrent use.
//
// Present and CleanUp are idempotent: a record identical to the one asked
// for (same name, type and value) is reused rather than added twice, and
// CleanUp deletes only records identical to the one presented, never other
// records of the same name.
//
// The hosted domain (zone) a record name belongs to is Zone when set.
// Otherwise it is found with DescribeSubDomainRecords, asking for the name's
// parent domains from the longest to the shortest (for
// _dnsauth.a.example.com: a.example.com, then example.com) and taking the
// first one the account hosts. So a zone delegated below the registered
// domain (www.example.com hosted on its own) is found, and no DescribeDomains
// permission is needed: the RAM policy needs only
// alidns:DescribeSubDomainRecords, alidns:AddDomainRecord and
// alidns:DeleteDomainRecord.
type AlidnsProvider struct {
	// Zone, when set, is the hosted domain every record belongs to, such
	// as "example.com"; it skips the zone lookup.
	Zone string
	// TTL is the records' time to live in seconds; 0 means 600, the
	// service default (the least a free Alidns edition accepts).
	TTL int

	dns   *DNSService
	mu    sync.Mutex
	zones map[string]string // record name -> zone found for it
}

// NewAlidnsProvider returns a provider that manages records through c's
// Alibaba Cloud DNS endpoint and credentials. With a nil c it returns a
// provider whose Present and CleanUp fail with a ValidationError naming
// the missing client, rather than a provider that panics.
func NewAlidnsProvider(c *Client) *AlidnsProvider {
	if c == nil {
		return &AlidnsProvider{}
	}
	return &AlidnsProvider{dns: c.DNS}
}

// Present adds r unless an identical record exists already. When the add's
// outcome is unknown it looks again, and adds once more only when the record
// is not there (Alidns refuses an identical record, so the repeat cannot
// duplicate it).
func (p *AlidnsProvider) Present(ctx context.Context, r DNSRecord) error {
	if err := p.check(r); err != nil {
		return err
	}
	zone, rr, existing, err := p.lookup(ctx, r)
	if err != nil {
		return errorf("alicert: AlidnsProvider: presenting %s %s: %w", r.Type, r.Name, err)
	}
	if len(existing) > 0 {
		return nil
	}
	add := &AddDomainRecordInput{DomainName: zone, RR: rr, Type: strings.ToUpper(r.Type), Value: r.Value, TTL: p.TTL}
	_, err = p.dns.AddDomainRecord(ctx, add)
	switch {
	case err == nil, apiCode(err) == codeRecordDuplicate:
		return nil
	case errors.Is(err, ErrOutcomeUnknown):
		recs, lerr := p.identical(ctx, zone, rr, r)
		if lerr != nil {
			return errorf("alicert: AlidnsProvider: presenting %s %s: %w (checking afterwards also failed: %v)", r.Type, r.Name, err, lerr)
		}
		if len(recs) > 0 {
			return nil
		}
		if _, err2 := p.dns.AddDomainRecord(ctx, add); err2 != nil && apiCode(err2) != codeRecordDuplicate {
			return errorf("alicert: AlidnsProvider: presenting %s %s: %w", r.Type, r.Name, err2)
		}
		return nil
	default:
		return errorf("alicert: AlidnsProvider: presenting %s %s: %w", r.Type, r.Name, err)
	}
}

// CleanUp deletes every record identical to r (normally the one Present
// added). A record that is already gone counts as deleted, and so does one
// whose name no zone of the account holds (Present could not have added
// it).
func (p *AlidnsProvider) CleanUp(ctx context.Context, r DNSRecord) error {
	if err := p.check(r); err != nil {
		return err
	}
	_, _, recs, err := p.lookup(ctx, r)
	switch {
	case errors.Is(err, errNoZone):
		// No zone of the account holds the name: Present could not have
		// added the record, and there is nothing to remove.
		return nil
	case err != nil:
		return errorf("alicert: AlidnsProvider: cleaning up %s %s: %w", r.Type, r.Name, err)
	}
	var errs []error
	for _, rec := range recs {
		_, err := p.dns.DeleteDomainRecord(ctx, &DeleteDomainRecordInput{RecordID: rec.RecordID})
		if err != nil && !IsDNSRecordNotFound(err) {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return errorf("alicert: AlidnsProvider: cleaning up %s %s: %w", r.Type, r.Name, err)
	}
	return nil
}

// check reports a provider that cannot work (nil, a zero value, or made
// from a nil *Client: each would panic further on) and a record that
// cannot be published.
func (p *AlidnsProvider) check(r DNSRecord) error {
	var pr problems
	switch {
	case p == nil:
		pr.add("AlidnsProvider", "is nil; create it with NewAlidnsProvider(client)")
	case p.dns == nil || p.dns.client == nil:
		pr.add("AlidnsProvider", "has no client; create it with NewAlidnsProvider and a non-nil *Client")
	case p.Zone != "":
		checkDomain(&pr, "Zone", p.Zone, zoneName)
	}
	// A record name in its absolute form ("_dnsauth.example.com.") is the
	// same name; the provider sends it without the dot.
	checkDomain(&pr, "Name", strings.TrimSuffix(r.Name, "."), dnsRecordName)
	checkRecordType(&pr, "Type", r.Type, true)
	pr.required("Value", r.Value)
	if len(pr) > 0 {
		return &ValidationError{Operation: "AlidnsProvider", Fields: pr}
	}
	return nil
}

// errNoZone marks lookup's error when no zone of the account holds the
// record's name.
var errNoZone = errors.New("alicert: no hosted zone holds the name")

// markedError is err, also matching mark with errors.Is; its message is
// err's alone.
type markedError struct{ err, mark error }

func (e *markedError) Error() string { return e.err.Error() }

func (e *markedError) Unwrap() []error { return []error{e.err, e.mark} }

// lookup finds r's zone and host record, and the records identical to r.
// Its error matches errNoZone when no zone of the account holds r's name.
func (p *AlidnsProvider) lookup(ctx context.Context, r DNSRecord) (zone, rr string, recs []DomainRecord, err error) {
	name := normalizeName(r.Name)
	if zone = p.zoneFor(name); zone != "" {
		rr, err = relativeName(name, zone)
		if err != nil {
			return "", "", nil, err
		}
		recs, err = p.identical(ctx, zone, rr, r)
		if IsDNSZoneNotFound(err) {
			err = &markedError{err, errNoZone}
		}
		return zone, rr, recs, err
	}
	for _, cand := range parentDomains(name) {
		rr, _ = relativeName(name, cand)
		recs, err = p.identical(ctx, cand, rr, r)
		if IsDNSZoneNotFound(err) {
			continue
		}
		if err != nil {
			return "", "", nil, err
		}
		p.remember(name, cand)
		return cand, rr, recs, nil
	}
	return "", "", nil, &markedError{fmt.Errorf("no parent domain of %s is hosted in this account's Alibaba Cloud DNS "+
		"(set AlidnsProvider.Zone, or check the account and its RAM permissions)", name), errNoZone}
}

func (p *AlidnsProvider) zoneFor(name string) string {
	if p.Zone != "" {
		return normalizeName(p.Zone)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.zones[name]
}

func (p *AlidnsProvider) remember(name, zone string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.zones == nil {
		p.zones = make(map[string]string)
	}
	p.zones[name] = zone
}

// identical lists the records in zone with host rr, r's type and r's value,
// over every page.
func (p *AlidnsProvider) identical(ctx context.Context, zone, rr string, r DNSRecord) ([]DomainRecord, error) {
	in := &DescribeSubDomainRecordsInput{
		SubDomain: normalizeName(r.Name), DomainName: zone, Type: strings.ToUpper(r.Type), PageSize: maxDNSPageSize,
	}
	records := allPages("DescribeSubDomainRecords", 1, maxDNSPageSize, func(n int64) ([]DomainRecord, int64, error) {
		in.PageNumber = int(n)
		out, err := p.dns.DescribeSubDomainRecords(ctx, in)
		if err != nil {
			return nil, 0, err
		}
		return out.Records, out.TotalCount, nil
	})
	var same []DomainRecord
	seen := 0
	for rec, err := range records {
		if err != nil {
			return nil, err
		}
		if strings.EqualFold(rec.RR, rr) && strings.EqualFold(rec.Type, r.Type) && rec.Value == r.Value {
			same = append(same, rec)
		}
		// The bound (ten full pages) stops a service that never stops
		// answering; one name with more than a thousand records of one type
		// is not a real case.
		if seen++; seen >= 10*maxDNSPageSize {
			break
		}
	}
	return same, nil
}

// parentDomains returns the domains name may be hosted under, longest first,
// down to two labels: a.b.example.com -> b.example.com, example.com.
func parentDomains(name string) []string {
	labels := strings.Split(name, ".")
	var out []string
	for i := 1; i <= len(labels)-2; i++ {
		out = append(out, strings.Join(labels[i:], "."))
	}
	return out
}

// relativeName returns name's host record in zone ("@" for zone itself).
func relativeName(name, zone string) (string, error) {
	switch {
	case name == zone:
		return "@", nil
	case strings.HasSuffix(name, "."+zone):
		return strings.TrimSuffix(name, "."+zone), nil
	}
	return "", fmt.Errorf("%s is not in the zone %s", name, zone)
}

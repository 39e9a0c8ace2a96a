package alicerttest

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// The fake Alibaba Cloud DNS (Alidns, API version 2015-01-09) lives here:
// AddDomainRecord, DescribeSubDomainRecords and DeleteDomainRecord over an
// in-memory set of records, and the validated hook that, with WithDNSCheck,
// lets a DNS-validated order leave domain_verify only once its TXT record
// exists.

// alidnsAPI is Alibaba Cloud DNS, API version 2015-01-09.
func alidnsAPI() api {
	return api{
		product: "Alidns",
		version: "2015-01-09",
		actions: map[string]handler{
			"AddDomainRecord":          (*Server).addDomainRecord,
			"DescribeSubDomainRecords": (*Server).describeSubDomainRecords,
			"DeleteDomainRecord":       (*Server).deleteDomainRecord,
		},
	}
}

// alidnsConfig is what the DNS options set.
type alidnsConfig struct {
	zones []string // hosted zones, lower case; nil: every registered domain
	check bool     // DNS-validated orders wait for their TXT record
}

// WithDNSZones makes the fake DNS host exactly these zones (domains such as
// "example.com" or "dev.example.com"); records can be added only under
// them. Without it, every registered domain is hosted: a name with exactly
// two labels, such as example.com (so example.com.cn needs WithDNSZones).
// It may be given several times.
func WithDNSZones(zones ...string) Option {
	return func(c *config) {
		for _, z := range zones {
			c.alidns.zones = append(c.alidns.zones, normalizeName(z))
		}
	}
}

// WithDNSCheck makes a DNS-validated order wait in domain_verify until the
// TXT record its DescribeCertificateState announces (RecordDomain,
// RecordValue) exists in the fake DNS, added through AddDomainRecord (as
// alicert.AlidnsProvider does) or AddDNSRecord (for a provider of your
// own). Orders validated by FILE are not affected. Without it, orders move
// on whatever the DNS holds, for tests that do not publish records.
func WithDNSCheck() Option {
	return func(c *config) { c.alidns.check = true }
}

// DNSRecord is a record in the fake DNS, as DNSRecords reports it.
type DNSRecord struct {
	// ID is the RecordId.
	ID string
	// Zone is the hosted domain the record belongs to.
	Zone string
	// RR is the host record relative to Zone ("@" for Zone itself).
	RR string
	// Name is the fully qualified name, lower case, without trailing dot.
	Name string
	// Type is the record type, upper case.
	Type string
	// Value is the record value.
	Value string
	// TTL is the time to live in seconds.
	TTL int64
	// Priority is an MX record's priority (1 to 50), 0 for other types.
	Priority int64
	// Remark is the record's note, as the console sets it; AddDomainRecord
	// leaves it empty.
	Remark string
}

// dnsState is the fake DNS's records. It has its own lock because the
// validated hook reads it while the server's lock is held.
type dnsState struct {
	zones []string // immutable after NewServer

	mu      sync.Mutex
	records []DNSRecord // in creation order
	lastID  int64
}

// firstRecordID is where record ids start; ids are strings on the wire.
const firstRecordID = 3_000_000_000_000_000

func newDNSState(cfg alidnsConfig) *dnsState {
	return &dnsState{zones: slices.Clone(cfg.zones), lastID: firstRecordID}
}

// DNSRecords returns every record in the fake DNS, in creation order.
func (s *Server) DNSRecords() []DNSRecord {
	s.dns.mu.Lock()
	defer s.dns.mu.Unlock()
	return slices.Clone(s.dns.records)
}

// AddDNSRecord adds a record to the fake DNS directly, as a DNS provider
// other than Alidns would publish it, and returns its id. name is fully
// qualified; its zone is the longest hosted domain it belongs to. Adding a
// record identical to an existing one returns the existing id.
func (s *Server) AddDNSRecord(name, typ, value string) (string, error) {
	name = normalizeName(name)
	d := s.dns
	zone := d.zoneOf(name)
	if zone == "" {
		return "", fmt.Errorf("alicerttest: AddDNSRecord: no hosted zone holds %q", name)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	rec := DNSRecord{Zone: zone, RR: relative(name, zone), Name: name, Type: strings.ToUpper(typ), Value: value, TTL: 600}
	if i := d.find(rec); i >= 0 {
		return d.records[i].ID, nil
	}
	return d.insert(rec), nil
}

// DeleteDNSRecords removes every record with this name, type and value from
// the fake DNS and returns how many it removed.
func (s *Server) DeleteDNSRecords(name, typ, value string) int {
	name, typ = normalizeName(name), strings.ToUpper(typ)
	d := s.dns
	d.mu.Lock()
	defer d.mu.Unlock()
	n := len(d.records)
	d.records = slices.DeleteFunc(d.records, func(r DNSRecord) bool {
		return r.Name == name && r.Type == typ && r.Value == value
	})
	return n - len(d.records)
}

// dnsValidated is the server's validated hook: a DNS-validated order is
// validated once its TXT record exists. It runs with s.mu held and takes
// only the DNS lock.
func (s *Server) dnsValidated(o *order) bool {
	if !strings.EqualFold(o.validateType, "DNS") {
		return true
	}
	name := normalizeName(o.recordDomain())
	d := s.dns
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, r := range d.records {
		if r.Name == name && r.Type == "TXT" && r.Value == o.token {
			return true
		}
	}
	return false
}

// hosts reports whether zone is hosted.
func (d *dnsState) hosts(zone string) bool {
	if d.zones == nil {
		return strings.Count(zone, ".") == 1 && !strings.HasPrefix(zone, ".") && !strings.HasSuffix(zone, ".")
	}
	return slices.Contains(d.zones, zone)
}

// zoneOf returns the longest hosted zone holding name, or "".
func (d *dnsState) zoneOf(name string) string {
	for z := name; z != ""; {
		if d.hosts(z) {
			return z
		}
		i := strings.IndexByte(z, '.')
		if i < 0 {
			break
		}
		z = z[i+1:]
	}
	return ""
}

// find returns the index of a record identical to r (zone, host, type,
// value and line), or -1. Called with d.mu held.
func (d *dnsState) find(r DNSRecord) int {
	return slices.IndexFunc(d.records, func(x DNSRecord) bool {
		return x.Zone == r.Zone && strings.EqualFold(x.RR, r.RR) && x.Type == r.Type && x.Value == r.Value
	})
}

// insert stores r with a new id. Called with d.mu held.
func (d *dnsState) insert(r DNSRecord) string {
	d.lastID += 1 + randomInt(1000)
	r.ID = strconv.FormatInt(d.lastID, 10)
	d.records = append(d.records, r)
	return r.ID
}

// normalizeName lower-cases a domain name and drops a trailing dot.
func normalizeName(s string) string {
	return strings.ToLower(strings.TrimSuffix(strings.TrimSpace(s), "."))
}

// relative returns name's host record in zone.
func relative(name, zone string) string {
	if name == zone {
		return "@"
	}
	return strings.TrimSuffix(name, "."+zone)
}

// dnsRecordTypes are the types AddDomainRecord accepts.
var dnsRecordTypes = []string{"A", "AAAA", "CNAME", "MX", "TXT", "NS", "SRV", "CAA", "REDIRECT_URL", "FORWARD_URL"}

func domainNotHosted(name string) *apiError {
	return &apiError{http.StatusBadRequest, "InvalidDomainName.NoExist",
		fmt.Sprintf("The specified domain name %q does not exist in this account.", name)}
}

func checkRecordType(t string, required bool) *apiError {
	switch {
	case t == "" && required:
		return missing("Type")
	case t != "" && !slices.Contains(dnsRecordTypes, strings.ToUpper(t)):
		return invalid("Type", fmt.Sprintf("%q is not a record type", t))
	}
	return nil
}

// validRR accepts "@" or dot-separated labels of letters, digits, '-', '_'
// and '*'.
func validRR(rr string) bool {
	if rr == "@" {
		return true
	}
	for _, label := range strings.Split(rr, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '*') {
				return false
			}
		}
	}
	return true
}

type addDomainRecordResponse struct {
	RequestID string `json:"RequestId"`
	RecordID  string `json:"RecordId"`
}

// addDomainRecord adds a record; an identical one is refused, as the
// service does, with DomainRecordDuplicate.
func (s *Server) addDomainRecord(c *call) (any, *apiError) {
	for _, p := range []string{"DomainName", "RR", "Type", "Value"} {
		if c.get(p) == "" {
			return nil, missing(p)
		}
	}
	zone := normalizeName(c.get("DomainName"))
	if !s.dns.hosts(zone) {
		return nil, domainNotHosted(zone)
	}
	rr := c.get("RR")
	if !validRR(rr) {
		return nil, &apiError{http.StatusBadRequest, "InvalidRR.Format", fmt.Sprintf("The host record %q is not valid.", rr)}
	}
	if e := checkRecordType(c.get("Type"), true); e != nil {
		return nil, e
	}
	ttl := int64(600)
	if v := c.get("TTL"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 || n > 86400 {
			return nil, invalid("TTL", fmt.Sprintf("%q is not a TTL from 1 to 86400", v))
		}
		ttl = n
	}
	var priority int64
	if strings.EqualFold(c.get("Type"), "MX") {
		v := c.get("Priority")
		if v == "" {
			return nil, missing("Priority")
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 || n > 50 {
			return nil, invalid("Priority", fmt.Sprintf("%q is not a priority from 1 to 50", v))
		}
		priority = n
	}
	name := zone
	if rr != "@" {
		name = strings.ToLower(rr) + "." + zone
	}
	rec := DNSRecord{Zone: zone, RR: rr, Name: name, Type: strings.ToUpper(c.get("Type")), Value: c.get("Value"), TTL: ttl, Priority: priority}
	d := s.dns
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.find(rec) >= 0 {
		return nil, &apiError{http.StatusBadRequest, "DomainRecordDuplicate", "The DNS record already exists."}
	}
	return addDomainRecordResponse{RequestID: c.requestID, RecordID: d.insert(rec)}, nil
}

// wireRecord is one record as DescribeSubDomainRecords returns it.
type wireRecord struct {
	DomainName string `json:"DomainName"`
	RecordID   string `json:"RecordId"`
	RR         string `json:"RR"`
	Type       string `json:"Type"`
	Value      string `json:"Value"`
	TTL        int64  `json:"TTL"`
	Line       string `json:"Line"`
	Status     string `json:"Status"`
	Locked     bool   `json:"Locked"`
	Weight     int    `json:"Weight"`
	Priority   int64  `json:"Priority,omitempty"` // MX records only, as the service sends it
	Remark     string `json:"Remark,omitempty"`
}

type describeSubDomainRecordsResponse struct {
	RequestID     string `json:"RequestId"`
	TotalCount    int64  `json:"TotalCount"`
	PageNumber    int64  `json:"PageNumber"`
	PageSize      int64  `json:"PageSize"`
	DomainRecords struct {
		Record []wireRecord `json:"Record"`
	} `json:"DomainRecords"`
}

// describeSubDomainRecords lists the records of one name. Without
// DomainName the zone is the name's registered domain (its last two
// labels), as the service documents.
func (s *Server) describeSubDomainRecords(c *call) (any, *apiError) {
	sub := normalizeName(c.get("SubDomain"))
	if sub == "" {
		return nil, missing("SubDomain")
	}
	zone := normalizeName(c.get("DomainName"))
	if zone == "" {
		labels := strings.Split(sub, ".")
		zone = strings.Join(labels[max(len(labels)-2, 0):], ".")
	}
	if !s.dns.hosts(zone) {
		return nil, domainNotHosted(zone)
	}
	if sub != zone && !strings.HasSuffix(sub, "."+zone) {
		return nil, invalid("SubDomain", fmt.Sprintf("%q is not under the domain %q", sub, zone))
	}
	typ := c.get("Type")
	if e := checkRecordType(typ, false); e != nil {
		return nil, e
	}
	page, size, e := pageParams(c)
	if e != nil {
		return nil, e
	}
	rr := relative(sub, zone)
	d := s.dns
	d.mu.Lock()
	var match []wireRecord
	for _, r := range d.records {
		if r.Zone == zone && strings.EqualFold(r.RR, rr) && (typ == "" || strings.EqualFold(r.Type, typ)) {
			match = append(match, wireRecord{DomainName: r.Zone, RecordID: r.ID, RR: r.RR, Type: r.Type,
				Value: r.Value, TTL: r.TTL, Line: "default", Status: "ENABLE", Weight: 1, Priority: r.Priority, Remark: r.Remark})
		}
	}
	d.mu.Unlock()
	out := describeSubDomainRecordsResponse{RequestID: c.requestID, TotalCount: int64(len(match)), PageNumber: page, PageSize: size}
	from := min((page-1)*size, int64(len(match)))
	out.DomainRecords.Record = match[from:min(from+size, int64(len(match)))]
	if out.DomainRecords.Record == nil {
		out.DomainRecords.Record = []wireRecord{}
	}
	return out, nil
}

// pageParams reads PageNumber (default 1) and PageSize (default 20, at
// most 100).
func pageParams(c *call) (page, size int64, e *apiError) {
	page, size = 1, 20
	if v := c.get("PageNumber"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return 0, 0, invalid("PageNumber", fmt.Sprintf("%q is not a page number", v))
		}
		page = n
	}
	if v := c.get("PageSize"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 || n > 100 {
			return 0, 0, invalid("PageSize", fmt.Sprintf("%q is not a page size from 1 to 100", v))
		}
		size = n
	}
	return page, size, nil
}

type deleteDomainRecordResponse struct {
	RequestID string `json:"RequestId"`
	RecordID  string `json:"RecordId"`
}

// deleteDomainRecord removes a record by id.
func (s *Server) deleteDomainRecord(c *call) (any, *apiError) {
	id := c.get("RecordId")
	if id == "" {
		return nil, missing("RecordId")
	}
	d := s.dns
	d.mu.Lock()
	defer d.mu.Unlock()
	i := slices.IndexFunc(d.records, func(r DNSRecord) bool { return r.ID == id })
	if i < 0 {
		return nil, &apiError{http.StatusBadRequest, "DomainRecordNotBelongToUser",
			"The DNS record does not exist or does not belong to this account."}
	}
	d.records = slices.Delete(d.records, i, i+1)
	return deleteDomainRecordResponse{RequestID: c.requestID, RecordID: id}, nil
}

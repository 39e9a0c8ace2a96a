package alicerttest

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The fake Alibaba Cloud DNS (Alidns, API version 2015-01-09) lives here:
// AddDomainRecord, DescribeSubDomainRecords, DescribeDomainRecords,
// DescribeDomains and DeleteDomainRecord over an in-memory set of records, and the validated hook that, with WithDNSCheck,
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
			"DescribeDomains":          (*Server).describeDomains,
			"DescribeDomainRecords":    (*Server).describeDomainRecords,
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
	// Created is when the record was added, by the server's clock.
	Created time.Time
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
	rec := DNSRecord{Zone: zone, RR: relative(name, zone), Name: name, Type: strings.ToUpper(typ), Value: value, TTL: 600, Created: s.cfg.now()}
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
	rec := DNSRecord{Zone: zone, RR: rr, Name: name, Type: strings.ToUpper(c.get("Type")), Value: c.get("Value"), TTL: ttl, Priority: priority, Created: c.now}
	d := s.dns
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.find(rec) >= 0 {
		return nil, &apiError{http.StatusBadRequest, "DomainRecordDuplicate", "The DNS record already exists."}
	}
	return addDomainRecordResponse{RequestID: c.requestID, RecordID: d.insert(rec)}, nil
}

// wireRecord is one record as DescribeSubDomainRecords and
// DescribeDomainRecords return it.
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
	Weight     int32  `json:"Weight"`
	Priority   int64  `json:"Priority,omitempty"` // MX records only, as the service sends it
	Remark     string `json:"Remark,omitempty"`
	// DescribeDomainRecords only (its model has them, the sub-domain
	// listing's does not).
	CreateTimestamp int64 `json:"CreateTimestamp,omitempty"`
	UpdateTimestamp int64 `json:"UpdateTimestamp,omitempty"`
	LbaStatus       *bool `json:"LbaStatus,omitempty"`
}

// toWire is r as the listings return it: enabled, on the default line,
// unlocked, weight 1 (the fake has no load balancing, line or pausing).
func (r DNSRecord) toWire() wireRecord {
	return wireRecord{DomainName: r.Zone, RecordID: r.ID, RR: r.RR, Type: r.Type,
		Value: r.Value, TTL: r.TTL, Line: "default", Status: "ENABLE", Weight: 1, Priority: r.Priority, Remark: r.Remark}
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
	page, size, e := dnsPage(c, maxSubDomainRecordsPageSize)
	if e != nil {
		return nil, e
	}
	rr := relative(sub, zone)
	d := s.dns
	d.mu.Lock()
	var match []wireRecord
	for _, r := range d.records {
		if r.Zone == zone && strings.EqualFold(r.RR, rr) && (typ == "" || strings.EqualFold(r.Type, typ)) {
			match = append(match, r.toWire())
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

// hostedZones lists the zones DescribeDomains reports: those of
// WithDNSZones, or without it (when every registered domain is hosted) the
// zones that hold a record, which is the fake's own choice.
func (d *dnsState) hostedZones() []string {
	if d.zones != nil {
		return slices.Clone(d.zones)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	var zones []string
	for _, r := range d.records {
		if !slices.Contains(zones, r.Zone) {
			zones = append(zones, r.Zone)
		}
	}
	return zones
}

// wireDomain is one domain as DescribeDomains returns it, with every field
// of its model.
type wireDomain struct {
	DomainID        string `json:"DomainId"`
	DomainName      string `json:"DomainName"`
	PunyCode        string `json:"PunyCode"`
	AliDomain       bool   `json:"AliDomain"`
	CreateTime      string `json:"CreateTime"`
	CreateTimestamp int64  `json:"CreateTimestamp"`
	DNSServers      struct {
		DNSServer []string `json:"DnsServer"`
	} `json:"DnsServers"`
	DomainLoggingSwitchStatus string `json:"DomainLoggingSwitchStatus"`
	GroupID                   string `json:"GroupId"`
	GroupName                 string `json:"GroupName"`
	InstanceEndTime           string `json:"InstanceEndTime"`
	InstanceExpired           bool   `json:"InstanceExpired"`
	InstanceID                string `json:"InstanceId"`
	RecordCount               int64  `json:"RecordCount"`
	RegistrantEmail           string `json:"RegistrantEmail"`
	Remark                    string `json:"Remark"`
	ResourceGroupID           string `json:"ResourceGroupId"`
	SlaveDNSStatus            string `json:"SlaveDnsStatus"`
	Starmark                  bool   `json:"Starmark"`
	Tags                      struct {
		Tag []wireTag `json:"Tag"`
	} `json:"Tags"`
	VersionCode string `json:"VersionCode"`
	VersionName string `json:"VersionName"`
}

type wireTag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type describeDomainsResponse struct {
	RequestID  string `json:"RequestId"`
	TotalCount int64  `json:"TotalCount"`
	PageNumber int64  `json:"PageNumber"`
	PageSize   int64  `json:"PageSize"`
	Domains    struct {
		Domain []wireDomain `json:"Domain"`
	} `json:"Domains"`
}

// Limits of the listings, from the Alidns 2015-01-09 model: DescribeDomains
// "The maximum value is 100. The default value is 20", DescribeDomainRecords
// "Maximum value: 500. Default value: 20", DescribeSubDomainRecords
// "Maximum value: 100. Default value: 20".
const (
	maxDomainsPageSize          = 100
	maxSubDomainRecordsPageSize = 100
	maxRecordsPageSize          = 500
	defaultDNSPageSize          = 20
)

// describeDomains lists the hosted zones, one page at a time, filtered as
// the model documents: KeyWord ("%KeyWord%", not case-sensitive, or exact
// with SearchMode EXACT), GroupId (empty and defaultGroup list every zone:
// the fake's zones are all in the default group) and ResourceGroupId (the
// fake's zones are in none, so any value lists nothing).
func (s *Server) describeDomains(c *call) (any, *apiError) {
	page, size, e := dnsPage(c, maxDomainsPageSize)
	if e != nil {
		return nil, e
	}
	mode := strings.ToUpper(c.get("SearchMode"))
	if mode != "" && mode != "LIKE" && mode != "EXACT" {
		return nil, invalid("SearchMode", fmt.Sprintf("%q is not LIKE or EXACT", c.get("SearchMode")))
	}
	if e := boolParam(c, "Starmark"); e != nil {
		return nil, e
	}
	if e := langParam(c); e != nil {
		return nil, e
	}
	keyword := strings.ToLower(c.get("KeyWord"))
	group := c.get("GroupId")
	var match []wireDomain
	for _, zone := range s.dns.hostedZones() {
		switch {
		case group != "" && group != "defaultGroup",
			c.get("ResourceGroupId") != "",
			keyword != "" && mode == "EXACT" && zone != keyword,
			keyword != "" && mode != "EXACT" && !strings.Contains(zone, keyword):
			continue
		}
		match = append(match, s.domainOf(zone))
	}
	out := describeDomainsResponse{RequestID: c.requestID, TotalCount: int64(len(match)), PageNumber: page, PageSize: size}
	out.Domains.Domain = pageSlice(match, page, size)
	return out, nil
}

// domainOf describes a hosted zone. Its id is derived from the name, so
// that it is stable; its dates are the server's start.
func (s *Server) domainOf(zone string) wireDomain {
	created := s.started
	d := wireDomain{
		DomainID: fmt.Sprintf("%08x-0000-4000-8000-%012x", len(zone), fnv(zone)), DomainName: zone, PunyCode: zone,
		AliDomain: false, CreateTime: created.UTC().Format("2006-01-02T15:04Z"), CreateTimestamp: created.UnixMilli(),
		DomainLoggingSwitchStatus: "CLOSE", GroupID: "defaultGroup", GroupName: "defaultGroup",
		InstanceEndTime: "", InstanceExpired: false, InstanceID: "dns-free-" + zone,
		RegistrantEmail: "", SlaveDNSStatus: "CLOSE", VersionCode: "mianfei", VersionName: "Alibaba Cloud DNS Free Edition",
	}
	d.DNSServers.DNSServer = []string{"dns1.hichina.com", "dns2.hichina.com"}
	d.Tags.Tag = []wireTag{}
	s.dns.mu.Lock()
	for _, r := range s.dns.records {
		if r.Zone == zone {
			d.RecordCount++
		}
	}
	s.dns.mu.Unlock()
	return d
}

// fnv is the 48-bit FNV-1a hash of s, for stable made-up ids.
func fnv(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h & (1<<48 - 1)
}

type describeDomainRecordsResponse = describeSubDomainRecordsResponse

// describeDomainRecords lists the records of a hosted zone, one page at a
// time, newest first (Direction DESC, the default) or oldest first (ASC),
// filtered as the model documents: with SearchMode LIKE or EXACT (LIKE the
// default when KeyWord is given), KeyWord matches the host record or the
// value, and the other filters are ignored; otherwise RRKeyWord and
// ValueKeyWord match a part of the host record and value, not
// case-sensitive (exactly with SearchMode COMBINATION), and TypeKeyWord,
// Type, Line and Status match exactly. GroupId 0 lists nothing, as the
// model says; the fake's records are all on line "default" and enabled.
func (s *Server) describeDomainRecords(c *call) (any, *apiError) {
	zone := normalizeName(c.get("DomainName"))
	if zone == "" {
		return nil, missing("DomainName")
	}
	if !s.dns.hosts(zone) {
		return nil, domainNotHosted(zone)
	}
	page, size, e := dnsPage(c, maxRecordsPageSize)
	if e != nil {
		return nil, e
	}
	f, e := newRecordFilter(c)
	if e != nil {
		return nil, e
	}
	d := s.dns
	d.mu.Lock()
	var match []wireRecord
	for _, r := range d.records {
		if r.Zone == zone && f.keep(r) {
			w := r.toWire()
			w.CreateTimestamp, w.UpdateTimestamp = r.Created.UnixMilli(), r.Created.UnixMilli()
			lba := false
			w.LbaStatus = &lba
			match = append(match, w)
		}
	}
	d.mu.Unlock()
	if f.descending {
		slices.Reverse(match) // records are kept oldest first
	}
	out := describeDomainRecordsResponse{RequestID: c.requestID, TotalCount: int64(len(match)), PageNumber: page, PageSize: size}
	out.DomainRecords.Record = pageSlice(match, page, size)
	return out, nil
}

// recordFilter is DescribeDomainRecords' filters.
type recordFilter struct {
	mode                                 string // LIKE, EXACT, ADVANCED, COMBINATION or ""
	keyword, rr, value, typeKeyword, typ string // lower case
	line, status                         string
	emptyGroup, descending               bool
}

func newRecordFilter(c *call) (recordFilter, *apiError) {
	f := recordFilter{
		mode: strings.ToUpper(c.get("SearchMode")), keyword: strings.ToLower(c.get("KeyWord")),
		rr: strings.ToLower(c.get("RRKeyWord")), value: strings.ToLower(c.get("ValueKeyWord")),
		typeKeyword: strings.ToLower(c.get("TypeKeyWord")), typ: strings.ToLower(c.get("Type")),
		line: c.get("Line"), status: strings.ToUpper(c.get("Status")), descending: true,
	}
	switch f.mode {
	case "", "LIKE", "EXACT", "ADVANCED", "COMBINATION":
	default:
		return f, invalid("SearchMode", fmt.Sprintf("%q is not LIKE, EXACT, ADVANCED or COMBINATION", c.get("SearchMode")))
	}
	if f.mode == "" && f.keyword != "" {
		f.mode = "LIKE"
	}
	switch strings.ToUpper(c.get("Direction")) {
	case "", "DESC":
	case "ASC":
		f.descending = false
	default:
		return f, invalid("Direction", fmt.Sprintf("%q is not DESC or ASC", c.get("Direction")))
	}
	switch f.status {
	case "", "ENABLE", "DISABLE":
	default:
		return f, invalid("Status", fmt.Sprintf("%q is not Enable or Disable", c.get("Status")))
	}
	if e := checkRecordType(c.get("Type"), false); e != nil {
		return f, e
	}
	if v := c.get("GroupId"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return f, invalid("GroupId", fmt.Sprintf("%q is not a group id", v))
		}
		f.emptyGroup = n == 0
	}
	return f, langParam(c)
}

// keep reports whether r passes the filters.
func (f recordFilter) keep(r DNSRecord) bool {
	rr, value := strings.ToLower(r.RR), strings.ToLower(r.Value)
	switch {
	case f.emptyGroup:
		return false
	case f.mode == "LIKE":
		return f.keyword == "" || strings.Contains(rr, f.keyword) || strings.Contains(value, f.keyword)
	case f.mode == "EXACT":
		return f.keyword == "" || rr == f.keyword || value == f.keyword
	}
	match := func(got, want string) bool {
		if f.mode == "COMBINATION" {
			return want == "" || got == want
		}
		return want == "" || strings.Contains(got, want)
	}
	typ := strings.ToLower(r.Type)
	return match(rr, f.rr) && match(value, f.value) &&
		(f.typeKeyword == "" || typ == f.typeKeyword) && (f.typ == "" || typ == f.typ) &&
		(f.line == "" || f.line == "default") && (f.status == "" || f.status == "ENABLE")
}

// dnsPage reads PageNumber (default 1) and PageSize (default 20, at most
// maxSize).
func dnsPage(c *call, maxSize int64) (page, size int64, e *apiError) {
	page, size = 1, defaultDNSPageSize
	if v := c.get("PageNumber"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return 0, 0, invalid("PageNumber", fmt.Sprintf("%q is not a page number", v))
		}
		page = n
	}
	if v := c.get("PageSize"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 || n > maxSize {
			return 0, 0, invalid("PageSize", fmt.Sprintf("%q is not a page size from 1 to %d", v, maxSize))
		}
		size = n
	}
	return page, size, nil
}

// pageSlice returns one page of list, never nil (an empty page is an
// empty JSON array), and empty for a page past the end however large its
// number.
func pageSlice[T any](list []T, page, size int64) []T {
	if page-1 >= int64(len(list))/size+1 {
		return []T{}
	}
	from := min((page-1)*size, int64(len(list)))
	return append([]T{}, list[from:min(from+size, int64(len(list)))]...)
}

func boolParam(c *call, name string) *apiError {
	switch v := c.get(name); v {
	case "", "true", "false":
		return nil
	default:
		return invalid(name, fmt.Sprintf("%q is not true or false", v))
	}
}

func langParam(c *call) *apiError {
	switch v := c.get("Lang"); v {
	case "", "zh", "en":
		return nil
	default:
		return invalid("Lang", fmt.Sprintf("%q is not zh or en", v))
	}
}

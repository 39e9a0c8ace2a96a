package alicert

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// dnsRecordTypes are the record types AddDomainRecord documents.
var dnsRecordTypes = []string{
	"A", "AAAA", "CNAME", "MX", "TXT", "NS", "SRV", "CAA", "REDIRECT_URL", "FORWARD_URL",
}

// isDNSRecordType reports whether t is a documented type; the service
// compares types case-insensitively.
func isDNSRecordType(t string) bool {
	for _, k := range dnsRecordTypes {
		if strings.EqualFold(t, k) {
			return true
		}
	}
	return false
}

// AddDomainRecordInput is the input of AddDomainRecord.
type AddDomainRecordInput struct {
	// DomainName is the domain (zone) hosted in Alibaba Cloud DNS, such as
	// "example.com".
	DomainName string `url:"DomainName"`
	// RR is the host record relative to DomainName: "www", "_dnsauth.www",
	// or "@" for DomainName itself (never empty).
	RR string `url:"RR"`
	// Type is the record type: "TXT", "CNAME", "A", ...
	Type string `url:"Type"`
	// Value is the record value.
	Value string `url:"Value"`
	// TTL is the time to live in seconds; 0 means the service default (600).
	TTL int `url:"TTL,omitempty"`
	// Priority is the MX priority, 1 to 50; required for MX records only.
	Priority int `url:"Priority,omitempty"`
	// Line is the resolution line; empty means "default".
	Line string `url:"Line,omitempty"`
}

func (in *AddDomainRecordInput) validate() []FieldError {
	var p problems
	checkDomain(&p, "DomainName", in.DomainName, zoneName)
	checkRR(&p, "RR", in.RR)
	checkRecordType(&p, "Type", in.Type, true)
	p.required("Value", in.Value)
	if in.TTL < 0 || in.TTL > 86400 {
		p.add("TTL", fmt.Sprintf("%d is not a TTL; use 1 to 86400 seconds, or 0 for the default", in.TTL))
	}
	switch {
	case in.Priority < 0 || in.Priority > 50:
		p.add("Priority", fmt.Sprintf("%d is out of range; MX priorities are 1 to 50", in.Priority))
	case strings.EqualFold(in.Type, "MX") && in.Priority == 0:
		p.add("Priority", "is required for an MX record (1 to 50)")
	}
	return p
}

// checkRR reports a host record that is not "@" or a relative name; its
// characters follow the domain rule, so that nothing invisible or
// look-alike reaches the zone.
func checkRR(p *problems, field, rr string) {
	switch {
	case strings.TrimSpace(rr) == "":
		p.add(field, `is required; use "@" for the domain itself`)
	case domainRuneProblem(rr) != "":
		p.add(field, domainRuneProblem(rr))
	case strings.ContainsAny(rr, " \t\r\n/:,;"):
		p.add(field, quote(rr)+" is not a host record")
	}
}

func checkRecordType(p *problems, field, t string, required bool) {
	switch {
	case t == "" && required:
		p.add(field, "is required; one of "+strings.Join(dnsRecordTypes, ", "))
	case t != "" && !isDNSRecordType(t):
		p.add(field, fmt.Sprintf("%s is not one of %s", quote(t), strings.Join(dnsRecordTypes, ", ")))
	}
}

// AddDomainRecordOutput is the output of AddDomainRecord.
type AddDomainRecordOutput struct {
	// RecordID identifies the new record; pass it to DeleteDomainRecord.
	RecordID string `json:"RecordId"`
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string `json:"RequestId"`
}

func (o *AddDomainRecordOutput) missingID() string {
	if o.RecordID == "" {
		return "the response has no RecordId"
	}
	return ""
}

var opAddDomainRecord = &operation{
	action: "AddDomainRecord",
	api:    apiAlidns,
	kind:   opCreate,
	unknownHint: "the DNS record may have been added; look for it with DescribeSubDomainRecords " +
		"(or in the DNS console) before adding it again",
}

// AddDomainRecord adds a DNS record to a domain hosted in Alibaba Cloud DNS.
// The service refuses a record identical to an existing one with the error
// code DomainRecordDuplicate ("The domain record is duplicated.", the API
// reference's error codes).
//
// Like every create, it is not retried once the request may have reached the
// service: such a failure matches ErrOutcomeUnknown.
//
// API reference: https://www.alibabacloud.com/help/en/dns/api-alidns-2015-01-09-adddomainrecord
func (s *DNSService) AddDomainRecord(ctx context.Context, in *AddDomainRecordInput) (*AddDomainRecordOutput, error) {
	return invoke[AddDomainRecordOutput](ctx, s.owner(), opAddDomainRecord, in)
}

// maxDNSPageSize is the largest PageSize DescribeSubDomainRecords accepts:
// "Maximum value: **100**" (the model's PageSize).
const maxDNSPageSize = 100

// DescribeSubDomainRecordsInput is the input of DescribeSubDomainRecords.
type DescribeSubDomainRecordsInput struct {
	// SubDomain is the full name whose records to list, such as
	// "_dnsauth.www.example.com".
	SubDomain string `url:"SubDomain"`
	// DomainName is the hosted domain (zone) SubDomain belongs to. Empty
	// lets the service pick the registered domain (example.com for
	// a.www.example.com); set it for a zone hosted below that, such as
	// www.example.com.
	DomainName string `url:"DomainName,omitempty"`
	// Type filters by record type; empty lists every type.
	Type string `url:"Type,omitempty"`
	// Line filters by resolution line.
	Line string `url:"Line,omitempty"`
	// PageNumber is the page, from 1 (0 means 1).
	PageNumber int `url:"PageNumber,omitempty"`
	// PageSize is the records per page, at most 100 (0 means 20).
	PageSize int `url:"PageSize,omitempty"`
}

func (in *DescribeSubDomainRecordsInput) validate() []FieldError {
	var p problems
	checkDomain(&p, "SubDomain", in.SubDomain, dnsRecordName)
	if in.DomainName != "" {
		checkDomain(&p, "DomainName", in.DomainName, zoneName)
	}
	checkRecordType(&p, "Type", in.Type, false)
	p.pageNumber("PageNumber", int64(in.PageNumber))
	p.pageSize("PageSize", int64(in.PageSize), maxDNSPageSize)
	return p
}

// DomainRecord is one DNS record as DescribeSubDomainRecords lists it.
type DomainRecord struct {
	// DomainName is the hosted domain (zone) the record belongs to.
	DomainName string `json:"DomainName"`
	// RecordID identifies the record.
	RecordID string `json:"RecordId"`
	// RR is the host record relative to DomainName ("@" for the domain).
	RR string `json:"RR"`
	// Type is the record type.
	Type string `json:"Type"`
	// Value is the record value.
	Value string `json:"Value"`
	// TTL is the time to live in seconds.
	TTL int64 `json:"TTL"`
	// Priority is the MX priority.
	Priority int64 `json:"Priority"`
	// Line is the resolution line.
	Line string `json:"Line"`
	// Status is "ENABLE" or "DISABLE".
	Status string `json:"Status"`
	// Locked reports whether the record is locked against changes.
	Locked bool `json:"Locked"`
	// Weight is the load-balancing weight.
	Weight int64 `json:"Weight"`
	// Remark is the record's note.
	Remark string `json:"Remark"`
}

// DescribeSubDomainRecordsOutput is the output of DescribeSubDomainRecords.
type DescribeSubDomainRecordsOutput struct {
	// TotalCount is the number of matching records over all pages.
	TotalCount int64
	// PageNumber is this page's number.
	PageNumber int64
	// PageSize is the page size used.
	PageSize int64
	// Records are this page's records (DomainRecords.Record on the wire).
	Records []DomainRecord
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string
}

// UnmarshalJSON flattens the wire form {"DomainRecords":{"Record":[...]}}.
func (o *DescribeSubDomainRecordsOutput) UnmarshalJSON(b []byte) error {
	var wire struct {
		TotalCount    int64  `json:"TotalCount"`
		PageNumber    int64  `json:"PageNumber"`
		PageSize      int64  `json:"PageSize"`
		RequestID     string `json:"RequestId"`
		DomainRecords struct {
			Record []DomainRecord `json:"Record"`
		} `json:"DomainRecords"`
	}
	if err := json.Unmarshal(b, &wire); err != nil {
		return err
	}
	*o = DescribeSubDomainRecordsOutput{
		TotalCount: wire.TotalCount, PageNumber: wire.PageNumber, PageSize: wire.PageSize,
		Records: wire.DomainRecords.Record, RequestID: wire.RequestID,
	}
	return nil
}

var opDescribeSubDomainRecords = &operation{action: "DescribeSubDomainRecords", api: apiAlidns, kind: opIdempotent}

// DescribeSubDomainRecords lists the DNS records of one name. It is a read:
// retried on throttling, 5xx and network failures.
//
// API reference: https://www.alibabacloud.com/help/en/dns/api-alidns-2015-01-09-describesubdomainrecords
func (s *DNSService) DescribeSubDomainRecords(ctx context.Context, in *DescribeSubDomainRecordsInput) (*DescribeSubDomainRecordsOutput, error) {
	return invoke[DescribeSubDomainRecordsOutput](ctx, s.owner(), opDescribeSubDomainRecords, in)
}

// DeleteDomainRecordInput is the input of DeleteDomainRecord.
type DeleteDomainRecordInput struct {
	// RecordID identifies the record, as AddDomainRecord or
	// DescribeSubDomainRecords returned it.
	RecordID string `url:"RecordId"`
}

func (in *DeleteDomainRecordInput) validate() []FieldError {
	var p problems
	p.required("RecordID", in.RecordID)
	return p
}

// DeleteDomainRecordOutput is the output of DeleteDomainRecord.
type DeleteDomainRecordOutput struct {
	// RecordID is the deleted record's id.
	RecordID string `json:"RecordId"`
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string `json:"RequestId"`
}

// opDeleteDomainRecord is retried like a read: a second attempt names the
// same RecordId, so it can only delete the same record, and creates
// nothing. A record that is not there gets DomainRecordNotBelongToUser
// (see codeRecordNotFound and IsDNSRecordNotFound), which a caller cleaning
// up reads as done.
var opDeleteDomainRecord = &operation{action: "DeleteDomainRecord", api: apiAlidns, kind: opIdempotent}

// DeleteDomainRecord deletes one DNS record. It is retried on throttling,
// 5xx and network failures (a repeated delete cannot remove anything else);
// a record that no longer exists gives an error for which
// IsDNSRecordNotFound is true.
//
// API reference: https://www.alibabacloud.com/help/en/dns/api-alidns-2015-01-09-deletedomainrecord
func (s *DNSService) DeleteDomainRecord(ctx context.Context, in *DeleteDomainRecordInput) (*DeleteDomainRecordOutput, error) {
	return invoke[DeleteDomainRecordOutput](ctx, s.owner(), opDeleteDomainRecord, in)
}

// Alidns error codes the provider acts on.
const (
	// codeRecordDuplicate: AddDomainRecord of a record identical to an
	// existing one ("The domain record is duplicated.", in the API
	// reference's error codes).
	codeRecordDuplicate = "DomainRecordDuplicate"
	// codeRecordNotFound: the record id does not exist, or not in this
	// account ("The domain record does not belong to this user.", in the
	// API reference's error codes).
	codeRecordNotFound = "DomainRecordNotBelongToUser"
)

// zoneMissingCodes are the codes Alidns answers with for a domain that is
// not hosted in the caller's account.
var zoneMissingCodes = []string{"IncorrectDomainUser", "InvalidDomainName.NoExist"}

func apiCode(err error) string {
	var e *APIError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// IsDNSRecordNotFound reports whether err says that a DNS record does not
// exist (or does not belong to the account), for example after a
// DeleteDomainRecord of a record that is already gone.
func IsDNSRecordNotFound(err error) bool { return apiCode(err) == codeRecordNotFound }

// IsDNSZoneNotFound reports whether err says that a domain is not hosted in
// the account's Alibaba Cloud DNS.
func IsDNSZoneNotFound(err error) bool {
	code := apiCode(err)
	for _, c := range zoneMissingCodes {
		if code == c {
			return true
		}
	}
	return false
}

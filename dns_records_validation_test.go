package alicert

import (
	"context"
	"testing"
)

// The validation cases of the Alidns operations, in the shape of
// validation_test.go's: each bad input names its fields, in order, and
// nothing reaches the server.

// valOut returns out as an any that is nil when out is, as valRun expects of
// a failed call.
func valOut[T any](out *T, err error) (any, error) {
	if out == nil {
		return nil, err
	}
	return out, err
}

func TestValidationAddDomainRecord(t *testing.T) {
	t.Parallel()
	with := func(edit func(*AddDomainRecordInput)) func(context.Context, *Client) (any, error) {
		return func(ctx context.Context, c *Client) (any, error) {
			in := &AddDomainRecordInput{DomainName: "example.com", RR: "_dnsauth", Type: "TXT", Value: "tok"}
			edit(in)
			return valOut(c.DNS.AddDomainRecord(ctx, in))
		}
	}
	valRun(t, "AddDomainRecord", []valCase{
		{"nil input", func(ctx context.Context, c *Client) (any, error) {
			return valOut(c.DNS.AddDomainRecord(ctx, nil))
		}, []string{"DomainName", "RR", "Type", "Value"}},
		{"DomainName a wildcard", with(func(in *AddDomainRecordInput) { in.DomainName = "*.example.com" }), []string{"DomainName"}},
		{"RR empty", with(func(in *AddDomainRecordInput) { in.RR = " " }), []string{"RR"}},
		{"RR with a slash", with(func(in *AddDomainRecordInput) { in.RR = "a/b" }), []string{"RR"}},
		{"Type unknown", with(func(in *AddDomainRecordInput) { in.Type = "SPF1" }), []string{"Type"}},
		{"TTL too long", with(func(in *AddDomainRecordInput) { in.TTL = 86401 }), []string{"TTL"}},
		{"MX without Priority", with(func(in *AddDomainRecordInput) { in.Type = "MX" }), []string{"Priority"}},
		{"Priority out of range", with(func(in *AddDomainRecordInput) { in.Priority = 51 }), []string{"Priority"}},
	})
}

func TestValidationDescribeSubDomainRecords(t *testing.T) {
	t.Parallel()
	with := func(edit func(*DescribeSubDomainRecordsInput)) func(context.Context, *Client) (any, error) {
		return func(ctx context.Context, c *Client) (any, error) {
			in := &DescribeSubDomainRecordsInput{SubDomain: "_dnsauth.example.com"}
			edit(in)
			return valOut(c.DNS.DescribeSubDomainRecords(ctx, in))
		}
	}
	valRun(t, "DescribeSubDomainRecords", []valCase{
		{"nil input", func(ctx context.Context, c *Client) (any, error) {
			return valOut(c.DNS.DescribeSubDomainRecords(ctx, nil))
		}, []string{"SubDomain"}},
		{"SubDomain a URL", with(func(in *DescribeSubDomainRecordsInput) { in.SubDomain = "https://example.com/" }), []string{"SubDomain"}},
		{"DomainName a wildcard", with(func(in *DescribeSubDomainRecordsInput) { in.DomainName = "*.example.com" }), []string{"DomainName"}},
		{"Type unknown", with(func(in *DescribeSubDomainRecordsInput) { in.Type = "txt record" }), []string{"Type"}},
		{"PageNumber negative", with(func(in *DescribeSubDomainRecordsInput) { in.PageNumber = -1 }), []string{"PageNumber"}},
		{"PageSize too large", with(func(in *DescribeSubDomainRecordsInput) { in.PageSize = 101 }), []string{"PageSize"}},
	})
}

func TestValidationDeleteDomainRecord(t *testing.T) {
	t.Parallel()
	valRun(t, "DeleteDomainRecord", []valCase{
		{"nil input", func(ctx context.Context, c *Client) (any, error) {
			return valOut(c.DNS.DeleteDomainRecord(ctx, nil))
		}, []string{"RecordID"}},
		{"RecordID empty", func(ctx context.Context, c *Client) (any, error) {
			return valOut(c.DNS.DeleteDomainRecord(ctx, &DeleteDomainRecordInput{}))
		}, []string{"RecordID"}},
	})
}

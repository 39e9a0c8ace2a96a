package alicerttest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dzClient returns a client whose every API points at srv.
func dzClient(t *testing.T, srv *alicerttest.Server) *alicert.Client {
	t.Helper()
	c, err := alicert.NewClient(append(srv.ClientOptions(), alicert.WithRetryDelay(time.Millisecond, time.Millisecond))...)
	require.NoError(t, err)
	return c
}

func dzCode(t *testing.T, err error) string {
	t.Helper()
	var e *alicert.APIError
	require.ErrorAs(t, err, &e)
	return e.Code
}

func TestFakeDNSRecords(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := dzClient(t, srv)
	ctx := t.Context()

	add := &alicert.AddDomainRecordInput{DomainName: "example.com", RR: "_dnsauth.www", Type: "txt", Value: "v1", TTL: 300}
	out, err := c.DNS.AddDomainRecord(ctx, add)
	require.NoError(t, err)
	assert.NotEmpty(t, out.RecordID)
	records := srv.DNSRecords()
	require.Len(t, records, 1)
	assert.False(t, records[0].Created.IsZero(), "the record has the time it was added")
	records[0].Created = time.Time{}
	assert.Equal(t, []alicerttest.DNSRecord{{ID: out.RecordID, Zone: "example.com", RR: "_dnsauth.www",
		Name: "_dnsauth.www.example.com", Type: "TXT", Value: "v1", TTL: 300}}, records)

	_, err = c.DNS.AddDomainRecord(ctx, add)
	assert.Equal(t, "DomainRecordDuplicate", dzCode(t, err), "an identical record is refused")

	_, err = c.DNS.AddDomainRecord(ctx, &alicert.AddDomainRecordInput{DomainName: "www.example.com", RR: "a", Type: "TXT", Value: "v"})
	assert.True(t, alicert.IsDNSZoneNotFound(err), "only registered domains are hosted by default: %v", err)

	// A second value of the same name; the listing pages through both.
	_, err = c.DNS.AddDomainRecord(ctx, &alicert.AddDomainRecordInput{DomainName: "example.com", RR: "_dnsauth.www", Type: "TXT", Value: "v2"})
	require.NoError(t, err)
	_, err = c.DNS.AddDomainRecord(ctx, &alicert.AddDomainRecordInput{DomainName: "example.com", RR: "_dnsauth.www", Type: "CNAME", Value: "x.example.net"})
	require.NoError(t, err)
	page, err := c.DNS.DescribeSubDomainRecords(ctx, &alicert.DescribeSubDomainRecordsInput{
		SubDomain: "_dnsauth.WWW.example.com", Type: "TXT", PageSize: 1, PageNumber: 2,
	})
	require.NoError(t, err)
	assert.Equal(t, int64(2), page.TotalCount)
	require.Len(t, page.Records, 1)
	assert.Equal(t, "v2", page.Records[0].Value)
	assert.Equal(t, "example.com", page.Records[0].DomainName)

	all, err := c.DNS.DescribeSubDomainRecords(ctx, &alicert.DescribeSubDomainRecordsInput{SubDomain: "_dnsauth.www.example.com"})
	require.NoError(t, err)
	assert.Len(t, all.Records, 3, "without Type every type is listed")

	_, err = c.DNS.DeleteDomainRecord(ctx, &alicert.DeleteDomainRecordInput{RecordID: out.RecordID})
	require.NoError(t, err)
	_, err = c.DNS.DeleteDomainRecord(ctx, &alicert.DeleteDomainRecordInput{RecordID: out.RecordID})
	assert.True(t, alicert.IsDNSRecordNotFound(err), "%v", err)
	assert.Len(t, srv.DNSRecords(), 2)

	assert.Equal(t, 1, srv.DeleteDNSRecords("_DNSAUTH.www.example.com.", "txt", "v2"))
	assert.Equal(t, 0, srv.DeleteDNSRecords("_dnsauth.www.example.com", "TXT", "v2"))
	assert.Len(t, srv.DNSRecords(), 1)
}

func TestFakeDNSZones(t *testing.T) {
	t.Parallel()
	srv := newServer(t, alicerttest.WithDNSZones("dev.example.com", "Example.ORG."))
	c := dzClient(t, srv)
	ctx := t.Context()

	_, err := c.DNS.DescribeSubDomainRecords(ctx, &alicert.DescribeSubDomainRecordsInput{SubDomain: "a.dev.example.com"})
	assert.True(t, alicert.IsDNSZoneNotFound(err), "without DomainName the zone is the registered domain, example.com: %v", err)
	out, err := c.DNS.DescribeSubDomainRecords(ctx, &alicert.DescribeSubDomainRecordsInput{SubDomain: "a.dev.example.com", DomainName: "dev.example.com"})
	require.NoError(t, err)
	assert.Zero(t, out.TotalCount)
	assert.NotNil(t, out.Records)

	_, err = c.DNS.DescribeSubDomainRecords(ctx, &alicert.DescribeSubDomainRecordsInput{SubDomain: "a.example.org", DomainName: "dev.example.com"})
	assert.Equal(t, "InvalidParameter", dzCode(t, err), "a name outside the zone")

	id, err := srv.AddDNSRecord("_dnsauth.api.dev.example.com", "TXT", "tok")
	require.NoError(t, err)
	again, err := srv.AddDNSRecord("_dnsauth.API.dev.example.com.", "txt", "tok")
	require.NoError(t, err)
	assert.Equal(t, id, again, "an identical record is not added twice")
	recs := srv.DNSRecords()
	require.Len(t, recs, 1)
	assert.Equal(t, "dev.example.com", recs[0].Zone)
	assert.Equal(t, "_dnsauth.api", recs[0].RR)

	_, err = srv.AddDNSRecord("www.example.com", "A", "192.0.2.1")
	assert.ErrorContains(t, err, "no hosted zone")

	_, err = c.DNS.AddDomainRecord(ctx, &alicert.AddDomainRecordInput{DomainName: "example.org", RR: "@", Type: "TXT", Value: "apex"})
	require.NoError(t, err)
	assert.Equal(t, "example.org", srv.DNSRecords()[1].Name)
}

func TestFakeDNSValidatesParameters(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	for _, tc := range []struct {
		action string
		params map[string]string
		code   string
	}{
		{"AddDomainRecord", map[string]string{"RR": "a", "Type": "TXT", "Value": "v"}, "MissingParameter"},
		{"AddDomainRecord", map[string]string{"DomainName": "example.com", "RR": "a b", "Type": "TXT", "Value": "v"}, "InvalidRR.Format"},
		{"AddDomainRecord", map[string]string{"DomainName": "example.com", "RR": "a", "Type": "BOGUS", "Value": "v"}, "InvalidParameter"},
		{"AddDomainRecord", map[string]string{"DomainName": "example.com", "RR": "a", "Type": "TXT", "Value": "v", "TTL": "0"}, "InvalidParameter"},
		{"AddDomainRecord", map[string]string{"DomainName": "example.com", "RR": "@", "Type": "MX", "Value": "mx.example.com"}, "MissingParameter"},
		{"DescribeSubDomainRecords", map[string]string{}, "MissingParameter"},
		{"DescribeSubDomainRecords", map[string]string{"SubDomain": "a.example.com", "PageSize": "101"}, "InvalidParameter"},
		{"DescribeSubDomainRecords", map[string]string{"SubDomain": "a.example.com", "PageNumber": "0"}, "InvalidParameter"},
		{"DeleteDomainRecord", map[string]string{}, "MissingParameter"},
	} {
		t.Run(fmt.Sprint(tc.action, tc.params), func(t *testing.T) {
			t.Parallel()
			params := map[string]string{"Action": tc.action, "Version": "2015-01-09"}
			for k, v := range tc.params {
				params[k] = v
			}
			res := raw{params: params}.send(t, srv)
			assert.Equal(t, 400, res.status)
			assert.Equal(t, tc.code, res.doc.Code, string(res.body))
		})
	}
	assert.Empty(t, srv.DNSRecords())
}

func TestDNSCheckHoldsOrdersUntilTheRecordExists(t *testing.T) {
	t.Parallel()
	for _, check := range []bool{true, false} {
		t.Run(fmt.Sprint("check=", check), func(t *testing.T) {
			t.Parallel()
			var opts []alicerttest.Option
			if check {
				opts = append(opts, alicerttest.WithDNSCheck())
			}
			srv := newServer(t, opts...)
			c := dzClient(t, srv)
			ctx := t.Context()
			order, err := c.CAS.CreateCertificateRequest(ctx, &alicert.CreateCertificateRequestInput{Domain: "www.example.com", ValidateType: alicert.ValidateDNS,
				Username: "Tom", Phone: "1390000****", Email: "tom@example.com"})
			require.NoError(t, err)
			read := func() *alicert.DescribeCertificateStateOutput {
				st, err := c.CAS.DescribeCertificateState(ctx, &alicert.DescribeCertificateStateInput{OrderID: order.OrderID})
				require.NoError(t, err)
				return st
			}
			first := read()
			require.Equal(t, alicert.StateDomainVerify, first.State)
			if !check {
				assert.Equal(t, alicert.StateProcess, read().State, "without the check the order moves on")
				return
			}
			for range 3 {
				assert.Equal(t, alicert.StateDomainVerify, read().State, "no record yet")
			}
			// A record of another value, or of another name, does not count.
			_, err = srv.AddDNSRecord(first.RecordDomain, "TXT", "not-the-token")
			require.NoError(t, err)
			_, err = srv.AddDNSRecord("_dnsauth.example.com", "TXT", first.RecordValue)
			require.NoError(t, err)
			assert.Equal(t, alicert.StateDomainVerify, read().State)
			assert.Equal(t, alicert.StateDomainVerify, read().State)

			_, err = srv.AddDNSRecord(first.RecordDomain, first.RecordType, first.RecordValue)
			require.NoError(t, err)
			assert.Equal(t, alicert.StateDomainVerify, read().State, "the read that finds the record reports the old state")
			assert.Equal(t, alicert.StateProcess, read().State)
		})
	}
}

func TestDNSCheckIgnoresFileValidation(t *testing.T) {
	t.Parallel()
	srv := newServer(t, alicerttest.WithDNSCheck())
	c := dzClient(t, srv)
	order, err := c.CAS.CreateCertificateRequest(t.Context(), &alicert.CreateCertificateRequestInput{Domain: "example.com", ValidateType: alicert.ValidateFile,
		Username: "Tom", Phone: "1390000****", Email: "tom@example.com"})
	require.NoError(t, err)
	st, err := c.CAS.WaitForCertificate(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: order.OrderID},
		alicert.WithPollInterval(time.Millisecond))
	require.NoError(t, err)
	assert.Equal(t, alicert.StateCertificate, st.State)
}

// dnsList sends a DescribeDomains or DescribeDomainRecords request raw and
// decodes its answer.
func dnsList(t *testing.T, srv *alicerttest.Server, params map[string]string) (total int64, names []string, code string) {
	t.Helper()
	params["Version"] = "2015-01-09"
	res := raw{params: params}.send(t, srv)
	if res.status != http.StatusOK {
		return 0, nil, res.doc.Code
	}
	var doc struct {
		TotalCount int64
		Domains    struct {
			Domain []struct{ DomainName, DomainId string }
		}
		DomainRecords struct {
			Record []struct {
				RR, Value       string
				CreateTimestamp int64
				LbaStatus       *bool
			}
		}
	}
	require.NoError(t, json.Unmarshal(res.body, &doc))
	for _, d := range doc.Domains.Domain {
		assert.NotEmpty(t, d.DomainId)
		names = append(names, d.DomainName)
	}
	for _, r := range doc.DomainRecords.Record {
		assert.NotZero(t, r.CreateTimestamp)
		assert.NotNil(t, r.LbaStatus)
		names = append(names, r.RR+"="+r.Value)
	}
	return doc.TotalCount, names, ""
}

// TestFakeDescribeDomains: the hosted zones, paged, filtered by KeyWord
// (a part, or the whole name with SearchMode EXACT), GroupId and
// ResourceGroupId.
func TestFakeDescribeDomains(t *testing.T) {
	t.Parallel()
	srv := newServer(t, alicerttest.WithDNSZones("example.com", "example.org", "dev.example.net"))
	list := func(kv ...string) (int64, []string, string) {
		p := map[string]string{"Action": "DescribeDomains"}
		for i := 0; i+1 < len(kv); i += 2 {
			p[kv[i]] = kv[i+1]
		}
		return dnsList(t, srv, p)
	}
	total, names, _ := list()
	assert.EqualValues(t, 3, total)
	assert.Equal(t, []string{"example.com", "example.org", "dev.example.net"}, names)
	total, names, _ = list("PageSize", "2", "PageNumber", "2")
	assert.EqualValues(t, 3, total)
	assert.Equal(t, []string{"dev.example.net"}, names)
	_, names, _ = list("KeyWord", "EXAMPLE.O")
	assert.Equal(t, []string{"example.org"}, names)
	_, names, _ = list("KeyWord", "example", "SearchMode", "EXACT")
	assert.Empty(t, names)
	_, names, _ = list("KeyWord", "example.com", "SearchMode", "EXACT")
	assert.Equal(t, []string{"example.com"}, names)
	_, names, _ = list("GroupId", "defaultGroup")
	assert.Len(t, names, 3)
	_, names, _ = list("GroupId", "123")
	assert.Empty(t, names)
	_, names, _ = list("ResourceGroupId", "rg-1")
	assert.Empty(t, names)
	_, names, _ = list("PageNumber", "9223372036854775807")
	assert.Empty(t, names, "a page past the end is empty")
	for _, bad := range [][]string{{"PageSize", "101"}, {"PageNumber", "0"}, {"SearchMode", "FUZZY"}, {"Starmark", "yes"}, {"Lang", "fr"}} {
		_, _, code := list(bad...)
		assert.Equal(t, "InvalidParameter", code, "%v", bad)
	}
}

// TestFakeDescribeDomainsWithoutZones: without WithDNSZones, the zones
// holding records are listed.
func TestFakeDescribeDomainsWithoutZones(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	_, err := srv.AddDNSRecord("_acme-challenge.www.example.com", "TXT", "v")
	require.NoError(t, err)
	_, names, _ := dnsList(t, srv, map[string]string{"Action": "DescribeDomains"})
	assert.Equal(t, []string{"example.com"}, names)
}

// TestFakeDescribeDomainRecords: a zone's records, newest first (or
// oldest first with Direction ASC), paged up to 500 a page, with the
// documented filters.
func TestFakeDescribeDomainRecords(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	for _, r := range [][3]string{{"www", "A", "192.0.2.1"}, {"_acme-challenge.www", "TXT", "token-1"}, {"mail", "TXT", "v=spf1"}} {
		_, err := srv.AddDNSRecord(r[0]+".example.com", r[1], r[2])
		require.NoError(t, err)
	}
	_, err := srv.AddDNSRecord("www.example.org", "A", "192.0.2.2")
	require.NoError(t, err)
	list := func(kv ...string) (int64, []string, string) {
		p := map[string]string{"Action": "DescribeDomainRecords", "DomainName": "example.com"}
		for i := 0; i+1 < len(kv); i += 2 {
			p[kv[i]] = kv[i+1]
		}
		return dnsList(t, srv, p)
	}
	total, names, _ := list()
	assert.EqualValues(t, 3, total)
	assert.Equal(t, []string{"mail=v=spf1", "_acme-challenge.www=token-1", "www=192.0.2.1"}, names, "newest first")
	_, names, _ = list("Direction", "ASC", "PageSize", "2", "PageNumber", "2")
	assert.Equal(t, []string{"mail=v=spf1"}, names)
	_, _, code := list("PageSize", "500")
	assert.Empty(t, code, "500 a page is allowed")
	_, names, _ = list("KeyWord", "WWW")
	assert.Equal(t, []string{"_acme-challenge.www=token-1", "www=192.0.2.1"}, names, "LIKE matches a part of RR or value")
	_, names, _ = list("KeyWord", "www", "SearchMode", "EXACT")
	assert.Equal(t, []string{"www=192.0.2.1"}, names)
	_, names, _ = list("RRKeyWord", "acme", "Type", "TXT")
	assert.Equal(t, []string{"_acme-challenge.www=token-1"}, names)
	_, names, _ = list("TypeKeyWord", "txt", "ValueKeyWord", "SPF")
	assert.Equal(t, []string{"mail=v=spf1"}, names)
	_, names, _ = list("RRKeyWord", "acme", "SearchMode", "COMBINATION")
	assert.Empty(t, names, "COMBINATION matches exactly")
	_, names, _ = list("Status", "Disable")
	assert.Empty(t, names)
	_, names, _ = list("GroupId", "0")
	assert.Empty(t, names, "GroupId 0 lists nothing")
	_, _, code = list("DomainName", "")
	assert.Equal(t, "MissingParameter", code)
	_, _, code = list("DomainName", "example.net.cn")
	assert.Equal(t, "InvalidDomainName.NoExist", code)
	for _, bad := range [][]string{{"PageSize", "501"}, {"Direction", "UP"}, {"SearchMode", "X"}, {"Status", "on"}, {"Type", "BOGUS"}} {
		_, _, code := list(bad...)
		assert.Equal(t, "InvalidParameter", code, "%v", bad)
	}
}

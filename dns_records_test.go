package alicert_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// refuseCASAndKMS returns options that point the CAS and KMS endpoints at
// a server that fails the test when called, so that a DNS request routed
// to the wrong API is noticed.
func refuseCASAndKMS(t *testing.T) []alicert.Option {
	t.Helper()
	wrong := testkit.NewServer(t, func(r testkit.Request) testkit.Reply {
		t.Errorf("a %s request reached the CAS/KMS endpoint instead of Alidns", r.Action())
		return testkit.JSON(http.StatusTeapot, `{"Code":"WrongEndpoint"}`)
	})
	return []alicert.Option{alicert.WithCASEndpoint(wrong.URL), alicert.WithKMSEndpoint(wrong.URL)}
}

func TestAddDomainRecordWireForm(t *testing.T) {
	t.Parallel()
	c, w := setup(t, testkit.Script(testkit.JSON(200, `{"RequestId":"R-1","RecordId":"1234567890123"}`)), refuseCASAndKMS(t)...)
	out, err := c.DNS.AddDomainRecord(t.Context(), &alicert.AddDomainRecordInput{
		DomainName: "example.com", RR: "_dnsauth.www", Type: "TXT", Value: "v=abc", TTL: 600,
	})
	require.NoError(t, err)
	assert.Equal(t, "1234567890123", out.RecordID)
	assert.Equal(t, "R-1", out.RequestID)

	reqs := w.Requests()
	require.Len(t, reqs, 1)
	testAction(t, reqs[0], "AddDomainRecord")
	testFormValues(t, reqs[0], url.Values{
		"Version": {"2015-01-09"}, "DomainName": {"example.com"}, "RR": {"_dnsauth.www"},
		"Type": {"TXT"}, "Value": {"v=abc"}, "TTL": {"600"},
	})
	assert.NotContains(t, reqs[0].Form, "Priority", "an unset priority is not sent")
	assert.NotContains(t, reqs[0].Form, "Line")
}

func TestAddDomainRecordValidation(t *testing.T) {
	t.Parallel()
	c, w := setup(t, testkit.Script(testkit.JSON(200, `{}`)), refuseCASAndKMS(t)...)
	_, err := c.DNS.AddDomainRecord(t.Context(), &alicert.AddDomainRecordInput{
		DomainName: "*.example.com", Type: "TXTX", TTL: -1, Priority: 51,
	})
	var ve *alicert.ValidationError
	require.ErrorAs(t, err, &ve)
	var fields []string
	for _, f := range ve.Fields {
		fields = append(fields, f.Field)
	}
	assert.Equal(t, []string{"DomainName", "RR", "Type", "Value", "TTL", "Priority"}, fields)
	assert.Empty(t, w.Forms(), "nothing is sent for an invalid input")

	_, err = c.DNS.AddDomainRecord(t.Context(), &alicert.AddDomainRecordInput{
		DomainName: "example.com", RR: "@", Type: "mx", Value: "mail.example.com",
	})
	require.ErrorAs(t, err, &ve)
	require.Len(t, ve.Fields, 1)
	assert.Equal(t, "Priority", ve.Fields[0].Field, "an MX record needs a priority")
}

func TestAddDomainRecordIsNotRetriedWhenTheOutcomeIsUnknown(t *testing.T) {
	t.Parallel()
	c, w := setup(t, testkit.Script(testkit.JSON(503, `{"RequestId":"R-503","Code":"ServiceUnavailable","Message":"busy"}`)), refuseCASAndKMS(t)...)
	_, err := c.DNS.AddDomainRecord(t.Context(), &alicert.AddDomainRecordInput{
		DomainName: "example.com", RR: "_dnsauth", Type: "TXT", Value: "v",
	})
	require.ErrorIs(t, err, alicert.ErrOutcomeUnknown)
	assert.Contains(t, err.Error(), "DescribeSubDomainRecords", "the error says how to check")
	assert.Len(t, w.Forms(), 1)
}

func TestAddDomainRecordWithoutRecordIDIsNoSuccess(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, testkit.Script(testkit.JSON(200, `{"RequestId":"R-2"}`)), refuseCASAndKMS(t)...)
	_, err := c.DNS.AddDomainRecord(t.Context(), &alicert.AddDomainRecordInput{
		DomainName: "example.com", RR: "_dnsauth", Type: "TXT", Value: "v",
	})
	require.ErrorIs(t, err, alicert.ErrOutcomeUnknown)
	assert.Contains(t, err.Error(), "RecordId")
}

func TestDeleteDomainRecordIsRetriedOn5xx(t *testing.T) {
	t.Parallel()
	c, w := setup(t, testkit.Script(
		testkit.JSON(500, `{"RequestId":"R-500","Code":"InternalError","Message":"oops"}`),
		testkit.JSON(200, `{"RequestId":"R-OK","RecordId":"77"}`)), refuseCASAndKMS(t)...)
	out, err := c.DNS.DeleteDomainRecord(t.Context(), &alicert.DeleteDomainRecordInput{RecordID: "77"})
	require.NoError(t, err)
	assert.Equal(t, "77", out.RecordID)
	forms := w.Forms()
	require.Len(t, forms, 2)
	for _, f := range forms {
		assert.Equal(t, "DeleteDomainRecord", f.Get("Action"))
		assert.Equal(t, "77", f.Get("RecordId"))
	}
	assert.NotEqual(t, forms[0].Get("SignatureNonce"), forms[1].Get("SignatureNonce"), "each attempt is signed afresh")

	_, err = c.DNS.DeleteDomainRecord(t.Context(), &alicert.DeleteDomainRecordInput{})
	var ve *alicert.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "RecordID", ve.Fields[0].Field)
}

func TestDeleteDomainRecordNotFound(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, testkit.Script(testkit.JSON(400, `{"RequestId":"R-404","Code":"DomainRecordNotBelongToUser","Message":"The DNS record does not exist."}`)), refuseCASAndKMS(t)...)
	_, err := c.DNS.DeleteDomainRecord(t.Context(), &alicert.DeleteDomainRecordInput{RecordID: "1"})
	require.Error(t, err)
	assert.True(t, alicert.IsDNSRecordNotFound(err))
	assert.False(t, alicert.IsDNSZoneNotFound(err))
	assert.False(t, alicert.IsDNSRecordNotFound(errors.New("DomainRecordNotBelongToUser")), "only a service error counts")
}

func TestDescribeSubDomainRecordsDecodesRecords(t *testing.T) {
	t.Parallel()
	c, w := setup(t, testkit.Script(testkit.JSON(200, `{"RequestId":"R-3","TotalCount":2,"PageNumber":1,"PageSize":100,
		"DomainRecords":{"Record":[
		 {"DomainName":"example.com","RecordId":"9999985","RR":"_dnsauth","Type":"TXT","Value":"a","TTL":600,"Line":"default","Status":"ENABLE","Locked":false,"Weight":1},
		 {"DomainName":"example.com","RecordId":"9999986","RR":"_dnsauth","Type":"TXT","Value":"b","TTL":60,"Line":"default","Status":"DISABLE","Locked":true}]}}`)), refuseCASAndKMS(t)...)
	out, err := c.DNS.DescribeSubDomainRecords(t.Context(), &alicert.DescribeSubDomainRecordsInput{
		SubDomain: "_dnsauth.example.com", DomainName: "example.com", Type: "TXT", PageSize: 100,
	})
	require.NoError(t, err)
	assert.Equal(t, int64(2), out.TotalCount)
	assert.Equal(t, "R-3", out.RequestID)
	require.Len(t, out.Records, 2)
	assert.Equal(t, alicert.DomainRecord{
		DomainName: "example.com", RecordID: "9999986", RR: "_dnsauth", Type: "TXT", Value: "b",
		TTL: 60, Line: "default", Status: "DISABLE", Locked: true,
	}, out.Records[1])

	r := w.Requests()[0]
	testAction(t, r, "DescribeSubDomainRecords")
	testFormValues(t, r, url.Values{"SubDomain": {"_dnsauth.example.com"}, "DomainName": {"example.com"}, "PageSize": {"100"}})
	assert.NotContains(t, r.Form, "PageNumber")

	_, err = c.DNS.DescribeSubDomainRecords(t.Context(), &alicert.DescribeSubDomainRecordsInput{PageSize: 101, Type: "BOGUS"})
	var ve *alicert.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Len(t, ve.Fields, 3, "SubDomain, Type and PageSize: %v", ve)
}

func TestDNSEndpointOption(t *testing.T) {
	t.Parallel()
	c, err := alicert.NewClient(alicert.WithAccessKey("id", "secret"))
	require.NoError(t, err)
	assert.Equal(t, "alicert.DNSService{https://alidns.cn-hangzhou.aliyuncs.com/}", c.DNS.String())
	assert.Equal(t, c.DNS.String(), fmt.Sprintf("%#v", c.DNS))

	_, err = alicert.NewClient(alicert.WithAccessKey("id", "secret"), alicert.WithDNSEndpoint("http://dns.example.net"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "WithDNSEndpoint")

	c, err = alicert.NewClient(alicert.WithAccessKey("id", "secret"),
		alicert.WithDNSEndpoint("http://dns.example.net"), alicert.WithInsecureHTTP())
	require.NoError(t, err)
	assert.Contains(t, c.DNS.String(), "http://dns.example.net/")
}

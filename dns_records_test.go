package alicert_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
	"github.com/alicert/alicert/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dnClient returns a client whose DNS endpoint is dns and whose CAS and KMS
// endpoints are a server that fails the test when called, so that a
// request routed to the wrong API is noticed.
func dnClient(t *testing.T, dns string, opts ...alicert.Option) *alicert.Client {
	t.Helper()
	wrong := testkit.NewServer(t, func(r testkit.Request) testkit.Reply {
		t.Errorf("a %s request reached the CAS/KMS endpoint instead of Alidns", r.Action())
		return testkit.JSON(http.StatusTeapot, `{"Code":"WrongEndpoint"}`)
	})
	all := append([]alicert.Option{
		alicert.WithAccessKey("LTAI5tDnsTestKey", "dnsTestSecret-never-print"),
		alicert.WithCASEndpoint(wrong.URL),
		alicert.WithKMSEndpoint(wrong.URL),
		alicert.WithDNSEndpoint(dns),
		alicert.WithRetryDelay(time.Millisecond, time.Millisecond),
	}, opts...)
	c, err := alicert.NewClient(all...)
	require.NoError(t, err)
	return c
}

func TestAddDomainRecordWireForm(t *testing.T) {
	t.Parallel()
	w := testkit.NewScripted(t, testkit.JSON(200, `{"RequestId":"R-1","RecordId":"1234567890123"}`))
	c := dnClient(t, w.URL)
	out, err := c.DNS.AddDomainRecord(t.Context(), &alicert.AddDomainRecordInput{
		DomainName: "example.com", RR: "_dnsauth.www", Type: "TXT", Value: "v=abc", TTL: 600,
	})
	require.NoError(t, err)
	assert.Equal(t, "1234567890123", out.RecordID)
	assert.Equal(t, "R-1", out.RequestID)

	forms := w.Forms()
	require.Len(t, forms, 1)
	f := forms[0]
	assert.Equal(t, "AddDomainRecord", f.Get("Action"))
	assert.Equal(t, "2015-01-09", f.Get("Version"))
	assert.Equal(t, "example.com", f.Get("DomainName"))
	assert.Equal(t, "_dnsauth.www", f.Get("RR"))
	assert.Equal(t, "TXT", f.Get("Type"))
	assert.Equal(t, "v=abc", f.Get("Value"))
	assert.Equal(t, "600", f.Get("TTL"))
	assert.NotContains(t, f, "Priority", "an unset priority is not sent")
	assert.NotContains(t, f, "Line")
}

func TestAddDomainRecordValidation(t *testing.T) {
	t.Parallel()
	w := testkit.NewScripted(t, testkit.JSON(200, `{}`))
	c := dnClient(t, w.URL)
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
	w := testkit.NewScripted(t, testkit.JSON(503, `{"RequestId":"R-503","Code":"ServiceUnavailable","Message":"busy"}`))
	c := dnClient(t, w.URL)
	_, err := c.DNS.AddDomainRecord(t.Context(), &alicert.AddDomainRecordInput{
		DomainName: "example.com", RR: "_dnsauth", Type: "TXT", Value: "v",
	})
	require.ErrorIs(t, err, alicert.ErrOutcomeUnknown)
	assert.Contains(t, err.Error(), "DescribeSubDomainRecords", "the error says how to check")
	assert.Len(t, w.Forms(), 1)
}

func TestAddDomainRecordWithoutRecordIDIsNoSuccess(t *testing.T) {
	t.Parallel()
	w := testkit.NewScripted(t, testkit.JSON(200, `{"RequestId":"R-2"}`))
	c := dnClient(t, w.URL)
	_, err := c.DNS.AddDomainRecord(t.Context(), &alicert.AddDomainRecordInput{
		DomainName: "example.com", RR: "_dnsauth", Type: "TXT", Value: "v",
	})
	require.ErrorIs(t, err, alicert.ErrOutcomeUnknown)
	assert.Contains(t, err.Error(), "RecordId")
}

func TestDeleteDomainRecordIsRetriedOn5xx(t *testing.T) {
	t.Parallel()
	w := testkit.NewScripted(t,
		testkit.JSON(500, `{"RequestId":"R-500","Code":"InternalError","Message":"oops"}`),
		testkit.JSON(200, `{"RequestId":"R-OK","RecordId":"77"}`))
	c := dnClient(t, w.URL)
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
	w := testkit.NewScripted(t, testkit.JSON(400, `{"RequestId":"R-404","Code":"DomainRecordNotBelongToUser","Message":"The DNS record does not exist."}`))
	c := dnClient(t, w.URL)
	_, err := c.DNS.DeleteDomainRecord(t.Context(), &alicert.DeleteDomainRecordInput{RecordID: "1"})
	require.Error(t, err)
	assert.True(t, alicert.IsDNSRecordNotFound(err))
	assert.False(t, alicert.IsDNSZoneNotFound(err))
	assert.False(t, alicert.IsDNSRecordNotFound(errors.New("DomainRecordNotBelongToUser")), "only a service error counts")
}

func TestDescribeSubDomainRecordsDecodesRecords(t *testing.T) {
	t.Parallel()
	w := testkit.NewScripted(t, testkit.JSON(200, `{"RequestId":"R-3","TotalCount":2,"PageNumber":1,"PageSize":100,
		"DomainRecords":{"Record":[
		 {"DomainName":"example.com","RecordId":"9999985","RR":"_dnsauth","Type":"TXT","Value":"a","TTL":600,"Line":"default","Status":"ENABLE","Locked":false,"Weight":1},
		 {"DomainName":"example.com","RecordId":"9999986","RR":"_dnsauth","Type":"TXT","Value":"b","TTL":60,"Line":"default","Status":"DISABLE","Locked":true}]}}`))
	c := dnClient(t, w.URL)
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

	f := w.Forms()[0]
	assert.Equal(t, "DescribeSubDomainRecords", f.Get("Action"))
	assert.Equal(t, "_dnsauth.example.com", f.Get("SubDomain"))
	assert.Equal(t, "example.com", f.Get("DomainName"))
	assert.Equal(t, "100", f.Get("PageSize"))
	assert.NotContains(t, f, "PageNumber")

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

// dnZoneServer answers DescribeSubDomainRecords like Alidns for an account
// hosting the zones given, and AddDomainRecord with an id.
func dnZoneServer(t *testing.T, zones ...string) *testkit.Server {
	return testkit.NewServer(t, func(r testkit.Request) testkit.Reply {
		switch {
		case !slices.Contains(zones, r.Form.Get("DomainName")):
			return testkit.JSON(400, `{"RequestId":"R-Z","Code":"InvalidDomainName.NoExist","Message":"The domain does not exist."}`)
		case r.Action() == "AddDomainRecord":
			return testkit.JSON(200, `{"RequestId":"R-A","RecordId":"42"}`)
		}
		return testkit.JSON(200, `{"RequestId":"R-D","TotalCount":0,"DomainRecords":{"Record":[]}}`)
	})
}

func TestAlidnsProviderFindsTheLongestHostedZone(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		zones  []string
		zone   string
		rr     string
		errMsg string
	}{
		{zones: []string{"example.com"}, zone: "example.com", rr: "_dnsauth.a.www"},
		{zones: []string{"example.com", "www.example.com"}, zone: "www.example.com", rr: "_dnsauth.a"},
		{zones: []string{"other.org"}, errMsg: "no parent domain of _dnsauth.a.www.example.com is hosted"},
	} {
		t.Run(strings.Join(tc.zones, ","), func(t *testing.T) {
			t.Parallel()
			w := dnZoneServer(t, tc.zones...)
			p := alicert.NewAlidnsProvider(dnClient(t, w.URL))
			err := p.Present(t.Context(), alicert.DNSRecord{Type: "TXT", Name: "_dnsauth.A.www.example.com.", Value: "v"})
			if tc.errMsg != "" {
				require.ErrorContains(t, err, tc.errMsg)
				for _, f := range w.Forms() {
					assert.NotEqual(t, "AddDomainRecord", f.Get("Action"))
				}
				return
			}
			require.NoError(t, err)
			var add url.Values
			for _, f := range w.Forms() {
				if f.Get("Action") == "AddDomainRecord" {
					require.Nil(t, add, "one add")
					add = f
				}
			}
			require.NotNil(t, add)
			assert.Equal(t, tc.zone, add.Get("DomainName"))
			assert.Equal(t, tc.rr, add.Get("RR"))
			assert.Equal(t, "v", add.Get("Value"))
		})
	}
}

func TestAlidnsProviderRejectsABadRecord(t *testing.T) {
	t.Parallel()
	w := dnZoneServer(t, "example.com")
	p := alicert.NewAlidnsProvider(dnClient(t, w.URL))
	err := p.Present(context.Background(), alicert.DNSRecord{Type: "TXT", Name: "", Value: ""})
	var ve *alicert.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Len(t, ve.Fields, 2)
	assert.Empty(t, w.Forms())

	var zero alicert.AlidnsProvider
	require.Error(t, zero.CleanUp(t.Context(), alicert.DNSRecord{Type: "TXT", Name: "a.example.com", Value: "v"}))
}

func TestAlidnsProviderCleanUpWithoutAZoneIsDone(t *testing.T) {
	t.Parallel()
	// No zone of the account holds the name, so Present could not have
	// added anything, and there is nothing to remove.
	w := dnZoneServer(t, "other.org")
	r := alicert.DNSRecord{Type: "TXT", Name: "_dnsauth.www.example.com", Value: "v"}
	p := alicert.NewAlidnsProvider(dnClient(t, w.URL))
	require.NoError(t, p.CleanUp(t.Context(), r))
	p.Zone = "example.com"
	require.NoError(t, p.CleanUp(t.Context(), r), "a Zone the account does not host holds nothing either")
	err := p.Present(t.Context(), r)
	assert.True(t, alicert.IsDNSZoneNotFound(err), "Present still fails: %v", err)
	for _, f := range w.Forms() {
		assert.Equal(t, "DescribeSubDomainRecords", f.Get("Action"))
	}
}

func TestObtainWithoutAZoneFailsWithoutACleanupError(t *testing.T) {
	t.Parallel()
	srv := obNewFake(t, alicerttest.WithDNSZones("other.org"))
	c := obFakeClient(t, srv)
	_, err := c.CAS.Obtain(t.Context(), obInput("www.example.com", alicert.NewAlidnsProvider(c), &obEvents{}))
	require.ErrorContains(t, err, "no parent domain of _dnsauth.www.example.com is hosted")
	assert.NotErrorIs(t, err, alicert.ErrCleanupFailed, "no record was added, so none is left to remove")
	assert.Zero(t, srv.RequestCount("AddDomainRecord"))
}

func TestAlidnsProviderWithoutAClientFailsWithoutPanicking(t *testing.T) {
	t.Parallel()
	r := alicert.DNSRecord{Type: "TXT", Name: "_dnsauth.example.com", Value: "v"}
	for name, p := range map[string]*alicert.AlidnsProvider{
		"NewAlidnsProvider(nil)": alicert.NewAlidnsProvider(nil),
		"nil provider":           nil,
		"zero provider":          {},
		"client without DNS":     alicert.NewAlidnsProvider(&alicert.Client{}),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for op, call := range map[string]func(context.Context, alicert.DNSRecord) error{
				"Present": p.Present, "CleanUp": p.CleanUp,
			} {
				var err error
				require.NotPanics(t, func() { err = call(t.Context(), r) }, op)
				var ve *alicert.ValidationError
				require.ErrorAs(t, err, &ve, op)
				require.Len(t, ve.Fields, 1, op)
				assert.Equal(t, "AlidnsProvider", ve.Fields[0].Field, op)
				assert.Contains(t, err.Error(), "NewAlidnsProvider", op)
			}
		})
	}
}

func TestServicesWithoutAClientFailWithoutPanicking(t *testing.T) {
	t.Parallel()
	var (
		nilCAS *alicert.CASService
		nilKMS *alicert.KMSService
		nilDNS *alicert.DNSService
	)
	ctx := t.Context()
	calls := map[string]func() error{
		"CreateCertificateRequest": func() error { _, err := nilCAS.CreateCertificateRequest(ctx, nil); return err },
		"DescribeCertificateState": func() error { _, err := nilCAS.DescribeCertificateState(ctx, nil); return err },
		"WaitForCertificate": func() error {
			_, err := (&alicert.CASService{}).WaitForCertificate(ctx, &alicert.DescribeCertificateStateInput{OrderID: 1})
			return err
		},
		"CreateCsr":                func() error { _, err := nilCAS.CreateCsr(ctx, nil); return err },
		"GetCsrDetail":             func() error { _, err := nilCAS.GetCsrDetail(ctx, nil); return err },
		"Obtain":                   func() error { _, err := nilCAS.Obtain(ctx, nil); return err },
		"CreateCertificate":        func() error { _, err := nilKMS.CreateCertificate(ctx, nil); return err },
		"UploadCertificate":        func() error { _, err := nilKMS.UploadCertificate(ctx, nil); return err },
		"AddDomainRecord":          func() error { _, err := nilDNS.AddDomainRecord(ctx, nil); return err },
		"DescribeSubDomainRecords": func() error { _, err := nilDNS.DescribeSubDomainRecords(ctx, nil); return err },
		"DeleteDomainRecord":       func() error { _, err := nilDNS.DeleteDomainRecord(ctx, nil); return err },
	}
	for op, call := range calls {
		var err error
		require.NotPanics(t, func() { err = call() }, op)
		assert.Error(t, err, op)
	}
	// A valid input reaches the missing client: the error says what to do.
	_, err := nilCAS.DescribeCertificateState(ctx, &alicert.DescribeCertificateStateInput{OrderID: 7})
	assert.ErrorContains(t, err, "alicert: DescribeCertificateState: the service has no client")
	_, err = (&alicert.DNSService{}).AddDomainRecord(ctx, &alicert.AddDomainRecordInput{
		DomainName: "example.com", RR: "www", Type: "A", Value: "192.0.2.1"})
	assert.ErrorContains(t, err, "the service has no client")
}

func TestAlidnsProviderRefusesAnUnprintableName(t *testing.T) {
	t.Parallel()
	w := dnZoneServer(t, "example.com")
	p := alicert.NewAlidnsProvider(dnClient(t, w.URL))
	err := p.Present(t.Context(), alicert.DNSRecord{Type: "TXT", Name: "_dnsauth.exa\x1b[2Jmple.com", Value: "v"})
	var ve *alicert.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "Name", ve.Fields[0].Field)
	assert.Contains(t, err.Error(), "U+001B, a control character")
	assert.NotContains(t, err.Error(), "\x1b")
	assert.Empty(t, w.Forms(), "nothing is sent")
}

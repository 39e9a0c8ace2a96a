package alicert_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
	"github.com/alicert/alicert/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dnZones answers DescribeSubDomainRecords like Alidns for an account
// hosting the zones given, and AddDomainRecord with an id.
func dnZones(zones ...string) testkit.Responder {
	return func(r testkit.Request) testkit.Reply {
		switch {
		case !slices.Contains(zones, r.Form.Get("DomainName")):
			return testkit.JSON(400, `{"RequestId":"R-Z","Code":"InvalidDomainName.NoExist","Message":"The domain does not exist."}`)
		case r.Action() == "AddDomainRecord":
			return testkit.JSON(200, `{"RequestId":"R-A","RecordId":"42"}`)
		}
		return testkit.JSON(200, `{"RequestId":"R-D","TotalCount":0,"DomainRecords":{"Record":[]}}`)
	}
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
			c, w := setup(t, dnZones(tc.zones...), refuseCASAndKMS(t)...)
			p := alicert.NewAlidnsProvider(c)
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
	c, w := setup(t, dnZones("example.com"), refuseCASAndKMS(t)...)
	p := alicert.NewAlidnsProvider(c)
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
	c, w := setup(t, dnZones("other.org"), refuseCASAndKMS(t)...)
	r := alicert.DNSRecord{Type: "TXT", Name: "_dnsauth.www.example.com", Value: "v"}
	p := alicert.NewAlidnsProvider(c)
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
	c, srv := setupFake(t, alicerttest.WithDNSCheck(), alicerttest.WithDNSZones("other.org"))
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

func TestAlidnsProviderRefusesAnUnprintableName(t *testing.T) {
	t.Parallel()
	c, w := setup(t, dnZones("example.com"), refuseCASAndKMS(t)...)
	p := alicert.NewAlidnsProvider(c)
	err := p.Present(t.Context(), alicert.DNSRecord{Type: "TXT", Name: "_dnsauth.exa\x1b[2Jmple.com", Value: "v"})
	var ve *alicert.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "Name", ve.Fields[0].Field)
	assert.Contains(t, err.Error(), "U+001B, a control character")
	assert.NotContains(t, err.Error(), "\x1b")
	assert.Empty(t, w.Forms(), "nothing is sent")
}

func TestAlidnsProviderIsIdempotent(t *testing.T) {
	t.Parallel()
	c, srv := setupFake(t, alicerttest.WithDNSCheck())
	p := alicert.NewAlidnsProvider(c)
	r := alicert.DNSRecord{Domain: "example.com", Type: "TXT", Name: "_dnsauth.example.com", Value: "token-1"}

	// An identical record exists already (published by hand, say), next
	// to another value of the same name.
	_, err := srv.AddDNSRecord(r.Name, "TXT", r.Value)
	require.NoError(t, err)
	_, err = srv.AddDNSRecord(r.Name, "TXT", "someone-else")
	require.NoError(t, err)

	require.NoError(t, p.Present(t.Context(), r))
	require.NoError(t, p.Present(t.Context(), r))
	assert.Zero(t, srv.RequestCount("AddDomainRecord"), "the existing record is reused")
	assert.Len(t, srv.DNSRecords(), 2)

	require.NoError(t, p.CleanUp(t.Context(), r))
	left := srv.DNSRecords()
	require.Len(t, left, 1, "only the identical record is removed")
	assert.Equal(t, "someone-else", left[0].Value)
	require.NoError(t, p.CleanUp(t.Context(), r), "cleaning up twice is fine")

	// A lost answer to the add: the record exists, the provider finds it
	// and does not add it again.
	srv.InjectFault("AddDomainRecord", alicerttest.Fault{Kind: alicerttest.FaultResetAfterAct}, 1)
	require.NoError(t, p.Present(t.Context(), r))
	assert.Len(t, srv.DNSRecords(), 2)
	assert.Equal(t, 1, srv.RequestCount("AddDomainRecord"))
}

func TestAlidnsProviderWithAZone(t *testing.T) {
	t.Parallel()
	c, srv := setupFake(t, alicerttest.WithDNSCheck(), alicerttest.WithDNSZones("dev.example.com"))
	p := alicert.NewAlidnsProvider(c)
	r := alicert.DNSRecord{Type: "TXT", Name: "_dnsauth.api.dev.example.com", Value: "v"}
	require.NoError(t, p.Present(t.Context(), r))
	recs := srv.DNSRecords()
	require.Len(t, recs, 1)
	assert.Equal(t, "dev.example.com", recs[0].Zone)
	assert.Equal(t, "_dnsauth.api", recs[0].RR)

	p2 := alicert.NewAlidnsProvider(c)
	p2.Zone = "example.com"
	err := p2.Present(t.Context(), r)
	assert.True(t, alicert.IsDNSZoneNotFound(err), "%v", err)
}

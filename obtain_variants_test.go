package alicert_test

import (
	"crypto/x509"
	"testing"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestObtainAgainstEachDocumentedStateForm runs Obtain end to end with DNS
// validation through Alidns against every documented form of
// DescribeCertificateState the fake offers: RecordDomain fully qualified
// or relative to the zone, ValidateType in every state or only in
// domain_verify, and both. The fake checks the record (WithDNSCheck), so
// the order is issued only if the record was published under the right
// name in the right zone.
func TestObtainAgainstEachDocumentedStateForm(t *testing.T) {
	t.Parallel()
	variants := []struct {
		name string
		opts []alicerttest.Option
	}{
		{"fully qualified", nil},
		{"relative record domain", []alicerttest.Option{alicerttest.WithRelativeRecordDomain()}},
		{"validate type while verifying", []alicerttest.Option{alicerttest.WithValidateTypeOnlyWhileVerifying()}},
		{"both", []alicerttest.Option{alicerttest.WithRelativeRecordDomain(), alicerttest.WithValidateTypeOnlyWhileVerifying()}},
	}
	domains := []struct {
		domain   string
		zones    []string // hosted zones; nil: every two-label domain
		zone, rr string   // where the record must be published
		product  string
	}{
		{domain: "www.example.com", zone: "example.com", rr: "_dnsauth.www"},
		{domain: "example.com", zone: "example.com", rr: "_dnsauth"},
		{domain: "*.example.com", zone: "example.com", rr: "_dnsauth", product: "geotrust-dv-w-starter"},
		{domain: "a.dev.example.com", zones: []string{"example.com", "dev.example.com"}, zone: "dev.example.com", rr: "_dnsauth.a"},
	}
	for _, v := range variants {
		for _, d := range domains {
			t.Run(v.name+"/"+d.domain, func(t *testing.T) {
				t.Parallel()
				opts := v.opts
				if d.zones != nil {
					opts = append(opts[:len(opts):len(opts)], alicerttest.WithDNSZones(d.zones...))
				}
				c, srv := setupFake(t, append([]alicerttest.Option{alicerttest.WithDNSCheck()}, opts...)...)
				var ev obEvents
				var duringWait []alicerttest.DNSRecord
				ev.hook = func(e alicert.ObtainEvent) {
					if e.Stage == alicert.StagePresented {
						duringWait = srv.DNSRecords()
					}
				}
				in := obInput(d.domain, alicert.NewAlidnsProvider(c), &ev)
				in.ProductCode = d.product
				out, err := c.CAS.Obtain(t.Context(), in)
				require.NoError(t, err)

				require.Len(t, duringWait, 1)
				assert.Equal(t, d.zone, duringWait[0].Zone)
				assert.Equal(t, d.rr, duringWait[0].RR)
				assert.Equal(t, "TXT", duringWait[0].Type)
				assert.Empty(t, srv.DNSRecords(), "the record is removed afterwards")
				assert.Equal(t, 1, srv.OrderCount())
				assert.Equal(t, []alicert.ObtainStage{
					alicert.StageOrdering, alicert.StageOrdered, alicert.StagePresenting, alicert.StagePresented,
					alicert.StageIssued, alicert.StageCleaningUp, alicert.StageCleanedUp,
				}, ev.stages())

				leaf := out.Leaf()
				require.NotNil(t, leaf)
				inter := x509.NewCertPool()
				for _, c := range out.Chain[1:] {
					inter.AddCert(c)
				}
				name := d.domain
				if name[0] == '*' {
					name = "x" + name[1:]
				}
				_, err = leaf.Verify(x509.VerifyOptions{DNSName: name, Roots: srv.CAPool(), Intermediates: inter})
				require.NoError(t, err)
			})
		}
	}
}

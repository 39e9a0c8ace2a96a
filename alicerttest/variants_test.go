package alicerttest_test

import (
	"testing"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDescribeCertificateStateVariants checks the documented forms of
// DescribeCertificateState the options select, state by state: RecordDomain
// fully qualified or relative to the zone, ValidateType in every state or
// only in domain_verify.
func TestDescribeCertificateStateVariants(t *testing.T) {
	t.Parallel()
	relative := alicerttest.WithRelativeRecordDomain()
	whileVerifying := alicerttest.WithValidateTypeOnlyWhileVerifying()
	devZone := alicerttest.WithDNSZones("example.com", "dev.example.com")
	for _, tc := range []struct {
		name   string
		opts   []alicerttest.Option
		domain string
		record string   // RecordDomain in domain_verify
		vt     []string // ValidateType in domain_verify, process, certificate
	}{
		{"default", nil, "www.example.com", "_dnsauth.www.example.com", []string{"DNS", "DNS", "DNS"}},
		{"default apex", nil, "example.com", "_dnsauth.example.com", []string{"DNS", "DNS", "DNS"}},
		{"relative", []alicerttest.Option{relative}, "www.example.com", "_dnsauth.www", []string{"DNS", "DNS", "DNS"}},
		{"relative apex", []alicerttest.Option{relative}, "example.com", "_dnsauth", []string{"DNS", "DNS", "DNS"}},
		{"relative wildcard", []alicerttest.Option{relative}, "*.example.com", "_dnsauth", []string{"DNS", "DNS", "DNS"}},
		{"relative, two labels as the zone", []alicerttest.Option{relative}, "a.b.example.org", "_dnsauth.a.b", []string{"DNS", "DNS", "DNS"}},
		{"relative to the longest hosted zone", []alicerttest.Option{relative, devZone}, "a.dev.example.com", "_dnsauth.a", []string{"DNS", "DNS", "DNS"}},
		{"relative, domain outside the hosted zones", []alicerttest.Option{relative, alicerttest.WithDNSZones("dev.example.com")}, "www.example.net", "_dnsauth.www", []string{"DNS", "DNS", "DNS"}},
		{"validate type while verifying", []alicerttest.Option{whileVerifying}, "www.example.com", "_dnsauth.www.example.com", []string{"DNS", "", ""}},
		{"both", []alicerttest.Option{relative, whileVerifying}, "www.example.com", "_dnsauth.www", []string{"DNS", "", ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, tc.opts...)
			c := newClient(t, srv)
			id := createOrder(t, c, tc.domain, alicert.ValidateDNS)
			var vt []string
			for i, want := range []alicert.CertificateState{alicert.StateDomainVerify, alicert.StateProcess, alicert.StateCertificate} {
				out, err := c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: id})
				require.NoError(t, err)
				require.Equal(t, want, out.State, "read %d", i+1)
				vt = append(vt, out.ValidateType)
				if want == alicert.StateDomainVerify {
					assert.Equal(t, tc.record, out.RecordDomain)
					assert.Equal(t, "TXT", out.RecordType)
					assert.NotEmpty(t, out.RecordValue)
				} else {
					assert.Empty(t, out.RecordDomain)
				}
			}
			assert.Equal(t, tc.vt, vt)
		})
	}
}

// TestValidateTypeOnlyWhileVerifyingWithFILE checks that the option applies
// to FILE validation too, and leaves its file in domain_verify alone.
func TestValidateTypeOnlyWhileVerifyingWithFILE(t *testing.T) {
	t.Parallel()
	srv := newServer(t, alicerttest.WithValidateTypeOnlyWhileVerifying(), alicerttest.WithRelativeRecordDomain())
	c := newClient(t, srv)
	id := createOrder(t, c, "www.example.com", alicert.ValidateFile)
	first, err := c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: id})
	require.NoError(t, err)
	assert.Equal(t, "FILE", first.ValidateType)
	assert.Equal(t, "www.example.com", first.Domain)
	assert.NotEmpty(t, first.URI)
	assert.Empty(t, first.RecordDomain)
	second, err := c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: id})
	require.NoError(t, err)
	assert.Equal(t, alicert.StateProcess, second.State)
	assert.Empty(t, second.ValidateType)
}

package alicert_test

import (
	"testing"

	"github.com/alicert/alicert"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDescribeCertificateStateOutputDNSRecord(t *testing.T) {
	t.Parallel()
	st := func(recordDomain string) *alicert.DescribeCertificateStateOutput {
		return &alicert.DescribeCertificateStateOutput{State: alicert.StateDomainVerify, ValidateType: "DNS",
			RecordType: "txt", RecordDomain: recordDomain, RecordValue: "tok"}
	}
	for _, tc := range []struct{ domain, recordDomain, want string }{
		{"www.example.com", "_dnsauth.www", "_dnsauth.www.example.com"},
		{"www.example.com", "_dnsauth.www.example.com.", "_dnsauth.www.example.com"},
		{"*.example.com", "_dnsauth", "_dnsauth.example.com"},
		{"", "_dnsauth.www", "_dnsauth.www"}, // nothing to complete it with
	} {
		r, err := st(tc.recordDomain).DNSRecord(tc.domain)
		require.NoError(t, err, tc)
		assert.Equal(t, alicert.DNSRecord{Domain: tc.domain, Type: "TXT", Name: tc.want, Value: "tok"}, r, tc)
	}

	_, err := st("_dnsauth.a.example.com").DNSRecord("b.example.com")
	assert.ErrorContains(t, err, `record "_dnsauth.a.example.com" is not under "b.example.com"; is the order another domain's?`)
	_, err = (&alicert.DescribeCertificateStateOutput{State: alicert.StateProcess}).DNSRecord("example.com")
	assert.ErrorContains(t, err, "does not say which record")
}

func TestDescribeCertificateStateOutputFileChallenge(t *testing.T) {
	t.Parallel()
	st := &alicert.DescribeCertificateStateOutput{State: alicert.StateDomainVerify, ValidateType: "FILE",
		Domain: "www.example.com", URI: "https://www.example.com/.well-known/pki-validation/f.txt", Content: "tok"}
	want := alicert.FileChallenge{Domain: "www.example.com", Path: "/.well-known/pki-validation/f.txt", Content: "tok"}
	for _, domain := range []string{"", "www.example.com", "WWW.example.com."} {
		f, err := st.FileChallenge(domain)
		require.NoError(t, err)
		if domain != "" {
			want.Domain = domain
		}
		assert.Equal(t, want, f)
	}
	_, err := st.FileChallenge("api.example.com")
	assert.ErrorContains(t, err, `the file's host "www.example.com" is not "api.example.com"; is the order another domain's?`)
}

package alicerttest_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestValidatesParameters sends, by hand, what the client refuses to send,
// and checks that the server names the parameter the way its reference
// describes it.
func TestValidatesParameters(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	order := map[string]string{
		"Action": "CreateCertificateRequest", "Version": casVersion,
		"Domain": "www.example.com", "ValidateType": "DNS",
		"Username": "Tom", "Phone": "1390000****", "Email": "tom@example.com",
	}
	kms := map[string]string{
		"Action": "CreateCertificate", "Version": kmsVersion, "KeySpec": "EC_P256",
		"Subject": "CN=example.com,C=CN,O=Example,OU=IT",
	}
	upload := map[string]string{
		"Action": "UploadCertificate", "Version": kmsVersion,
		"CertificateId": "00000000-0000-4000-8000-000000000000", "Certificate": "pem",
	}
	tests := []struct {
		name   string
		params map[string]string
		code   string // MissingParameter or InvalidParameter unless said
		param  string
	}{
		{"order without Domain", with(order, "Domain", ""), "MissingParameter", "Domain"},
		{"order without Username", with(order, "Username", ""), "MissingParameter", "Username"},
		{"order without Phone", with(order, "Phone", ""), "MissingParameter", "Phone"},
		{"order without Email", with(order, "Email", ""), "MissingParameter", "Email"},
		{"order for two domains", with(order, "Domain", "a.example.com,b.example.com"), "InvalidParameter", "Domain"},
		{"order for a URL", with(order, "Domain", "https://example.com/"), "InvalidParameter", "Domain"},
		{"order with an empty label", with(order, "Domain", "www..example.com"), "InvalidParameter", "Domain"},
		{"order for a wildcard with a single-domain product", with(order, "Domain", "*.example.com"), "InvalidParameter", "Domain"},
		{"order for one name with a wildcard product", with(order, "ProductCode", "geotrust-dv-w-starter"), "InvalidParameter", "Domain"},
		{"order without ValidateType", with(order, "ValidateType", ""), "MissingParameter", "ValidateType"},
		{"order with ValidateType HTTP", with(order, "ValidateType", "HTTP"), "InvalidParameter", "ValidateType"},
		{"order with an unknown product", with(order, "ProductCode", "digicert-ev-1-premium"), "InvalidParameter", "ProductCode"},
		{"order with a bad email", with(order, "Email", "not-an-address"), "InvalidParameter", "Email"},
		{"order with a tag without key", with(order, "Tags.1.Value", "v"), "MissingParameter", "Tags.1.Key"},
		{"order with tag 21", with(order, "Tags.21.Key", "k"), "InvalidParameter", "Tags.21.Key"},
		{"order with a URL in a tag key", with(order, "Tags.1.Key", "http://x"), "InvalidParameter", "Tags.1.Key"},
		{"order with a long tag value", with(order, "Tags.1.Key", "k", "Tags.1.Value", strings.Repeat("v", 129)), "InvalidParameter", "Tags.1.Value"},
		{"order with a misspelt tag", with(order, "Tags.1.Name", "k"), "InvalidParameter", "Tags.1.Name"},

		{"state without OrderId", map[string]string{"Action": "DescribeCertificateState", "Version": casVersion}, "MissingParameter", "OrderId"},
		{"state of order 0", map[string]string{"Action": "DescribeCertificateState", "Version": casVersion, "OrderId": "0"}, "InvalidParameter", "OrderId"},
		{"state of order 1.5e17", map[string]string{"Action": "DescribeCertificateState", "Version": casVersion, "OrderId": "1.5e17"}, "InvalidParameter", "OrderId"},
		{"state of an unknown order", map[string]string{"Action": "DescribeCertificateState", "Version": casVersion, "OrderId": "98987582437920968"}, "InvalidParameter", "OrderId"},

		{"CSR without Algorithm", with(ecsr(), "Algorithm", ""), "MissingParameter", "Algorithm"},
		{"CSR with DSA", with(ecsr(), "Algorithm", "DSA"), "InvalidParameter", "Algorithm"},
		{"CSR without KeySize", with(ecsr(), "KeySize", ""), "MissingParameter", "KeySize"},
		{"CSR with ECC 384", with(ecsr(), "KeySize", "384"), "InvalidParameter", "KeySize"},
		{"CSR with RSA 1024", with(ecsr(), "Algorithm", "RSA", "KeySize", "1024"), "InvalidParameter", "KeySize"},
		{"CSR with SM2 2048", with(ecsr(), "Algorithm", "SM2", "KeySize", "2048"), "InvalidParameter", "KeySize"},
		{"CSR without CommonName", with(ecsr(), "CommonName", ""), "MissingParameter", "CommonName"},
		{"CSR without CountryCode", with(ecsr(), "CountryCode", ""), "MissingParameter", "CountryCode"},
		{"CSR with country CHN", with(ecsr(), "CountryCode", "CHN"), "InvalidParameter", "CountryCode"},
		{"CSR without Province", with(ecsr(), "Province", ""), "MissingParameter", "Province"},
		{"CSR without Locality", with(ecsr(), "Locality", ""), "MissingParameter", "Locality"},
		{"CSR with an empty SAN", with(ecsr(), "Sans", "a.example.com,,b.example.com"), "InvalidParameter", "Sans"},
		{"CSR with a long Name", with(ecsr(), "Name", strings.Repeat("n", 51)), "InvalidParameter", "Name"},
		{"CSR with a space in Name", with(ecsr(), "Name", "my csr"), "InvalidParameter", "Name"},
		{"CSR detail without CsrId", map[string]string{"Action": "GetCsrDetail", "Version": casVersion}, "MissingParameter", "CsrId"},
		{"CSR detail of -1", map[string]string{"Action": "GetCsrDetail", "Version": casVersion, "CsrId": "-1"}, "InvalidParameter", "CsrId"},
		{"detail of an unknown CSR", map[string]string{"Action": "GetCsrDetail", "Version": casVersion, "CsrId": "3365"}, "InvalidParameter", "CsrId"},

		{"KMS without KeySpec", with(kms, "KeySpec", ""), "MissingParameter", "KeySpec"},
		{"KMS with RSA_4096", with(kms, "KeySpec", "RSA_4096"), "InvalidParameter", "KeySpec"},
		{"KMS without Subject", with(kms, "Subject", ""), "MissingParameter", "Subject"},
		{"KMS without CN", with(kms, "Subject", "C=CN,O=Example,OU=IT"), "InvalidParameter", "Subject"},
		{"KMS without C", with(kms, "Subject", "CN=a,O=Example,OU=IT"), "InvalidParameter", "Subject"},
		{"KMS without O", with(kms, "Subject", "CN=a,C=CN,OU=IT"), "InvalidParameter", "Subject"},
		{"KMS without OU", with(kms, "Subject", "CN=a,C=CN,O=Example"), "InvalidParameter", "Subject"},
		{"KMS with country China", with(kms, "Subject", "CN=a,C=China,O=Example,OU=IT"), "InvalidParameter", "Subject"},
		{"KMS with an unescaped quote", with(kms, "Subject", `CN=a"b,C=CN,O=Example,OU=IT`), "InvalidParameter", "Subject"},
		{"KMS with a dangling backslash", with(kms, "Subject", `CN=a\,C=CN,O=Example,OU=IT\`), "InvalidParameter", "Subject"},
		{"KMS with an unknown attribute", with(kms, "Subject", "CN=a,C=CN,O=Example,OU=IT,DC=example"), "InvalidParameter", "Subject"},
		{"KMS with SANs that are not JSON", with(kms, "SubjectAlternativeNames", "a.example.com,b.example.com"), "InvalidParameter", "SubjectAlternativeNames"},
		{"KMS with 11 SANs", with(kms, "SubjectAlternativeNames", `["1.example","2.example","3.example","4.example","5.example","6.example","7.example","8.example","9.example","10.example","11.example"]`), "InvalidParameter", "SubjectAlternativeNames"},
		{"KMS with an empty SAN", with(kms, "SubjectAlternativeNames", `["a.example",""]`), "InvalidParameter", "SubjectAlternativeNames"},
		{"KMS with ExportablePrivateKey yes", with(kms, "ExportablePrivateKey", "yes"), "InvalidParameter", "ExportablePrivateKey"},
		{"upload without CertificateId", with(upload, "CertificateId", ""), "MissingParameter", "CertificateId"},
		{"upload without Certificate", with(upload, "Certificate", ""), "MissingParameter", "Certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := raw{params: tt.params}.send(t, srv)
			assert.Equal(t, http.StatusBadRequest, res.status, "%s", res.body)
			assert.Equal(t, tt.code, res.doc.Code, "%s", res.doc.Message)
			assert.Contains(t, res.doc.Message, `"`+tt.param+`"`)
		})
	}
	t.Cleanup(func() {
		assert.Zero(t, srv.OrderCount()+srv.CsrCount()+srv.KMSCertificateCount(), "an invalid request created something")
	})
}

// TestAcceptsValidVariants checks that the validation is not stricter than
// the reference: each of these is accepted.
func TestAcceptsValidVariants(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	order := map[string]string{
		"Action": "CreateCertificateRequest", "Version": casVersion,
		"Domain": "www.example.com", "ValidateType": "FILE",
		"Username": "Tom", "Phone": "1390000****", "Email": "tom@example.com",
	}
	tests := map[string]map[string]string{
		"order with contact details": with(order, "ProductCode", "globalsign-dv-1-personal",
			"Username", "Tom", "Phone", "1390000****", "Email", "username@example.com"),
		"order with 20 tags":        withTags(order, 20),
		"SM2 CSR":                   with(ecsr(), "Algorithm", "SM2", "Name", "csr-1_2.3", "Sans", "a.example.com,b.example.com"),
		"KMS with spaces in the DN": {"Action": "CreateCertificate", "Version": kmsVersion, "KeySpec": "EC_SM2", "Subject": "CN = a.example , C=CN, O=Example\\, Inc., OU=IT, ST=Zhejiang, L=Hangzhou", "ExportablePrivateKey": "false"},
	}
	for _, code := range []string{"digicert-free-1-free", "symantec-free-1-free", "symantec-dv-1-starter",
		"geotrust-dv-1-starter", "globalsign-dv-1-personal"} {
		tests["single-domain order for "+code] = with(order, "ProductCode", code)
	}
	for _, code := range []string{"symantec-dv-1-starter", "geotrust-dv-w-starter", "globalsign-dv-w-advanced"} {
		tests["wildcard order for "+code] = with(order, "ProductCode", code, "Domain", "*.example.com")
	}
	for name, params := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res := raw{params: params}.send(t, srv)
			assert.Equal(t, http.StatusOK, res.status, "%s", res.body)
		})
	}
}

func withTags(base map[string]string, n int) map[string]string {
	var changes []string
	for i := 1; i <= n; i++ {
		changes = append(changes, "Tags."+strconv.Itoa(i)+".Key", "key"+strconv.Itoa(i), "Tags."+strconv.Itoa(i)+".Value", "v")
	}
	return with(base, changes...)
}

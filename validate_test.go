package alicert

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestDomainRule pins the one rule every input naming a domain follows:
// each name here is one a CA cannot certify (or a DNS zone cannot hold),
// and the problem must say why, in ASCII, without the offending character.
func TestDomainRule(t *testing.T) {
	t.Parallel()
	label63 := strings.Repeat("a", 63)
	name253 := strings.Repeat(label63+".", 3) + strings.Repeat("b", 61) // 253 characters
	tests := []struct {
		name string
		in   string
		use  domainUse
		want string // a part of the problem; "" means accepted
	}{
		{"plain", "example.com", certName, ""},
		{"sub-domain", "www.example.com", certName, ""},
		{"upper case", "WWW.Example.COM", certName, ""},
		{"punycode", "xn--bcher-kva.de", certName, ""},
		{"digits and inner hyphens", "a-1.b2-c.example.com", certName, ""},
		{"numeric first label", "123.com", certName, ""},
		{"wildcard", "*.example.com", certName, ""},
		{"63-character label", label63 + ".com", certName, ""},
		{"253 characters", name253, certName, ""},
		{"record name with underscore", "_dnsauth.www.example.com", dnsRecordName, ""},
		{"wildcard record name", "*.example.com", dnsRecordName, ""},
		{"zone", "example.com.cn", zoneName, ""},

		{"empty", "", certName, "is required"},
		{"blank", " \t", certName, "is required"},
		{"NUL", "exa\x00mple.com", certName, "U+0000, a control character"},
		{"newline", "example.com\nx", certName, "U+000A, a control character"},
		{"DEL", "example\x7f.com", certName, "U+007F, a control character"},
		{"C1 control", "example\u0085.com", certName, "U+0085, a control character"},
		{"zero-width space", "exam\u200bple.com", certName, "U+200B, an invisible zero-width"},
		{"zero-width joiner", "exam\u200dple.com", certName, "U+200D, an invisible zero-width"},
		{"byte order mark", "\ufeffexample.com", certName, "U+FEFF, an invisible zero-width"},
		{"right-to-left override", "exa\u202emple.com", certName, "U+202E, an invisible bidirectional-text control"},
		{"left-to-right mark", "example.com\u200e", certName, "U+200E, an invisible bidirectional-text control"},
		{"full-width letter", "\uff45xample.com", certName, "U+FF45, a full-width or half-width form"},
		{"ideographic full stop", "example\u3002com", certName, "U+3002, a full-width or ideographic full stop"},
		{"IDN", "bücher.de", certName, `U+00FC, which is not ASCII: an internationalized domain name must be given in its ASCII form; use the punycode form "xn--bcher-kva.de"`},
		{"Cyrillic look-alike", "ex\u0430mple.com", certName, `use the punycode form "xn--exmple-4nf.com"`},
		{"localhost", "localhost", certName, `"localhost" is a single label`},
		{"under localhost", "app.localhost", certName, `reserved top-level domain "localhost"`},
		{"under test", "a.test", certName, `reserved top-level domain "test"`},
		{"top-level domain alone", "com", certName, `"com" is a single label`},
		{"IPv4", "1.2.3.4", certName, `"1.2.3.4" is an IP address`},
		{"IPv6 in brackets", "[::1]", certName, `"[::1]" is an IP address`},
		{"IPv6", "2001:db8::1", certName, "is an IP address"},
		{"numeric top-level label", "1.2.3.999", certName, "all-numeric label"},
		{"empty label", "a..b.com", certName, "empty label"},
		{"leading dot", ".example.com", certName, "empty label"},
		{"trailing dot", "example.com.", certName, "ends with a dot"},
		{"leading hyphen", "-a.com", certName, `label "-a", which starts or ends with a hyphen`},
		{"trailing hyphen", "a-.com", certName, `label "a-", which starts or ends with a hyphen`},
		{"64-character label", label63 + "a.com", certName, "a label of 64 characters; at most 63"},
		{"254 characters", name253 + "b", certName, "is 254 characters long; a domain name has at most 253"},
		{"two wildcards", "*.*.a.com", certName, "a wildcard must be the whole leftmost label"},
		{"inner wildcard", "a.*.com", certName, "a wildcard must be the whole leftmost label"},
		{"partial wildcard", "*a.com", certName, "a wildcard must be the whole leftmost label"},
		{"wildcard alone", "*", certName, "a wildcard must be the whole leftmost label"},
		{"wildcard zone", "*.example.com", zoneName, "is a wildcard"},
		{"underscore in a certificate name", "_dnsauth.example.com", certName, `label "_dnsauth"`},
		{"URL", "https://example.com/", certName, "not a single domain name"},
		{"list", "a.example.com,b.example.com", certName, "not a single domain name"},
		{"space", "a example.com", certName, "not a single domain name"},
		{"port", "example.com:443", certName, "not a single domain name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := domainProblem(tc.in, tc.use)
			if tc.want == "" {
				assert.Empty(t, got)
				return
			}
			assert.Contains(t, got, tc.want)
			for _, r := range got {
				assert.True(t, r >= 0x20 && r < 0x7f, "the problem holds %U: %q", r, got)
			}
		})
	}
}

// TestDomainRuleAppliesToEveryDomainInput runs one bad name through each
// input that names a domain: each refuses it before sending, naming the
// field and the character.
func TestDomainRuleAppliesToEveryDomainInput(t *testing.T) {
	t.Parallel()
	const bad = "exa\u200bmple.com"
	csr := func(edit func(*CreateCsrInput)) func(context.Context, *Client) (any, error) {
		return func(ctx context.Context, c *Client) (any, error) {
			in := &CreateCsrInput{Algorithm: AlgorithmECC, KeySize: 256, CommonName: "example.com",
				CountryCode: "CN", Province: "Zhejiang", Locality: "Hangzhou"}
			edit(in)
			return c.CAS.CreateCsr(ctx, in)
		}
	}
	order := func(domain string) func(context.Context, *Client) (any, error) {
		return func(ctx context.Context, c *Client) (any, error) {
			return c.CAS.CreateCertificateRequest(ctx, &CreateCertificateRequestInput{Domain: domain, ValidateType: ValidateDNS,
				Username: "Zhang San", Phone: "13800000000", Email: "ops@example.com"})
		}
	}
	valRun(t, "CreateCertificateRequest", []valCase{
		{"zero-width", order(bad), []string{"Domain"}},
		{"IDN", order("bücher.de"), []string{"Domain"}},
		{"localhost", order("localhost"), []string{"Domain"}},
		{"IP", order("1.2.3.4"), []string{"Domain"}},
	})
	valRun(t, "CreateCsr", []valCase{
		{"CommonName", csr(func(in *CreateCsrInput) { in.CommonName = bad }), []string{"CommonName"}},
		{"CommonName IP", csr(func(in *CreateCsrInput) { in.CommonName = "[::1]" }), []string{"CommonName"}},
		{"SANs", csr(func(in *CreateCsrInput) { in.SANs = []string{"ok.example.com", bad, "com"} }), []string{"SANs[1]", "SANs[2]"}},
	})
	valRun(t, "AddDomainRecord", []valCase{
		{"DomainName", func(ctx context.Context, c *Client) (any, error) {
			return c.DNS.AddDomainRecord(ctx, &AddDomainRecordInput{DomainName: bad, RR: "www", Type: "A", Value: "192.0.2.1"})
		}, []string{"DomainName"}},
		{"RR", func(ctx context.Context, c *Client) (any, error) {
			return c.DNS.AddDomainRecord(ctx, &AddDomainRecordInput{DomainName: "example.com", RR: "w\u202eww", Type: "A", Value: "192.0.2.1"})
		}, []string{"RR"}},
	})
	valRun(t, "DescribeSubDomainRecords", []valCase{
		{"SubDomain", func(ctx context.Context, c *Client) (any, error) {
			return c.DNS.DescribeSubDomainRecords(ctx, &DescribeSubDomainRecordsInput{SubDomain: "_dnsauth." + bad})
		}, []string{"SubDomain"}},
		{"DomainName", func(ctx context.Context, c *Client) (any, error) {
			return c.DNS.DescribeSubDomainRecords(ctx, &DescribeSubDomainRecordsInput{SubDomain: "a.example.com", DomainName: "com"})
		}, []string{"DomainName"}},
	})
}

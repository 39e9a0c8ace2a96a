package alicert

import (
	"net/url"
	"slices"
	"testing"

	"github.com/alicert/alicert/internal/testkit"
)

// FuzzSubjectDN checks the RFC 2253 encoder of Subject: it never panics,
// and what it writes parses back, with testkit.ParseDN, a strict RFC 2253 parser, to exactly
// the attributes it was given. The seed corpus (the f.Add calls and
// testdata/fuzz/FuzzSubjectDN) runs with every plain go test.
func FuzzSubjectDN(f *testing.F) {
	f.Add(wireDN.CommonName, wireDN.Country, wireDN.Organization, wireDN.OrganizationalUnit, wireDN.Province, wireDN.Locality)
	f.Add("example.com", "CN", "Example", "IT", "", "")
	f.Add("", "", "", "", "", "")
	f.Add(" ", "  ", "#", "##", " # ", "\\")
	f.Add(`,+"\<>;=#`, "\x00", `\00`, "a\\", `\,`, "\xff\xfe")
	f.Fuzz(func(t *testing.T, cn, c, o, ou, st, l string) {
		s := Subject{CommonName: cn, Country: c, Organization: o, OrganizationalUnit: ou, Province: st, Locality: l}
		dn := s.String()

		var want []testkit.Attr
		for _, typ := range []string{"CN", "C", "O", "OU", "ST", "L"} {
			if v := map[string]string{"CN": cn, "C": c, "O": o, "OU": ou, "ST": st, "L": l}[typ]; v != "" {
				want = append(want, testkit.Attr{Type: typ, Value: v})
			}
		}
		got, err := testkit.ParseDN(dn)
		if err != nil {
			t.Fatalf("Subject%+q encodes as %q, which does not parse: %v", []string{cn, c, o, ou, st, l}, dn, err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("Subject%+q encodes as %q, which parses back as %+q", []string{cn, c, o, ou, st, l}, dn, got)
		}

		// The wire form is the same string, set once under the field's key.
		v := url.Values{}
		if err := s.EncodeValues("Subject", &v); err != nil || v.Get("Subject") != dn || len(v["Subject"]) != 1 {
			t.Fatalf("EncodeValues = %q, %v; want [%q]", v["Subject"], err, dn)
		}
	})
}

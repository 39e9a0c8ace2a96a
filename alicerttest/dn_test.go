package alicerttest

import (
	"testing"
	"unicode/utf8"

	"github.com/alicert/alicert"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseDN(t *testing.T) {
	t.Parallel()
	tests := []struct {
		dn   string
		want []dnAttribute
	}{
		{"CN=a,OU=b", []dnAttribute{{"CN", "a"}, {"OU", "b"}}},
		{`CN=\E6\9D\AD\e5\b7\9e`, []dnAttribute{{"CN", "杭州"}}},
		{`CN=\#1\,2\+3\"4\\5\<6\>7\;8\=9\ `, []dnAttribute{{"CN", `#1,2+3"4\5<6>7;8=9 `}}},
		{`CN=a\00b`, []dnAttribute{{"CN", "a\x00b"}}},
		{"CN=a+OU=b;O=c", []dnAttribute{{"CN", "a"}, {"OU", "b"}, {"O", "c"}}},
		{" CN = a b , O=x=y ", []dnAttribute{{"CN", "a b"}, {"O", "x=y"}}},
		{`CN=\ \ a`, []dnAttribute{{"CN", "  a"}}},
		{"CN=", []dnAttribute{{"CN", ""}}},
	}
	for _, tt := range tests {
		got, err := parseDN(tt.dn)
		if assert.NoError(t, err, tt.dn) {
			assert.Equal(t, tt.want, got, tt.dn)
		}
	}
	for _, bad := range []string{"", "CN", "=a", `CN=a\`, `CN=a\x`, `CN=a\4`, `CN="a"`, "CN=a<b", "CN=#0403", `CN=\ff`} {
		_, err := parseDN(bad)
		assert.Error(t, err, bad)
	}
}

// FuzzSubjectRoundTrip checks that every subject the client can send is
// read back by the server as the client meant it.
func FuzzSubjectRoundTrip(f *testing.F) {
	for _, s := range []string{"example.com", `#a,b+c"d\e<f>g;h `, " lead", "trail ", "\x00", "杭州", "a=b", `\41`} {
		f.Add(s, "Example, Inc.")
	}
	f.Fuzz(func(t *testing.T, cn, org string) {
		if cn == "" || org == "" {
			t.Skip("the client leaves empty attributes out")
		}
		s := alicert.Subject{CommonName: cn, Country: "CN", Organization: org, OrganizationalUnit: "IT", Locality: cn}
		name, err := kmsSubject(s.String())
		if !utf8.ValidString(cn) || !utf8.ValidString(org) {
			require.Error(t, err)
			return
		}
		require.NoError(t, err, "%q", s.String())
		assert.Equal(t, cn, name.CommonName)
		assert.Equal(t, []string{org}, name.Organization)
		assert.Equal(t, []string{cn}, name.Locality)
		assert.Equal(t, []string{"IT"}, name.OrganizationalUnit)
	})
}

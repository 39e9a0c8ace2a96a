package testkit

import (
	"slices"
	"testing"
)

// TestParseDN checks the tests' parser, so that the verdict of the fuzz
// targets that use it can be trusted: it must reject what RFC 2253 does
// not allow unescaped, and undo every escape.
func TestParseDN(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want []Attr
	}{
		{"", nil},
		{"CN=a", []Attr{{"CN", "a"}}},
		{`CN=a\,b,O=\#x\ `, []Attr{{"CN", "a,b"}, {"O", "#x "}}},
		{`CN= a b `, []Attr{{"CN", "a b"}}}, // RFC 2253 section 4: spaces around the value are ignored
		{`CN=\  \ `, []Attr{{"CN", "   "}}},
		{`CN=\00\41\c3\a9`, []Attr{{"CN", "\x00Aé"}}},
		{`CN=,O=x`, []Attr{{"CN", ""}, {"O", "x"}}},
	} {
		got, err := ParseDN(tc.in)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("ParseDN(%q) = %+q, %v; want %+q", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{
		"CN", "=a", "1N=a", "CN=a=b", "CN=a#b", "CN=#616263", `CN="quoted"`, "CN=a;b", "CN=<a>",
		"CN=a+O=b", `CN=a\`, `CN=a\q`, `CN=a\4`, "CN=a,", "CN=a,,O=b", `CN=a"b`,
	} {
		if got, err := ParseDN(in); err == nil {
			t.Errorf("ParseDN(%q) = %+q, want an error", in, got)
		}
	}
}

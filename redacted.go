package alicert

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/alicert/alicert/internal/redact"
)

// hidden returns what %v shows in place of a secret field: nothing when it is
// empty, so that a reader can still tell whether it was set.
func hidden(secret string) string {
	if secret == "" {
		return ""
	}
	return redact.Placeholder
}

// formatHidden formats plain (a method-less copy of a value whose secrets
// are already hidden) as %+v, or as %#v under the exported type name.
func formatHidden(typeName string, plain any, goSyntax bool) string {
	if !goSyntax {
		return fmt.Sprintf("%+v", plain)
	}
	s := fmt.Sprintf("%#v", plain)
	if i := strings.IndexByte(s, '{'); i >= 0 {
		s = "alicert." + typeName + s[i:]
	}
	return s
}

// formatWith implements fmt.Formatter for a value with secrets: %#v gets the
// Go-syntax form and every other verb (%v, %s, %d, %x, ...) the plain one,
// both from describe, so that no verb reaches the secret fields.
func formatWith(f fmt.State, verb rune, describe func(goSyntax bool) string) {
	_, _ = io.WriteString(f, describe(verb == 'v' && f.Flag('#')))
}

// The outputs that hold a private key marshal to JSON with every field but
// the key, which is written as the placeholder (or "" when unset). Value
// receivers make this hold however the output is reached: by value or by
// pointer, in a struct, a slice or a map, and so also in log/slog's JSON
// handler, which marshals nested values with encoding/json. Decoding a
// response (json.Unmarshal) is not affected and fills the key.

// MarshalJSON writes o with PrivateKey hidden.
func (o DescribeCertificateStateOutput) MarshalJSON() ([]byte, error) {
	type plain DescribeCertificateStateOutput // without methods, so no recursion
	p := plain(o)
	p.PrivateKey = hidden(p.PrivateKey)
	return json.Marshal(p)
}

// MarshalJSON writes o with PrivateKey hidden.
func (o GetCsrDetailOutput) MarshalJSON() ([]byte, error) {
	type plain GetCsrDetailOutput
	p := plain(o)
	p.PrivateKey = hidden(p.PrivateKey)
	return json.Marshal(p)
}

// MarshalJSON writes o with PrivateKey hidden.
func (o ObtainOutput) MarshalJSON() ([]byte, error) {
	type plain ObtainOutput
	p := plain(o)
	p.PrivateKey = hidden(p.PrivateKey)
	return json.Marshal(p)
}

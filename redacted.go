package alicert

import (
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

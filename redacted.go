package alicert

import (
	"fmt"
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

package main

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// shown returns s as the command prints a string it did not write itself
// (a name, status or message from the service, a certificate's subject):
// every character a terminal would act on rather than show is escaped,
// so that such a string can neither move the cursor, retitle the window,
// clear the screen nor reorder what follows it. Escaped are the C0 and C1
// controls and DEL (tab and newline included: a name cannot break a table
// row or forge a line), Unicode format characters (bidi overrides and
// isolates, zero-width spaces and joiners, the byte order mark), the line
// and paragraph separators, and invalid UTF-8. A character is escaped as
// \xHH below U+0100 (and for an invalid byte), \uHHHH or \UHHHHHHHH above;
// a backslash is doubled, so that the escaped form cannot be mistaken for
// the name itself. Every other character, non-ASCII letters included,
// prints as it is.
func shown(s string) string {
	if !strings.ContainsFunc(s, needsEscape) && !strings.Contains(s, `\`) && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\\':
			b.WriteString(`\\`)
		case !needsEscape(r):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
		i += size
	}
	return b.String()
}

// needsEscape reports whether a terminal may act on r rather than show it.
func needsEscape(r rune) bool {
	return r < 0x20 || 0x7f <= r && r < 0xa0 || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Cf, r)
}

// shownArgs returns args with every string, error and Stringer among them
// replaced by its shown text: the arguments of an error line or a message
// may carry what the service said. The service's own error messages come
// from the library with such characters removed already; what an error
// quotes from a name or status is escaped here.
func shownArgs(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case string:
			out[i] = shown(v)
		case error:
			// An error may span lines on purpose (errors.Join): its
			// newlines stay, each line is shown, and the lines after the
			// first are indented, so that none passes for a line of its
			// own ("alicert: deployed").
			lines := strings.Split(v.Error(), "\n")
			for j, l := range lines {
				lines[j] = shown(l)
			}
			out[i] = strings.Join(lines, "\n  ")
		case fmt.Stringer:
			out[i] = shown(v.String())
		default:
			out[i] = a
		}
	}
	return out
}

// jsonSafe escapes in encoded JSON the characters encoding/json leaves as
// they are but a terminal acts on (DEL, the C1 controls, Unicode format
// characters; encoding/json escapes the C0 controls and U+2028/U+2029
// itself) as \uHHHH, a surrogate pair above U+FFFF. Outside strings, JSON
// holds ASCII only, so every such character is inside a string, and the
// document decodes to exactly the same values.
func jsonSafe(doc []byte) []byte {
	if !bytes.ContainsFunc(doc, jsonNeedsEscape) {
		return doc
	}
	var b bytes.Buffer
	for _, r := range string(doc) {
		switch {
		case !jsonNeedsEscape(r):
			b.WriteRune(r)
		case r > 0xffff:
			hi, lo := utf16.EncodeRune(r)
			fmt.Fprintf(&b, `\u%04x\u%04x`, hi, lo)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.Bytes()
}

// jsonNeedsEscape is needsEscape but for the C0 controls, which encoded JSON
// holds only as the whitespace between its values.
func jsonNeedsEscape(r rune) bool { return r >= 0x20 && needsEscape(r) }

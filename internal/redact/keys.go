package redact

import (
	"regexp"
	"strings"
)

// secretAssignment matches a value assigned to a key whose name says it is
// secret, in JSON ("access_key_secret": "v"), INI or query (AccessKeySecret=v)
// form. credentials-go quotes whole profile files and HTTP bodies in some
// errors, and those reach our credentials error. The key, separator and any
// opening quote are group 1; the value is group 2.
var secretAssignment = regexp.MustCompile(`(?i)("?[a-z0-9_.\-]*(?:secret|token|password|passwd)[a-z0-9_\-]*"?\s*[:=]\s*"?)([^"\s,;&}\]]+)`)

// secretLine matches a credentials-file line with a secret-named key in
// snake_case (access_key_secret, sts_token) and its value after blanks, with
// no '=': the shared credentials file's parser quotes such a line in its
// error. A key written in words ("the access key secret is empty") does
// not match.
var secretLine = regexp.MustCompile(`(?i)(\b[a-z0-9]*(?:_[a-z0-9]+)*_?(?:secret|token|password|passwd)(?:_[a-z0-9]+)*[ \t]+)([^\s"',;&}\]=:\[][^\s"',;&}\]]*)`)

// delimiterNotFound is how the INI parser under credentials-go reports a
// line without '=', before quoting the whole line; nothing after it on that
// line is kept.
var delimiterNotFound = regexp.MustCompile(`(?i)(delimiter not found:?[ \t]*)[^\r\n]*`)

// assignments replaces every value assigned to a secret-named key, and every
// credentials-file line quoted for lacking its '='.
func assignments(s string) string {
	s = delimiterNotFound.ReplaceAllString(s, "${1}"+Placeholder)
	s = secretAssignment.ReplaceAllString(s, "${1}"+Placeholder)
	return secretLine.ReplaceAllStringFunc(s, func(m string) string {
		sub := secretLine.FindStringSubmatch(m)
		if !strings.Contains(sub[1], "_") {
			return m // a word, not a key name
		}
		return sub[1] + Placeholder
	})
}

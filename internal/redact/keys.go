package redact

import "regexp"

// secretAssignment matches a value assigned to a key whose name says it is
// secret, in JSON ("access_key_secret": "v"), INI or query (AccessKeySecret=v)
// form. credentials-go quotes whole profile files and HTTP bodies in some
// errors, and those reach our credentials error. The key, separator and any
// opening quote are group 1; the value is group 2.
var secretAssignment = regexp.MustCompile(`(?i)("?[a-z0-9_.\-]*(?:secret|token|password|passwd)[a-z0-9_\-]*"?\s*[:=]\s*"?)([^"\s,;&}\]]+)`)

// assignments replaces every value assigned to a secret-named key.
func assignments(s string) string {
	return secretAssignment.ReplaceAllString(s, "${1}"+Placeholder)
}

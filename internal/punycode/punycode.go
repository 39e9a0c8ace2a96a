// Package punycode turns an internationalized domain name into the ASCII
// form a certificate and the DNS hold (RFC 3492's Punycode, with the
// "xn--" prefix of RFC 5891), so that an error can name the form to type.
//
// It encodes only: it lower-cases each label but does not apply the rest
// of IDNA's mapping (Unicode normalization, the disallowed code points),
// so its result is a suggestion for a name the caller typed, which the
// domain rules then check like any other.
package punycode

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// The parameters of Punycode (RFC 3492, section 5).
const (
	base        = 36
	tMin        = 1
	tMax        = 26
	skew        = 38
	damp        = 700
	initialBias = 72
	initialN    = 128
	// maxInt bounds delta well inside int32, as the RFC's overflow
	// handling (section 6.4) asks.
	maxInt = 1<<31 - 1
)

// errOverflow is returned for input whose encoding would overflow.
var errOverflow = errors.New("punycode: input too long")

// ToASCII returns domain with each label that holds non-ASCII characters
// lower-cased and replaced by "xn--" and its Punycode encoding. ASCII
// labels are returned as they are.
func ToASCII(domain string) (string, error) {
	if !utf8.ValidString(domain) {
		return "", errors.New("punycode: not valid UTF-8")
	}
	labels := strings.Split(domain, ".")
	for i, label := range labels {
		if isASCII(label) {
			continue
		}
		enc, err := Encode(strings.ToLower(label))
		if err != nil {
			return "", err
		}
		labels[i] = "xn--" + enc
	}
	return strings.Join(labels, "."), nil
}

// Encode returns the Punycode encoding of s (RFC 3492, section 6.3),
// without the "xn--" prefix.
func Encode(s string) (string, error) {
	input := []rune(s)
	var out strings.Builder
	for _, r := range input {
		if r < initialN {
			out.WriteRune(r)
		}
	}
	basic := out.Len()
	handled := basic
	if basic > 0 {
		out.WriteByte('-')
	}
	n, delta, bias := initialN, 0, initialBias
	for handled < len(input) {
		m := maxInt
		for _, r := range input {
			if int(r) >= n && int(r) < m {
				m = int(r)
			}
		}
		if m-n > (maxInt-delta)/(handled+1) {
			return "", errOverflow
		}
		delta += (m - n) * (handled + 1)
		n = m
		for _, r := range input {
			if int(r) < n {
				if delta++; delta > maxInt {
					return "", errOverflow
				}
			}
			if int(r) != n {
				continue
			}
			writeNumber(&out, delta, bias)
			bias = adapt(delta, handled+1, handled == basic)
			delta = 0
			handled++
		}
		delta++
		n++
	}
	return out.String(), nil
}

// writeNumber writes q as a generalized variable-length integer.
func writeNumber(out *strings.Builder, q, bias int) {
	for k := base; ; k += base {
		t := threshold(k, bias)
		if q < t {
			break
		}
		out.WriteByte(digit(t + (q-t)%(base-t)))
		q = (q - t) / (base - t)
	}
	out.WriteByte(digit(q))
}

func threshold(k, bias int) int {
	switch {
	case k <= bias:
		return tMin
	case k >= bias+tMax:
		return tMax
	}
	return k - bias
}

// adapt is the bias adaptation of RFC 3492, section 6.1.
func adapt(delta, points int, first bool) int {
	if first {
		delta /= damp
	} else {
		delta /= 2
	}
	delta += delta / points
	k := 0
	for delta > ((base-tMin)*tMax)/2 {
		delta /= base - tMin
		k += base
	}
	return k + (base-tMin+1)*delta/(delta+skew)
}

func digit(d int) byte {
	if d < 26 {
		return byte('a' + d)
	}
	return byte('0' + d - 26)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

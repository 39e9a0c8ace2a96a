package punycode

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The samples of RFC 3492, section 7.1, and well-known names.
func TestEncode(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"bücher", "bcher-kva"},
		{"münchen", "mnchen-3ya"},
		{"他们为什么不说中文", "ihqwcrb4cv8a8dqg056pqjye"},                                // (B) Chinese (simplified)
		{"ليهمابتكلموشعربي؟", "egbpdaj6bu4bxfgehfvwxn"},                          // (A) Arabic (Egyptian)
		{"Pročprostěnemluvíčesky", "Proprostnemluvesky-uyb24dma41a"},             // (D) Czech
		{"3年B組金八先生", "3B-ww4c5e180e575a65lsy2b"},                                 // (L) Japanese
		{"安室奈美恵-with-SUPER-MONKEYS", "-with-SUPER-MONKEYS-pc58ag80a8qai00g7n9n"}, // (M)
		{"abc", "abc-"},
	} {
		got, err := Encode(tc.in)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
}

func TestToASCII(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"bücher.example.com", "xn--bcher-kva.example.com"},
		{"BÜCHER.example.com", "xn--bcher-kva.example.com"},
		{"*.münchen.de", "*.xn--mnchen-3ya.de"},
		{"www.example.com", "www.example.com"},
	} {
		got, err := ToASCII(tc.in)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
	_, err := ToASCII("\xff.example.com")
	assert.Error(t, err)
}

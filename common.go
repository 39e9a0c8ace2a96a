package alicert

import (
	"crypto"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Pieces that more than one room of the package uses: domain-name
// normalisation, resource tags and their checks, the paging and id checks of
// list actions, and small helpers on keys and strings.

// normalizeName lower-cases a domain name and drops a trailing dot.
func normalizeName(s string) string {
	return strings.ToLower(strings.TrimSuffix(strings.TrimSpace(s), "."))
}

// Tag is a resource tag attached to a certificate order or an upload.
// What a key and a value may hold is what each operation's model says (see
// the operation's Tags field): CreateCertificateRequest takes keys of up to
// 64 characters, CreateCertificateWithCsrRequest and
// RenewCertificateOrderForPackageRequest up to 128.
type Tag struct {
	// Key is the tag key.
	Key string
	// Value is the tag value; it may be empty.
	Value string
}

// tagRules are the limits an operation's model states for its tags; a zero
// limit is one the model does not state, and is not checked.
type tagRules struct {
	maxTags, maxKey, maxValue int
	// keyRequired: "The tag key cannot be an empty string".
	keyRequired bool
	// noURLInKey: the key "cannot contain http:// or https://".
	noURLInKey bool
}

func checkTags(p *problems, tags []Tag, rules tagRules) {
	if rules.maxTags > 0 && len(tags) > rules.maxTags {
		p.add("Tags", fmt.Sprintf("has %d tags; at most %d are allowed", len(tags), rules.maxTags))
	}
	// The field name is built only for a problem: this runs on every call.
	field := func(i int, part string) string { return "Tags[" + strconv.Itoa(i) + "]." + part }
	for i, t := range tags {
		switch {
		case t.Key == "" && rules.keyRequired:
			p.add(field(i, "Key"), "is required")
		case rules.maxKey > 0 && utf8.RuneCountInString(t.Key) > rules.maxKey:
			p.add(field(i, "Key"), fmt.Sprintf("is longer than %d characters", rules.maxKey))
		case rules.noURLInKey && (strings.Contains(t.Key, "http://") || strings.Contains(t.Key, "https://")):
			p.add(field(i, "Key"), "must not contain http:// or https://")
		}
		if rules.maxValue > 0 && utf8.RuneCountInString(t.Value) > rules.maxValue {
			p.add(field(i, "Value"), fmt.Sprintf("is longer than %d characters", rules.maxValue))
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// checkPage validates the paging fields every list action shares.
func checkPage(p *problems, page, size int64) {
	p.pageNumber("CurrentPage", page)
	p.pageSize("ShowSize", size, 0)
}

// checkIDs validates a list of ids: each positive, no repeats; required
// says whether the list may be empty.
func checkIDs(p *problems, field string, ids []int64, required bool) {
	if required && len(ids) == 0 {
		p.add(field, "is required: at least one id")
	}
	seen := make(map[int64]bool, len(ids))
	for i, id := range ids {
		switch {
		case id <= 0:
			p.add(fmt.Sprintf("%s[%d]", field, i), fmt.Sprintf("must be a positive id, got %d", id))
		case seen[id]:
			p.add(fmt.Sprintf("%s[%d]", field, i), fmt.Sprintf("repeats id %d", id))
		}
		seen[id] = true
	}
}

// samePublicKey compares two public keys of any of crypto/x509's types.
func samePublicKey(a, b crypto.PublicKey) bool {
	k, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && k.Equal(b)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

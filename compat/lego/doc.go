// Package lego runs lego's Alibaba Cloud DNS provider
// (github.com/go-acme/lego/v5/providers/dns/alidns), the DNS-01 solver of
// the most used Go ACME client, against alicerttest.Server, and checks that
// the TXT record it presents appears in the fake DNS and that its clean-up
// removes it.
//
// It is a module of its own, apart from the compatibility suite in compat/,
// so that lego and its dependencies stay out of that suite's build. It has
// no API; its test is the point. Run it with
//
//	cd compat/lego && go test ./...
package lego

package alicert

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

func checkRegion(r string) error {
	if r == "" {
		return errors.New("WithRegion: the region id is empty")
	}
	for i := 0; i < len(r); i++ {
		c := r[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return fmt.Errorf("WithRegion: %q is not a region id (lower-case letters, digits and '-', like cn-hangzhou)", r)
		}
	}
	return nil
}

// defaultEndpoints returns the CAS and KMS endpoints of a region. CAS serves
// DV certificates from Hangzhou for mainland China and from Singapore for the
// rest of the world.
func defaultEndpoints(region string) (cas, kms string) {
	cas = "https://cas.ap-southeast-1.aliyuncs.com"
	if strings.HasPrefix(region, "cn-") && region != "cn-hongkong" {
		cas = "https://cas.aliyuncs.com"
	}
	return cas, "https://kms." + region + ".aliyuncs.com"
}

// checkEndpoint parses raw and returns the URL to POST to.
func checkEndpoint(raw string, insecureHTTP bool) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// Not quoted: a URL that does not parse may still hold a password.
		return nil, errors.New("the endpoint is not a URL (want https://host[:port][/path])")
	}
	shown := showEndpoint(u)
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, fmt.Errorf("%q: the scheme must be https (or http for loopback)", shown)
	case u.Host == "":
		return nil, fmt.Errorf("%q has no host", shown)
	case u.User != nil:
		return nil, errors.New("the endpoint URL must not carry user information")
	case u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("%q: the endpoint URL must not have a query or fragment", shown)
	case u.Scheme == "http" && !insecureHTTP && !isLoopback(u.Hostname()):
		return nil, fmt.Errorf("%q: http:// sends requests in clear text; use https, a loopback host, or WithInsecureHTTP()", shown)
	}
	if u.Path == "" {
		u.Path = "/"
	}
	return u, nil
}

// showEndpoint is an endpoint as errors may quote it: scheme, host and path,
// never user information, a query or a fragment, which may hold a secret.
func showEndpoint(u *url.URL) string {
	shown := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}
	return printable(shown.String())
}

// isLoopback reports a host that is loopback by its very name: "localhost"
// or a literal address in 127.0.0.0/8 or ::1. A name under .localhost is not
// one: it resolves through whatever resolver (and proxy) the machine has.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

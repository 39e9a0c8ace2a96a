package alicert

import (
	"errors"
	"fmt"
	"net"
	"net/url"
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

// defaultEndpoints returns the CAS, KMS and Alidns endpoints of a region:
// what the official generated client of each API computes (its
// GetEndpoint): the client's EndpointMap entry for the region, else
// darabonba's "regional" rule with no network and no suffix,
// <product>.<region>.aliyuncs.com. Read from the Init of the cas-20200407,
// kms-20160120 and alidns-20150109 clients (alibabacloud-go-sdk, 2026-08).
func defaultEndpoints(region string) (cas, kms, alidns string) {
	return "https://" + casHost(region), "https://" + regionalHost("kms", region), "https://" + alidnsHost(region)
}

// regionalHost is darabonba's "regional" endpoint rule with no network and
// no suffix (endpoint-util GetEndpointRules).
func regionalHost(product, region string) string {
	return product + "." + region + ".aliyuncs.com"
}

// casCentralHost is the host cas-20200407's EndpointMap gives most regions.
const casCentralHost = "cas.aliyuncs.com"

// casHost is the CAS host of a region. The cas-20200407 EndpointMap sends
// the regions listed here to cas.aliyuncs.com, and names for the others it
// lists (ap-southeast-1, ap-southeast-2, ap-northeast-1, ap-south-1,
// eu-central-1, me-central-1, me-east-1) the host the regional rule gives
// too, as it gives every region outside the map.
func casHost(region string) string {
	switch region {
	case "cn-hangzhou", "ap-northeast-2-pop", "ap-southeast-3", "ap-southeast-5",
		"cn-beijing", "cn-beijing-finance-1", "cn-beijing-finance-pop", "cn-beijing-gov-1", "cn-beijing-nu16-b01",
		"cn-chengdu", "cn-edge-1", "cn-fujian", "cn-haidian-cm12-c01",
		"cn-hangzhou-bj-b01", "cn-hangzhou-finance", "cn-hangzhou-internal-prod-1",
		"cn-hangzhou-internal-test-1", "cn-hangzhou-internal-test-2", "cn-hangzhou-internal-test-3", "cn-hangzhou-test-306",
		"cn-hongkong", "cn-hongkong-finance-pop", "cn-huhehaote", "cn-huhehaote-nebula-1", "cn-north-2-gov-1",
		"cn-qingdao", "cn-qingdao-nebula",
		"cn-shanghai", "cn-shanghai-et15-b01", "cn-shanghai-et2-b01", "cn-shanghai-finance-1", "cn-shanghai-inner",
		"cn-shanghai-internal-test-1",
		"cn-shenzhen", "cn-shenzhen-finance-1", "cn-shenzhen-inner", "cn-shenzhen-st4-d01", "cn-shenzhen-su18-b01",
		"cn-wuhan", "cn-wulanchabu", "cn-yushanfang", "cn-zhangbei", "cn-zhangbei-na61-b01",
		"cn-zhangjiakou", "cn-zhangjiakou-na62-a01", "cn-zhengzhou-nebula-1",
		"eu-west-1", "eu-west-1-oxs", "rus-west-1-pop", "us-east-1", "us-west-1":
		return casCentralHost
	}
	return regionalHost("cas", region)
}

// alidnsHost is the Alidns host of a region. The alidns-20150109
// EndpointMap has one entry, "public": alidns.aliyuncs.com; every region
// gets the regional rule's host. Every entry of kms-20160120's map is the
// regional rule's host, so KMS needs no function of its own.
func alidnsHost(region string) string {
	if region == "public" {
		return "alidns.aliyuncs.com"
	}
	return regionalHost("alidns", region)
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

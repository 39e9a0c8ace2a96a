package alicerttest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math/big"
	"net"
	"strings"
)

// randomBytes fills n bytes from crypto/rand, which never fails on the
// platforms Go supports (it panics rather than return an error since Go 1.24).
func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func randomHex(n int) string { return hex.EncodeToString(randomBytes(n)) }

// randomInt returns a uniform number in [0, n).
func randomInt(n int64) int64 {
	v, err := rand.Int(rand.Reader, big.NewInt(n))
	if err != nil {
		panic("alicerttest: crypto/rand failed: " + err.Error())
	}
	return v.Int64()
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// randomAlnum returns n random letters and digits, the alphabet of
// AccessKey ids and secrets.
func randomAlnum(n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte(alnum[randomInt(int64(len(alnum)))])
	}
	return b.String()
}

// randomAccountID returns a 12-digit Alibaba Cloud account id.
func randomAccountID() string {
	return fmt.Sprintf("%d%011d", 1+randomInt(9), randomInt(1e11))
}

// uuid returns a random (version 4) UUID in lower-case hex.
func uuid() string {
	b := randomBytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// newRequestID returns a request id in the service's form: an upper-case
// UUID such as CBF1E9B7-D6A0-4E9E-AD3E-2B47E6C2837D.
func newRequestID() string { return strings.ToUpper(uuid()) }

// splitNames sorts subject alternative names into DNS names and IP
// addresses.
func splitNames(names []string) (dns []string, ips []net.IP) {
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			ips = append(ips, ip)
			continue
		}
		dns = append(dns, n)
	}
	return dns, ips
}

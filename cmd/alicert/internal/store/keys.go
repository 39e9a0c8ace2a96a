package store

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// KeyTypes are the -key-type values, in the order -h lists them.
var KeyTypes = []string{"ec256", "ec384", "rsa2048", "rsa3072"}

// GenerateKey makes a private key of one of KeyTypes.
func GenerateKey(keyType string) (crypto.Signer, error) {
	switch keyType {
	case "ec256":
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "ec384":
		return ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "rsa2048":
		return rsa.GenerateKey(rand.Reader, 2048)
	case "rsa3072":
		return rsa.GenerateKey(rand.Reader, 3072)
	}
	return nil, fmt.Errorf("-key-type %q: want one of %s", keyType, strings.Join(KeyTypes, ", "))
}

// OrderKeyName is the name of the file holding the key of an order created
// at t: unique for each order the directory sees, so that the key of an
// abandoned order is never taken for the next one's.
func OrderKeyName(t time.Time) string {
	return "alicert-order-" + t.UTC().Format("20060102T150405.000000000Z") + ".key.pem"
}

// IsOrderKeyName reports whether name can be a file OrderKeyName made: a
// plain name in the directory, never a path elsewhere.
func IsOrderKeyName(name string) bool {
	return strings.HasPrefix(name, "alicert-order-") && strings.HasSuffix(name, ".key.pem") &&
		filepath.Base(name) == name && !strings.ContainsAny(name, `/\`) && name != "." && name != ".."
}

// SaveOrderKey writes key into dir as name, mode 0600, atomically and
// synced: it must outlive a crash right after the order is sent.
func SaveOrderKey(dir, name string, key crypto.Signer) error {
	keyPEM, err := EncodeKey(key)
	if err != nil {
		return err
	}
	return WriteFiles(dir, []File{{name, keyPEM, 0o600}})
}

// EncodeKey is key as a PKCS #8 PEM block, the form of every key file
// alicert writes.
func EncodeKey(key crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// LoadOrderKey reads the key an order was placed with: the file alicert
// wrote, never through a link.
func LoadOrderKey(dir, name string) (crypto.Signer, []byte, error) {
	b, err := readOwn(filepath.Join(dir, name))
	if err != nil {
		return nil, nil, err
	}
	signer, err := ParseKeyPEM(b)
	if err != nil {
		return nil, nil, err
	}
	return signer, b, nil
}

// ParseKeyPEM parses a PKCS #8 private key PEM block that can sign.
func ParseKeyPEM(b []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, errors.New("it holds no PKCS #8 private key")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("it does not parse: %v", err)
	}
	signer, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("it holds a %T, which cannot sign", k)
	}
	return signer, nil
}

// RemoveOrderKey deletes an order's key file once the key is installed (or
// the order abandoned); a missing one is fine.
func RemoveOrderKey(dir, name string) {
	if IsOrderKeyName(name) {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return
		}
		syncDir(dir)
	}
}

// ValidKeyType reports whether t is one of KeyTypes.
func ValidKeyType(t string) bool { return slices.Contains(KeyTypes, t) }

// RemoveStrayOrderKeys removes the key files of orders the state file st no
// longer names: a run that stopped between installing a key and forgetting
// its order leaves one, and a private key should not lie about.
func RemoveStrayOrderKeys(dir string, st *State) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if n := e.Name(); IsOrderKeyName(n) && (st == nil || st.KeyFile != n) {
			RemoveOrderKey(dir, n)
		}
	}
}

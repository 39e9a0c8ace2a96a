package alicert

import (
	"os"
	"path/filepath"
	"testing"
)

// Fixed PEM data of the lifecycle tests (testdata/lifecycle), so that the
// golden wire files that carry them stay the same from run to run: a
// throwaway P-256 test key, a CSR of it for www.example.com, and a
// self-signed certificate of it for upload.example.com. The key protects
// nothing.

func lcFixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "lifecycle", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// lcFixtureMust reads a fixture outside a test (the wire cases are built
// before their tests run); a missing file panics, which the test reports.
func lcFixtureMust(name string) string {
	b, err := os.ReadFile(filepath.Join("testdata", "lifecycle", name))
	if err != nil {
		panic(err)
	}
	return string(b)
}

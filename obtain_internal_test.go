package alicert

import (
	"context"
	"errors"
	"testing"
)

// stubDNS and stubFile fail their CleanUp with err (nil: succeed).
type stubDNS struct{ err error }

func (p stubDNS) Present(context.Context, DNSRecord) error { return nil }
func (p stubDNS) CleanUp(context.Context, DNSRecord) error { return p.err }

type stubFile struct{ err error }

func (p stubFile) Present(context.Context, FileChallenge) error { return nil }
func (p stubFile) CleanUp(context.Context, FileChallenge) error { return p.err }

// TestCleanUpKeepsEveryFailure: when a record and a file are both to be
// removed, a failure of the first is not lost because the second worked.
func TestCleanUpKeepsEveryFailure(t *testing.T) {
	t.Parallel()
	dnsErr, fileErr := errors.New("dns down"), errors.New("web down")
	for _, tc := range []struct {
		name      string
		dns, file error
		want      []error
	}{
		{"record fails", dnsErr, nil, []error{dnsErr}},
		{"file fails", nil, fileErr, []error{fileErr}},
		{"both fail", dnsErr, fileErr, []error{dnsErr, fileErr}},
		{"none fails", nil, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := &obtainer{
				in:            &ObtainInput{DNS: stubDNS{tc.dns}, File: stubFile{tc.file}},
				orderID:       7,
				presentedDNS:  &DNSRecord{Type: "TXT", Name: "_dnsauth.example.com", Value: "v"},
				presentedFile: &FileChallenge{Domain: "example.com", Path: "/f.txt", Content: "c"},
			}
			err := o.cleanUp(t.Context())
			if tc.want == nil {
				if err != nil {
					t.Fatalf("cleanUp = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrCleanupFailed) {
				t.Fatalf("cleanUp = %v, want ErrCleanupFailed", err)
			}
			for _, w := range tc.want {
				if !errors.Is(err, w) {
					t.Errorf("cleanUp = %v, lost %v", err, w)
				}
			}
		})
	}
}

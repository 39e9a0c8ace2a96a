package alicert

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// stubDNS and stubFile fail their CleanUp with err (nil: succeed), counting
// the calls.
type stubDNS struct {
	err   error
	calls *int
}

func (p stubDNS) Present(context.Context, DNSRecord) error { return nil }
func (p stubDNS) CleanUp(context.Context, DNSRecord) error { *p.calls++; return p.err }

type stubFile struct {
	err   error
	calls *int
}

func (p stubFile) Present(context.Context, FileChallenge) error { return nil }
func (p stubFile) CleanUp(context.Context, FileChallenge) error { *p.calls++; return p.err }

// TestCleanUpRemovesWhatWasPresented: cleanUp calls the provider of the one
// challenge presented, keeps its error under ErrCleanupFailed and names
// what to remove by hand; with nothing presented it calls nobody.
func TestCleanUpRemovesWhatWasPresented(t *testing.T) {
	t.Parallel()
	down := errors.New("provider down")
	record := DNSRecord{Type: "TXT", Name: "_dnsauth.example.com", Value: "v"}
	file := FileChallenge{Domain: "example.com", Path: "/f.txt", Content: "c"}
	for _, tc := range []struct {
		name      string
		presented challenge
		err       error
		calls     [2]int // DNS, File
		names     string
	}{
		{"record removed", record, nil, [2]int{1, 0}, ""},
		{"record left", record, down, [2]int{1, 0}, "_dnsauth.example.com"},
		{"file removed", file, nil, [2]int{0, 1}, ""},
		{"file left", file, down, [2]int{0, 1}, "http://example.com/f.txt"},
		{"nothing presented", nil, down, [2]int{0, 0}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var calls [2]int
			o := &obtainer{
				in:        &ObtainInput{DNS: stubDNS{tc.err, &calls[0]}, File: stubFile{tc.err, &calls[1]}},
				orderID:   7,
				presented: tc.presented,
			}
			err := o.cleanUp(t.Context())
			if calls != tc.calls {
				t.Errorf("CleanUp calls (DNS, File) = %v, want %v", calls, tc.calls)
			}
			if tc.names == "" {
				if err != nil {
					t.Fatalf("cleanUp = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrCleanupFailed) || !errors.Is(err, down) {
				t.Fatalf("cleanUp = %v, want ErrCleanupFailed and the provider's error", err)
			}
			if !strings.Contains(err.Error(), tc.names) || !strings.Contains(err.Error(), "order 7") {
				t.Errorf("cleanUp = %v, want it to name %s and the order", err, tc.names)
			}
		})
	}
}

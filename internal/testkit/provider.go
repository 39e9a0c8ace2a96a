package testkit

import (
	"sync/atomic"

	"github.com/aliyun/credentials-go/credentials/providers"
)

// CountingProvider is a credentials provider that hands out a fixed
// AccessKey pair (and token), or Err, counting its calls and detecting
// concurrent ones: the client promises to serialise them.
type CountingProvider struct {
	ID, Secret, Token string
	Err               error

	calls, overlaps atomic.Int64
	inside          atomic.Int32
}

// GetCredentials returns the pair, or Err.
func (p *CountingProvider) GetCredentials() (*providers.Credentials, error) {
	if p.inside.Add(1) > 1 {
		p.overlaps.Add(1)
	}
	defer p.inside.Add(-1)
	p.calls.Add(1)
	if p.Err != nil {
		return nil, p.Err
	}
	return &providers.Credentials{AccessKeyId: p.ID, AccessKeySecret: p.Secret, SecurityToken: p.Token,
		ProviderName: p.GetProviderName()}, nil
}

// GetProviderName names the provider.
func (p *CountingProvider) GetProviderName() string { return "counting" }

// Calls is the number of GetCredentials calls.
func (p *CountingProvider) Calls() int64 { return p.calls.Load() }

// Overlaps is the number of calls that began while another was running.
func (p *CountingProvider) Overlaps() int64 { return p.overlaps.Load() }

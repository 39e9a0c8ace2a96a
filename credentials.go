package alicert

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/aliyun/credentials-go/credentials/providers"
)

// credentialSource hands out credentials for one attempt.
type credentialSource struct {
	mu       sync.Mutex // serialises calls to provider, which may not be goroutine-safe
	provider providers.CredentialsProvider
	static   *providers.Credentials // immutable; no lock needed
	lazy     bool                   // provider is created on first use (default chain)
}

func newCredentialSource(cfg *config) (*credentialSource, error) {
	switch cfg.credKind {
	case credProvider:
		if cfg.provider == nil {
			return &credentialSource{lazy: true}, errors.New("WithCredentials: the provider is nil")
		}
		return &credentialSource{provider: cfg.provider}, nil
	case credAccessKey, credSTS:
		name := "WithAccessKey"
		if cfg.credKind == credSTS {
			name = "WithSTSToken"
		}
		var missing []string
		if cfg.accessKeyID == "" {
			missing = append(missing, "key id")
		}
		if cfg.accessSecret == "" {
			missing = append(missing, "secret")
		}
		if cfg.credKind == credSTS && cfg.stsToken == "" {
			missing = append(missing, "security token")
		}
		src := &credentialSource{static: &providers.Credentials{
			AccessKeyId: cfg.accessKeyID, AccessKeySecret: cfg.accessSecret,
			SecurityToken: cfg.stsToken, ProviderName: "static",
		}}
		if len(missing) > 0 {
			return src, fmt.Errorf("%s: empty %s (empty values never fall back to the environment)", name, strings.Join(missing, " and "))
		}
		return src, nil
	default:
		return &credentialSource{lazy: true}, nil
	}
}

// get returns the credentials for one attempt.
func (s *credentialSource) get() (*providers.Credentials, error) {
	if s.static != nil {
		return s.static, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.provider == nil && s.lazy {
		s.provider = providers.NewDefaultCredentialsProvider()
	}
	cred, err := s.provider.GetCredentials()
	if err != nil {
		if s.lazy {
			// credentials-go's default chain, once every source failed, keeps
			// asking only the last one it tried (often the ECS role); a new
			// chain tries the environment and files again next time.
			s.provider = nil
		}
		return nil, err
	}
	if cred == nil || cred.AccessKeyId == "" || cred.AccessKeySecret == "" {
		return nil, errors.New("the provider returned an empty key id or secret")
	}
	return cred, nil
}

// name says where credentials come from, never what they are.
func (s *credentialSource) name() string {
	switch {
	case s == nil:
		return "none"
	case s.static != nil:
		return "static"
	case s.lazy:
		return "default"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.provider.GetProviderName()
}

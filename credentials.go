package alicert

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/alicert/alicert/internal/redact"
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

// newCredentialsError reports that no credentials could be had for a call.
// The provider's own error is not kept: credentials-go quotes a malformed
// profile file whole (AccessKey secret included), so the chain carries only
// a scrubbed summary of it, at every level (errors.Unwrap included).
func newCredentialsError(operation, provider string, cause error) error {
	return &credentialsError{operation: operation, provider: provider, cause: errors.New(credentialsSummary(cause))}
}

// credentialsSummary is the safe part of a credentials provider's error: no
// quoted file content, no secret-looking assignment, no control character,
// and short.
func credentialsSummary(err error) string {
	const limit = 600
	s := err.Error()
	if i := quotedContent(s); i >= 0 {
		s = s[:i] + "[file content omitted]"
	}
	s = printable(redact.Text(s))
	if len(s) > limit {
		s = strings.ToValidUTF8(s[:limit], "") + "..."
	}
	return s
}

// quotedContent returns where a provider's error starts quoting a file's
// content (a JSON or INI document after "failed: " or "content: "), or -1.
func quotedContent(s string) int {
	for _, marker := range [...]string{"failed: ", "content: ", "failed "} {
		for off := 0; ; {
			i := strings.Index(s[off:], marker)
			if i < 0 {
				break
			}
			start := off + i + len(marker)
			if start < len(s) && strings.ContainsRune("{[", rune(s[start])) {
				return start
			}
			off = start
		}
	}
	return -1
}

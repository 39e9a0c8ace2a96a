package v1alpha1

// Credentials says how an issuer authenticates to Alibaba Cloud: with the
// AccessKey in a Secret, or with the controller's ambient credentials.
// Exactly one of the two is set.
//
// +kubebuilder:validation:XValidation:rule="has(self.secretRef) != (has(self.ambient) && self.ambient)",message="set exactly one of secretRef and ambient: true"
type Credentials struct {
	// SecretRef names the Secret holding an AccessKey pair, and optionally
	// an STS security token. For a namespaced issuer the Secret is in the
	// issuer's namespace; for a cluster issuer, in the controller's cluster
	// resource namespace (--cluster-resource-namespace).
	// +optional
	SecretRef *AccessKeySecretRef `json:"secretRef,omitempty"`

	// Ambient uses the credentials of the controller's own pod, found by
	// the default chain of Alibaba Cloud's credentials-go: the
	// ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET environment variables, OIDC (RRSA
	// on ACK: ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN,
	// ALIBABA_CLOUD_OIDC_TOKEN_FILE), the credentials files, and the ECS
	// instance RAM role. Cluster issuers may use it unless the controller
	// runs with --cluster-issuer-ambient-credentials=false; namespaced
	// issuers only when it runs with --issuer-ambient-credentials, since
	// otherwise anyone who can create an issuer in any namespace could
	// spend the controller's identity.
	// +optional
	Ambient bool `json:"ambient,omitempty"`
}

// AccessKeySecretRef names a Secret and the keys in it that hold the
// credentials.
type AccessKeySecretRef struct {
	// Name is the Secret's name.
	// +kubebuilder:validation:MinLength=1
	Name string `json:"name"`

	// AccessKeyIDKey is the key of the AccessKey id in the Secret's data.
	// +kubebuilder:default=access-key-id
	// +optional
	AccessKeyIDKey string `json:"accessKeyIDKey,omitempty"`

	// AccessKeySecretKey is the key of the AccessKey secret in the
	// Secret's data.
	// +kubebuilder:default=access-key-secret
	// +optional
	AccessKeySecretKey string `json:"accessKeySecretKey,omitempty"`

	// SecurityTokenKey is the key of an STS security token in the Secret's
	// data. When the Secret has this key, the AccessKey is an STS key and
	// the token is sent with every request; when it does not, the
	// AccessKey is a long-term one. Whoever writes an STS key to the Secret
	// also refreshes it before it expires: the controller reads the Secret
	// again for every issuer check and request.
	// +kubebuilder:default=security-token
	// +optional
	SecurityTokenKey string `json:"securityTokenKey,omitempty"`
}

// Default key names in an AccessKey Secret.
const (
	DefaultAccessKeyIDKey     = "access-key-id"
	DefaultAccessKeySecretKey = "access-key-secret"
	DefaultSecurityTokenKey   = "security-token"
)

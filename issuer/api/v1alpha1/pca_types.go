package v1alpha1

import (
	"github.com/cert-manager/issuer-lib/api/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// PCAIssuerSpec configures an issuer of certificates signed by a sub-CA of
// Alibaba Cloud Private CA. Each CertificateRequest is signed at once with
// its own CSR, for the request's duration, names and usages. Requests for
// CA certificates (isCA) fail: the Private CA signs end-entity
// certificates only from a CSR (CreateCustomCertificate takes no basic
// constraints).
type PCAIssuerSpec struct {
	// Region is the Alibaba Cloud region id that picks the endpoint.
	// +kubebuilder:default=cn-hangzhou
	// +kubebuilder:validation:Pattern=`^[a-z0-9-]+$`
	// +optional
	Region string `json:"region,omitempty"`

	// CAIdentifier is the identifier of the sub-CA that signs, as the
	// Private CA console and DescribeCACertificateList show it.
	// +kubebuilder:validation:MinLength=1
	CAIdentifier string `json:"caIdentifier"`

	// Template holds subject fields every certificate gets where the
	// request's CSR does not set them. With a template the certificate's
	// subject is the CSR's common name and these organization fields,
	// the CSR's first value of each or else the template's; without one
	// the CSR's subject is signed as it is.
	// +optional
	Template *CertificateTemplate `json:"template,omitempty"`

	// Credentials says how the issuer authenticates.
	Credentials Credentials `json:"credentials"`
}

// CertificateTemplate is what the issuer adds to every certificate.
type CertificateTemplate struct {
	// Subject holds subject fields for certificates whose CSR leaves them
	// empty.
	// +optional
	Subject *SubjectTemplate `json:"subject,omitempty"`
}

// SubjectTemplate is a certificate subject's organization fields.
type SubjectTemplate struct {
	// Organization (O).
	// +optional
	Organization string `json:"organization,omitempty"`
	// OrganizationalUnit (OU).
	// +optional
	OrganizationalUnit string `json:"organizationalUnit,omitempty"`
	// Country (C), a two-letter ISO 3166-1 code in upper case, like CN.
	// +kubebuilder:validation:Pattern=`^[A-Z]{2}$`
	// +optional
	Country string `json:"country,omitempty"`
	// State or province (ST).
	// +optional
	State string `json:"state,omitempty"`
	// Locality (L), the city.
	// +optional
	Locality string `json:"locality,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=cert-manager;alicert
// +kubebuilder:printcolumn:name="Ready",type="string",JSONPath=".status.conditions[?(@.type==\"Ready\")].status"
// +kubebuilder:printcolumn:name="Reason",type="string",JSONPath=".status.conditions[?(@.type==\"Ready\")].reason"
// +kubebuilder:printcolumn:name="Message",type="string",priority=1,JSONPath=".status.conditions[?(@.type==\"Ready\")].message"
// +kubebuilder:printcolumn:name="Age",type="date",JSONPath=".metadata.creationTimestamp"

// PCAIssuer signs certificates with an Alibaba Cloud Private CA sub-CA for
// CertificateRequests in its namespace.
type PCAIssuer struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec PCAIssuerSpec `json:"spec"`
	// +optional
	Status v1alpha1.IssuerStatus `json:"status,omitzero"`
}

// GetConditions returns the issuer's status conditions.
func (i *PCAIssuer) GetConditions() []metav1.Condition { return i.Status.Conditions }

// GetIssuerTypeIdentifier names the kind for Kubernetes
// CertificateSigningRequests (signerName pcaissuers.alicert.io/<namespace>.<name>).
func (i *PCAIssuer) GetIssuerTypeIdentifier() string { return "pcaissuers." + GroupName }

// +kubebuilder:object:root=true

// PCAIssuerList is a list of PCAIssuers.
type PCAIssuerList struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []PCAIssuer `json:"items"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster,categories=cert-manager;alicert
// +kubebuilder:printcolumn:name="Ready",type="string",JSONPath=".status.conditions[?(@.type==\"Ready\")].status"
// +kubebuilder:printcolumn:name="Reason",type="string",JSONPath=".status.conditions[?(@.type==\"Ready\")].reason"
// +kubebuilder:printcolumn:name="Message",type="string",priority=1,JSONPath=".status.conditions[?(@.type==\"Ready\")].message"
// +kubebuilder:printcolumn:name="Age",type="date",JSONPath=".metadata.creationTimestamp"

// PCAClusterIssuer signs certificates with an Alibaba Cloud Private CA
// sub-CA for CertificateRequests in every namespace.
type PCAClusterIssuer struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec PCAIssuerSpec `json:"spec"`
	// +optional
	Status v1alpha1.IssuerStatus `json:"status,omitzero"`
}

// GetConditions returns the issuer's status conditions.
func (i *PCAClusterIssuer) GetConditions() []metav1.Condition { return i.Status.Conditions }

// GetIssuerTypeIdentifier names the kind for Kubernetes
// CertificateSigningRequests (signerName pcaclusterissuers.alicert.io/<name>).
func (i *PCAClusterIssuer) GetIssuerTypeIdentifier() string { return "pcaclusterissuers." + GroupName }

// +kubebuilder:object:root=true

// PCAClusterIssuerList is a list of PCAClusterIssuers.
type PCAClusterIssuerList struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []PCAClusterIssuer `json:"items"`
}

var (
	_ v1alpha1.Issuer = &PCAIssuer{}
	_ v1alpha1.Issuer = &PCAClusterIssuer{}
)

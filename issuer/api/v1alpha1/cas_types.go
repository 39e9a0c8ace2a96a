package v1alpha1

import (
	"github.com/cert-manager/issuer-lib/api/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// CASIssuerSpec configures an issuer of DV certificates from Alibaba Cloud
// Certificate Management Service (CAS). For each CertificateRequest it
// orders a certificate with the request's own CSR
// (CreateCertificateWithCsrRequest: the private key never leaves the
// cluster), proves control of the domain with a DNS record in Alibaba
// Cloud DNS, and returns the issued chain. Each order uses one
// certificate of the account's resource plan for ProductCode.
type CASIssuerSpec struct {
	// Region is the Alibaba Cloud region id that picks the endpoints.
	// +kubebuilder:default=cn-hangzhou
	// +kubebuilder:validation:Pattern=`^[a-z0-9-]+$`
	// +optional
	Region string `json:"region,omitempty"`

	// ProductCode is the certificate specification to order, such as
	// digicert-free-1-free (a free single-domain DV certificate, the
	// service's default when empty) or geotrust-dv-w-starter (wildcard).
	// The account needs a resource plan for it.
	// +optional
	ProductCode string `json:"productCode,omitempty"`

	// Contact is the applicant the service requires on every order.
	Contact Contact `json:"contact"`

	// DNS says where the validation records are published.
	// +optional
	DNS DNSSettings `json:"dns,omitempty"`

	// ValidationTimeout is how long an order may take from being placed
	// to being issued. An order not issued by then is cancelled and
	// deleted, which returns its quota to the resource plan, and the
	// CertificateRequest fails; cert-manager then tries again with a new
	// request. Default 24h.
	// +optional
	ValidationTimeout *metav1.Duration `json:"validationTimeout,omitempty"`

	// MinimumRemainingQuota is the number of certificates of the resource
	// plan to keep unused: while DescribePackageState reports this many or
	// fewer remaining, the issuer is not Ready and places no order. 0 lets
	// the last certificate be used.
	// +kubebuilder:validation:Minimum=0
	// +optional
	MinimumRemainingQuota int64 `json:"minimumRemainingQuota,omitempty"`

	// Credentials says how the issuer authenticates.
	Credentials Credentials `json:"credentials"`
}

// Contact is the applicant of a certificate order.
type Contact struct {
	// Name is the applicant's name.
	// +kubebuilder:validation:MinLength=1
	Name string `json:"name"`
	// Phone is the applicant's phone number.
	// +kubebuilder:validation:MinLength=1
	Phone string `json:"phone"`
	// Email is the applicant's email address.
	// +kubebuilder:validation:MinLength=3
	Email string `json:"email"`
}

// DNSSettings configures the DNS validation of orders.
type DNSSettings struct {
	// Alidns publishes the records in Alibaba Cloud DNS with the issuer's
	// credentials, which then need alidns:DescribeSubDomainRecords,
	// alidns:AddDomainRecord and alidns:DeleteDomainRecord.
	// +optional
	Alidns AlidnsSettings `json:"alidns,omitempty"`
}

// AlidnsSettings configures the records published in Alibaba Cloud DNS.
type AlidnsSettings struct {
	// Zone is the hosted domain every validation record belongs to, such
	// as example.com. When empty, the zone of each record is found by
	// asking for the record name's parent domains, longest first.
	// +optional
	Zone string `json:"zone,omitempty"`
	// TTL is the records' time to live in seconds; 0 means 600, the
	// service default and the least a free Alidns edition accepts.
	// +kubebuilder:validation:Minimum=0
	// +optional
	TTL int32 `json:"ttl,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=cert-manager;alicert
// +kubebuilder:printcolumn:name="Ready",type="string",JSONPath=".status.conditions[?(@.type==\"Ready\")].status"
// +kubebuilder:printcolumn:name="Reason",type="string",JSONPath=".status.conditions[?(@.type==\"Ready\")].reason"
// +kubebuilder:printcolumn:name="Message",type="string",priority=1,JSONPath=".status.conditions[?(@.type==\"Ready\")].message"
// +kubebuilder:printcolumn:name="Age",type="date",JSONPath=".metadata.creationTimestamp"

// CASIssuer issues DV certificates from Alibaba Cloud Certificate
// Management Service for CertificateRequests in its namespace.
type CASIssuer struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec CASIssuerSpec `json:"spec"`
	// +optional
	Status v1alpha1.IssuerStatus `json:"status,omitzero"`
}

// GetConditions returns the issuer's status conditions.
func (i *CASIssuer) GetConditions() []metav1.Condition { return i.Status.Conditions }

// GetIssuerTypeIdentifier names the kind for Kubernetes
// CertificateSigningRequests (signerName casissuers.alicert.io/<namespace>.<name>).
func (i *CASIssuer) GetIssuerTypeIdentifier() string { return "casissuers." + GroupName }

// +kubebuilder:object:root=true

// CASIssuerList is a list of CASIssuers.
type CASIssuerList struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []CASIssuer `json:"items"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster,categories=cert-manager;alicert
// +kubebuilder:printcolumn:name="Ready",type="string",JSONPath=".status.conditions[?(@.type==\"Ready\")].status"
// +kubebuilder:printcolumn:name="Reason",type="string",JSONPath=".status.conditions[?(@.type==\"Ready\")].reason"
// +kubebuilder:printcolumn:name="Message",type="string",priority=1,JSONPath=".status.conditions[?(@.type==\"Ready\")].message"
// +kubebuilder:printcolumn:name="Age",type="date",JSONPath=".metadata.creationTimestamp"

// CASClusterIssuer issues DV certificates from Alibaba Cloud Certificate
// Management Service for CertificateRequests in every namespace.
type CASClusterIssuer struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec CASIssuerSpec `json:"spec"`
	// +optional
	Status v1alpha1.IssuerStatus `json:"status,omitzero"`
}

// GetConditions returns the issuer's status conditions.
func (i *CASClusterIssuer) GetConditions() []metav1.Condition { return i.Status.Conditions }

// GetIssuerTypeIdentifier names the kind for Kubernetes
// CertificateSigningRequests (signerName casclusterissuers.alicert.io/<name>).
func (i *CASClusterIssuer) GetIssuerTypeIdentifier() string { return "casclusterissuers." + GroupName }

// +kubebuilder:object:root=true

// CASClusterIssuerList is a list of CASClusterIssuers.
type CASClusterIssuerList struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []CASClusterIssuer `json:"items"`
}

var (
	_ v1alpha1.Issuer = &CASIssuer{}
	_ v1alpha1.Issuer = &CASClusterIssuer{}
)

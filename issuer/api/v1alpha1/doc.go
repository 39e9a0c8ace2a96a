// Package v1alpha1 holds the API of the alicert issuer for cert-manager, group
// alicert.io, version v1alpha1: CASIssuer and CASClusterIssuer (DV
// certificates ordered from Alibaba Cloud Certificate Management Service)
// and PCAIssuer and PCAClusterIssuer (certificates signed by a sub-CA of
// Alibaba Cloud Private CA).
//
// +kubebuilder:object:generate=true
// +groupName=alicert.io
package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// GroupName is the API group of the issuer kinds, as cert-manager's
// issuerRef.group names it.
const GroupName = "alicert.io"

var (
	// GroupVersion is the group and version of these kinds.
	GroupVersion = schema.GroupVersion{Group: GroupName, Version: "v1alpha1"}

	// SchemeBuilder registers the kinds with a runtime.Scheme.
	SchemeBuilder = runtime.NewSchemeBuilder(addKnownTypes)

	// AddToScheme adds the kinds to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)

func addKnownTypes(scheme *runtime.Scheme) error {
	scheme.AddKnownTypes(GroupVersion,
		&CASIssuer{}, &CASIssuerList{},
		&CASClusterIssuer{}, &CASClusterIssuerList{},
		&PCAIssuer{}, &PCAIssuerList{},
		&PCAClusterIssuer{}, &PCAClusterIssuerList{},
	)
	metav1.AddToGroupVersion(scheme, GroupVersion)
	return nil
}

// Package annotate changes annotations of one Kubernetes object with a
// JSON merge patch that names the object's UID, and optionally its
// resourceVersion: the API server refuses the patch for another object
// that took the name since (a request deleted and made again), and, with
// the version, for the same object changed since it was read.
package annotate

import (
	"context"
	"encoding/json"
	"fmt"

	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Patch sets the annotations in set on obj (a nil value removes the key).
// With a non-empty resourceVersion the patch fails with a conflict unless
// obj is still at that version: an optimistic lock. On success obj holds
// the object as the API server has it now.
func Patch(ctx context.Context, c client.Client, obj client.Object, set map[string]*string, resourceVersion string) error {
	meta := map[string]any{"uid": obj.GetUID(), "annotations": set}
	if resourceVersion != "" {
		meta["resourceVersion"] = resourceVersion
	}
	data, err := json.Marshal(map[string]any{"metadata": meta})
	if err != nil {
		return err
	}
	if err := c.Patch(ctx, obj, client.RawPatch(types.MergePatchType, data)); err != nil {
		return fmt.Errorf("annotating %s/%s: %w", obj.GetNamespace(), obj.GetName(), err)
	}
	return nil
}

package alicert

import (
	"context"
	"testing"
	"time"
)

// The validation cases of the deployment operations, in the shape of
// validation_test.go's: each bad input names its fields, in order, and
// nothing reaches the server.

func TestValidationListCloudResources(t *testing.T) {
	t.Parallel()
	with := func(in *ListCloudResourcesInput) func(context.Context, *Client) (any, error) {
		return func(ctx context.Context, c *Client) (any, error) { return valOut(c.CAS.ListCloudResources(ctx, in)) }
	}
	valRun(t, "ListCloudResources", []valCase{
		{"CloudName unknown", with(&ListCloudResourcesInput{CloudName: "Azure"}), []string{"CloudName"}},
		{"CloudProduct of another cloud", with(&ListCloudResourcesInput{CloudName: CloudTencent, CloudProduct: "CDN"}), []string{"CloudProduct"}},
		{"CloudProduct unknown", with(&ListCloudResourcesInput{CloudProduct: "cdn"}), []string{"CloudProduct"}},
		{"CertIDs zero and repeated", with(&ListCloudResourcesInput{CertIDs: []int64{5, 0, 5}}), []string{"CertIDs[1]", "CertIDs[2]"}},
		{"paging negative", with(&ListCloudResourcesInput{CurrentPage: -1, ShowSize: -1}), []string{"CurrentPage", "ShowSize"}},
	})
}

func TestValidationListContact(t *testing.T) {
	t.Parallel()
	valRun(t, "ListContact", []valCase{
		{"paging negative", func(ctx context.Context, c *Client) (any, error) {
			return valOut(c.CAS.ListContact(ctx, &ListContactInput{CurrentPage: -2, ShowSize: -20}))
		}, []string{"CurrentPage", "ShowSize"}},
	})
}

func TestValidationCreateDeploymentJob(t *testing.T) {
	t.Parallel()
	with := func(edit func(*CreateDeploymentJobInput)) func(context.Context, *Client) (any, error) {
		return func(ctx context.Context, c *Client) (any, error) {
			in := &CreateDeploymentJobInput{Name: "renew", JobType: JobTypeUser, CertIDs: []int64{1}, ResourceIDs: []int64{2}, ContactIDs: []int64{3}}
			edit(in)
			return valOut(c.CAS.CreateDeploymentJob(ctx, in))
		}
	}
	valRun(t, "CreateDeploymentJob", []valCase{
		{"nil input", func(ctx context.Context, c *Client) (any, error) {
			return valOut(c.CAS.CreateDeploymentJob(ctx, nil))
		}, []string{"Name", "JobType", "CertIDs", "ResourceIDs", "ContactIDs"}},
		{"Name blank", with(func(in *CreateDeploymentJobInput) { in.Name = " " }), []string{"Name"}},
		{"JobType trustee", with(func(in *CreateDeploymentJobInput) { in.JobType = "trustee" }), []string{"JobType"}},
		{"CertIDs negative", with(func(in *CreateDeploymentJobInput) { in.CertIDs = []int64{-1} }), []string{"CertIDs[0]"}},
		{"ResourceIDs empty", with(func(in *CreateDeploymentJobInput) { in.ResourceIDs = nil }), []string{"ResourceIDs"}},
		{"ContactIDs repeated", with(func(in *CreateDeploymentJobInput) { in.ContactIDs = []int64{3, 3} }), []string{"ContactIDs[1]"}},
		{"ScheduleTime before 1970", with(func(in *CreateDeploymentJobInput) { in.ScheduleTime = time.Date(1969, 1, 1, 0, 0, 0, 0, time.UTC) }), []string{"ScheduleTime"}},
	})
}

func TestValidationUpdateDeploymentJobStatus(t *testing.T) {
	t.Parallel()
	with := func(in *UpdateDeploymentJobStatusInput) func(context.Context, *Client) (any, error) {
		return func(ctx context.Context, c *Client) (any, error) {
			return valOut(c.CAS.UpdateDeploymentJobStatus(ctx, in))
		}
	}
	valRun(t, "UpdateDeploymentJobStatus", []valCase{
		{"nil input", with(nil), []string{"JobID", "Status"}},
		{"Status success", with(&UpdateDeploymentJobStatusInput{JobID: 1, Status: JobSuccess}), []string{"Status"}},
		{"Status upper case", with(&UpdateDeploymentJobStatusInput{JobID: 1, Status: "PENDING"}), []string{"Status"}},
		{"JobID negative", with(&UpdateDeploymentJobStatusInput{JobID: -1, Status: JobPending}), []string{"JobID"}},
	})
}

func TestValidationDescribeDeploymentJob(t *testing.T) {
	t.Parallel()
	valRun(t, "DescribeDeploymentJob", []valCase{
		{"nil input", func(ctx context.Context, c *Client) (any, error) {
			return valOut(c.CAS.DescribeDeploymentJob(ctx, nil))
		}, []string{"JobID"}},
	})
}

func TestValidationListWorkerResource(t *testing.T) {
	t.Parallel()
	with := func(in *ListWorkerResourceInput) func(context.Context, *Client) (any, error) {
		return func(ctx context.Context, c *Client) (any, error) { return valOut(c.CAS.ListWorkerResource(ctx, in)) }
	}
	valRun(t, "ListWorkerResource", []valCase{
		{"nil input", with(nil), []string{"JobID"}},
		{"Status unknown", with(&ListWorkerResourceInput{JobID: 1, Status: "failed"}), []string{"Status"}},
		{"CloudProduct unknown", with(&ListWorkerResourceInput{JobID: 1, CloudProduct: "ECS"}), []string{"CloudProduct"}},
		{"ShowSize negative", with(&ListWorkerResourceInput{JobID: 1, ShowSize: -5}), []string{"ShowSize"}},
	})
}

func TestValidationUpdateWorkerResourceStatus(t *testing.T) {
	t.Parallel()
	with := func(in *UpdateWorkerResourceStatusInput) func(context.Context, *Client) (any, error) {
		return func(ctx context.Context, c *Client) (any, error) {
			return valOut(c.CAS.UpdateWorkerResourceStatus(ctx, in))
		}
	}
	valRun(t, "UpdateWorkerResourceStatus", []valCase{
		{"nil input", with(nil), []string{"JobID", "WorkerID", "Status"}},
		{"Status processing", with(&UpdateWorkerResourceStatusInput{JobID: 1, WorkerID: 2, Status: "processing"}), []string{"Status"}},
		// The model takes rollback alone.
		{"Status success", with(&UpdateWorkerResourceStatusInput{JobID: 1, WorkerID: 2, Status: "success"}), []string{"Status"}},
		{"Status editing", with(&UpdateWorkerResourceStatusInput{JobID: 1, WorkerID: 2, Status: "editing"}), []string{"Status"}},
		{"Status rollback_success", with(&UpdateWorkerResourceStatusInput{JobID: 1, WorkerID: 2, Status: WorkerRollbackSuccess}), []string{"Status"}},
	})
}

func TestValidationDeleteDeploymentJob(t *testing.T) {
	t.Parallel()
	valRun(t, "DeleteDeploymentJob", []valCase{
		{"zero JobID", func(ctx context.Context, c *Client) (any, error) {
			return valOut(c.CAS.DeleteDeploymentJob(ctx, &DeleteDeploymentJobInput{}))
		}, []string{"JobID"}},
	})
}

func TestValidationListDeploymentJob(t *testing.T) {
	t.Parallel()
	valRun(t, "ListDeploymentJob", []valCase{
		{"JobType and Status unknown", func(ctx context.Context, c *Client) (any, error) {
			return valOut(c.CAS.ListDeploymentJob(ctx, &ListDeploymentJobInput{JobType: "ecs", Status: "done", CurrentPage: -1}))
		}, []string{"JobType", "Status", "CurrentPage"}},
	})
}

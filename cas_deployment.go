package alicert

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/alicert/alicert/internal/signature"
)

// Deployment jobs put a certificate of Certificate Management Service on
// the cloud resources that serve it (CDN and DCDN domains, load balancer
// listeners, OSS buckets and more). ListCloudResources finds the resources
// and their ids, CreateDeploymentJob makes a job in JobEditing,
// UpdateDeploymentJobStatus starts it (JobPending), the service then moves
// it through JobScheduling and JobProcessing to JobSuccess or JobError, and
// ListWorkerResource reports the outcome for each resource, one worker
// each. Deploy (deploy.go) runs the whole sequence.

// DeploymentJobType is the kind of a deployment job.
type DeploymentJobType string

const (
	// JobTypeUser deploys to Alibaba Cloud services (not to ECS servers).
	JobTypeUser DeploymentJobType = "user"
	// JobTypeCloud deploys to the services of other clouds (multi-cloud).
	JobTypeCloud DeploymentJobType = "cloud"
	// JobTypeTrustee is a hosted deployment job: "hosted deployment job
	// available only on the China site (aliyun.com)" (the model of
	// DescribeDeploymentJob's JobType). ListDeploymentJob filters on it;
	// CreateDeploymentJob does not create one (its model takes cloud and
	// user).
	JobTypeTrustee DeploymentJobType = "trustee"
)

// DeploymentJobStatus is the status of a deployment job, and of its
// workers while the job runs.
type DeploymentJobStatus string

const (
	// JobEditing: created and not started; UpdateDeploymentJobStatus with
	// JobPending starts it.
	JobEditing DeploymentJobStatus = "editing"
	// JobPending: started, waiting for the service to take it.
	JobPending DeploymentJobStatus = "pending"
	// JobScheduling: waiting for its ScheduleTime, or for a slot.
	JobScheduling DeploymentJobStatus = "scheduling"
	// JobProcessing: the certificate is being put on the resources.
	JobProcessing DeploymentJobStatus = "processing"
	// JobSuccess: every resource took the certificate. Final.
	JobSuccess DeploymentJobStatus = "success"
	// JobError: at least one resource did not. Final; the workers say
	// which.
	JobError DeploymentJobStatus = "error"
)

// final reports a status the job never leaves.
func (s DeploymentJobStatus) final() bool { return s == JobSuccess || s == JobError }

// Worker statuses besides those of DeploymentJobStatus: a worker (one
// resource of a job) can be rolled back once its job has ended, which puts
// the resource's previous certificate back.
const (
	// WorkerRollback: the rollback was asked for and runs.
	WorkerRollback = "rollback"
	// WorkerRollbackSuccess: the resource has its previous certificate back.
	WorkerRollbackSuccess = "rollback_success"
	// WorkerRollbackError: the rollback failed.
	WorkerRollbackError = "rollback_error"
)

// Cloud providers (CloudName) of ListCloudResources.
const (
	CloudAliyun  = "aliyun"
	CloudTencent = "Tencent"
	CloudHuawei  = "Huawei"
	CloudAWS     = "Aws"
)

// cloudProducts are the services (CloudProduct) each cloud provider offers
// for deployment, as ListCloudResources documents them.
var cloudProducts = map[string][]string{
	CloudAliyun: {"SLB", "LIVE", "webHosting", "VOD", "CR", "DCDN", "DDOS", "CDN", "ALB",
		"APIGateway", "FC", "GA", "MSE", "NLB", "OSS", "SAE", "WAF"},
	CloudTencent: {"TencentCDN", "TencentCLB", "TencentWAF"},
	CloudHuawei:  {"HuaweiCDN"},
	CloudAWS:     {"AwsCloudFront", "AwsCLB", "AwsALB", "AwsNLB"},
}

// maxCloudResourcesPage is the page size AllCloudResources asks for. The
// model gives ShowSize "Default value: **20**" and no maximum, so this is
// no limit, only fewer round trips; a service that answers smaller pages
// is read to the total it reports (allPages).
const maxCloudResourcesPage = 100

// workerPage is the page size Deploy reads workers and jobs with: the
// default both actions document.
const workerPage = 50

// checkCloud validates CloudName and CloudProduct together: a product must
// belong to the provider named, or to one of them when none is.
func checkCloud(p *problems, name, product string) {
	if name != "" {
		oneOf(p, "CloudName", name, CloudAliyun, CloudTencent, CloudHuawei, CloudAWS)
	}
	if product == "" {
		return
	}
	for cloud, products := range cloudProducts {
		if (name == "" || name == cloud) && contains(products, product) {
			return
		}
	}
	if list, ok := cloudProducts[name]; ok {
		p.add("CloudProduct", fmt.Sprintf("%q is not a %s service; one of %s", product, name, strings.Join(list, ", ")))
		return
	}
	p.add("CloudProduct", fmt.Sprintf("%q is not a cloud service ListCloudResources knows, such as CDN, DCDN, SLB, ALB or OSS", product))
}

// flag01 decodes the service's yes/no fields, which come as 0 or 1, true
// or false, and sometimes as a string of either.
type flag01 bool

func (f *flag01) UnmarshalJSON(b []byte) error {
	switch strings.Trim(string(b), `"`) {
	case "1", "true":
		*f = true
	case "0", "false", "", "null":
		*f = false
	default:
		return fmt.Errorf("%s is not 0, 1, true or false", b)
	}
	return nil
}

// ListCloudResourcesInput is the input of ListCloudResources. Every field
// is optional: the zero input lists the first page of every resource.
type ListCloudResourcesInput struct {
	// CloudName is the cloud provider: CloudAliyun, CloudTencent,
	// CloudHuawei or CloudAWS; empty lists every provider's.
	CloudName string `url:"CloudName,omitempty"`
	// CloudProduct is the service, such as "CDN", "DCDN", "SLB", "ALB",
	// "NLB", "OSS" or "WAF" on Alibaba Cloud.
	CloudProduct string `url:"CloudProduct,omitempty"`
	// Keyword matches the domain name or instance id of a resource.
	Keyword string `url:"Keyword,omitempty"`
	// CertIDs keeps the resources serving one of these certificates. It is
	// sent as one JSON array ([123,456]), as the official client sends it.
	CertIDs []int64 `url:"-"`
	// SecretID is the AccessKey id (not a secret) of the account of
	// another cloud provider, for its resources.
	SecretID string `url:"SecretId,omitempty"`
	// CurrentPage is the page to read, from 1 (zero: the first).
	CurrentPage int64 `url:"CurrentPage,omitempty"`
	// ShowSize is the page size (zero: the service's default, 20).
	ShowSize int64 `url:"ShowSize,omitempty"`
}

func (in *ListCloudResourcesInput) validate() []FieldError {
	var p problems
	checkCloud(&p, in.CloudName, in.CloudProduct)
	checkIDs(&p, "CertIDs", in.CertIDs, false)
	checkPage(&p, in.CurrentPage, in.ShowSize)
	return p
}

func (in *ListCloudResourcesInput) encodeExtra(params []signature.Param) ([]signature.Param, error) {
	if len(in.CertIDs) == 0 {
		return params, nil
	}
	js, err := json.Marshal(in.CertIDs)
	if err != nil {
		return nil, err
	}
	return append(params, signature.Param{Key: "CertIds", Value: string(js)}), nil
}

// CloudResource is one cloud resource that can serve a certificate: a CDN
// or DCDN domain, a load balancer listener, an OSS bucket domain and so on.
type CloudResource struct {
	// ID identifies the resource in deployment jobs (ResourceIDs).
	ID int64 `json:"Id"`
	// CloudName is the cloud provider, such as "aliyun".
	CloudName string `json:"CloudName"`
	// CloudProduct is the service, such as "CDN" or "SLB".
	CloudProduct string `json:"CloudProduct"`
	// CloudRegion is the provider's region of the resource.
	CloudRegion string `json:"CloudRegion"`
	// RegionID is the region of the resource, such as "cn-hangzhou".
	RegionID string `json:"RegionId"`
	// InstanceID is the instance (SLB, NLB, ALB and GA only).
	InstanceID string `json:"InstanceId"`
	// ListenerID is the listener (SLB, NLB, ALB and GA only).
	ListenerID string `json:"ListenerId"`
	// ListenerPort is the listener's port (SLB, NLB, ALB and GA only).
	ListenerPort string `json:"ListenerPort"`
	// Domain is the domain name bound to the resource.
	Domain string `json:"Domain"`
	// Status is the resource's status as the service reports it.
	Status string `json:"Status"`
	// CertID is the certificate the resource serves.
	CertID int64 `json:"CertId"`
	// CertName is that certificate's name.
	CertName string `json:"CertName"`
	// CertStartTime and CertEndTime are that certificate's validity, as
	// the service gives them (milliseconds since the epoch, as text).
	CertStartTime string `json:"CertStartTime"`
	CertEndTime   string `json:"CertEndTime"`
	// EnableHTTPS says whether HTTPS is on (1 on the wire).
	EnableHTTPS bool `json:"-"`
	// DefaultResource says whether this is the instance's default
	// certificate (SLB, NLB, ALB and GA only).
	DefaultResource bool `json:"-"`
	// UseSSL says whether an Alibaba Cloud certificate is used
	// (multi-cloud deployment).
	UseSSL bool `json:"-"`
	// CloudAccessID is the AccessKey id used for another provider's
	// resources.
	CloudAccessID string `json:"CloudAccessId"`
	// GmtCreate and GmtModified are when the resource was recorded and
	// last changed (milliseconds since the epoch, as text).
	GmtCreate   string `json:"GmtCreate"`
	GmtModified string `json:"GmtModified"`
	// UserID is the Alibaba Cloud account.
	UserID int64 `json:"UserId"`
}

// UnmarshalJSON decodes the 0/1 fields into bools.
func (r *CloudResource) UnmarshalJSON(b []byte) error {
	type plain CloudResource
	aux := struct {
		*plain
		EnableHTTPS     flag01 `json:"EnableHttps"`
		DefaultResource flag01 `json:"DefaultResource"`
		UseSSL          flag01 `json:"UseSsl"`
	}{plain: (*plain)(r)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	r.EnableHTTPS, r.DefaultResource, r.UseSSL = bool(aux.EnableHTTPS), bool(aux.DefaultResource), bool(aux.UseSSL)
	return nil
}

// ListCloudResourcesOutput is the output of ListCloudResources.
type ListCloudResourcesOutput struct {
	// Data is the page of resources.
	Data []CloudResource `json:"Data"`
	// Total is how many resources match, on every page.
	Total int64 `json:"Total"`
	// CurrentPage and ShowSize describe the page returned.
	CurrentPage int64 `json:"CurrentPage"`
	ShowSize    int64 `json:"ShowSize"`
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string `json:"RequestId"`
}

var opListCloudResources = &operation{action: "ListCloudResources", kind: opIdempotent}

// ListCloudResources lists one page of the cloud resources that can serve
// a certificate, with the certificate each serves now. AllCloudResources
// reads every page. It is retried on throttling, 5xx and network failures.
//
// API reference: https://www.alibabacloud.com/help/en/ssl-certificate/developer-reference/api-cas-2020-04-07-listcloudresources
func (s *CASService) ListCloudResources(ctx context.Context, in *ListCloudResourcesInput) (*ListCloudResourcesOutput, error) {
	return invoke[ListCloudResourcesOutput](ctx, s.owner(), opListCloudResources, in)
}

// AllCloudResources yields every resource ListCloudResources finds for in,
// from in.CurrentPage (zero: the first) on, reading one page at a time as
// the loop asks for more: a loop that breaks sends no further request. A
// failed page yields its error once and ends the sequence, and so does a
// service that does not page as asked (a page that repeats the previous
// one, a total that is negative or beyond 1000 pages, more entries than
// the total, a 1001st page). A zero in.ShowSize reads the largest pages the
// service allows. in is not modified.
func (s *CASService) AllCloudResources(ctx context.Context, in *ListCloudResourcesInput) iter.Seq2[CloudResource, error] {
	q := ListCloudResourcesInput{}
	if in != nil {
		q = *in
	}
	q.CurrentPage, q.ShowSize = firstPage(q.CurrentPage, q.ShowSize, maxCloudResourcesPage)
	return allPages("ListCloudResources", q.CurrentPage, q.ShowSize, func(n int64) ([]CloudResource, int64, error) {
		page := q
		page.CurrentPage = n
		out, err := s.ListCloudResources(ctx, &page)
		if err != nil {
			return nil, 0, err
		}
		return out.Data, out.Total, nil
	})
}

// ListContactInput is the input of ListContact.
type ListContactInput struct {
	// Keyword matches a contact's name, email address or phone number.
	Keyword string `url:"Keyword,omitempty"`
	// CurrentPage is the page to read, from 1 (zero: the first).
	CurrentPage int64 `url:"CurrentPage,omitempty"`
	// ShowSize is the page size (zero: the service's default, 20).
	ShowSize int64 `url:"ShowSize,omitempty"`
}

func (in *ListContactInput) validate() []FieldError {
	var p problems
	checkPage(&p, in.CurrentPage, in.ShowSize)
	return p
}

// Contact is a person the service notifies about deployment jobs.
type Contact struct {
	// ContactID identifies the contact in CreateDeploymentJob.
	ContactID int64 `json:"ContactId"`
	// Name, Email and Mobile are the contact's details.
	Name   string `json:"Name"`
	Email  string `json:"Email"`
	Mobile string `json:"Mobile"`
	// EmailStatus and MobileStatus say whether the address and the
	// number are verified (1) or not (0).
	EmailStatus  int64 `json:"EmailStatus"`
	MobileStatus int64 `json:"MobileStatus"`
	// WebhookList holds the contact's webhook URLs; Webhooks the same as
	// one JSON array in a string.
	WebhookList []string `json:"WebhookList"`
	Webhooks    string   `json:"Webhooks"`
}

// ListContactOutput is the output of ListContact.
type ListContactOutput struct {
	// ContactList is the page of contacts.
	ContactList []Contact `json:"ContactList"`
	// TotalCount is how many contacts match, on every page.
	TotalCount int64 `json:"TotalCount"`
	// CurrentPage, ShowSize and Keyword describe the page returned.
	CurrentPage int64  `json:"CurrentPage"`
	ShowSize    int64  `json:"ShowSize"`
	Keyword     string `json:"Keyword"`
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string `json:"RequestId"`
}

var opListContact = &operation{action: "ListContact", kind: opIdempotent}

// ListContact lists one page of the account's contacts, whom deployment
// jobs notify. It is retried on throttling, 5xx and network failures.
//
// API reference: https://www.alibabacloud.com/help/en/ssl-certificate/developer-reference/api-cas-2020-04-07-listcontact
func (s *CASService) ListContact(ctx context.Context, in *ListContactInput) (*ListContactOutput, error) {
	return invoke[ListContactOutput](ctx, s.owner(), opListContact, in)
}

// CreateDeploymentJobInput is the input of CreateDeploymentJob.
type CreateDeploymentJobInput struct {
	// Name names the job. Give every job a name of its own: after an
	// unknown outcome, FindDeploymentJob finds the job by it.
	Name string `url:"Name"`
	// JobType is JobTypeUser (Alibaba Cloud services) or JobTypeCloud
	// (other clouds).
	JobType DeploymentJobType `url:"JobType"`
	// CertIDs are the certificates to deploy, sent comma-joined.
	CertIDs []int64 `url:"CertIds,comma"`
	// ResourceIDs are the resources (CloudResource.ID), sent comma-joined.
	ResourceIDs []int64 `url:"ResourceIds,comma"`
	// ContactIDs are the contacts to notify (Contact.ContactID), sent
	// comma-joined.
	ContactIDs []int64 `url:"ContactIds,comma"`
	// ScheduleTime is when the job starts once pending; zero (not sent)
	// means at once. It is sent in milliseconds since the epoch.
	ScheduleTime time.Time `url:"-"`
}

func (in *CreateDeploymentJobInput) validate() []FieldError {
	var p problems
	checkJobName(&p, in.Name)
	oneOf(&p, "JobType", in.JobType, JobTypeUser, JobTypeCloud)
	checkIDs(&p, "CertIDs", in.CertIDs, true)
	checkIDs(&p, "ResourceIDs", in.ResourceIDs, true)
	checkIDs(&p, "ContactIDs", in.ContactIDs, true)
	if !in.ScheduleTime.IsZero() && in.ScheduleTime.UnixMilli() <= 0 {
		p.add("ScheduleTime", fmt.Sprintf("%s is before 1970", in.ScheduleTime.UTC().Format(time.RFC3339)))
	}
	return p
}

// checkJobName reports a missing job name: "This parameter is required"
// (the model's Name, "The name of the deployment task"), which states no
// length and no alphabet, and none is checked.
func checkJobName(p *problems, name string) {
	if strings.TrimSpace(name) == "" {
		p.add("Name", "is required")
	}
}

func (in *CreateDeploymentJobInput) encodeExtra(params []signature.Param) ([]signature.Param, error) {
	if in.ScheduleTime.IsZero() {
		return params, nil
	}
	return append(params, signature.Param{Key: "ScheduleTime", Value: strconv.FormatInt(in.ScheduleTime.UnixMilli(), 10)}), nil
}

// CreateDeploymentJobOutput is the output of CreateDeploymentJob.
type CreateDeploymentJobOutput struct {
	// JobID identifies the job.
	JobID int64 `json:"JobId"`
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string `json:"RequestId"`
}

func (o *CreateDeploymentJobOutput) missingID() string {
	if o.JobID <= 0 {
		return "the response has no JobId"
	}
	return ""
}

var opCreateDeploymentJob = &operation{
	action: "CreateDeploymentJob",
	kind:   opCreate,
	unknownHint: "the deployment job may have been created; " +
		"look for it by its name with FindDeploymentJob (ListDeploymentJob) before creating another",
}

// CreateDeploymentJob creates a deployment job in JobEditing: it does
// nothing until UpdateDeploymentJobStatus sets it to JobPending.
//
// The call is not retried once the request may have reached the service:
// such a failure matches ErrOutcomeUnknown, and FindDeploymentJob finds the
// job by its name if it was created.
//
// API reference: https://www.alibabacloud.com/help/en/ssl-certificate/developer-reference/api-cas-2020-04-07-createdeploymentjob
func (s *CASService) CreateDeploymentJob(ctx context.Context, in *CreateDeploymentJobInput) (*CreateDeploymentJobOutput, error) {
	return invoke[CreateDeploymentJobOutput](ctx, s.owner(), opCreateDeploymentJob, in)
}

// UpdateDeploymentJobStatusInput is the input of UpdateDeploymentJobStatus.
type UpdateDeploymentJobStatusInput struct {
	// JobID is the job.
	JobID int64 `url:"JobId"`
	// Status is JobPending (start), JobScheduling or JobEditing (stop a
	// job that has not begun).
	Status DeploymentJobStatus `url:"Status"`
}

func (in *UpdateDeploymentJobStatusInput) validate() []FieldError {
	var p problems
	p.positiveID("JobID", in.JobID)
	oneOf(&p, "Status", in.Status, JobPending, JobScheduling, JobEditing)
	return p
}

// UpdateDeploymentJobStatusOutput is the output of UpdateDeploymentJobStatus.
type UpdateDeploymentJobStatusOutput struct {
	// Data is the response's Data, kept as the JSON the service sent: the
	// model (cas-20200407 UpdateDeploymentJobStatusResponseBody) types it
	// as any value and describes it only as "The response parameters",
	// example "[]".
	Data json.RawMessage `json:"Data"`
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string `json:"RequestId"`
}

// opUpdateDeploymentJobStatus is retried like a read: the model's Status is
// "The desired status of the deployment task" (pending, scheduling or
// editing), a value to set rather than a thing to create, so a repeat asks
// for the same status again. The model documents no idempotency: after a
// failure DescribeDeploymentJob tells what the job's status is.
var opUpdateDeploymentJobStatus = &operation{action: "UpdateDeploymentJobStatus", kind: opIdempotent}

// UpdateDeploymentJobStatus sets a job's status: JobPending starts a job
// in JobEditing. A repeat asks for the same status (see above), so the call
// is retried on throttling, 5xx and network failures.
//
// API reference: https://www.alibabacloud.com/help/en/ssl-certificate/developer-reference/api-cas-2020-04-07-updatedeploymentjobstatus
func (s *CASService) UpdateDeploymentJobStatus(ctx context.Context, in *UpdateDeploymentJobStatusInput) (*UpdateDeploymentJobStatusOutput, error) {
	return invoke[UpdateDeploymentJobStatusOutput](ctx, s.owner(), opUpdateDeploymentJobStatus, in)
}

// DescribeDeploymentJobInput is the input of DescribeDeploymentJob.
type DescribeDeploymentJobInput struct {
	// JobID is the job.
	JobID int64 `url:"JobId"`
}

func (in *DescribeDeploymentJobInput) validate() []FieldError {
	var p problems
	p.positiveID("JobID", in.JobID)
	return p
}

// JobContact is a contact a job notifies, as DescribeDeploymentJob gives
// it.
type JobContact struct {
	// ID is the contact's id, as text.
	ID     string `json:"Id"`
	Name   string `json:"Name"`
	Email  string `json:"Email"`
	Mobile string `json:"Mobile"`
}

// DescribeDeploymentJobOutput is the output of DescribeDeploymentJob.
type DescribeDeploymentJobOutput struct {
	// ID is the job's id.
	ID int64 `json:"Id"`
	// Name is the job's name.
	Name string `json:"Name"`
	// JobType is "user", "cloud" or "trustee" (hosted deployment).
	JobType string `json:"JobType"`
	// Status is one of the DeploymentJobStatus values.
	Status string `json:"Status"`
	// StartTime, EndTime and ScheduleTime are as the service gives them
	// (milliseconds since the epoch, as text).
	StartTime    string `json:"StartTime"`
	EndTime      string `json:"EndTime"`
	ScheduleTime string `json:"ScheduleTime"`
	// Rollback says whether a worker of the job has been rolled back.
	Rollback bool `json:"-"`
	// Deleted says whether the job was deleted (Del on the wire).
	Deleted bool `json:"-"`
	// CertDomain lists the certificate's domain names, comma-separated.
	CertDomain string `json:"CertDomain"`
	// CertType is "upload", "buy" or "free".
	CertType string `json:"CertType"`
	// Config is the job's configuration, a JSON document.
	Config string `json:"Config"`
	// InstanceID is the job's instance id.
	InstanceID string `json:"InstanceId"`
	// ProductName lists the cloud services the job deploys to.
	ProductName string `json:"ProductName"`
	// CasContacts are the contacts the job notifies.
	CasContacts []JobContact `json:"CasContacts"`
	// GmtCreate and GmtModified are when the job was created and last
	// changed (milliseconds since the epoch, as text).
	GmtCreate   string `json:"GmtCreate"`
	GmtModified string `json:"GmtModified"`
	// UserID is the Alibaba Cloud account.
	UserID int64 `json:"UserId"`
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string `json:"RequestId"`
}

// UnmarshalJSON decodes the 0/1 fields into bools.
func (o *DescribeDeploymentJobOutput) UnmarshalJSON(b []byte) error {
	type plain DescribeDeploymentJobOutput
	aux := struct {
		*plain
		Rollback flag01 `json:"Rollback"`
		Del      flag01 `json:"Del"`
	}{plain: (*plain)(o)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	o.Rollback, o.Deleted = bool(aux.Rollback), bool(aux.Del)
	return nil
}

// missingID rejects a 2xx response without the status it was read for.
func (o *DescribeDeploymentJobOutput) missingID() string {
	if o.Status == "" {
		return "the response has no Status"
	}
	return ""
}

var opDescribeDeploymentJob = &operation{action: "DescribeDeploymentJob", kind: opIdempotent}

// DescribeDeploymentJob reads a deployment job and its status. It is
// retried on throttling, 5xx and network failures.
//
// API reference: https://www.alibabacloud.com/help/en/ssl-certificate/developer-reference/api-cas-2020-04-07-describedeploymentjob
func (s *CASService) DescribeDeploymentJob(ctx context.Context, in *DescribeDeploymentJobInput) (*DescribeDeploymentJobOutput, error) {
	return invoke[DescribeDeploymentJobOutput](ctx, s.owner(), opDescribeDeploymentJob, in)
}

// workerStatuses are the statuses ListWorkerResource and
// UpdateWorkerResourceStatus know.
var workerStatuses = []string{
	string(JobEditing), string(JobPending), string(JobScheduling), string(JobProcessing),
	string(JobSuccess), string(JobError), WorkerRollback, WorkerRollbackSuccess, WorkerRollbackError,
}

// ListWorkerResourceInput is the input of ListWorkerResource.
type ListWorkerResourceInput struct {
	// JobID is the job.
	JobID int64 `url:"JobId"`
	// Status keeps the workers in this status (a DeploymentJobStatus
	// value or WorkerRollback, WorkerRollbackSuccess, WorkerRollbackError).
	Status string `url:"Status,omitempty"`
	// CloudProduct keeps the workers of this service, such as "CDN".
	CloudProduct string `url:"CloudProduct,omitempty"`
	// CurrentPage is the page to read, from 1 (zero: the first).
	CurrentPage int64 `url:"CurrentPage,omitempty"`
	// ShowSize is the page size (zero: the service's default, 50).
	ShowSize int64 `url:"ShowSize,omitempty"`
}

func (in *ListWorkerResourceInput) validate() []FieldError {
	var p problems
	p.positiveID("JobID", in.JobID)
	if in.Status != "" {
		oneOf(&p, "Status", in.Status, workerStatuses...)
	}
	if in.CloudProduct != "" {
		checkCloud(&p, "", in.CloudProduct)
	}
	checkPage(&p, in.CurrentPage, in.ShowSize)
	return p
}

// WorkerResource is one resource of a deployment job: its worker.
type WorkerResource struct {
	// ID identifies the worker (UpdateWorkerResourceStatus's WorkerID).
	ID int64 `json:"Id"`
	// JobID is the job.
	JobID int64 `json:"JobId"`
	// ResourceID is the resource (CloudResource.ID).
	ResourceID int64 `json:"ResourceId"`
	// CertID is the certificate deployed.
	CertID int64 `json:"CertId"`
	// CloudProduct is the resource's service, such as "CDN".
	CloudProduct string `json:"CloudProduct"`
	// InstanceID is the resource's instance (SLB, NLB, ALB and GA only).
	InstanceID string `json:"InstanceId"`
	// ResourceDomain is the domain name of the resource.
	ResourceDomain string `json:"ResourceDomain"`
	// Status is the worker's status: a DeploymentJobStatus value, or
	// WorkerRollback, WorkerRollbackSuccess or WorkerRollbackError.
	Status string `json:"Status"`
	// ResourceCertID is the certificate the resource served before.
	ResourceCertID int64 `json:"ResourceCertId"`
	// CertDomain, CertName and CertInstanceID describe the certificate
	// deployed.
	CertDomain     string `json:"CertDomain"`
	CertName       string `json:"CertName"`
	CertInstanceID string `json:"CertInstanceId"`
	// OrderID is the certificate's order, when CertID is not given.
	OrderID int64 `json:"OrderId"`
	// CloudName and CloudRegion are the provider and its region (other
	// clouds only).
	CloudName   string `json:"CloudName"`
	CloudRegion string `json:"CloudRegion"`
	// RegionID is the resource's region.
	RegionID string `json:"RegionId"`
	// ListenerID and Port are the listener (SLB, NLB, ALB and GA only).
	ListenerID string `json:"ListenerId"`
	Port       int64  `json:"Port"`
	// DefaultResource says whether this is the instance's default
	// certificate (SLB, NLB, ALB and GA only).
	DefaultResource bool `json:"-"`
	// NamespaceID is the SAE namespace (SAE only).
	NamespaceID string `json:"NamespaceId"`
	// GmtCreate and GmtModified are when the worker was created and last
	// changed (milliseconds since the epoch, as text).
	GmtCreate   string `json:"GmtCreate"`
	GmtModified string `json:"GmtModified"`
	// UserID is the Alibaba Cloud account.
	UserID int64 `json:"UserId"`
}

// UnmarshalJSON decodes DefaultResource, true or false (or 0 or 1).
func (w *WorkerResource) UnmarshalJSON(b []byte) error {
	type plain WorkerResource
	aux := struct {
		*plain
		DefaultResource flag01 `json:"DefaultResource"`
	}{plain: (*plain)(w)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	w.DefaultResource = bool(aux.DefaultResource)
	return nil
}

// ListWorkerResourceOutput is the output of ListWorkerResource.
type ListWorkerResourceOutput struct {
	// Data is the page of workers.
	Data []WorkerResource `json:"Data"`
	// Total is how many workers match, on every page.
	Total int64 `json:"Total"`
	// CurrentPage and ShowSize describe the page returned.
	CurrentPage int64 `json:"CurrentPage"`
	ShowSize    int64 `json:"ShowSize"`
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string `json:"RequestId"`
}

var opListWorkerResource = &operation{action: "ListWorkerResource", kind: opIdempotent}

// ListWorkerResource lists one page of a job's workers, one per resource,
// with the outcome for each. It is retried on throttling, 5xx and network
// failures.
//
// API reference: https://www.alibabacloud.com/help/en/ssl-certificate/developer-reference/api-cas-2020-04-07-listworkerresource
func (s *CASService) ListWorkerResource(ctx context.Context, in *ListWorkerResourceInput) (*ListWorkerResourceOutput, error) {
	return invoke[ListWorkerResourceOutput](ctx, s.owner(), opListWorkerResource, in)
}

// UpdateWorkerResourceStatusInput is the input of UpdateWorkerResourceStatus.
type UpdateWorkerResourceStatusInput struct {
	// JobID is the job.
	JobID int64 `url:"JobId"`
	// WorkerID is the worker (WorkerResource.ID).
	WorkerID int64 `url:"WorkerId"`
	// Status is the status to set. The model takes one value, "Valid
	// values: - rollback" (UpdateWorkerResourceStatusRequest):
	// WorkerRollback, which rolls the worker's resource back to its
	// previous certificate.
	Status string `url:"Status"`
}

func (in *UpdateWorkerResourceStatusInput) validate() []FieldError {
	var p problems
	p.positiveID("JobID", in.JobID)
	p.positiveID("WorkerID", in.WorkerID)
	oneOf(&p, "Status", in.Status, WorkerRollback)
	return p
}

// UpdateWorkerResourceStatusOutput is the output of UpdateWorkerResourceStatus.
type UpdateWorkerResourceStatusOutput struct {
	// Data is the response's Data, kept as the JSON the service sent: the
	// model (cas-20200407 UpdateWorkerResourceStatusResponseBody) types it
	// as any value and describes it only as "The response parameters",
	// example "[]".
	Data json.RawMessage `json:"Data"`
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string `json:"RequestId"`
}

// opUpdateWorkerResourceStatus is retried like a read: its one value,
// rollback, puts the worker's previous certificate back, and asking for it
// again asks for the same certificate; nothing is created.
var opUpdateWorkerResourceStatus = &operation{action: "UpdateWorkerResourceStatus", kind: opIdempotent}

// UpdateWorkerResourceStatus rolls a worker back (Status WorkerRollback, the
// one value the model takes): its resource gets the certificate it served
// before the job. It is retried on throttling, 5xx and network failures
// (see above).
//
// API reference: https://www.alibabacloud.com/help/en/ssl-certificate/developer-reference/api-cas-2020-04-07-updateworkerresourcestatus
func (s *CASService) UpdateWorkerResourceStatus(ctx context.Context, in *UpdateWorkerResourceStatusInput) (*UpdateWorkerResourceStatusOutput, error) {
	return invoke[UpdateWorkerResourceStatusOutput](ctx, s.owner(), opUpdateWorkerResourceStatus, in)
}

// DeleteDeploymentJobInput is the input of DeleteDeploymentJob.
type DeleteDeploymentJobInput struct {
	// JobID is the job.
	JobID int64 `url:"JobId"`
}

func (in *DeleteDeploymentJobInput) validate() []FieldError {
	var p problems
	p.positiveID("JobID", in.JobID)
	return p
}

// DeleteDeploymentJobOutput is the output of DeleteDeploymentJob.
type DeleteDeploymentJobOutput struct {
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string `json:"RequestId"`
}

// opDeleteDeploymentJob is retried like a read: it "Deletes a certificate
// deployment task" (the model's summary) named by JobId, so a repeat can
// only delete that same job, and creates nothing; DescribeDeploymentJob's
// Del ("Indicates whether the deployment job was deleted") tells whether
// it is.
var opDeleteDeploymentJob = &operation{action: "DeleteDeploymentJob", kind: opIdempotent}

// DeleteDeploymentJob deletes a job that is not running. It is retried on
// throttling, 5xx and network failures (see above).
//
// API reference: https://www.alibabacloud.com/help/en/ssl-certificate/developer-reference/api-cas-2020-04-07-deletedeploymentjob
func (s *CASService) DeleteDeploymentJob(ctx context.Context, in *DeleteDeploymentJobInput) (*DeleteDeploymentJobOutput, error) {
	return invoke[DeleteDeploymentJobOutput](ctx, s.owner(), opDeleteDeploymentJob, in)
}

// ListDeploymentJobInput is the input of ListDeploymentJob.
type ListDeploymentJobInput struct {
	// JobType keeps the jobs of this type.
	JobType DeploymentJobType `url:"JobType,omitempty"`
	// Status keeps the jobs in this status.
	Status DeploymentJobStatus `url:"Status,omitempty"`
	// CurrentPage is the page to read, from 1 (zero: the first).
	CurrentPage int64 `url:"CurrentPage,omitempty"`
	// ShowSize is the page size (zero: the service's default, 50).
	ShowSize int64 `url:"ShowSize,omitempty"`
}

func (in *ListDeploymentJobInput) validate() []FieldError {
	var p problems
	if in.JobType != "" {
		oneOf(&p, "JobType", in.JobType, JobTypeUser, JobTypeCloud, JobTypeTrustee)
	}
	if in.Status != "" {
		oneOf(&p, "Status", in.Status, JobEditing, JobPending, JobScheduling, JobProcessing, JobSuccess, JobError)
	}
	checkPage(&p, in.CurrentPage, in.ShowSize)
	return p
}

// DeploymentJob is one job as ListDeploymentJob lists it.
type DeploymentJob struct {
	// ID is the job's id.
	ID int64 `json:"Id"`
	// Name is the job's name.
	Name string `json:"Name"`
	// JobType is "user", "cloud" or "trustee".
	JobType string `json:"JobType"`
	// Status is one of the DeploymentJobStatus values.
	Status string `json:"Status"`
	// StartTime, EndTime and ScheduleTime are as the service gives them.
	StartTime    string `json:"StartTime"`
	EndTime      string `json:"EndTime"`
	ScheduleTime string `json:"ScheduleTime"`
	// Rollback says whether a worker of the job has been rolled back.
	Rollback bool `json:"-"`
	// Deleted says whether the job was deleted (Del on the wire).
	Deleted bool `json:"-"`
	// CertDomain, CertType, InstanceID and ProductName are as in
	// DescribeDeploymentJobOutput.
	CertDomain  string `json:"CertDomain"`
	CertType    string `json:"CertType"`
	InstanceID  string `json:"InstanceId"`
	ProductName string `json:"ProductName"`
	// GmtCreate and GmtModified are when the job was created and last
	// changed.
	GmtCreate   string `json:"GmtCreate"`
	GmtModified string `json:"GmtModified"`
	// UserID is the Alibaba Cloud account.
	UserID int64 `json:"UserId"`
}

// UnmarshalJSON decodes the 0/1 fields into bools.
func (j *DeploymentJob) UnmarshalJSON(b []byte) error {
	type plain DeploymentJob
	aux := struct {
		*plain
		Rollback flag01 `json:"Rollback"`
		Del      flag01 `json:"Del"`
	}{plain: (*plain)(j)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	j.Rollback, j.Deleted = bool(aux.Rollback), bool(aux.Del)
	return nil
}

// ListDeploymentJobOutput is the output of ListDeploymentJob.
type ListDeploymentJobOutput struct {
	// Data is the page of jobs.
	Data []DeploymentJob `json:"Data"`
	// Total is how many jobs match, on every page.
	Total int64 `json:"Total"`
	// CurrentPage and ShowSize describe the page returned.
	CurrentPage int64 `json:"CurrentPage"`
	ShowSize    int64 `json:"ShowSize"`
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string `json:"RequestId"`
}

var opListDeploymentJob = &operation{action: "ListDeploymentJob", kind: opIdempotent}

// ListDeploymentJob lists one page of the account's deployment jobs.
// FindDeploymentJob uses it to find a job by name. It is retried on
// throttling, 5xx and network failures.
//
// API reference: https://www.alibabacloud.com/help/en/ssl-certificate/developer-reference/api-cas-2020-04-07-listdeploymentjob
func (s *CASService) ListDeploymentJob(ctx context.Context, in *ListDeploymentJobInput) (*ListDeploymentJobOutput, error) {
	return invoke[ListDeploymentJobOutput](ctx, s.owner(), opListDeploymentJob, in)
}

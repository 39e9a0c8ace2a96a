package alicerttest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The fake's deployment jobs live here: cloud resources seeded with
// WithCloudResource, contacts seeded with WithContact, and the jobs of
// CreateDeploymentJob with one worker per resource.
//
// A job starts in editing. UpdateDeploymentJobStatus with pending starts
// it; from then on each DescribeDeploymentJob read reports the job's
// status and moves it one step on,
//
//	pending -> scheduling -> processing -> success (or error)
//
// a job with a ScheduleTime staying in scheduling until the server's clock
// reaches it. The step out of processing deploys: each resource takes the
// job's certificate and its worker ends in success; a resource seeded with
// FailDeploy takes it too and its worker ends in error, as a deployment
// that failed half-way does, and the job ends in error. While the job runs,
// its workers report the job's status. A worker that ended can be rolled
// back (UpdateWorkerResourceStatus with rollback): it reports rollback,
// and on the next ListWorkerResource read rollback_success, its resource
// serving its previous certificate again.

// Cloud resource and contact ids are small, like the service's; job and
// worker ids too, each from its own counter.
const (
	firstResourceID = 2356
	firstContactID  = 519580
	firstJobID      = 8888
	firstWorkerID   = 22487
)

// CloudResource is a cloud resource of the fake, seeded with
// WithCloudResource and reported by CloudResources.
type CloudResource struct {
	// ID is the resource's id; zero when seeding means the server assigns
	// one (in the order the options are given).
	ID int64
	// CloudProduct is the service: "CDN", "DCDN", "SLB", "ALB", "NLB",
	// "OSS", "WAF" and so on (required).
	CloudProduct string
	// Domain is the domain bound to the resource (CDN, DCDN, OSS...).
	Domain string
	// InstanceID, ListenerID and ListenerPort describe a load balancer
	// listener.
	InstanceID, ListenerID, ListenerPort string
	// RegionID is the region (default cn-hangzhou).
	RegionID string
	// CertID is the certificate the resource serves (zero: none).
	CertID int64
	// CertName is that certificate's name (default "cert-<CertID>").
	CertName string
	// FailDeploy makes every deployment to the resource fail half-way:
	// the resource takes the new certificate, and its worker ends in error.
	FailDeploy bool
	// FailWorkerOnly makes the resource's worker end in error as
	// FailDeploy does, while the job still reports success: a job can
	// report success over a failed worker, and a caller must read the
	// workers to know.
	FailWorkerOnly bool
}

// WithCloudResource seeds a cloud resource, serving r.CertID. It may be
// given several times.
func WithCloudResource(r CloudResource) Option {
	return func(c *config) { c.deploy.resources = append(c.deploy.resources, r) }
}

// WithContact seeds a contact of the account, with the next contact id
// (519580, 519581, ... in the order given). It may be given several times.
// Without it (and without WithoutContacts) the account has one contact,
// "Ops" (ops@example.com, 13800000000), so that Deploy, which
// notifies the account's first contact, works on a bare NewServer.
func WithContact(name, email, mobile string) Option {
	return func(c *config) {
		c.deploy.contacts = append(c.deploy.contacts, fakeContact{Name: name, Email: email, Mobile: mobile})
	}
}

// WithoutContacts leaves the account without any contact, as a new
// account is: Deploy then fails before creating a job. Contacts given with
// WithContact after it are kept.
func WithoutContacts() Option {
	return func(c *config) {
		c.deploy.contacts = nil
		c.deploy.noDefaultContact = true
	}
}

// defaultContact is the contact of an account NewServer seeds no other for.
var defaultContact = fakeContact{Name: "Ops", Email: "ops@example.com", Mobile: "13800000000"}

// deployConfig is what the deployment options set.
type deployConfig struct {
	resources []CloudResource
	contacts  []fakeContact
	// noDefaultContact keeps the account without defaultContact.
	noDefaultContact bool
}

type fakeContact struct {
	ContactID int64  `json:"ContactId"`
	Name      string `json:"Name"`
	Email     string `json:"Email"`
	Mobile    string `json:"Mobile"`
	// EmailStatus and MobileStatus: the fake's contacts are verified.
	EmailStatus  int64    `json:"EmailStatus"`
	MobileStatus int64    `json:"MobileStatus"`
	WebhookList  []string `json:"WebhookList"`
	Webhooks     string   `json:"Webhooks"`
}

// deployState is the fake's resources, contacts and jobs, with a lock of
// its own.
type deployState struct {
	// Set once by NewServer before the state is shared (see account).
	userID  int64                       // the account, UserId
	created time.Time                   // when the resources were made, GmtCreate
	certOf  func(id int64) deployedCert // what the account knows of a certificate

	mu           sync.Mutex
	resources    []*CloudResource // by id, ascending
	contacts     []fakeContact
	jobs         map[int64]*deployJob
	lastJobID    int64
	lastWorkerID int64
}

func newDeployState(cfg deployConfig) *deployState {
	d := &deployState{jobs: make(map[int64]*deployJob), lastJobID: firstJobID - 1, lastWorkerID: firstWorkerID - 1}
	next := int64(firstResourceID)
	for _, r := range cfg.resources {
		r := r
		if r.ID <= 0 {
			for d.resource(next) != nil {
				next++
			}
			r.ID = next
		}
		if r.RegionID == "" {
			r.RegionID = "cn-hangzhou"
		}
		if r.CertName == "" && r.CertID > 0 {
			r.CertName = "cert-" + strconv.FormatInt(r.CertID, 10)
		}
		d.resources = append(d.resources, &r)
	}
	slices.SortFunc(d.resources, func(a, b *CloudResource) int { return int(a.ID - b.ID) })
	contacts := cfg.contacts
	if len(contacts) == 0 && !cfg.noDefaultContact {
		contacts = []fakeContact{defaultContact}
	}
	for i, c := range contacts {
		c.ContactID = firstContactID + int64(i)
		c.EmailStatus, c.MobileStatus = 1, 1
		c.WebhookList = []string{}
		c.Webhooks = "[]"
		d.contacts = append(d.contacts, c)
	}
	return d
}

// account sets what the deployment documents say of the account: its
// UserId, when its resources were made, and how to look a certificate up.
func (d *deployState) account(accountID string, created time.Time, certOf func(int64) deployedCert) {
	d.userID, _ = strconv.ParseInt(accountID, 10, 64)
	d.created, d.certOf = created, certOf
}

// deployedCert is what the deployment documents report of a certificate:
// its domain, validity and order (0 for one not issued by an order).
type deployedCert struct {
	domain              string
	notBefore, notAfter time.Time
	orderID             int64
}

// deployedCertOf looks a certificate of the account up. A certificate the
// account does not hold (a resource seeded with WithCloudResource may
// serve any id) has no domain and the validity of a certificate issued
// when the server started: the fake's own choice.
func (s *Server) deployedCertOf(id int64) deployedCert {
	s.life.mu.Lock()
	u := s.life.byID[id]
	s.life.mu.Unlock()
	if u != nil && !u.notAfter.IsZero() { // an SM upload may have no dates the fake can read
		return deployedCert{domain: u.domain, notBefore: u.notBefore, notAfter: u.notAfter}
	}
	if o := s.orderOfCert(id); o != nil {
		dc := deployedCert{domain: o.domain, orderID: o.id}
		if chain, _, err := s.issued(o, s.cfg.now()); err == nil {
			if leaf, err := firstCertificate(chain); err == nil {
				dc.notBefore, dc.notAfter = leaf.NotBefore, leaf.NotAfter
			}
		}
		return dc
	}
	dc := deployedCert{notBefore: s.started.Add(-backdate), notAfter: s.started.Add(-backdate + leafValidity)}
	if u != nil {
		dc.domain = u.domain
	}
	return dc
}

// resource returns the resource id, or nil. Called with d.mu held (or
// before the state is shared).
func (d *deployState) resource(id int64) *CloudResource {
	for _, r := range d.resources {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// deployJob is one deployment job.
type deployJob struct {
	id         int64
	name       string
	jobType    string
	certID     int64
	contactIDs []int64
	schedule   int64 // ms since the epoch; 0: none
	status     string
	created    time.Time
	modified   time.Time // the last change, GmtModified
	started    time.Time
	ended      time.Time
	deleted    bool
	rollback   bool
	workers    []*deployWorker
}

// deployWorker is one resource of a job.
type deployWorker struct {
	id         int64
	resourceID int64
	oldCertID  int64 // what the resource served before the job
	oldName    string
	status     string // "" while the job runs: it reports the job's
}

// CloudResources returns the fake's cloud resources as they are now, by
// id: after a deployment, each serves its new certificate.
func (s *Server) CloudResources() []CloudResource {
	d := s.deploy
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]CloudResource, len(d.resources))
	for i, r := range d.resources {
		out[i] = *r
	}
	return out
}

// DeploymentJobCount returns how many jobs CreateDeploymentJob created,
// including those whose response a fault then spoilt, and deleted ones.
func (s *Server) DeploymentJobCount() int {
	d := s.deploy
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.jobs)
}

// cloudProductsOf are the services each cloud provider documents.
var cloudProductsOf = map[string][]string{
	"aliyun": {"SLB", "LIVE", "webHosting", "VOD", "CR", "DCDN", "DDOS", "CDN", "ALB",
		"APIGateway", "FC", "GA", "MSE", "NLB", "OSS", "SAE", "WAF"},
	"Tencent": {"TencentCDN", "TencentCLB", "TencentWAF"},
	"Huawei":  {"HuaweiCDN"},
	"Aws":     {"AwsCloudFront", "AwsCLB", "AwsALB", "AwsNLB"},
}

// page reads CurrentPage and ShowSize (defaults 1 and def). No model of
// these actions states a largest ShowSize, and the fake sets none: a page
// is a slice of what it holds, whatever the size asked for.
func page(c *call, def int) (current, size int, e *apiError) {
	current, size = 1, def
	if v := c.get("CurrentPage"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 0, 0, invalid("CurrentPage", fmt.Sprintf("%q is not a page number from 1", v))
		}
		current = n
	}
	if v := c.get("ShowSize"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 0, 0, invalid("ShowSize", fmt.Sprintf("%q is not a page size from 1", v))
		}
		size = n
	}
	return current, size, nil
}

type cloudResourceDoc struct {
	ID              int64  `json:"Id"`
	CloudName       string `json:"CloudName"`
	CloudProduct    string `json:"CloudProduct"`
	CloudRegion     string `json:"CloudRegion"`
	RegionID        string `json:"RegionId"`
	InstanceID      string `json:"InstanceId"`
	ListenerID      string `json:"ListenerId"`
	ListenerPort    string `json:"ListenerPort"`
	Domain          string `json:"Domain"`
	Status          string `json:"Status"`
	CertID          int64  `json:"CertId,omitempty"`
	CertName        string `json:"CertName,omitempty"`
	EnableHTTPS     int    `json:"EnableHttps"`
	DefaultResource int    `json:"DefaultResource"`
	UseSSL          int    `json:"UseSsl"`
	// CertStartTime and CertEndTime are the served certificate's validity,
	// in milliseconds, as strings like the model's.
	CertStartTime string `json:"CertStartTime,omitempty"`
	CertEndTime   string `json:"CertEndTime,omitempty"`
	// CloudAccessID is the access of another cloud (Tencent, Huawei, AWS):
	// empty for the fake's Alibaba Cloud resources.
	CloudAccessID string `json:"CloudAccessId"`
	GmtCreate     string `json:"GmtCreate"`
	GmtModified   string `json:"GmtModified"`
	UserID        int64  `json:"UserId"`
}

type listCloudResourcesResponse struct {
	Data        []cloudResourceDoc `json:"Data"`
	Total       int                `json:"Total"`
	CurrentPage int                `json:"CurrentPage"`
	ShowSize    int                `json:"ShowSize"`
	RequestID   string             `json:"RequestId"`
}

// listCloudResources lists the resources matching the filters.
func (s *Server) listCloudResources(c *call) (any, *apiError) {
	cloud, product := c.get("CloudName"), c.get("CloudProduct")
	if cloud != "" && cloudProductsOf[cloud] == nil {
		return nil, invalid("CloudName", fmt.Sprintf("%q is not Tencent, Huawei, Aws or aliyun", cloud))
	}
	if product != "" && !knownProduct(cloud, product) {
		return nil, invalid("CloudProduct", fmt.Sprintf("%q is not a cloud service of %q", product, cloud))
	}
	var certIDs []int64
	if v := c.get("CertIds"); v != "" {
		// One JSON array, as the official client sends it: "123,456" is
		// not one.
		if err := json.Unmarshal([]byte(v), &certIDs); err != nil || !strings.HasPrefix(v, "[") {
			return nil, invalid("CertIds", fmt.Sprintf("%q is not a JSON array of certificate ids such as [123,456]", v))
		}
	}
	current, size, e := page(c, 20)
	if e != nil {
		return nil, e
	}
	keyword := strings.ToLower(c.get("Keyword"))
	d := s.deploy
	d.mu.Lock()
	var match []cloudResourceDoc
	for _, r := range d.resources {
		switch {
		case cloud != "" && cloud != "aliyun",
			product != "" && r.CloudProduct != product,
			len(certIDs) > 0 && !slices.Contains(certIDs, r.CertID),
			keyword != "" && !strings.Contains(strings.ToLower(r.Domain), keyword) && !strings.Contains(strings.ToLower(r.InstanceID), keyword):
			continue
		}
		match = append(match, d.resourceDoc(r))
	}
	d.mu.Unlock()
	return listCloudResourcesResponse{Data: pageSlice(match, int64(current), int64(size)), Total: len(match),
		CurrentPage: current, ShowSize: size, RequestID: c.requestID}, nil
}

func knownProduct(cloud, product string) bool {
	for name, products := range cloudProductsOf {
		if (cloud == "" || cloud == name) && slices.Contains(products, product) {
			return true
		}
	}
	return false
}

// resourceDoc is r as ListCloudResources reports it: made when the server
// started, modified by its last deployment. Called with the lock held.
func (d *deployState) resourceDoc(r *CloudResource) cloudResourceDoc {
	doc := cloudResourceDoc{
		ID: r.ID, CloudName: "aliyun", CloudProduct: r.CloudProduct, CloudRegion: r.RegionID, RegionID: r.RegionID,
		InstanceID: r.InstanceID, ListenerID: r.ListenerID, ListenerPort: r.ListenerPort, Domain: r.Domain,
		Status: "online", CertID: r.CertID, CertName: r.CertName, UseSSL: 1,
		GmtCreate: millis(d.created), UserID: d.userID,
	}
	modified := d.created
	if r.CertID > 0 {
		doc.EnableHTTPS = 1
		cert := d.certOf(r.CertID)
		doc.CertStartTime, doc.CertEndTime = millis(cert.notBefore), millis(cert.notAfter)
	}
	for _, j := range d.jobs {
		for _, w := range j.workers {
			if w.resourceID == r.ID && w.status != "" && j.modified.After(modified) {
				modified = j.modified
			}
		}
	}
	doc.GmtModified = millis(modified)
	return doc
}

type listContactResponse struct {
	ContactList []fakeContact `json:"ContactList"`
	TotalCount  int           `json:"TotalCount"`
	CurrentPage int           `json:"CurrentPage"`
	ShowSize    int           `json:"ShowSize"`
	Keyword     string        `json:"Keyword,omitempty"`
	RequestID   string        `json:"RequestId"`
}

// listContact lists the contacts matching Keyword.
func (s *Server) listContact(c *call) (any, *apiError) {
	current, size, e := page(c, 20)
	if e != nil {
		return nil, e
	}
	keyword := strings.ToLower(c.get("Keyword"))
	d := s.deploy
	d.mu.Lock()
	var match []fakeContact
	for _, ct := range d.contacts {
		if keyword == "" || strings.Contains(strings.ToLower(ct.Name+"\x00"+ct.Email+"\x00"+ct.Mobile), keyword) {
			match = append(match, ct)
		}
	}
	d.mu.Unlock()
	return listContactResponse{ContactList: pageSlice(match, int64(current), int64(size)), TotalCount: len(match),
		CurrentPage: current, ShowSize: size, Keyword: c.get("Keyword"), RequestID: c.requestID}, nil
}

// commaIDs reads a required comma-joined list of positive ids.
func commaIDs(c *call, name string) ([]int64, *apiError) {
	v := c.get(name)
	if v == "" {
		return nil, missing(name)
	}
	var ids []int64
	for _, item := range strings.Split(v, ",") {
		id, err := strconv.ParseInt(item, 10, 64)
		if err != nil || id <= 0 {
			return nil, invalid(name, fmt.Sprintf("%q is not a comma-separated list of ids such as 1,2", v))
		}
		ids = append(ids, id)
	}
	return ids, nil
}

type createDeploymentJobResponse struct {
	JobID     int64  `json:"JobId"`
	RequestID string `json:"RequestId"`
}

// createDeploymentJob creates a job in editing, with a worker per resource.
func (s *Server) createDeploymentJob(c *call) (any, *apiError) {
	certIDs, e := commaIDs(c, "CertIds")
	if e != nil {
		return nil, e
	}
	contactIDs, e := commaIDs(c, "ContactIds")
	if e != nil {
		return nil, e
	}
	jobType := c.get("JobType")
	switch jobType {
	case "":
		return nil, missing("JobType")
	case "user", "cloud":
	default:
		return nil, invalid("JobType", fmt.Sprintf("%q is not user or cloud", jobType))
	}
	name := c.get("Name")
	if name == "" {
		return nil, missing("Name")
	}
	resourceIDs, e := commaIDs(c, "ResourceIds")
	if e != nil {
		return nil, e
	}
	var schedule int64
	if v := c.get("ScheduleTime"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return nil, invalid("ScheduleTime", fmt.Sprintf("%q is not a time in milliseconds since 1970", v))
		}
		schedule = n
	}
	d := s.deploy
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, id := range contactIDs {
		if !slices.ContainsFunc(d.contacts, func(ct fakeContact) bool { return ct.ContactID == id }) {
			return nil, invalid("ContactIds", fmt.Sprintf("there is no contact %d", id))
		}
	}
	job := &deployJob{name: name, jobType: jobType, certID: certIDs[0], contactIDs: contactIDs,
		schedule: schedule, status: "editing", created: c.now, modified: c.now}
	for _, id := range resourceIDs {
		if d.resource(id) == nil {
			return nil, invalid("ResourceIds", fmt.Sprintf("there is no cloud resource %d", id))
		}
		d.lastWorkerID++
		job.workers = append(job.workers, &deployWorker{id: d.lastWorkerID, resourceID: id})
	}
	d.lastJobID++
	job.id = d.lastJobID
	d.jobs[job.id] = job
	return createDeploymentJobResponse{JobID: job.id, RequestID: c.requestID}, nil
}

type requestOnly struct {
	RequestID string `json:"RequestId"`
}

// lockedJob returns the job JobId names, with d.mu held; the caller unlocks.
func (s *Server) lockedJob(c *call) (*deployJob, *apiError) {
	id, e := idParam(c, "JobId")
	if e != nil {
		return nil, e
	}
	s.deploy.mu.Lock()
	j := s.deploy.jobs[id]
	if j == nil {
		s.deploy.mu.Unlock()
		return nil, &apiError{http.StatusBadRequest, "NotFound.DeploymentJob", fmt.Sprintf("There is no deployment job %d.", id)}
	}
	return j, nil
}

// updateDeploymentJobStatus starts a job (pending), or puts one that has
// not begun back to editing. Setting the status a job has is accepted.
func (s *Server) updateDeploymentJobStatus(c *call) (any, *apiError) {
	status := c.get("Status")
	switch status {
	case "":
		return nil, missing("Status")
	case "pending", "scheduling", "editing":
	default:
		return nil, invalid("Status", fmt.Sprintf("%q is not pending, scheduling or editing", status))
	}
	j, e := s.lockedJob(c)
	if e != nil {
		return nil, e
	}
	defer s.deploy.mu.Unlock()
	switch {
	case j.status == status:
	case j.deleted:
		return nil, jobDenied(j, status)
	case j.status == "editing" && (status == "pending" || status == "scheduling"):
		j.status, j.started, j.modified = status, c.now, c.now
	case j.status == "pending" && status == "editing":
		j.status, j.modified = status, c.now
	default:
		return nil, jobDenied(j, status)
	}
	return requestOnly{c.requestID}, nil
}

func jobDenied(j *deployJob, status string) *apiError {
	return &apiError{http.StatusBadRequest, "OperationDenied.JobStatus",
		fmt.Sprintf("Deployment job %d is %s; it cannot be set to %s.", j.id, j.status, status)}
}

type describeDeploymentJobResponse struct {
	ID           int64           `json:"Id"`
	Name         string          `json:"Name"`
	JobType      string          `json:"JobType"`
	Status       string          `json:"Status"`
	StartTime    string          `json:"StartTime,omitempty"`
	EndTime      string          `json:"EndTime,omitempty"`
	ScheduleTime string          `json:"ScheduleTime,omitempty"`
	Rollback     int             `json:"Rollback"`
	Del          int             `json:"Del"`
	CertType     string          `json:"CertType"`
	ProductName  string          `json:"ProductName"`
	Config       string          `json:"Config"`
	GmtCreate    string          `json:"GmtCreate"`
	GmtModified  string          `json:"GmtModified"`
	CertDomain   string          `json:"CertDomain"`
	InstanceID   string          `json:"InstanceId"`
	UserID       int64           `json:"UserId"`
	CasContacts  []jobContactDoc `json:"CasContacts,omitempty"`
	RequestID    string          `json:"RequestId,omitempty"`
}

type jobContactDoc struct {
	ID     string `json:"Id"`
	Name   string `json:"Name"`
	Email  string `json:"Email"`
	Mobile string `json:"Mobile"`
}

// describeDeploymentJob reports a job and moves a running one on.
func (s *Server) describeDeploymentJob(c *call) (any, *apiError) {
	j, e := s.lockedJob(c)
	if e != nil {
		return nil, e
	}
	defer s.deploy.mu.Unlock()
	doc := s.deploy.jobDoc(j)
	doc.RequestID = c.requestID
	s.deploy.advance(j, c.now)
	return doc, nil
}

// jobDoc is j as DescribeDeploymentJob and ListDeploymentJob report it.
// Called with d.mu held.
func (d *deployState) jobDoc(j *deployJob) describeDeploymentJobResponse {
	doc := describeDeploymentJobResponse{ID: j.id, Name: j.name, JobType: j.jobType, Status: j.status,
		CertType: "upload", GmtCreate: millis(j.created), GmtModified: millis(j.modified),
		CertDomain: d.certOf(j.certID).domain, InstanceID: jobInstanceID(j), UserID: d.userID,
		Config: fmt.Sprintf(`{"shareCertIds":[],"certIds":[%d]}`, j.certID)}
	if j.rollback {
		doc.Rollback = 1
	}
	if j.deleted {
		doc.Del = 1
	}
	if !j.started.IsZero() {
		doc.StartTime = millis(j.started)
	}
	if !j.ended.IsZero() {
		doc.EndTime = millis(j.ended)
	}
	if j.schedule > 0 {
		doc.ScheduleTime = strconv.FormatInt(j.schedule, 10)
	}
	var products []string
	for _, w := range j.workers {
		if r := d.resource(w.resourceID); r != nil && !slices.Contains(products, r.CloudProduct) {
			products = append(products, r.CloudProduct)
		}
	}
	doc.ProductName = strings.Join(products, ",")
	for _, id := range j.contactIDs {
		for _, ct := range d.contacts {
			if ct.ContactID == id {
				doc.CasContacts = append(doc.CasContacts, jobContactDoc{ID: strconv.FormatInt(id, 10), Name: ct.Name, Email: ct.Email, Mobile: ct.Mobile})
			}
		}
	}
	return doc
}

func millis(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

// jobInstanceID is a job's InstanceId, 16 hex digits as in the model's
// example, made up from its id.
func jobInstanceID(j *deployJob) string {
	return fmt.Sprintf("%016x", uint64(j.id)*0x9e3779b97f4a7c15)
}

// advance moves a running job one step on. Called with d.mu held.
func (d *deployState) advance(j *deployJob, now time.Time) {
	before := j.status
	defer func() {
		if j.status != before {
			j.modified = now
		}
	}()
	switch j.status {
	case "pending":
		j.status = "scheduling"
	case "scheduling":
		if j.schedule == 0 || now.UnixMilli() >= j.schedule {
			j.status = "processing"
		}
	case "processing":
		d.deploy(j, now)
	}
}

// deploy puts the job's certificate on its resources and ends the job.
// Called with d.mu held.
func (d *deployState) deploy(j *deployJob, now time.Time) {
	j.status = "success"
	for _, w := range j.workers {
		r := d.resource(w.resourceID)
		w.oldCertID, w.oldName = r.CertID, r.CertName
		r.CertID, r.CertName = j.certID, "cert-"+strconv.FormatInt(j.certID, 10)
		w.status = "success"
		switch {
		case r.FailDeploy:
			w.status, j.status = "error", "error"
		case r.FailWorkerOnly:
			w.status = "error"
		}
	}
	j.ended = now
}

type workerDoc struct {
	ID             int64  `json:"Id"`
	JobID          int64  `json:"JobId"`
	ResourceID     int64  `json:"ResourceId"`
	CertID         int64  `json:"CertId"`
	CertName       string `json:"CertName"`
	CloudProduct   string `json:"CloudProduct"`
	InstanceID     string `json:"InstanceId"`
	ListenerID     string `json:"ListenerId"`
	Port           int64  `json:"Port,omitempty"`
	RegionID       string `json:"RegionId"`
	ResourceDomain string `json:"ResourceDomain"`
	ResourceCertID int64  `json:"ResourceCertId,omitempty"`
	Status         string `json:"Status"`
	CertDomain     string `json:"CertDomain"`
	CertInstanceID string `json:"CertInstanceId"`
	CloudName      string `json:"CloudName"`
	CloudRegion    string `json:"CloudRegion"`
	GmtCreate      string `json:"GmtCreate"`
	GmtModified    string `json:"GmtModified"`
	NamespaceID    string `json:"NamespaceId"`
	OrderID        int64  `json:"OrderId"`
	UserID         int64  `json:"UserId"`
	// DefaultResource is a JSON boolean here, unlike ListCloudResources's
	// 0 or 1, as the service documents it.
	DefaultResource bool `json:"DefaultResource"`
}

type listWorkerResourceResponse struct {
	Data        []workerDoc `json:"Data"`
	Total       int         `json:"Total"`
	CurrentPage int         `json:"CurrentPage"`
	ShowSize    int         `json:"ShowSize"`
	RequestID   string      `json:"RequestId"`
}

// workerStatusesOf are the statuses ListWorkerResource filters on.
var workerStatusesOf = []string{"rollback", "rollback_error", "success", "rollback_success",
	"pending", "scheduling", "processing", "error", "editing"}

// listWorkerResource lists a job's workers, finishing the rollbacks asked
// for since the last read.
func (s *Server) listWorkerResource(c *call) (any, *apiError) {
	status, product := c.get("Status"), c.get("CloudProduct")
	if status != "" && !slices.Contains(workerStatusesOf, status) {
		return nil, invalid("Status", fmt.Sprintf("%q is not a worker status", status))
	}
	current, size, e := page(c, 50)
	if e != nil {
		return nil, e
	}
	j, e := s.lockedJob(c)
	if e != nil {
		return nil, e
	}
	defer s.deploy.mu.Unlock()
	var match []workerDoc
	for _, w := range j.workers {
		doc := s.deploy.workerDoc(j, w)
		if w.status == "rollback" {
			s.deploy.rollBack(j, w)
		}
		if (status == "" || doc.Status == status) && (product == "" || doc.CloudProduct == product) {
			match = append(match, doc)
		}
	}
	return listWorkerResourceResponse{Data: pageSlice(match, int64(current), int64(size)), Total: len(match),
		CurrentPage: current, ShowSize: size, RequestID: c.requestID}, nil
}

// workerDoc is w as ListWorkerResource reports it. Called with d.mu held.
func (d *deployState) workerDoc(j *deployJob, w *deployWorker) workerDoc {
	r := d.resource(w.resourceID)
	doc := workerDoc{ID: w.id, JobID: j.id, ResourceID: w.resourceID, CertID: j.certID,
		CertName: "cert-" + strconv.FormatInt(j.certID, 10), CloudProduct: r.CloudProduct,
		InstanceID: r.InstanceID, ListenerID: r.ListenerID, RegionID: r.RegionID,
		ResourceDomain: r.Domain, ResourceCertID: w.oldCertID, Status: w.status,
		DefaultResource: r.ListenerID != ""}
	if doc.ResourceCertID == 0 {
		doc.ResourceCertID = r.CertID // not deployed yet: what it serves now
	}
	cert := d.certOf(j.certID)
	doc.CertDomain, doc.OrderID, doc.UserID = cert.domain, cert.orderID, d.userID
	doc.CloudName, doc.CloudRegion = "aliyun", r.RegionID
	doc.GmtCreate, doc.GmtModified = millis(j.created), millis(j.modified)
	doc.NamespaceID = fmt.Sprintf("%08x-0000-4000-8000-%012x", j.id, w.id) // made up, in the example's form
	doc.CertInstanceID = r.Domain                                          // where the certificate is installed: a domain, or a listener and port
	if r.ListenerID != "" {
		doc.CertInstanceID = r.ListenerID + "@" + r.ListenerPort
	}
	doc.Port, _ = strconv.ParseInt(r.ListenerPort, 10, 64)
	if w.status == "" {
		doc.Status = j.status
	}
	return doc
}

// rollBack ends a rollback: the resource serves its previous certificate.
// Called with d.mu held.
func (d *deployState) rollBack(j *deployJob, w *deployWorker) {
	r := d.resource(w.resourceID)
	r.CertID, r.CertName = w.oldCertID, w.oldName
	w.status = "rollback_success"
}

// updateWorkerResourceStatus rolls a worker of an ended job back. Status
// takes one value, "Valid values: - rollback" (the model,
// UpdateWorkerResourceStatusRequest).
func (s *Server) updateWorkerResourceStatus(c *call) (any, *apiError) {
	status := c.get("Status")
	switch status {
	case "":
		return nil, missing("Status")
	case "rollback":
	default:
		return nil, invalid("Status", fmt.Sprintf("%q is not rollback, the one status a worker can be set to", status))
	}
	workerID, e := idParam(c, "WorkerId")
	if e != nil {
		return nil, e
	}
	j, e := s.lockedJob(c)
	if e != nil {
		return nil, e
	}
	defer s.deploy.mu.Unlock()
	i := slices.IndexFunc(j.workers, func(w *deployWorker) bool { return w.id == workerID })
	if i < 0 {
		return nil, invalid("WorkerId", fmt.Sprintf("job %d has no worker %d", j.id, workerID))
	}
	w := j.workers[i]
	switch {
	case w.status == status, status == "rollback" && (w.status == "rollback_success"):
		// Asked again: the rollback is under way or done.
	case status == "rollback" && (w.status == "success" || w.status == "error"):
		w.status, j.rollback, j.modified = "rollback", true, c.now
	default:
		current := w.status
		if current == "" {
			current = j.status
		}
		return nil, &apiError{http.StatusBadRequest, "OperationDenied.WorkerStatus",
			fmt.Sprintf("Worker %d is %s; it cannot be set to %s.", w.id, current, status)}
	}
	return requestOnly{c.requestID}, nil
}

// deleteDeploymentJob marks a job that is not running deleted; deleting it
// again is accepted.
func (s *Server) deleteDeploymentJob(c *call) (any, *apiError) {
	j, e := s.lockedJob(c)
	if e != nil {
		return nil, e
	}
	defer s.deploy.mu.Unlock()
	if j.status == "scheduling" || j.status == "processing" {
		return nil, &apiError{http.StatusBadRequest, "OperationDenied.JobStatus",
			fmt.Sprintf("Deployment job %d is %s and cannot be deleted.", j.id, j.status)}
	}
	if !j.deleted {
		j.deleted, j.modified = true, c.now
	}
	return requestOnly{c.requestID}, nil
}

type listDeploymentJobResponse struct {
	Data        []describeDeploymentJobResponse `json:"Data"`
	Total       int                             `json:"Total"`
	CurrentPage int                             `json:"CurrentPage"`
	ShowSize    int                             `json:"ShowSize"`
	RequestID   string                          `json:"RequestId"`
}

// listDeploymentJob lists the jobs that are not deleted, newest first.
func (s *Server) listDeploymentJob(c *call) (any, *apiError) {
	jobType, status := c.get("JobType"), c.get("Status")
	// The job types the models name: user and cloud (CreateDeploymentJob),
	// and trustee (DescribeDeploymentJob's JobType).
	if jobType != "" && jobType != "user" && jobType != "cloud" && jobType != "trustee" {
		return nil, invalid("JobType", fmt.Sprintf("%q is not user, cloud or trustee", jobType))
	}
	if status != "" && !slices.Contains([]string{"success", "pending", "scheduling", "processing", "error", "editing"}, status) {
		return nil, invalid("Status", fmt.Sprintf("%q is not a job status", status))
	}
	current, size, e := page(c, 50)
	if e != nil {
		return nil, e
	}
	d := s.deploy
	d.mu.Lock()
	var match []describeDeploymentJobResponse
	for _, j := range d.jobs {
		if !j.deleted && (jobType == "" || j.jobType == jobType) && (status == "" || j.status == status) {
			doc := d.jobDoc(j)
			doc.CasContacts = nil // ListDeploymentJob does not report them
			match = append(match, doc)
		}
	}
	d.mu.Unlock()
	slices.SortFunc(match, func(a, b describeDeploymentJobResponse) int { return int(b.ID - a.ID) })
	return listDeploymentJobResponse{Data: pageSlice(match, int64(current), int64(size)), Total: len(match),
		CurrentPage: current, ShowSize: size, RequestID: c.requestID}, nil
}

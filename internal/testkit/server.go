package testkit

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// Request is one request as a Server received it.
type Request struct {
	// N is the request's place in arrival order, from 1.
	N int
	// Method, Path, RawQuery and ContentType are as sent.
	Method, Path, RawQuery, ContentType string
	// Body is the raw body, and Form the body parsed as a form.
	Body string
	Form url.Values
	// Header is the request's headers (signature V3 signs with them).
	Header http.Header
}

// Action is the request's Action parameter, or its x-acs-action header
// when it is signed with signature V3.
func (r Request) Action() string {
	if a := r.Form.Get("Action"); a != "" {
		return a
	}
	return r.Header.Get("x-acs-action")
}

// Reply is what a Server answers to one request.
type Reply struct {
	// Status is the HTTP status; zero means 200.
	Status int
	// Body is the response body.
	Body string
	// Header holds response headers. Content-Type defaults to JSON.
	Header map[string]string
	// Hijack closes the connection after reading the request, without a
	// response: a reset after the request was written.
	Hijack bool
}

// JSON is a reply with status and a JSON body.
func JSON(status int, body string) Reply { return Reply{Status: status, Body: body} }

// Responder computes the reply to a request.
type Responder func(Request) Reply

// Script answers the n-th request with replies[n-1]; the last reply repeats
// once the script is used up. An empty script answers 500.
func Script(replies ...Reply) Responder {
	return func(r Request) Reply {
		if len(replies) == 0 {
			return JSON(http.StatusInternalServerError, `{"Code":"NoScript","Message":"the script is empty"}`)
		}
		return replies[min(r.N, len(replies))-1]
	}
}

// Bodies is Script with a 200 JSON reply for each body.
func Bodies(bodies ...string) Responder {
	replies := make([]Reply, len(bodies))
	for i, b := range bodies {
		replies[i] = JSON(http.StatusOK, b)
	}
	return Script(replies...)
}

// NewStatic starts a server that drains every request and answers it with a
// 200 and the JSON body, recording nothing; it is closed when the test
// ends. It is for benchmarks: their allocation and heap figures count the
// server's work too, which a Server's log of every request would swell.
func NewStatic(tb testing.TB, body string) *httptest.Server {
	tb.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		_, _ = io.WriteString(w, body)
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// Server is an httptest server that answers with a Responder and records
// every request: its form, the number of attempts, the calls per action and
// the creates it acted on. All its methods are safe for concurrent use.
type Server struct {
	*httptest.Server

	respond Responder

	mu       sync.Mutex
	requests []Request
	calls    map[string]int
	acted    int
	before   func(n int)
}

// NewServer starts a server answering with respond; it is closed when the
// test ends.
func NewServer(t testing.TB, respond Responder) *Server {
	t.Helper()
	s := &Server{respond: respond, calls: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// NewScripted starts a server answering with Script(replies...).
func NewScripted(t testing.TB, replies ...Reply) *Server {
	t.Helper()
	return NewServer(t, Script(replies...))
}

// OnRequest sets fn to run with each request's number before it is
// answered, outside the server's lock (so fn may call the server).
func (s *Server) OnRequest(fn func(n int)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.before = fn
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(body))
	req := Request{
		Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
		ContentType: r.Header.Get("Content-Type"), Body: string(body), Form: form, Header: r.Header.Clone(),
	}
	s.mu.Lock()
	req.N = len(s.requests) + 1
	s.requests = append(s.requests, req)
	s.calls[req.Action()]++
	before := s.before
	s.mu.Unlock()
	if before != nil {
		before(req.N)
	}

	reply := s.respond(req)
	if reply.Status == 0 {
		reply.Status = http.StatusOK
	}
	if !reply.Hijack && reply.Status/100 == 2 && strings.HasPrefix(req.Action(), "Create") {
		s.mu.Lock()
		s.acted++
		s.mu.Unlock()
	}
	if reply.Hijack {
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			conn.Close()
		}
		return
	}
	for k, v := range reply.Header {
		w.Header().Set(k, v)
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
	}
	w.WriteHeader(reply.Status)
	_, _ = io.WriteString(w, reply.Body)
}

// Requests returns a copy of the requests received, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Forms returns the form of every request received, in order.
func (s *Server) Forms() []url.Values {
	reqs := s.Requests()
	forms := make([]url.Values, len(reqs))
	for i, r := range reqs {
		forms[i] = r.Form
	}
	return forms
}

// Attempts is the number of requests received.
func (s *Server) Attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

// Calls is the number of requests received for action.
func (s *Server) Calls(action string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[action]
}

// Acted is the number of creates (actions named Create...) answered with a
// 2xx: the orders, CSRs or certificates the service would now hold.
func (s *Server) Acted() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.acted
}

// Signatures returns every Signature parameter received, to look for it in
// errors and logs.
func (s *Server) Signatures() []string {
	var sigs []string
	for _, r := range s.Requests() {
		if sig := r.Form.Get("Signature"); sig != "" {
			sigs = append(sigs, sig)
		}
		if _, sig, ok := strings.Cut(r.Header.Get("Authorization"), ",Signature="); ok {
			sigs = append(sigs, sig) // signature V3
		}
	}
	return sigs
}

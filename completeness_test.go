package alicert_test

import (
	"context"
	"encoding/json"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
	"github.com/alicert/alicert/internal/testkit"
)

// The operation-completeness test enforces the recipe of CONTRIBUTING.md:
// every wire operation of every service has a golden wire file, a case in
// TestWireGolden, a validation case, a route in the fake, a runnable
// Example, a row in README.md and a row in the secrets table. Adding an operation without one of them
// fails here, naming the operation and what it lacks.

// completenessServices are the service types whose operations are checked,
// with the API version their requests carry and the name README.md's table
// gives the service.
var completenessServices = []struct {
	typ     reflect.Type
	version string
	readme  string
}{
	{reflect.TypeOf(&alicert.CASService{}), "2020-04-07", "CAS"},
	{reflect.TypeOf(&alicert.KMSService{}), "2016-01-20", "KMS"},
	{reflect.TypeOf(&alicert.DNSService{}), "2015-01-09", "DNS"},
}

// notWireOperations are methods shaped like an operation that send no
// action of their own name: they run several operations, each checked on
// its own.
var notWireOperations = map[string]string{
	"CASService.Obtain": "orders, presents the validation and waits: CreateCertificateRequest, DescribeCertificateState and a provider",
	"CASService.Deploy": "creates, starts and follows a deployment job: CreateDeploymentJob, UpdateDeploymentJobStatus, DescribeDeploymentJob, ListWorkerResource",
}

// completenessOp is one wire operation: its service, its method (the
// action's name) and the service's API version.
type completenessOp struct {
	service, name, version, readme string
}

func (o completenessOp) String() string { return o.service + "." + o.name }

// completenessOps enumerates the exported methods shaped
// (context.Context, *<Name>Input) (*<Name>Output, error).
func completenessOps(t *testing.T) []completenessOp {
	t.Helper()
	ctxType := reflect.TypeOf((*context.Context)(nil)).Elem()
	errType := reflect.TypeOf((*error)(nil)).Elem()
	var ops []completenessOp
	for _, svc := range completenessServices {
		for i := range svc.typ.NumMethod() {
			m := svc.typ.Method(i)
			ft := m.Type // the receiver is the first argument
			if ft.IsVariadic() || ft.NumIn() != 3 || ft.NumOut() != 2 || ft.In(1) != ctxType || ft.Out(1) != errType {
				continue
			}
			in, out := ft.In(2), ft.Out(0)
			if in.Kind() != reflect.Pointer || in.Elem().Name() != m.Name+"Input" ||
				out.Kind() != reflect.Pointer || out.Elem().Name() != m.Name+"Output" {
				continue
			}
			op := completenessOp{service: svc.typ.Elem().Name(), name: m.Name, version: svc.version, readme: svc.readme}
			if _, skip := notWireOperations[op.String()]; skip {
				continue
			}
			ops = append(ops, op)
		}
	}
	if len(ops) < 9 {
		t.Fatalf("found %d operations (%v): the enumeration is broken", len(ops), ops)
	}
	return ops
}

func TestEveryOperationIsComplete(t *testing.T) {
	t.Parallel()
	files := completenessParse(t)
	wire := completenessWireCases(files)
	validation := completenessValidationCases(files)
	examples := completenessExamples(files)
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	srv := alicerttest.NewServer()
	defer srv.Close()

	completenessSecretsRows(t, completenessOps(t))
	for _, op := range completenessOps(t) {
		golden := filepath.Join("testdata", "golden", op.name+".txt")
		if _, err := os.Stat(golden); err != nil {
			t.Errorf("%s: no golden wire file %s; add a wire case, then run go test -run TestWireGolden -update", op, golden)
		}
		if !wire[op.name] {
			t.Errorf("%s: no wire case; add one with action %q to wireCases in wire_test.go", op, op.name)
		}
		if !validation[op.name] {
			t.Errorf("%s: no validation case; add a test calling valRun(t, %q, ...)", op, op.name)
		}
		if code := completenessRoute(t, srv, op); code == "InvalidAction.NotFound" {
			t.Errorf("%s: no route in alicerttest: the fake answers %s; add it to the fake's routes", op, code)
		}
		example := op.service + "_" + op.name
		switch ex, ok := examples[example]; {
		case !ok:
			t.Errorf("%s: no Example%s in the package's tests", op, example)
		case ex.Output == "" && !ex.EmptyOutput:
			t.Errorf("%s: Example%s has no // Output: comment, so go test does not run it", op, example)
		}
		if !completenessREADMERow(string(readme), op) {
			t.Errorf("%s: no row naming `%s` in README.md's table of operations (| %s | ... |)", op, op.name, op.readme)
		}
	}
}

// completenessParse parses the package's test files, with comments.
func completenessParse(t *testing.T) []*ast.File {
	t.Helper()
	paths, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, p := range paths {
		f, err := parser.ParseFile(fset, p, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return files
}

// completenessWireCases returns the actions of the cases wireCases lists:
// the string value of each "action:" field inside func wireCases.
func completenessWireCases(files []*ast.File) map[string]bool {
	found := map[string]bool{}
	for _, f := range files {
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Name.Name != "wireCases" || fn.Body == nil {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				if kv, ok := n.(*ast.KeyValueExpr); ok {
					if key, ok := kv.Key.(*ast.Ident); ok && key.Name == "action" {
						if s, ok := completenessString(kv.Value); ok {
							found[s] = true
						}
					}
				}
				return true
			})
		}
	}
	return found
}

// completenessValidationCases returns the operations named by a call
// valRun(t, "<Operation>", cases) in a test.
func completenessValidationCases(files []*ast.File) map[string]bool {
	found := map[string]bool{}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) < 3 {
				return true
			}
			if fn, ok := call.Fun.(*ast.Ident); ok && fn.Name == "valRun" {
				if s, ok := completenessString(call.Args[1]); ok {
					found[s] = true
				}
			}
			return true
		})
	}
	return found
}

// completenessExamples returns the package's examples by name (without the
// Example prefix), as go test finds them.
func completenessExamples(files []*ast.File) map[string]*doc.Example {
	found := map[string]*doc.Example{}
	for _, ex := range doc.Examples(files...) {
		found[ex.Name] = ex
	}
	return found
}

func completenessString(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// completenessRoute sends the fake a signed request for op's action with no
// parameters of its own, and returns the error code it answers (empty for
// a success). A routed action answers MissingParameter or the like; an
// action the fake does not know answers InvalidAction.NotFound.
func completenessRoute(t *testing.T, srv *alicerttest.Server, op completenessOp) string {
	t.Helper()
	id, secret := srv.Credentials()
	form := url.Values{
		"Action": {op.name}, "Version": {op.version}, "Format": {"JSON"}, "AccessKeyId": {id},
		"SignatureMethod": {"HMAC-SHA1"}, "SignatureVersion": {"1.0"},
		"SignatureNonce": {"completeness-" + op.String()},
		"Timestamp":      {time.Now().UTC().Format("2006-01-02T15:04:05Z")},
	}
	form.Set("Signature", testkit.Sign(http.MethodPost, form, secret))
	resp, err := srv.Client().Post(srv.URL, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatalf("%s: %v", op, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s: %v", op, err)
	}
	var doc struct{ Code string }
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("%s: the fake answered %d %q: %v", op, resp.StatusCode, body, err)
	}
	return doc.Code
}

// completenessREADMERow reports whether a row of README.md's table of
// operations, "| <service> | ... |", names op in backquotes.
func completenessREADMERow(readme string, op completenessOp) bool {
	for _, line := range strings.Split(readme, "\n") {
		if strings.HasPrefix(line, "| "+op.readme+" |") && strings.Contains(line, "`"+op.name+"`") {
			return true
		}
	}
	return false
}

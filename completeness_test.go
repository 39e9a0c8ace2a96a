package alicert_test

import (
	"context"
	"encoding/json"
	"fmt"
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
// Example, a row in README.md, a row in the secrets table and a row in the
// compatibility module's differential suite. Adding an operation without one of them
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
	differential := completenessDifferentialRows(t)
	srv := alicerttest.NewServer()
	defer srv.Close()

	ops := completenessOps(t)
	completenessSecretsRows(t, ops)
	for _, op := range ops {
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
		if !differential[op.String()] {
			t.Errorf("%s: no row in differentialRows in %s; add one that sends the same input through the official client", op, completenessDifferentialFile)
		}
		if !completenessREADMERow(string(readme), op) {
			t.Errorf("%s: no row naming `%s` in README.md's table of operations (| %s | ... |)", op, op.name, op.readme)
		}
	}
	completenessSafetyNets(t, files, ops)
	completenessAPIReferences(t, ops)
}

// completenessParse parses the package's test files, with comments.
func completenessParse(t *testing.T) []*ast.File {
	t.Helper()
	return completenessParseFiles(t, func(name string) bool { return strings.HasSuffix(name, "_test.go") })
}

// completenessParseFiles parses, with comments, the package's files whose
// names keep accepts.
func completenessParseFiles(t testing.TB, keep func(name string) bool) []*ast.File {
	t.Helper()
	paths, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, p := range paths {
		if !keep(p) {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return files
}

// completenessVars calls visit with the name and value of every
// package-level var of files that has a value.
func completenessVars(files []*ast.File, visit func(name string, value ast.Expr)) {
	for _, f := range files {
		for _, decl := range f.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok || gen.Tok != token.VAR {
				continue
			}
			for _, spec := range gen.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, value := range vs.Values {
					if i < len(vs.Names) {
						visit(vs.Names[i].Name, value)
					}
				}
			}
		}
	}
}

// completenessDifferentialFile is the compatibility module's differential
// suite, whose differentialRows has one row per operation.
const completenessDifferentialFile = "compat/differential_test.go"

// completenessDifferentialRows returns the operations named by the "op:"
// fields of the rows of differentialRows in completenessDifferentialFile
// ("CASService.CreateCsr").
func completenessDifferentialRows(t *testing.T) map[string]bool {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), completenessDifferentialFile, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	completenessVars([]*ast.File{f}, func(name string, value ast.Expr) {
		rows, ok := value.(*ast.CompositeLit)
		if name != "differentialRows" || !ok {
			return
		}
		for _, row := range rows.Elts {
			if lit, ok := row.(*ast.CompositeLit); ok {
				completenessOpField(lit, found)
			}
		}
	})
	if len(found) == 0 {
		t.Fatalf("%s: no differentialRows with op fields: the parse is broken", completenessDifferentialFile)
	}
	return found
}

// completenessOpField records the string value of a row's "op:" field.
func completenessOpField(row *ast.CompositeLit, found map[string]bool) {
	for _, elt := range row.Elts {
		if kv, ok := elt.(*ast.KeyValueExpr); ok {
			if key, ok := kv.Key.(*ast.Ident); ok && key.Name == "op" {
				if s, ok := completenessString(kv.Value); ok {
					found[s] = true
				}
			}
		}
	}
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

// completenessSafetyNets fails for every operation that has no row, or more
// than one, in the tables of the nets that run every operation: the fault
// matrix (relOps, reliability_test.go) and the decode fuzz (decodeFuzzOps,
// decode_fuzz_test.go), and for every row that names no operation.
func completenessSafetyNets(t *testing.T, files []*ast.File, ops []completenessOp) {
	t.Helper()
	descriptors := completenessDescriptors(t)
	matrix := map[string]int{}
	for _, row := range relOps {
		matrix[row.action]++
	}
	fuzz := completenessDecodeFuzzRows(files, descriptors)
	known := map[string]bool{}
	for _, op := range ops {
		known[op.name] = true
		if d, ok := descriptors[op.name]; !ok {
			t.Errorf("%s: no descriptor var op%s = &operation{action: %q, ...} in the package", op, op.name, op.name)
		} else if d.name != "op"+op.name {
			t.Errorf("%s: its descriptor is named %s; name it op%s", op, d.name, op.name)
		}
		switch n := matrix[op.name]; {
		case n == 0:
			t.Errorf("%s: no fault-matrix row; add one with action %q to relOps in reliability_test.go", op, op.name)
		case n > 1:
			t.Errorf("%s: %d fault-matrix rows in relOps; keep one", op, n)
		}
		switch n := fuzz[op.name]; {
		case n == 0:
			t.Errorf("%s: no decode-fuzz row; add decodeFuzzRow[%sOutput](op%s) to decodeFuzzOps in decode_fuzz_test.go", op, op.name, op.name)
		case n > 1:
			t.Errorf("%s: %d decode-fuzz rows in decodeFuzzOps; keep one", op, n)
		}
	}
	for action := range matrix {
		if !known[action] {
			t.Errorf("relOps has a row for %q, which is no operation of the services", action)
		}
	}
	for action := range fuzz {
		if !known[action] {
			t.Errorf("decodeFuzzOps has a row for %q, which is no operation of the services", action)
		}
	}
}

// completenessDescriptor is an operation's descriptor as the package's
// source declares it: var <name> = &operation{action: ..., kind: ...}.
type completenessDescriptor struct {
	name, action string
	// kind is the identifier of its kind field; empty when the field is
	// left out (the zero kind).
	kind string
}

// create reports whether the descriptor is a create, never repeated once
// it may have reached the service.
func (d completenessDescriptor) create() bool { return d.kind == "opCreate" }

// completenessDescriptors parses the package's (non-test) source and
// returns every operation descriptor by action. It reads the source, not a
// list, so that a test deriving an expectation from an operation's kind
// cannot disagree with the descriptor the call path uses.
func completenessDescriptors(t testing.TB) map[string]completenessDescriptor {
	t.Helper()
	found := map[string]completenessDescriptor{}
	completenessVars(completenessSource(t), func(name string, value ast.Expr) {
		d, ok := completenessDescriptorOf(value)
		if !ok {
			return
		}
		d.name = name
		if prev, dup := found[d.action]; dup {
			t.Errorf("two descriptors send %s: %s and %s", d.action, prev.name, d.name)
		}
		found[d.action] = d
	})
	if len(found) < 9 {
		t.Fatalf("found %d operation descriptors: the parse is broken", len(found))
	}
	return found
}

// completenessSource parses the package's source files (not its tests),
// with comments.
func completenessSource(t testing.TB) []*ast.File {
	t.Helper()
	return completenessParseFiles(t, func(name string) bool { return !strings.HasSuffix(name, "_test.go") })
}

// completenessDescriptorOf reads &operation{action: "...", kind: ...}.
func completenessDescriptorOf(e ast.Expr) (completenessDescriptor, bool) {
	var d completenessDescriptor
	u, ok := e.(*ast.UnaryExpr)
	if !ok || u.Op != token.AND {
		return d, false
	}
	lit, ok := u.X.(*ast.CompositeLit)
	if !ok {
		return d, false
	}
	if typ, ok := lit.Type.(*ast.Ident); !ok || typ.Name != "operation" {
		return d, false
	}
	for _, elt := range lit.Elts {
		kv, ok := elt.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		switch key, _ := kv.Key.(*ast.Ident); {
		case key == nil:
		case key.Name == "action":
			d.action, _ = completenessString(kv.Value)
		case key.Name == "kind":
			if id, ok := kv.Value.(*ast.Ident); ok {
				d.kind = id.Name
			}
		}
	}
	return d, d.action != ""
}

// completenessDecodeFuzzRows counts, by action, the rows of decodeFuzzOps:
// the descriptors its value names.
func completenessDecodeFuzzRows(files []*ast.File, descriptors map[string]completenessDescriptor) map[string]int {
	byName := map[string]string{}
	for action, d := range descriptors {
		byName[d.name] = action
	}
	rows := map[string]int{}
	completenessVars(files, func(name string, value ast.Expr) {
		if name != "decodeFuzzOps" {
			return
		}
		ast.Inspect(value, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && byName[id.Name] != "" {
				rows[byName[id.Name]]++
			}
			return true
		})
	})
	return rows
}

// completenessOperationsFile is the one list of the operations: service,
// action, API version and API reference page, one operation a line.
const completenessOperationsFile = "testdata/operations.txt"

// completenessReferenceForms is the documented form of each service's API
// reference pages, filled with the API version and the action lowercased.
var completenessReferenceForms = map[string]string{
	"CAS": "https://www.alibabacloud.com/help/en/ssl-certificate/developer-reference/api-cas-%s-%s",
	"KMS": "https://www.alibabacloud.com/help/en/kms/key-management-service/developer-reference/api-kms-%s-%s",
	"DNS": "https://www.alibabacloud.com/help/en/dns/api-alidns-%s-%s",
	"PCA": "https://www.alibabacloud.com/help/en/ssl-certificate/developer-reference/api-cas-%s-%s",
}

// completenessListed is one row of completenessOperationsFile.
type completenessListed struct {
	line                              int
	service, action, version, refLink string
}

// completenessAPIReferences checks the list of operations against the
// operations both ways, every row's link against the documented form, and
// every operation's doc comment, whose last line must be
// "API reference: <the row's link>".
func completenessAPIReferences(t *testing.T, ops []completenessOp) {
	t.Helper()
	listed := completenessReadOperations(t)
	docs := completenessMethodDocs(t)
	known := map[string]bool{}
	for _, op := range ops {
		known[op.name] = true
		row, ok := listed[op.name]
		switch {
		case !ok:
			t.Errorf("%s: no row in %s; add %q", op, completenessOperationsFile,
				strings.Join([]string{op.readme, op.name, op.version, completenessReferenceURL(op.readme, op.version, op.name)}, " "))
			continue
		case row.service != op.readme || row.version != op.version:
			t.Errorf("%s: %s:%d lists it as %s %s; it is %s %s", op, completenessOperationsFile, row.line, row.service, row.version, op.readme, op.version)
		}
		want := "API reference: " + row.refLink
		if last := completenessLastLine(docs[op.String()]); last != want {
			t.Errorf("%s: its doc comment ends with %q; end it with %q", op, last, want)
		}
	}
	for action, row := range listed {
		if !known[action] {
			t.Errorf("%s:%d lists %s, which is no operation of the services", completenessOperationsFile, row.line, action)
		}
	}
}

// completenessReferenceURL is the API reference page of an action in the
// documented form of its service.
func completenessReferenceURL(service, version, action string) string {
	form, ok := completenessReferenceForms[service]
	if !ok {
		return ""
	}
	return fmt.Sprintf(form, version, strings.ToLower(action))
}

// completenessReadOperations reads completenessOperationsFile by action:
// lines of four fields (blank lines and lines starting with # aside), each
// link in its service's documented form, no action twice.
func completenessReadOperations(t *testing.T) map[string]completenessListed {
	t.Helper()
	data, err := os.ReadFile(completenessOperationsFile)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]completenessListed{}
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 4 {
			t.Errorf("%s:%d: %d fields, want service, action, API version and reference link", completenessOperationsFile, i+1, len(fields))
			continue
		}
		row := completenessListed{line: i + 1, service: fields[0], action: fields[1], version: fields[2], refLink: fields[3]}
		if want := completenessReferenceURL(row.service, row.version, row.action); row.refLink != want {
			t.Errorf("%s:%d: %s's link %s is not in the documented form %s", completenessOperationsFile, row.line, row.action, row.refLink, want)
		}
		if prev, dup := rows[row.action]; dup {
			t.Errorf("%s:%d: %s is listed already on line %d", completenessOperationsFile, row.line, row.action, prev.line)
		}
		rows[row.action] = row
	}
	return rows
}

// completenessMethodDocs returns the doc comments of the services' methods,
// by "<Service>.<Method>".
func completenessMethodDocs(t *testing.T) map[string]string {
	t.Helper()
	docs := map[string]string{}
	for _, f := range completenessSource(t) {
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || len(fn.Recv.List) != 1 {
				continue
			}
			recv := fn.Recv.List[0].Type
			if star, ok := recv.(*ast.StarExpr); ok {
				recv = star.X
			}
			if id, ok := recv.(*ast.Ident); ok {
				docs[id.Name+"."+fn.Name.Name] = fn.Doc.Text()
			}
		}
	}
	return docs
}

// completenessLastLine is the last non-blank line of a doc comment.
func completenessLastLine(doc string) string {
	lines := strings.Split(strings.TrimSpace(doc), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

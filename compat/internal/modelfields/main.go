// Command modelfields reads an official generated darabonba client (the
// client/ directory of a module like github.com/alibabacloud-go/cas-20200630/v2)
// and prints, as JSON, what the differential suite needs to know of some of
// its operations when the module itself cannot be a dependency: for each
// operation, the request fields and where the client sends each one (query or
// form body), the OpenAPI parameters it calls with (action, version, style,
// ...), and the response body's fields, each by the JSON name it travels
// under and its model type.
//
// The model is read either from a directory holding the module (its go.mod
// and client/) or from a git repository of the generated SDKs at a commit:
//
//	go run ./internal/modelfields -git REPO -commit SHA -path cas-20200630 -ops A,B > testdata/cas-20200630-model.json
//	go run ./internal/modelfields -src DIR -commit SHA -ops A,B
//
// It understands the forms these clients are generated in and nothing else:
// a statement of an XxxWithOptions method it does not recognise (a shrunk
// parameter, a header, a path parameter) or a field without a JSON name is an
// error, never a guess.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Model is the extraction: its provenance, then the operations by name.
type Model struct {
	// Module is the Go module path the client's go.mod declares.
	Module string `json:"module"`
	// Source is where the client was read: the repository path of its
	// module directory, as given by -path, or "" for a directory.
	Source string `json:"source"`
	// Commit is the commit of the generated SDKs the client was read at.
	Commit string `json:"commit"`
	// Operations are the extracted operations by name.
	Operations map[string]*Operation `json:"operations"`
}

// Operation is one operation of the client.
type Operation struct {
	// Params are the string fields of the openapiutil.Params the client
	// calls CallApi with: Action, Version, Protocol, Pathname, Method,
	// AuthType, Style, ReqBodyType, BodyType.
	Params map[string]string `json:"params"`
	// Request are the <Op>Request fields, each with In set.
	Request []Field `json:"request"`
	// Response are the <Op>ResponseBody fields.
	Response []Field `json:"response"`
}

// Field is one field of a model struct.
type Field struct {
	// Wire is the field's JSON name: its parameter name, or its name in the
	// response body.
	Wire string `json:"wire"`
	// Type is the model type without pointers: string, bool, int32, int64,
	// float32, float64, struct, map, any, or one of these after one "[]"
	// per level of list.
	Type string `json:"type"`
	// In is where the client sends a request field: "query" or "body"
	// (the form body). Empty for response fields and nested fields.
	In string `json:"in,omitempty"`
	// Fields are the fields of a struct or of a list of structs.
	Fields []Field `json:"fields,omitempty"`
}

func main() {
	src := flag.String("src", "", "a directory holding the client's module: its go.mod and client/")
	repo := flag.String("git", "", "a git repository of the generated SDKs, read at -commit")
	dir := flag.String("path", "", "with -git: the module's directory in the repository, like cas-20200630")
	commit := flag.String("commit", "", "the commit the model is read at (with -src: recorded only)")
	ops := flag.String("ops", "", "the operations to extract, comma-separated")
	flag.Parse()
	m, err := run(*src, *repo, *dir, *commit, strings.Split(*ops, ","))
	if err == nil {
		err = write(os.Stdout, m)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "modelfields:", err)
		os.Exit(1)
	}
}

// run reads the module from src, or from repo at commit, and extracts ops.
func run(src, repo, dir, commit string, ops []string) (*Model, error) {
	if commit == "" {
		return nil, errors.New("-commit is required: the model's provenance")
	}
	var files map[string][]byte
	var err error
	switch {
	case (src == "") == (repo == ""):
		return nil, errors.New("give one of -src and -git")
	case src != "":
		files, err = readDir(src)
	default:
		if dir == "" {
			return nil, errors.New("-git needs -path")
		}
		files, err = readGit(repo, commit, dir)
	}
	if err != nil {
		return nil, err
	}
	m, err := Extract(files, ops)
	if err != nil {
		return nil, err
	}
	m.Source, m.Commit = dir, commit
	return m, nil
}

// write prints m as indented JSON, operations sorted by name.
func write(w io.Writer, m *Model) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// readDir reads go.mod and client/*.go of the module in dir.
func readDir(dir string) (map[string][]byte, error) {
	files := map[string][]byte{}
	entries, err := os.ReadDir(path.Join(dir, "client"))
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".go") {
			if files["client/"+e.Name()], err = os.ReadFile(path.Join(dir, "client", e.Name())); err != nil {
				return nil, err
			}
		}
	}
	if files["go.mod"], err = os.ReadFile(path.Join(dir, "go.mod")); err != nil {
		return nil, err
	}
	return files, nil
}

// readGit reads go.mod and client/*.go of the module in dir of repo at
// commit.
func readGit(repo, commit, dir string) (map[string][]byte, error) {
	git := func(args ...string) ([]byte, error) {
		var stderr bytes.Buffer
		cmd := exec.Command("git", append([]string{"-C", repo}, args...)...)
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, stderr.Bytes())
		}
		return out, nil
	}
	list, err := git("ls-tree", "--name-only", commit, dir+"/client/")
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	for _, name := range strings.Fields(string(list)) {
		if strings.HasSuffix(name, ".go") {
			if files["client/"+path.Base(name)], err = git("show", commit+":"+name); err != nil {
				return nil, err
			}
		}
	}
	if files["go.mod"], err = git("show", commit+":"+dir+"/go.mod"); err != nil {
		return nil, err
	}
	return files, nil
}

// client is the parsed client package: its struct types and the methods of
// its Client.
type client struct {
	structs map[string]*ast.StructType
	methods map[string]*ast.FuncDecl
}

// Extract extracts ops from the files of a module: "go.mod" and
// "client/<name>.go".
func Extract(files map[string][]byte, ops []string) (*Model, error) {
	module, err := modulePath(files["go.mod"])
	if err != nil {
		return nil, err
	}
	c := client{structs: map[string]*ast.StructType{}, methods: map[string]*ast.FuncDecl{}}
	fset := token.NewFileSet()
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !strings.HasPrefix(name, "client/") || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, files[name], 0)
		if err != nil {
			return nil, err
		}
		c.add(f)
	}
	m := &Model{Module: module, Operations: map[string]*Operation{}}
	for _, op := range ops {
		if op == "" {
			return nil, errors.New("no operation named: give -ops")
		}
		if m.Operations[op] != nil {
			return nil, fmt.Errorf("%s is named twice", op)
		}
		if m.Operations[op], err = c.operation(op); err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
	}
	return m, nil
}

// modulePath is the module path a go.mod declares.
func modulePath(gomod []byte) (string, error) {
	for _, line := range strings.Split(string(gomod), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`), nil
		}
	}
	return "", errors.New("no module line in go.mod")
}

func (c *client) add(f *ast.File) {
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				if ts, ok := spec.(*ast.TypeSpec); ok {
					if st, ok := ts.Type.(*ast.StructType); ok {
						c.structs[ts.Name.Name] = st
					}
				}
			}
		case *ast.FuncDecl:
			if d.Recv != nil && len(d.Recv.List) == 1 && types.ExprString(d.Recv.List[0].Type) == "*Client" {
				c.methods[d.Name.Name] = d
			}
		}
	}
}

// operation extracts op from its <op>WithOptions method and its models.
func (c *client) operation(op string) (*Operation, error) {
	fn := c.methods[op+"WithOptions"]
	if fn == nil {
		return nil, fmt.Errorf("the client has no method %sWithOptions", op)
	}
	if got := types.ExprString(fn.Type.Params.List[0].Type); got != "*"+op+"Request" {
		return nil, fmt.Errorf("%sWithOptions takes a %s, not a *%sRequest", op, got, op)
	}
	request, err := c.fields(op + "Request")
	if err != nil {
		return nil, err
	}
	sends, params, err := c.sends(fn, op)
	if err != nil {
		return nil, err
	}
	for i := range request {
		in, ok := sends[request[i].Wire]
		if !ok {
			return nil, fmt.Errorf("%sWithOptions does not send %s", op, request[i].Wire)
		}
		request[i].In = in
		delete(sends, request[i].Wire)
	}
	if len(sends) > 0 {
		return nil, fmt.Errorf("%sWithOptions sends parameters the request model does not have: %v", op, sortedKeys(sends))
	}
	if err := c.responseIsBody(op); err != nil {
		return nil, err
	}
	response, err := c.fields(op + "ResponseBody")
	if err != nil {
		return nil, err
	}
	return &Operation{Params: params, Request: request, Response: response}, nil
}

// responseIsBody checks that <op>Response's body is an <op>ResponseBody.
func (c *client) responseIsBody(op string) error {
	st := c.structs[op+"Response"]
	if st == nil {
		return fmt.Errorf("the client has no type %sResponse", op)
	}
	for _, f := range st.Fields.List {
		if len(f.Names) == 1 && f.Names[0].Name == "Body" {
			if got := types.ExprString(f.Type); got != "*"+op+"ResponseBody" {
				return fmt.Errorf("%sResponse.Body is a %s", op, got)
			}
			return nil
		}
	}
	return fmt.Errorf("%sResponse has no Body", op)
}

// fields are the fields of the named struct, in their order, by JSON name.
func (c *client) fields(name string) ([]Field, error) {
	st := c.structs[name]
	if st == nil {
		return nil, fmt.Errorf("the client has no struct type %s", name)
	}
	var fields []Field
	for _, f := range st.Fields.List {
		if len(f.Names) != 1 {
			return nil, fmt.Errorf("%s: a field that is embedded or declared with others", name)
		}
		goName := f.Names[0].Name
		if f.Tag == nil {
			return nil, fmt.Errorf("%s.%s has no tag", name, goName)
		}
		tag, err := strconv.Unquote(f.Tag.Value)
		if err != nil {
			return nil, err
		}
		wire, _, _ := strings.Cut(reflect.StructTag(tag).Get("json"), ",")
		if wire == "" || wire == "-" {
			return nil, fmt.Errorf("%s.%s has no JSON name", name, goName)
		}
		field := Field{Wire: wire}
		elem, err := c.typeOf(f.Type, &field.Type)
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", name, goName, err)
		}
		if elem != "" {
			if field.Fields, err = c.fields(elem); err != nil {
				return nil, err
			}
		}
		fields = append(fields, field)
	}
	return fields, nil
}

// typeOf writes the model type of e to typ and returns the name of its
// struct type, if it is one or a list of one.
func (c *client) typeOf(e ast.Expr, typ *string) (elem string, err error) {
	switch x := e.(type) {
	case *ast.StarExpr:
		return c.typeOf(x.X, typ)
	case *ast.ArrayType:
		if x.Len != nil {
			return "", errors.New("an array, not a list")
		}
		*typ += "[]"
		return c.typeOf(x.Elt, typ)
	case *ast.MapType:
		*typ += "map"
		return "", nil
	case *ast.InterfaceType:
		*typ += "any"
		return "", nil
	case *ast.Ident:
		switch x.Name {
		case "string", "bool", "int32", "int64", "float32", "float64":
			*typ += x.Name
			return "", nil
		}
		if c.structs[x.Name] != nil {
			*typ += "struct"
			return x.Name, nil
		}
	}
	return "", fmt.Errorf("a type the extraction does not know: %s", types.ExprString(e))
}

// sends reads an XxxWithOptions method: where each parameter goes, by its
// name, and the string fields of the Params it calls with.
func (c *client) sends(fn *ast.FuncDecl, op string) (map[string]string, map[string]string, error) {
	sends := map[string]string{}
	maps := map[string]bool{}     // "query", "body": the maps declared
	used := map[string]bool{}     // the maps the OpenApiRequest reads
	params := map[string]string{} // the Params' fields
	for _, stmt := range fn.Body.List {
		text := types.ExprString(stmtExpr(stmt))
		switch s := stmt.(type) {
		case *ast.IfStmt:
			cond := types.ExprString(s.Cond)
			switch {
			case cond == "dara.BoolValue(client.EnableValidate) == true", cond == "_err != nil":
				continue // validation, and the error return after CallApi
			case strings.HasPrefix(cond, "!dara.IsNil(request."):
				where, key, goName, err := assignment(s)
				if err != nil {
					return nil, nil, fmt.Errorf("%s: %w", cond, err)
				}
				wire, err := c.wireName(op+"Request", goName)
				if err != nil {
					return nil, nil, err
				}
				if key != wire {
					return nil, nil, fmt.Errorf("%sWithOptions sends request.%s as %q, not as its JSON name %q", op, goName, key, wire)
				}
				if !maps[where] {
					return nil, nil, fmt.Errorf("request.%s goes into %s, which is not declared", goName, where)
				}
				sends[key] = where
				continue
			}
		case *ast.AssignStmt:
			if len(s.Lhs) == 1 && len(s.Rhs) == 1 {
				lhs, rhs := types.ExprString(s.Lhs[0]), types.ExprString(s.Rhs[0])
				switch {
				case (lhs == "query" || lhs == "body") && rhs == "map[string]interface{}{}":
					maps[lhs] = true
					continue
				case lhs == "req":
					if err := requestMaps(s.Rhs[0], used); err != nil {
						return nil, nil, err
					}
					continue
				case lhs == "params":
					if err := callParams(s.Rhs[0], params); err != nil {
						return nil, nil, err
					}
					continue
				case lhs == "_result" && rhs == "&"+op+"Response{}",
					lhs == "_err" && rhs == "dara.Convert(_body, &_result)":
					continue
				}
			}
			if types.ExprString(s.Lhs[0]) == "_body" && len(s.Rhs) == 1 && types.ExprString(s.Rhs[0]) == "client.CallApi(params, req, runtime)" {
				continue
			}
		case *ast.ReturnStmt:
			continue
		}
		return nil, nil, fmt.Errorf("%sWithOptions: a statement the extraction does not know: %s", op, text)
	}
	for m := range maps {
		if !used[m] {
			return nil, nil, fmt.Errorf("%sWithOptions fills %s but does not send it", op, m)
		}
	}
	for m := range used {
		if !maps[m] {
			return nil, nil, fmt.Errorf("%sWithOptions sends %s, which it does not declare", op, m)
		}
	}
	if params["Action"] != op {
		return nil, nil, fmt.Errorf("%sWithOptions calls Action %q", op, params["Action"])
	}
	return sends, params, nil
}

// stmtExpr is an expression that names a statement in an error.
func stmtExpr(s ast.Stmt) ast.Expr {
	switch x := s.(type) {
	case *ast.ExprStmt:
		return x.X
	case *ast.AssignStmt:
		return x.Lhs[0]
	case *ast.IfStmt:
		return x.Cond
	}
	return &ast.Ident{Name: fmt.Sprintf("%T", s)}
}

// assignment reads `if !dara.IsNil(request.X) { m["K"] = request.X }`.
func assignment(s *ast.IfStmt) (where, key, goName string, err error) {
	if s.Init != nil || s.Else != nil || len(s.Body.List) != 1 {
		return "", "", "", errors.New("not one assignment")
	}
	as, ok := s.Body.List[0].(*ast.AssignStmt)
	if !ok || as.Tok != token.ASSIGN || len(as.Lhs) != 1 || len(as.Rhs) != 1 {
		return "", "", "", errors.New("not one assignment")
	}
	idx, ok := as.Lhs[0].(*ast.IndexExpr)
	if !ok {
		return "", "", "", errors.New("not an assignment into a map")
	}
	lit, ok := idx.Index.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", "", "", errors.New("a map key that is not a string literal")
	}
	if key, err = strconv.Unquote(lit.Value); err != nil {
		return "", "", "", err
	}
	goName, ok = strings.CutPrefix(types.ExprString(as.Rhs[0]), "request.")
	if !ok || strings.ContainsAny(goName, ".()") {
		return "", "", "", fmt.Errorf("sends %s, not a field of the request as it is", types.ExprString(as.Rhs[0]))
	}
	cond := types.ExprString(s.Cond)
	if cond != "!dara.IsNil(request."+goName+")" {
		return "", "", "", fmt.Errorf("tests %s but sends request.%s", cond, goName)
	}
	return types.ExprString(idx.X), key, goName, nil
}

// wireName is the JSON name of the field goName of the struct typeName.
func (c *client) wireName(typeName, goName string) (string, error) {
	for _, f := range c.structs[typeName].Fields.List {
		if len(f.Names) == 1 && f.Names[0].Name == goName && f.Tag != nil {
			tag, err := strconv.Unquote(f.Tag.Value)
			if err != nil {
				return "", err
			}
			wire, _, _ := strings.Cut(reflect.StructTag(tag).Get("json"), ",")
			return wire, nil
		}
	}
	return "", fmt.Errorf("%s has no field %s", typeName, goName)
}

// requestMaps reads `&openapiutil.OpenApiRequest{Query:
// openapiutil.Query(query), Body: openapiutil.ParseToMap(body)}` and marks
// the maps it sends.
func requestMaps(e ast.Expr, used map[string]bool) error {
	lit, err := composite(e, "openapiutil.OpenApiRequest")
	if err != nil {
		return err
	}
	forms := map[string]string{"Query": "openapiutil.Query(query)", "Body": "openapiutil.ParseToMap(body)"}
	for _, elt := range lit.Elts {
		kv, ok := elt.(*ast.KeyValueExpr)
		if !ok {
			return errors.New("an OpenApiRequest element without a key")
		}
		key, value := types.ExprString(kv.Key), types.ExprString(kv.Value)
		if forms[key] != value {
			return fmt.Errorf("the OpenApiRequest's %s is %s, a form the extraction does not know", key, value)
		}
		used[strings.ToLower(key)] = true
	}
	return nil
}

// callParams reads `&openapiutil.Params{Action: dara.String("..."), ...}`.
func callParams(e ast.Expr, params map[string]string) error {
	lit, err := composite(e, "openapiutil.Params")
	if err != nil {
		return err
	}
	for _, elt := range lit.Elts {
		kv, ok := elt.(*ast.KeyValueExpr)
		if !ok {
			return errors.New("a Params element without a key")
		}
		call, ok := kv.Value.(*ast.CallExpr)
		if !ok || types.ExprString(call.Fun) != "dara.String" || len(call.Args) != 1 {
			return fmt.Errorf("the Params' %s is %s, not a dara.String", types.ExprString(kv.Key), types.ExprString(kv.Value))
		}
		arg, ok := call.Args[0].(*ast.BasicLit)
		if !ok || arg.Kind != token.STRING {
			return fmt.Errorf("the Params' %s is not a string literal", types.ExprString(kv.Key))
		}
		if params[types.ExprString(kv.Key)], err = strconv.Unquote(arg.Value); err != nil {
			return err
		}
	}
	return nil
}

// composite is the composite literal &typeName{...}.
func composite(e ast.Expr, typeName string) (*ast.CompositeLit, error) {
	if u, ok := e.(*ast.UnaryExpr); ok && u.Op == token.AND {
		if lit, ok := u.X.(*ast.CompositeLit); ok && types.ExprString(lit.Type) == typeName {
			return lit, nil
		}
	}
	return nil, fmt.Errorf("%s is not a &%s{...}", types.ExprString(e), typeName)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

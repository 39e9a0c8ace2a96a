package compat

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"
)

// The oracle of the Private CA rows (CAS API version 2020-06-30), whose
// official generated client, github.com/alibabacloud-go/cas-20200630, this
// module cannot depend on: the module proxy does not serve it. Every
// generated client is a thin layer over one runtime, darabonba-openapi/v2,
// which this module has (cas-20200630/v2 requires the same v2.2.4): its
// XxxWithOptions method copies each set field of the typed request into a
// query (or form body) map, flattens the map with openapiutil.Query, calls
// CallApi with the operation's Params, and converts the JSON body into its
// typed response body with dara.Convert. pcaCall does the same from
// testdata/cas-20200630-model.json, the extraction of those request and
// response types and of each XxxWithOptions method by
// ./internal/modelfields, committed with the commit it was read at.
//
// So the Private CA rows prove what the other rows prove (the same
// parameters, flattened and signed by the official runtime; the same
// decoding of every field of the model, int64 ids exact) to the extent that
// the extraction is the model: names, types, nesting and where each
// parameter travels. They do not run the generated code itself: its
// NewClient, which adds only endpoint rules that the configured Endpoint
// overrides; the request's Validate, which the generated client runs only
// with EnableValidate, off by default; and anything the extraction does
// not read.

// pcaModel names the model the Private CA rows were read from: the module
// and the commit of the generated SDKs that testdata/cas-20200630-model.json
// records (TestDifferentialModelProvenance checks it).
const pcaModel = "cas-20200630/v2@6646806cf434 (testdata/cas-20200630-model.json)"

//go:embed testdata/cas-20200630-model.json
var cas20200630JSON []byte

// extractedModel is testdata/cas-20200630-model.json, as modelfields writes
// it.
type extractedModel struct {
	Module     string                  `json:"module"`
	Source     string                  `json:"source"`
	Commit     string                  `json:"commit"`
	Operations map[string]*extractedOp `json:"operations"`
}

// extractedOp is one operation: the Params its client calls CallApi with,
// and its request and response body fields.
type extractedOp struct {
	Params   map[string]string `json:"params"`
	Request  []extractedField  `json:"request"`
	Response []extractedField  `json:"response"`
}

// extractedField is one field of a model struct: its JSON name, its type
// (string, bool, int32, int64, float32, float64, struct, map, any, each
// after one "[]" per level of list), where a request field travels ("query"
// or "body"), and the fields of a struct.
type extractedField struct {
	Wire   string           `json:"wire"`
	Type   string           `json:"type"`
	In     string           `json:"in,omitempty"`
	Fields []extractedField `json:"fields,omitempty"`
}

var cas20200630 = sync.OnceValue(func() *extractedModel {
	var m extractedModel
	dec := json.NewDecoder(bytes.NewReader(cas20200630JSON))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		panic(fmt.Sprintf("testdata/cas-20200630-model.json: %v", err))
	}
	return &m
})

// modelStruct is the Go type of a model struct, as the generated code
// declares it: each field a pointer (a list of pointers, for a list),
// under its JSON name with omitempty. The Go names are F0, F1, ...: nothing
// reads them.
func modelStruct(fields []extractedField) reflect.Type {
	sf := make([]reflect.StructField, len(fields))
	for i, f := range fields {
		sf[i] = reflect.StructField{
			Name: "F" + strconv.Itoa(i),
			Type: modelType(f.Type, f.Fields),
			Tag:  reflect.StructTag(`json:"` + f.Wire + `,omitempty"`),
		}
	}
	return reflect.StructOf(sf)
}

func modelType(typ string, fields []extractedField) reflect.Type {
	if elem, ok := strings.CutPrefix(typ, "[]"); ok {
		return reflect.SliceOf(modelType(elem, fields))
	}
	switch typ {
	case "struct":
		return reflect.PointerTo(modelStruct(fields))
	case "string":
		return reflect.TypeFor[*string]()
	case "bool":
		return reflect.TypeFor[*bool]()
	case "int32":
		return reflect.TypeFor[*int32]()
	case "int64":
		return reflect.TypeFor[*int64]()
	case "float32":
		return reflect.TypeFor[*float32]()
	case "float64":
		return reflect.TypeFor[*float64]()
	case "map":
		return reflect.TypeFor[map[string]any]()
	case "any":
		return reflect.TypeFor[any]()
	}
	panic(fmt.Sprintf("testdata/cas-20200630-model.json: a type %q", typ))
}

// pcaCall is the official cas-20200630 client's call of op with the
// request whose fields request gives by their JSON names, nested ones as
// maps, lists as slices: a name or a type the model does not have fails
// the call.
func pcaCall(op string, request map[string]any) theirsCall {
	m := cas20200630().Operations[op]
	if m == nil {
		panic(fmt.Sprintf("testdata/cas-20200630-model.json has no %s", op))
	}
	body := modelStruct(m.Response)
	return theirsCall{action: op, body: body, call: func(o *officials) (any, error) {
		req, err := m.request(request)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		params, err := m.params()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		res, err := o.openapi.CallApi(params, req, &dara.RuntimeOptions{})
		if err != nil {
			return nil, err
		}
		out := reflect.New(body)
		if err := dara.Convert(res["body"], out.Interface()); err != nil {
			return nil, err
		}
		return out.Interface(), nil
	}}
}

// request builds what the generated XxxWithOptions builds from a typed
// request: the typed request (here, the map converted to the model's
// type), each set field copied into the query or the body map by its name,
// the query flattened by openapiutil.Query, and the body, when the method
// has one, by openapiutil.ParseToMap.
func (m *extractedOp) request(request map[string]any) (*openapi.OpenApiRequest, error) {
	if err := checkAgainstModel(m.Request, request, ""); err != nil {
		return nil, err
	}
	raw, err := json.Marshal(request)
	if err != nil {
		return nil, err
	}
	typed := reflect.New(modelStruct(m.Request))
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(typed.Interface()); err != nil {
		return nil, err
	}
	query, body := map[string]any{}, map[string]any{}
	hasBody := false
	for i, f := range m.Request {
		v := typed.Elem().Field(i)
		hasBody = hasBody || f.In == "body"
		if v.IsNil() {
			continue
		}
		switch f.In {
		case "query":
			query[f.Wire] = v.Interface()
		case "body":
			body[f.Wire] = v.Interface()
		default:
			return nil, fmt.Errorf("%s travels in %q, which the client has no map for", f.Wire, f.In)
		}
	}
	req := &openapi.OpenApiRequest{Query: openapiutil.Query(query)}
	if hasBody {
		req.Body = openapiutil.ParseToMap(body)
	}
	return req, nil
}

// params are the Params the generated method calls CallApi with.
func (m *extractedOp) params() (*openapi.Params, error) {
	p := &openapi.Params{}
	fields := map[string]**string{
		"Action": &p.Action, "Version": &p.Version, "Protocol": &p.Protocol, "Pathname": &p.Pathname,
		"Method": &p.Method, "AuthType": &p.AuthType, "Style": &p.Style, "ReqBodyType": &p.ReqBodyType, "BodyType": &p.BodyType,
	}
	for k, v := range m.Params {
		field, ok := fields[k]
		if !ok {
			return nil, fmt.Errorf("the client calls with a Params field %s that this oracle does not set", k)
		}
		*field = tea.String(v)
	}
	return p, nil
}

// checkAgainstModel fails naming the first key of value, at any depth, that
// is not a field of the model, and the first value that is not of its
// field's type.
func checkAgainstModel(fields []extractedField, value map[string]any, path string) error {
	for _, key := range sortedKeys(value) {
		i := slices.IndexFunc(fields, func(f extractedField) bool { return f.Wire == key })
		if i < 0 {
			return fmt.Errorf("%s: the model has no such field", joinPath(path, key))
		}
		if err := checkValue(fields[i].Type, fields[i].Fields, reflect.ValueOf(value[key]), joinPath(path, key)); err != nil {
			return err
		}
	}
	return nil
}

func checkValue(typ string, fields []extractedField, v reflect.Value, path string) error {
	if v.Kind() == reflect.Interface {
		v = v.Elem()
	}
	bad := func() error { return fmt.Errorf("%s: a %v where the model has type %s", path, v.Type(), typ) }
	if !v.IsValid() {
		return fmt.Errorf("%s: nil where the model has type %s", path, typ)
	}
	if elem, ok := strings.CutPrefix(typ, "[]"); ok {
		if v.Kind() != reflect.Slice {
			return bad()
		}
		for i := range v.Len() {
			if err := checkValue(elem, fields, v.Index(i), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	}
	switch typ {
	case "struct":
		m, ok := v.Interface().(map[string]any)
		if !ok {
			return bad()
		}
		return checkAgainstModel(fields, m, path)
	case "string":
		if v.Kind() != reflect.String {
			return bad()
		}
	case "bool":
		if v.Kind() != reflect.Bool {
			return bad()
		}
	case "int64":
		if !v.CanInt() {
			return bad()
		}
	case "int32":
		if !v.CanInt() {
			return bad()
		}
		if n := v.Int(); n < math.MinInt32 || n > math.MaxInt32 {
			return fmt.Errorf("%s: %d does not fit the model's int32", path, n)
		}
	default:
		return fmt.Errorf("%s: the oracle sends no %s", path, typ)
	}
	return nil
}

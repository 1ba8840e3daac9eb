package openapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// Validator checks requests and responses against the embedded
// specification. It is safe for concurrent use. Authentication is not checked
// (the spec's bearer scheme is accepted as present): that is the server's job.
type Validator struct {
	router routers.Router
}

// NewValidator builds a Validator for the embedded specification.
func NewValidator() (*Validator, error) {
	doc, err := Load()
	if err != nil {
		return nil, err
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("openapi: build router: %w", err)
	}
	return &Validator{router: router}, nil
}

// Route is the operation a request was matched to.
type Route struct {
	OperationID string
	// PathParams holds the path parameters as they appear in the URL
	// (still escaped), including appId.
	PathParams map[string]string
	route      *routers.Route
}

// ValidationError says, in one readable sentence, how a request or response
// breaks the specification.
type ValidationError struct {
	// Status is the HTTP status a server answers for it: 404 when no
	// operation has this path, 405 when the path has no such method, 400
	// otherwise.
	Status int
	// Where is the part at fault: "path", "query parameter \"limit\"",
	// "header \"TalkJS-REST-Version\"", "request body", "response body"…
	Where string
	// Field is the JSON path in a body ("[0].type"), or empty.
	Field string
	// Problem describes what is wrong, without echoing the value.
	Problem string
	// Allow lists, for a 405, the methods the path has (RFC 9110's Allow
	// header), in the order GET, HEAD, PUT, POST, PATCH, DELETE.
	Allow []string
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString(e.Where)
	if e.Field != "" {
		fmt.Fprintf(&b, ": field %q", e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Problem)
	return b.String()
}

// FindRoute matches a request to an operation of the spec. The error is a
// *ValidationError with Status 404 or 405.
func (v *Validator) FindRoute(r *http.Request) (*Route, error) {
	route, params, err := v.router.FindRoute(appPath(r))
	switch {
	case errors.Is(err, routers.ErrMethodNotAllowed):
		return nil, &ValidationError{Status: http.StatusMethodNotAllowed, Where: "method", Problem: fmt.Sprintf("%s is not allowed on %s", r.Method, r.URL.EscapedPath()),
			Allow: v.allowed(r)}
	case err != nil:
		return nil, &ValidationError{Status: http.StatusNotFound, Where: "path", Problem: fmt.Sprintf("no operation has the path %s", r.URL.EscapedPath())}
	}
	return &Route{OperationID: route.Operation.OperationID, PathParams: params, route: route}, nil
}

// appPath maps /v1/{appId}, the app's URL as TalkJS documents it, to the
// spec's path "/" below the server (/v1/{appId}/); other requests are
// returned as they are.
func appPath(r *http.Request) *http.Request {
	p := r.URL.EscapedPath()
	if strings.Count(p, "/") != 2 || !strings.HasPrefix(p, "/v1/") {
		return r
	}
	probe := r.Clone(r.Context())
	u := *r.URL
	u.Path, u.RawPath = r.URL.Path+"/", ""
	if r.URL.RawPath != "" {
		u.RawPath = r.URL.RawPath + "/"
	}
	probe.URL = &u
	return probe
}

// allowed lists the methods the spec has for the path of r.
func (v *Validator) allowed(r *http.Request) []string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPut, http.MethodPost, http.MethodPatch, http.MethodDelete} {
		probe := appPath(r).Clone(r.Context())
		probe.Method = m
		if _, _, err := v.router.FindRoute(probe); err == nil {
			out = append(out, m)
		}
	}
	return out
}

// ValidateRequest checks the parameters and body of r against the operation
// it matches. The body is read and replaced by an identical reader, so the
// handler after it still sees it; when r.GetBody is set, it is what gives
// the replacement (no copy is kept here). With skipBody the body is not read
// at all, for example to keep a large upload streaming.
func (v *Validator) ValidateRequest(r *http.Request, skipBody bool) (*Route, error) {
	route, err := v.FindRoute(r)
	if err != nil {
		return nil, err
	}
	// kin-openapi puts back what r.GetBody gives after reading the body (and
	// leaves it unread where the operation has none), so a body with
	// GetBody needs no copy here.
	if !skipBody && r.Body != nil && r.Body != http.NoBody && r.GetBody == nil {
		body, err := io.ReadAll(r.Body)
		_ = r.Body.Close()
		if err != nil {
			return nil, &ValidationError{Status: http.StatusBadRequest, Where: "request body", Problem: "could not be read: " + err.Error()}
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		defer func() { r.Body = io.NopCloser(bytes.NewReader(body)) }()
	}
	checked := r
	if skipBody {
		// kin-openapi may parse the body (as a form) even when told to skip
		// it; hand it a copy without one so a large upload stays unread.
		bodiless := *r
		bodiless.Body, bodiless.GetBody, bodiless.ContentLength = http.NoBody, nil, 0
		checked = &bodiless
	}
	input := &openapi3filter.RequestValidationInput{
		Request:    checked,
		PathParams: route.PathParams,
		Route:      route.route,
		Options: &openapi3filter.Options{
			ExcludeRequestBody:  skipBody,
			SkipSettingDefaults: true,
			AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc,
		},
	}
	if err := openapi3filter.ValidateRequest(context.Background(), input); err != nil {
		return route, shapeRequestError(err)
	}
	return route, nil
}

// ValidateResponse checks a response to a request that ValidateRequest
// matched to route: its status must be documented, and its headers and JSON
// body must follow the schema.
func (v *Validator) ValidateResponse(r *http.Request, route *Route, status int, header http.Header, body []byte) error {
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request:    r,
			PathParams: route.PathParams,
			Route:      route.route,
		},
		Status: status,
		Header: header,
		Options: &openapi3filter.Options{
			IncludeResponseStatus: true,
		},
	}
	input.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), input); err != nil {
		ve := &ValidationError{Status: http.StatusInternalServerError, Where: fmt.Sprintf("response %d to %s", status, route.OperationID)}
		var se *openapi3.SchemaError
		if errors.As(err, &se) {
			ve.Field, ve.Problem = schemaProblem(se)
		} else {
			ve.Problem = trimProblem(err)
		}
		return ve
	}
	return nil
}

func shapeRequestError(err error) error {
	ve := &ValidationError{Status: http.StatusBadRequest, Where: "request"}
	var re *openapi3filter.RequestError
	if !errors.As(err, &re) {
		var sec *openapi3filter.SecurityRequirementsError
		if errors.As(err, &sec) {
			ve.Status, ve.Where, ve.Problem = http.StatusUnauthorized, "Authorization header", "missing or not a bearer token"
			return ve
		}
		ve.Problem = trimProblem(err)
		return ve
	}
	switch {
	case re.Parameter != nil:
		ve.Where = fmt.Sprintf("%s parameter %q", re.Parameter.In, re.Parameter.Name)
	case re.RequestBody != nil:
		ve.Where = "request body"
	}
	var se *openapi3.SchemaError
	if errors.As(re.Err, &se) {
		ve.Field, ve.Problem = schemaProblem(se)
		if re.Parameter != nil {
			ve.Field = "" // the parameter is already named
		}
		return ve
	}
	switch {
	case re.Reason != "" && re.Err != nil:
		ve.Problem = re.Reason + ": " + trimProblem(re.Err)
	case re.Reason != "":
		ve.Problem = re.Reason
	case re.Err != nil:
		ve.Problem = trimProblem(re.Err)
	default:
		ve.Problem = "is not valid"
	}
	return ve
}

// schemaProblem turns a schema error into a field path and a sentence that
// never dumps the schema and never echoes the value.
func schemaProblem(se *openapi3.SchemaError) (field, problem string) {
	// A oneOf/anyOf failure wraps the first branch's error: prefer the
	// innermost one that names a field.
	var inner *openapi3.SchemaError
	if errors.As(se.Origin, &inner) && len(inner.JSONPointer()) >= len(se.JSONPointer()) {
		return schemaProblem(inner)
	}
	field = pointerToField(se.JSONPointer())
	s := se.Schema
	switch se.SchemaField {
	case "required":
		// kin-openapi reports the missing property in Reason.
		return field, se.Reason
	case "enum":
		if s != nil {
			vals := make([]string, 0, len(s.Enum))
			for _, v := range s.Enum {
				vals = append(vals, fmt.Sprint(v))
			}
			return field, "must be one of " + strings.Join(vals, ", ")
		}
	case "type":
		if s != nil && s.Type != nil {
			t := strings.Join(s.Type.Slice(), " or ")
			if s.Nullable {
				t += " or null"
			}
			return field, "must be " + article(t) + t
		}
	case "maxItems":
		if s != nil && s.MaxItems != nil {
			return field, fmt.Sprintf("must have at most %d %s", *s.MaxItems, plural(*s.MaxItems, "item"))
		}
	case "minItems":
		if s != nil {
			return field, fmt.Sprintf("must have at least %d %s", s.MinItems, plural(s.MinItems, "item"))
		}
	case "maxProperties":
		if s != nil && s.MaxProps != nil {
			return field, fmt.Sprintf("must have at most %d %s", *s.MaxProps, plural(*s.MaxProps, "entry"))
		}
	case "minProperties":
		if s != nil {
			return field, fmt.Sprintf("must have at least %d %s", s.MinProps, plural(s.MinProps, "entry"))
		}
	case "minLength":
		if s != nil {
			if s.MinLength == 1 {
				return field, "must not be empty"
			}
			return field, fmt.Sprintf("must be at least %d characters long", s.MinLength)
		}
	case "pattern":
		if s != nil {
			return field, fmt.Sprintf("must match %s", s.Pattern)
		}
	case "oneOf", "anyOf":
		if names := requiredAlternatives(s); names != "" {
			return field, "needs one of the fields " + names
		}
		return field, "matches none of the allowed forms"
	case "minimum":
		if s != nil && s.Min != nil {
			return field, fmt.Sprintf("must be at least %v", *s.Min)
		}
	case "maximum":
		if s != nil && s.Max != nil {
			return field, fmt.Sprintf("must be at most %v", *s.Max)
		}
	}
	if se.Reason != "" {
		return field, se.Reason
	}
	return field, "is not valid"
}

func plural(n uint64, word string) string {
	switch {
	case n == 1:
		return word
	case strings.HasSuffix(word, "y"):
		return word[:len(word)-1] + "ies"
	}
	return word + "s"
}

func article(t string) string {
	if t != "" && strings.ContainsRune("aeiou", rune(t[0])) {
		return "an "
	}
	return "a "
}

// pointerToField renders ["0","type"] as [0].type and ["custom","k"] as custom.k.
func pointerToField(ptr []string) string {
	var b strings.Builder
	for _, p := range ptr {
		if p != "" && strings.Trim(p, "0123456789") == "" {
			b.WriteString("[" + p + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}

// trimProblem keeps the first line of an error, which is where kin-openapi
// states the problem; later lines dump schemas and values.
func trimProblem(err error) string {
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return strings.TrimSpace(msg)
}

// OperationIDs lists every operationId of the spec, sorted.
func OperationIDs() ([]string, error) {
	doc, err := Load()
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			ids = append(ids, op.OperationID)
		}
	}
	sort.Strings(ids)
	return ids, nil
}

// requiredAlternatives names the fields of an anyOf/oneOf whose every
// branch only requires one field ("timestamp or createdAt"), or "".
func requiredAlternatives(s *openapi3.Schema) string {
	if s == nil {
		return ""
	}
	branches := s.AnyOf
	if len(branches) == 0 {
		branches = s.OneOf
	}
	var names []string
	for _, b := range branches {
		if b.Value == nil || len(b.Value.Required) != 1 || len(b.Value.Properties) != 0 {
			return ""
		}
		names = append(names, strconv.Quote(b.Value.Required[0]))
	}
	return strings.Join(names, " or ")
}

// Command i18n keeps assets/i18n/server.en.json, the English catalog of the
// server's messages (API errors, notices, /guest replies, the signup page),
// in step with the code, where each message is written once with its id and
// English printf format.
//
//	go run ./build/i18n extract   rewrite assets/i18n/server.en.json
//	go run ./build/i18n check     fail if it is out of date, if an id has two
//	                              texts, or if another language's catalog
//	                              (server.<lang>.json, and the emails'
//	                              <lang>.json) lacks an id English has, has
//	                              one English no longer has, or changes a
//	                              message's arguments
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

const catalogPath = "assets/i18n/server.en.json"

// callShape says where a message function takes its id and format.
type callShape struct {
	prefix          string
	idArg, fmtArg   int
	needsPrefixedID bool // only calls whose id literal is already a full id
}

var shapes = map[string]callShape{
	"ErrBadRequest": {prefix: "guest_accounts.app.", idArg: 0, fmtArg: 2},
	"ErrForbidden":  {prefix: "guest_accounts.app.", idArg: 0, fmtArg: 1},
	"ErrNotFound":   {prefix: "guest_accounts.app.", idArg: 0, fmtArg: 1},
	"ErrConflict":   {prefix: "guest_accounts.app.", idArg: 0, fmtArg: 1},
	"errInviteGone": {prefix: "guest_accounts.invite.", idArg: 1, fmtArg: 2},
	"newError":      {prefix: "guest_accounts.api.", idArg: 1, fmtArg: 2},
	"newCmdErr":     {idArg: 0, fmtArg: 1},
	"Tr":            {idArg: 1, fmtArg: 2},
	"TrUser":        {idArg: 1, fmtArg: 2},
	"t":             {idArg: 0, fmtArg: 1, needsPrefixedID: true},
	"tr":            {idArg: 0, fmtArg: 1, needsPrefixedID: true},
}

// wrappers pass ids and formats through; their own calls are not messages.
var wrappers = map[string]bool{
	"ErrBadRequest": true, "ErrForbidden": true, "ErrNotFound": true, "ErrConflict": true,
	"errInviteGone": true, "NewError": true, "newError": true, "newCmdErr": true, "Tr": true,
	"TrUser": true, "Say": true, "TranslatorFor": true, "errText": true, "Localize": true,
	"Localized": true, "LocalizedFor": true, "translator": true, "renderPage": true,
}

var templateCall = regexp.MustCompile(`\{\{T "([^"]+)" "((?:[^"\\]|\\.)*)"`)

type catalog struct {
	msgs     map[string]string
	where    map[string]string
	problems []string
}

func (c *catalog) add(id, format, where string) {
	if prev, ok := c.msgs[id]; ok && prev != format {
		c.problems = append(c.problems, fmt.Sprintf("%s: id %s already has another text (at %s)", where, id, c.where[id]))
		return
	}
	c.msgs[id], c.where[id] = format, where
}

func main() {
	if len(os.Args) != 2 || (os.Args[1] != "extract" && os.Args[1] != "check") {
		fmt.Fprintln(os.Stderr, "usage: go run ./build/i18n extract|check")
		os.Exit(2)
	}
	if err := run(".", os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(root, mode string) error {
	c, err := scan(filepath.Join(root, "server"))
	if err != nil {
		return err
	}
	if len(c.problems) > 0 {
		return fmt.Errorf("i18n: %d problem(s):\n  %s", len(c.problems), strings.Join(c.problems, "\n  "))
	}
	want, err := render(c.msgs)
	if err != nil {
		return err
	}
	path := filepath.Join(root, catalogPath)
	if mode == "extract" {
		if err := os.WriteFile(path, want, 0o644); err != nil { //nolint:gosec // the English catalog is a source file of the repository
			return err
		}
		fmt.Printf("i18n: %d server messages written to %s\n", len(c.msgs), catalogPath)
		return nil
	}
	have, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(have, want) {
		return fmt.Errorf("i18n: %s is out of date with the code; run `make i18n-extract`", catalogPath)
	}
	if err := checkTranslations(root, c.msgs); err != nil {
		return err
	}
	return checkMailTranslations(root)
}

// scan collects every message of the Go code and the signup templates.
func scan(dir string) (*catalog, error) {
	c := &catalog{msgs: map[string]string{}, where: map[string]string{}}
	fset := token.NewFileSet()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return nil
		case strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go"):
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return err
			}
			scanFile(c, fset, f)
		case strings.HasSuffix(path, ".html"):
			data, err := os.ReadFile(path) //nolint:gosec // G122: reads the repository's own templates
			if err != nil {
				return err
			}
			for _, m := range templateCall.FindAllStringSubmatch(string(data), -1) {
				format, err := strconv.Unquote(`"` + m[2] + `"`)
				if err != nil {
					return fmt.Errorf("%s: %w", path, err)
				}
				c.add(m[1], format, path)
			}
		}
		return nil
	})
	return c, err
}

func scanFile(c *catalog, fset *token.FileSet, f *ast.File) {
	for _, decl := range f.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		inWrapper := ok && wrappers[fn.Name.Name]
		ast.Inspect(decl, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CompositeLit:
				if funcName(n.Type) == "Msg" && len(n.Elts) == 2 {
					scanArgs(c, fset, n, msgFields(n.Elts), callShape{idArg: 0, fmtArg: 1}, false)
				}
			case *ast.CallExpr:
				name := funcName(n.Fun)
				shape, ok := shapes[name]
				if !ok || len(n.Args) <= shape.fmtArg {
					return true
				}
				scanArgs(c, fset, n, n.Args, shape, inWrapper)
			}
			return true
		})
	}
}

func scanArgs(c *catalog, fset *token.FileSet, n ast.Node, args []ast.Expr, shape callShape, inWrapper bool) {
	where := fset.Position(n.Pos()).String()
	id, idOK := literal(args[shape.idArg])
	format, fmtOK := literal(args[shape.fmtArg])
	if shape.needsPrefixedID && (!idOK || !strings.HasPrefix(id, "guest_accounts.")) {
		return // some other function called t or tr
	}
	if !idOK || !fmtOK {
		if !inWrapper {
			c.problems = append(c.problems, where+": a message id and format must be string literals")
		}
		return
	}
	c.add(shape.prefix+id, format, where)
}

// msgFields are an app.Msg literal's id and format, keyed or not.
func msgFields(elts []ast.Expr) []ast.Expr {
	out := make([]ast.Expr, len(elts))
	for i, e := range elts {
		kv, ok := e.(*ast.KeyValueExpr)
		if !ok {
			out[i] = e
			continue
		}
		if key, ok := kv.Key.(*ast.Ident); ok && key.Name == "Format" {
			out[1] = kv.Value
		} else {
			out[0] = kv.Value
		}
	}
	return out
}

func funcName(e ast.Expr) string {
	switch f := e.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		return f.Sel.Name
	}
	return ""
}

// literal evaluates a string literal or a sum of string literals.
func literal(e ast.Expr) (string, bool) {
	switch v := e.(type) {
	case *ast.BasicLit:
		if v.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(v.Value)
		return s, err == nil
	case *ast.BinaryExpr:
		if v.Op != token.ADD {
			return "", false
		}
		l, ok1 := literal(v.X)
		r, ok2 := literal(v.Y)
		return l + r, ok1 && ok2
	case *ast.ParenExpr:
		return literal(v.X)
	}
	return "", false
}

type entry struct {
	ID          string `json:"id"`
	Translation string `json:"translation"`
}

func render(msgs map[string]string) ([]byte, error) {
	entries := make([]entry, 0, len(msgs))
	for id, f := range msgs {
		entries = append(entries, entry{ID: id, Translation: f})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].ID < entries[j].ID })
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(entries); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// checkTranslations makes sure every other language has exactly the server
// messages English has, each with the same number of formatting verbs.
func checkTranslations(root string, english map[string]string) error {
	files, err := filepath.Glob(filepath.Join(root, "assets/i18n/server.*.json"))
	if err != nil {
		return err
	}
	var problems []string
	for _, file := range files {
		if filepath.Base(file) == "server.en.json" {
			continue
		}
		data, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		var entries []entry
		if err := json.Unmarshal(data, &entries); err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		have := map[string]bool{}
		for _, e := range entries {
			have[e.ID] = true
			en, ok := english[e.ID]
			switch {
			case !ok:
				problems = append(problems, fmt.Sprintf("%s: %s is not a server message", file, e.ID))
			case verbs(en) != verbs(e.Translation):
				problems = append(problems, fmt.Sprintf("%s: %s has %d formatting verbs, English has %d", file, e.ID, verbs(e.Translation), verbs(en)))
			}
		}
		problems = append(problems, lacking(file, english, have)...)
	}
	if problems != nil {
		return fmt.Errorf("i18n: %s", strings.Join(problems, "\n  "))
	}
	return nil
}

// lacking lists the English ids a catalog does not have, in order.
func lacking(file string, english map[string]string, have map[string]bool) []string {
	var out []string
	for id := range english {
		if !have[id] {
			out = append(out, fmt.Sprintf("%s: lacks %s (English has it)", file, id))
		}
	}
	sort.Strings(out)
	return out
}

var templateField = regexp.MustCompile(`\{\{\s*\.(\w+)`)

// fields lists the template fields ({{.Name}}) a message uses.
func fields(text string) string {
	seen := map[string]bool{}
	for _, m := range templateField.FindAllStringSubmatch(text, -1) {
		seen[m[1]] = true
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ",")
}

// checkMailTranslations compares every other language's email catalog
// (assets/i18n/<lang>.json) with en.json: the same ids, and the same
// template fields in each message.
func checkMailTranslations(root string) error {
	dir := filepath.Join(root, "assets/i18n")
	read := func(file string) ([]entry, error) {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		var entries []entry
		if err := json.Unmarshal(data, &entries); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		return entries, nil
	}
	enEntries, err := read(filepath.Join(dir, "en.json"))
	if err != nil {
		return err
	}
	english := map[string]string{}
	for _, e := range enEntries {
		english[e.ID] = e.Translation
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return err
	}
	var problems []string
	for _, file := range files {
		base := filepath.Base(file)
		if base == "en.json" || strings.HasPrefix(base, "server.") {
			continue
		}
		entries, err := read(file)
		if err != nil {
			return err
		}
		have := map[string]bool{}
		for _, e := range entries {
			have[e.ID] = true
			en, ok := english[e.ID]
			switch {
			case !ok:
				problems = append(problems, fmt.Sprintf("%s: %s is not an email message", file, e.ID))
			case fields(en) != fields(e.Translation):
				problems = append(problems, fmt.Sprintf("%s: %s uses {{.%s}}, English uses {{.%s}}", file, e.ID, fields(e.Translation), fields(en)))
			}
		}
		problems = append(problems, lacking(file, english, have)...)
	}
	if problems != nil {
		return fmt.Errorf("i18n: %s", strings.Join(problems, "\n  "))
	}
	return nil
}

var verbRe = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z]`)

// verbs counts the arguments a format uses: distinct explicit indexes
// (%[2]s) count once, plain verbs once each; %% is not a verb.
func verbs(format string) int {
	format = strings.ReplaceAll(format, "%%", "")
	seen := map[string]bool{}
	n := 0
	for _, m := range verbRe.FindAllStringSubmatch(format, -1) {
		if m[1] != "" {
			if !seen[m[1]] {
				seen[m[1]] = true
				n++
			}
			continue
		}
		n++
	}
	return n
}

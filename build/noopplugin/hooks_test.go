package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/plugin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var hooksType = reflect.TypeOf((*plugin.Hooks)(nil)).Elem()

// serverHooks lists the hooks the Guest Accounts server implements: the
// methods on *Plugin in ../../server whose names are plugin hooks.
func serverHooks(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("../../server/*.go")
	require.NoError(t, err)
	var names []string
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		for _, d := range file.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || len(fn.Recv.List) != 1 {
				continue
			}
			star, ok := fn.Recv.List[0].Type.(*ast.StarExpr)
			if !ok {
				continue
			}
			if id, ok := star.X.(*ast.Ident); !ok || id.Name != "Plugin" {
				continue
			}
			if _, isHook := hooksType.MethodByName(fn.Name.Name); isHook {
				names = append(names, fn.Name.Name)
			}
		}
	}
	sort.Strings(names)
	return names
}

// TestSameHooksAsGuestAccounts keeps the reference plugin honest: it has
// exactly Guest Accounts' hooks, with the signatures core calls.
func TestSameHooksAsGuestAccounts(t *testing.T) {
	want := serverHooks(t)
	require.Contains(t, want, "MessageWillBePosted", "the parser found the server's hooks")
	pt := reflect.TypeOf(&Plugin{})
	var got []string
	for i := 0; i < pt.NumMethod(); i++ {
		m := pt.Method(i)
		hook, isHook := hooksType.MethodByName(m.Name)
		if !isHook {
			continue
		}
		got = append(got, m.Name)
		// Method types on a concrete type include the receiver.
		in := make([]reflect.Type, 0, m.Type.NumIn()-1)
		for j := 1; j < m.Type.NumIn(); j++ {
			in = append(in, m.Type.In(j))
		}
		out := make([]reflect.Type, 0, m.Type.NumOut())
		for j := 0; j < m.Type.NumOut(); j++ {
			out = append(out, m.Type.Out(j))
		}
		assert.Equal(t, hook.Type, reflect.FuncOf(in, out, false), "signature of %s", m.Name)
	}
	sort.Strings(got)
	assert.Equal(t, want, got)
}

// A code-generation-only Pulumi language host, for `pulumi package gen-sdk` under the real CLI
// on machines where Pulumi's own language hosts cannot be had (their Go modules carry no
// version tags, so the module proxy does not serve them).
//
// Built under the name `pulumi-language-nodejs` or `pulumi-language-go`, it answers the one
// call gen-sdk makes, GeneratePackage, with the SDK generator of the pkg/v3 release it is built
// against (go.mod pins the CLI's own version): the same generator Pulumi's language host of that
// release calls. It refuses to run programs: the engine tests run those inline, through each
// language's Automation API. It is only ever put on the PATH of a gen-sdk run.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	pbempty "google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/grpc"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	nodejsgen "github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/pkg/v3/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

const prefix = "pulumi-language-"

type generator func(pkg *schema.Package, req *pulumirpc.GeneratePackageRequest,
	loader schema.ReferenceLoader) (map[string][]byte, error)

var generators = map[string]generator{
	"nodejs": func(pkg *schema.Package, req *pulumirpc.GeneratePackageRequest,
		loader schema.ReferenceLoader,
	) (map[string][]byte, error) {
		return nodejsgen.GeneratePackage(
			prefix+"nodejs", pkg, req.ExtraFiles, req.LocalDependencies, req.Local, loader)
	},
	"go": func(pkg *schema.Package, req *pulumirpc.GeneratePackageRequest,
		_ schema.ReferenceLoader,
	) (map[string][]byte, error) {
		if len(req.ExtraFiles) > 0 {
			return nil, errors.New("overlays are not supported for Go")
		}
		return gogen.GeneratePackage(prefix+"go", pkg, req.LocalDependencies)
	},
}

type codegenHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	language string
	generate generator
}

func (h *codegenHost) GetPluginInfo(context.Context, *pbempty.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{}, nil
}

func (h *codegenHost) Run(context.Context, *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	return nil, fmt.Errorf("%s%s here only generates SDKs; it cannot run programs", prefix, h.language)
}

func (h *codegenHost) GeneratePackage(
	ctx context.Context, req *pulumirpc.GeneratePackageRequest,
) (*pulumirpc.GeneratePackageResponse, error) {
	loader, err := schema.NewLoaderClient(req.LoaderTarget)
	if err != nil {
		return nil, err
	}
	defer loader.Close()

	var spec schema.PackageSpec
	if err := json.Unmarshal([]byte(req.Schema), &spec); err != nil {
		return nil, err
	}
	cached := schema.NewCachedLoader(loader)
	pkg, diags, err := schema.BindSpec(spec, cached, schema.ValidationOptions{
		AllowDanglingReferences: true,
	})
	if err != nil {
		return nil, err
	}
	if diags.HasErrors() {
		return &pulumirpc.GeneratePackageResponse{
			Diagnostics: plugin.HclDiagnosticsToRPCDiagnostics(diags),
		}, nil
	}
	files, err := h.generate(pkg, req, cached)
	if err != nil {
		return nil, err
	}
	for name, data := range files {
		path := filepath.Join(req.Directory, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return nil, err
		}
	}
	return &pulumirpc.GeneratePackageResponse{
		Diagnostics: plugin.HclDiagnosticsToRPCDiagnostics(diags),
	}, nil
}

func main() {
	language := strings.TrimPrefix(filepath.Base(os.Args[0]), prefix)
	generate, known := generators[language]
	if !known {
		fmt.Fprintf(os.Stderr, "run me as %snodejs or %sgo\n", prefix, prefix)
		os.Exit(2)
	}
	host := &codegenHost{language: language, generate: generate}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(server *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(server, host)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "could not serve: %v\n", err)
		os.Exit(1)
	}
	// The CLI reads the port from the first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "serving ended: %v\n", err)
		os.Exit(1)
	}
}

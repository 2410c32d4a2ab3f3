// Runs the Go example's program (its main.go, copied next to this file with its `main` renamed,
// so that its `program` is compiled in) as an Automation API inline program, for the engine
// tests' harness (`Project.driver`): `driver <pulumi arguments>` in the project's folder. It
// takes the arguments the harness would give the CLI (`up --yes --skip-preview`,
// `preview --json`, `refresh ...`, `destroy ...`) and answers as the CLI would; `preview --json`
// prints `{"steps": [{"op", "urn"}, ...]}`.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
)

var known = map[string]bool{
	"--yes": true, "--skip-preview": true, "--json": true, "--diff": true, "--expect-no-changes": true,
}

type step struct {
	Op  string `json:"op"`
	URN string `json:"urn"`
}

func main() {
	if len(os.Args) < 2 {
		fail(fmt.Errorf("usage: driver <operation> [flags]"))
	}
	if err := run(context.Background(), os.Args[1], os.Args[2:]); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "driver: %v\n", err)
	os.Exit(1)
}

func run(ctx context.Context, operation string, flags []string) error {
	has := map[string]bool{}
	for _, flag := range flags {
		if !known[flag] {
			return fmt.Errorf("no such flag here: %s", flag)
		}
		has[flag] = true
	}
	workDir, err := os.Getwd()
	if err != nil {
		return err
	}
	workspace, err := auto.NewLocalWorkspace(ctx, auto.WorkDir(workDir), auto.Program(program))
	if err != nil {
		return err
	}
	current, err := workspace.Stack(ctx)
	if err != nil {
		return err
	}
	if current == nil {
		return fmt.Errorf("no stack selected in this project")
	}
	stack, err := auto.SelectStack(ctx, current.Name, workspace)
	if err != nil {
		return err
	}
	switch operation {
	case "up":
		options := []optup.Option{optup.ProgressStreams(os.Stdout)}
		if has["--expect-no-changes"] {
			options = append(options, optup.ExpectNoChanges())
		}
		if has["--diff"] {
			options = append(options, optup.Diff())
		}
		_, err = stack.Up(ctx, options...)
	case "refresh":
		options := []optrefresh.Option{optrefresh.ProgressStreams(os.Stdout)}
		if has["--expect-no-changes"] {
			options = append(options, optrefresh.ExpectNoChanges())
		}
		_, err = stack.Refresh(ctx, options...)
	case "destroy":
		_, err = stack.Destroy(ctx, optdestroy.ProgressStreams(os.Stdout))
	case "preview":
		err = preview(ctx, stack, has)
	default:
		return fmt.Errorf("no such operation here: %s", operation)
	}
	return err
}

func preview(ctx context.Context, stack auto.Stack, has map[string]bool) error {
	stream := make(chan events.EngineEvent)
	steps := []step{}
	collected := make(chan struct{})
	go func() {
		for event := range stream {
			if event.ResourcePreEvent != nil {
				metadata := event.ResourcePreEvent.Metadata
				steps = append(steps, step{Op: string(metadata.Op), URN: metadata.URN})
			}
		}
		close(collected)
	}()
	options := []optpreview.Option{optpreview.EventStreams(stream)}
	if has["--expect-no-changes"] {
		options = append(options, optpreview.ExpectNoChanges())
	}
	if has["--diff"] {
		options = append(options, optpreview.Diff())
	}
	if !has["--json"] {
		options = append(options, optpreview.ProgressStreams(os.Stdout))
	}
	_, err := stack.Preview(ctx, options...)
	<-collected
	if err != nil {
		return err
	}
	if has["--json"] {
		return json.NewEncoder(os.Stdout).Encode(map[string][]step{"steps": steps})
	}
	return nil
}

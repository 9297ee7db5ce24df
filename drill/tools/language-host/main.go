// pulumi-language-nodejs for the drill: the upstream Node.js language host v3.68.0 (the newest
// one the Go module proxy serves), plus the one call it lacks, RunPlugin, which Pulumi 3.248 uses
// to start a TypeScript policy pack. Every other call goes to the upstream host unchanged.
//
// This file is the project's own code (drill/tools/build.sh builds it beside the upstream host,
// which it starts as pulumi-language-nodejs-upstream from its own folder).
package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	pbempty "google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	upstream pulumirpc.LanguageRuntimeClient
}

func (h *host) Handshake(ctx context.Context, req *pulumirpc.LanguageHandshakeRequest) (*pulumirpc.LanguageHandshakeResponse, error) {
	return h.upstream.Handshake(ctx, req)
}

func (h *host) GetRequiredPlugins(ctx context.Context, req *pulumirpc.GetRequiredPluginsRequest) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return h.upstream.GetRequiredPlugins(ctx, req)
}

func (h *host) GetRequiredPackages(ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return h.upstream.GetRequiredPackages(ctx, req)
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	return h.upstream.Run(ctx, req)
}

func (h *host) GetPluginInfo(ctx context.Context, req *pbempty.Empty) (*pulumirpc.PluginInfo, error) {
	return h.upstream.GetPluginInfo(ctx, req)
}

func (h *host) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	return h.upstream.About(ctx, req)
}

func (h *host) GetProgramDependencies(ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest) (*pulumirpc.GetProgramDependenciesResponse, error) {
	return h.upstream.GetProgramDependencies(ctx, req)
}

// RunPlugin starts a Node.js plugin the way the 3.248 host does for a policy pack:
// `node <@pulumi/pulumi/cmd/run-policy-pack> <engine address> .` in the pack's folder, its output
// streamed back and its exit code last.
func (h *host) RunPlugin(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	dir := req.GetPwd()
	if info := req.GetInfo(); info != nil && info.GetProgramDirectory() != "" {
		dir = info.GetProgramDirectory()
	}
	entry := "@pulumi/pulumi/cmd/run-policy-pack"
	if req.GetKind() == "resource" {
		entry = "@pulumi/pulumi/cmd/run-plugin"
	}
	resolve := exec.Command("node", "-e", "process.stdout.write(require.resolve(process.argv[1]))", entry)
	resolve.Dir = dir
	script, err := resolve.Output()
	if err != nil {
		return fmt.Errorf("cannot find %s from %s: is @pulumi/pulumi installed there? %w", entry, dir, err)
	}
	args := append([]string{string(script)}, req.GetArgs()...)
	args = append(args, ".")
	cmd := exec.Command("node", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), req.GetEnv()...)
	stdout, _ := cmd.StdoutPipe()
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan struct{}, 2)
	forward := func(r io.Reader, wrap func([]byte) *pulumirpc.RunPluginResponse) {
		buf := make([]byte, 32*1024)
		for {
			n, err := r.Read(buf)
			if n > 0 {
				_ = server.Send(wrap(append([]byte(nil), buf[:n]...)))
			}
			if err != nil {
				break
			}
		}
		done <- struct{}{}
	}
	go forward(stdout, func(b []byte) *pulumirpc.RunPluginResponse {
		return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}}
	})
	go forward(stderr, func(b []byte) *pulumirpc.RunPluginResponse {
		return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}}
	})
	go func() { <-server.Context().Done(); _ = cmd.Process.Kill() }()
	<-done
	<-done
	code := int32(0)
	if err := cmd.Wait(); err != nil {
		code = -1
		if exit, ok := err.(*exec.ExitError); ok {
			code = int32(exit.ExitCode())
		}
	}
	return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: code}})
}

func main() {
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// The upstream host is a plugin like this one: it prints its port, then serves until killed.
	upstream := exec.Command(filepath.Join(filepath.Dir(self), "pulumi-language-nodejs-upstream"), os.Args[1:]...)
	upstream.Stderr = os.Stderr
	out, _ := upstream.StdoutPipe()
	if err := upstream.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "cannot start the upstream language host:", err)
		os.Exit(1)
	}
	defer func() { _ = upstream.Process.Kill() }()
	lines := bufio.NewReader(out)
	port, err := lines.ReadString('\n')
	if err != nil {
		fmt.Fprintln(os.Stderr, "the upstream language host printed no port:", err)
		os.Exit(1)
	}
	go func() { _, _ = io.Copy(os.Stdout, lines) }()
	conn, err := grpc.NewClient("127.0.0.1:"+strings.TrimSpace(port),
		grpc.WithTransportCredentials(insecure.NewCredentials()), rpcutil.GrpcChannelOptions())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, &host{upstream: pulumirpc.NewLanguageRuntimeClient(conn)})
			return nil
		},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// Command supportdesk runs the supportdesk service and its admin commands.
package main

import (
	"context"
	"os"

	"supportdesk/adapters/cli"
	"supportdesk/bootstrap"
)

func main() {
	os.Exit(cli.Run(context.Background(), bootstrap.NewCommands(os.Stderr), os.Args[1:], os.Stdout, os.Stderr))
}

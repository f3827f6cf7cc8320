// Command supportdesk runs the supportdesk service and its admin commands.
package main

import (
	"context"
	"os"

	"supportdesk/adapters/cli"
)

func main() {
	os.Exit(cli.Run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

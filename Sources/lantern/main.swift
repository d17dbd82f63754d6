import LanternCLI

await LanternCommand.runFromCommandLine()

import LanternCLI

await LanternCommand.main()

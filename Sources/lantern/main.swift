import LanternCLI

LanternCommand.main()

// LanternServer
